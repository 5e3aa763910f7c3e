// Class lists: parsing as users type them, and where train digits sit among the classes (the
// labels filterClassesRemap gives their images), refused in one line when a digit is missing.
#include "data/classes.h"
#include "error_of.h"

#include <QtTest>

using namespace lora;
using lora::test::qErrorOf;

Q_DECLARE_METATYPE(std::vector<int>)

class TestClasses : public QObject {
    Q_OBJECT
private slots:
    void parse_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<std::vector<int>>("classes");
        QTest::addColumn<QString>("message");
        QTest::newRow("pair") << "3,4" << std::vector<int>{3, 4} << "";
        QTest::newRow("all") << "all" << std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9} << "";
        QTest::newRow("spaces") << "7, 8" << std::vector<int>{7, 8} << "";
        QTest::newRow("empty") << "" << std::vector<int>{}
                               << "class list is empty (use digits like 3,4 or 'all')";
        QTest::newRow("empty item")
            << "3,,4" << std::vector<int>{} << "class list: empty item in '3,,4'";
        QTest::newRow("word") << "7,x" << std::vector<int>{} << "class 'x' is not a digit";
        QTest::newRow("12") << "3,12" << std::vector<int>{}
                            << "class 12 does not exist (digits are 0-9)";
        QTest::newRow("twice") << "3,3" << std::vector<int>{} << "class 3 is listed twice";
    }
    void parse() {
        QFETCH(QString, text);
        QFETCH(std::vector<int>, classes);
        QFETCH(QString, message);
        std::vector<int> got;
        const QString error = qErrorOf([&] { got = parseClasses(text.toStdString()); });
        QCOMPARE(error, message.isEmpty() ? QString("(no error)") : message);
        QCOMPARE(got, classes);
    }

    void positions_data() {
        QTest::addColumn<std::vector<int>>("classes");
        QTest::addColumn<std::vector<int>>("digits");
        QTest::addColumn<std::vector<int>>("positions");
        QTest::addColumn<QString>("message");
        QTest::newRow("seed 001: 9s of all ten")
            << std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9} << std::vector<int>{9}
            << std::vector<int>{9} << "";
        QTest::newRow("8 of 7-vs-8")
            << std::vector<int>{7, 8} << std::vector<int>{8} << std::vector<int>{1} << "";
        QTest::newRow("order follows the digits")
            << std::vector<int>{4, 3} << std::vector<int>{3, 4} << std::vector<int>{1, 0} << "";
        QTest::newRow("none") << std::vector<int>{7, 8} << std::vector<int>{} << std::vector<int>{}
                              << "";
        QTest::newRow("missing") << std::vector<int>{7, 8} << std::vector<int>{8, 9}
                                 << std::vector<int>{}
                                 << "--train-digits: digit 9 is not among the classes 7,8";
    }
    void positions() {
        QFETCH(std::vector<int>, classes);
        QFETCH(std::vector<int>, digits);
        QFETCH(std::vector<int>, positions);
        QFETCH(QString, message);
        std::vector<int> got;
        const QString error =
            qErrorOf([&] { got = classPositions(classes, digits, "--train-digits"); });
        QCOMPARE(error, message.isEmpty() ? QString("(no error)") : message);
        QCOMPARE(got, positions);
    }
};

QTEST_APPLESS_MAIN(TestClasses)
#include "tst_classes.moc"
