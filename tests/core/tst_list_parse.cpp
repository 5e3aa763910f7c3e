// Typed lists as flags and text fields give them: the items, in order, or one line naming the
// flag and the item at fault.
#include "error_of.h"
#include "util/list_parse.h"

#include <QtTest>

using namespace lora;
using lora::test::qErrorOf;

Q_DECLARE_METATYPE(std::vector<int>)
Q_DECLARE_METATYPE(std::vector<float>)
Q_DECLARE_METATYPE(std::vector<std::string>)

class TestListParse : public QObject {
    Q_OBJECT
private slots:
    void names_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("loose");
        QTest::addColumn<std::vector<std::string>>("names");
        QTest::newRow("commas") << "fc1,fc2" << false << std::vector<std::string>{"fc1", "fc2"};
        QTest::newRow("spaces trimmed")
            << " fc1 , fc2 " << false << std::vector<std::string>{"fc1", "fc2"};
        QTest::newRow("one") << "kaiming+rslora" << false
                             << std::vector<std::string>{"kaiming+rslora"};
        QTest::newRow("loose separators")
            << "fc1; fc2  fc3,," << true << std::vector<std::string>{"fc1", "fc2", "fc3"};
        QTest::newRow("repeat allowed") << "a,a" << false << std::vector<std::string>{"a", "a"};
    }
    void names() {
        QFETCH(QString, text);
        QFETCH(bool, loose);
        QFETCH(std::vector<std::string>, names);
        const ListRules rules{loose ? ListSeparators::Loose : ListSeparators::Commas};
        QCOMPARE(parseNameList(text.toStdString(), "--targets", rules), names);
    }

    void ints_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<std::vector<int>>("values");
        QTest::newRow("ranks") << "1,2,4,64" << std::vector<int>{1, 2, 4, 64};
        QTest::newRow("bounds") << "1,4096" << std::vector<int>{1, 4096};
        QTest::newRow("spaces") << " 8 ,16" << std::vector<int>{8, 16};
    }
    void ints() {
        QFETCH(QString, text);
        QFETCH(std::vector<int>, values);
        QCOMPARE(parseIntList(text.toStdString(), "--ranks", 1, 4096), values);
    }

    void floats_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<std::vector<float>>("values");
        QTest::newRow("weights") << "0.7,0.3" << std::vector<float>{0.7f, 0.3f};
        QTest::newRow("negative") << "-1,2" << std::vector<float>{-1.0f, 2.0f};
        QTest::newRow("exponent") << "1e-3" << std::vector<float>{1e-3f};
    }
    void floats() {
        QFETCH(QString, text);
        QFETCH(std::vector<float>, values);
        QCOMPARE(parseFloatList(text.toStdString(), "--weights"), values);
    }

    void errors_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty item") << "names"
                                    << "fc1,"
                                    << "--list: empty item in 'fc1,'";
        QTest::newRow("middle empty") << "ints"
                                      << "1,,2"
                                      << "--list: empty item in '1,,2'";
        QTest::newRow("nothing") << "names"
                                 << ""
                                 << "--list: give at least one value";
        QTest::newRow("only blanks") << "loose ints"
                                     << " ; , "
                                     << "--list: give at least one value";
        QTest::newRow("word") << "ints"
                              << "1,x"
                              << "--list: 'x' is not a whole number 1…64";
        QTest::newRow("zero") << "ints"
                              << "0"
                              << "--list: '0' is not a whole number 1…64";
        QTest::newRow("too big") << "ints"
                                 << "65"
                                 << "--list: '65' is not a whole number 1…64";
        QTest::newRow("fraction") << "ints"
                                  << "2.5"
                                  << "--list: '2.5' is not a whole number 1…64";
        QTest::newRow("overflow") << "ints"
                                  << "99999999999"
                                  << "--list: '99999999999' is not a whole number 1…64";
        QTest::newRow("int twice") << "loose ints"
                                   << "4 8 4"
                                   << "--list: '4' is listed twice";
        QTest::newRow("float word") << "floats"
                                    << "1,one"
                                    << "--list: 'one' is not a number";
        QTest::newRow("inf") << "floats"
                             << "inf"
                             << "--list: 'inf' is not a number";
        QTest::newRow("float overflow") << "floats"
                                        << "1e39"
                                        << "--list: '1e39' is not a number";
        QTest::newRow("alpha 0") << "alphas"
                                 << "0"
                                 << "--list: '0' is not a number > 0 and ≤ 1024";
        QTest::newRow("alpha nan") << "alphas"
                                   << "nan"
                                   << "--list: 'nan' is not a number > 0 and ≤ 1024";
        QTest::newRow("alpha big") << "alphas"
                                   << "2048"
                                   << "--list: '2048' is not a number > 0 and ≤ 1024";
        QTest::newRow("alpha twice") << "alphas"
                                     << "2,2.0"
                                     << "--list: '2.0' is listed twice";
        QTest::newRow("name twice") << "unique names"
                                    << "fc1,fc1"
                                    << "--list: 'fc1' is listed twice";
    }
    void errors() {
        QFETCH(QString, kind);
        QFETCH(QString, text);
        QFETCH(QString, message);
        const std::string t = text.toStdString();
        const ListRules loose{ListSeparators::Loose, true};
        const QString error = qErrorOf([&] {
            if (kind == "names") parseNameList(t, "--list");
            if (kind == "unique names") parseNameList(t, "--list", {ListSeparators::Commas, true});
            if (kind == "ints") parseIntList(t, "--list", 1, 64);
            if (kind == "loose ints") parseIntList(t, "--list", 1, 64, loose);
            if (kind == "floats") parseFloatList(t, "--list");
            if (kind == "alphas") parseFloatList(t, "--list", {0.0, 1024.0}, loose);
        });
        QCOMPARE(error, message);
    }
};

QTEST_APPLESS_MAIN(TestListParse)
#include "tst_list_parse.moc"
