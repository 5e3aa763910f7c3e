// The weakest digit of a trained base, through ExperimentSession: after Train base it equals
// the argmax of lora::evaluate's per-class errors on the base's test split; under the
// Fix-the-weakest-digit preset the train digits become it (seed 001 hard-coded 9), unless
// the user picked other digits while it was measured; other presets keep their digits.
#include "session/experiment_session.h"
#include "session/weakest_digit_finder.h"
#include "train/evaluate.h"
#include "train/prediction_stats.h"

#include <QSignalSpy>
#include <QtTest>

namespace {

// Seed 001's task (all ten digits) on a network small enough for a unit test.
ExperimentSettings smallFixWeakDigit() {
    ExperimentSettings s = ExperimentSettings::forPreset(ExperimentPreset::FixWeakDigit);
    s.architecture = "784-16-10";
    s.baseEpochs = 1;
    return s;
}

int expectedWeakest(const ExperimentSession& session) {
    lora::Mlp copy = *session.baseModel();
    const lora::Evaluation ev = lora::evaluate(
        copy, lora::filterClassesRemap(session.data()->test, session.settings().baseClasses));
    const int position = lora::weakestClass(ev);
    return position < 0 ? -1 : session.settings().baseClasses[position];
}

} // namespace

class TestWeakestDigitFinder : public QObject {
    Q_OBJECT
private slots:
    void trainDigitsFollowTheBase_data() {
        QTest::addColumn<bool>("fixPreset");
        QTest::addColumn<bool>("userPicks");
        QTest::newRow("fix the weakest digit") << true << false;
        QTest::newRow("user picks 3 meanwhile") << true << true;
        QTest::newRow("transfer preset") << false << false;
    }
    void trainDigitsFollowTheBase() {
        QFETCH(bool, fixPreset);
        QFETCH(bool, userPicks);
        ExperimentSession session;
        QVERIFY(session.setSettings(
            fixPreset ? smallFixWeakDigit()
                      : ExperimentSettings::forPreset(ExperimentPreset::Transfer)));
        const std::vector<int> before = session.settings().trainDigits;
        QCOMPARE(session.weakestDigit(), -1);
        // The run's finish comes before the measurement lands: a choice made then is the user's.
        if (userPicks)
            connect(&session, &ExperimentSession::runFinished, &session, [&session] {
                ExperimentSettings s = session.settings();
                s.trainDigits = {3};
                session.setSettings(s);
            });
        QSignalSpy found(&session, &ExperimentSession::weakestDigitFound);
        session.trainBase();
        QVERIFY(found.wait(60000));
        QVERIFY(session.baseModel());
        const int weakest = expectedWeakest(session);
        QVERIFY(weakest >= 0);
        qInfo("weakest digit %d (the preset had %d)", weakest, before.empty() ? -1 : before[0]);
        QCOMPARE(found.at(0).at(0).toInt(), weakest);
        QCOMPARE(session.weakestDigit(), weakest);
        QVERIFY(QTest::qWaitFor([&] { return !session.isRunning(); }, 30000));
        const std::vector<int> expected = userPicks   ? std::vector<int>{3}
                                          : fixPreset ? std::vector<int>{weakest}
                                                      : before;
        QCOMPARE(session.settings().trainDigits, expected);
        // The user can still pick another digit afterwards, and it stays.
        ExperimentSettings s = session.settings();
        const std::vector<int>& target = s.targetClasses;
        s.trainDigits = {target[0] == weakest ? target[1] : target[0]};
        QVERIFY(session.setSettings(s));
        QCoreApplication::processEvents();
        QCOMPARE(session.settings().trainDigits, s.trainDigits);
    }

    void aNewBaseSupersedesTheOld() {
        WeakestDigitFinder finder;
        QSignalSpy found(&finder, &WeakestDigitFinder::found);
        lora::Mlp a("784-8-10"), b("784-8-10");
        lora::Rng rng(3);
        a.initDefault(rng);
        b.initDefault(rng);
        const auto data = std::make_shared<const lora::SplitData>(lora::loadEmbeddedMnist());
        const std::vector<int> digits{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        const ModelPtr first = std::make_shared<const lora::Mlp>(a);
        const ModelPtr second = std::make_shared<const lora::Mlp>(b);
        finder.find(first, data, digits);
        finder.find(second, data, digits);
        QVERIFY(QTest::qWaitFor([&] { return !finder.isBusy(); }, 30000));
        QCoreApplication::processEvents();
        QCOMPARE(found.size(), 1);
        const WeakestDigit result = found.at(0).at(0).value<WeakestDigit>();
        QCOMPARE(result.base, second);
        lora::Mlp copy = b;
        const lora::Evaluation ev =
            lora::evaluate(copy, lora::filterClassesRemap(data->test, digits));
        QCOMPARE(result.errors, ev.errorsPerClass);
        QCOMPARE(result.digit, lora::weakestClass(ev) < 0 ? -1 : digits[lora::weakestClass(ev)]);
    }
};

QTEST_MAIN(TestWeakestDigitFinder)
#include "tst_weakest_digit_finder.moc"
