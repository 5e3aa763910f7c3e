// lora-cli's command table seen from outside: `help` lists every command, `help COMMAND` every
// flag the command accepts, an unknown command is one line and exit 2, and --data is taken by
// exactly the commands that read digits and refused in one line by the others.
#include "cli_runner.h"
#include "mnist_folder.h"

#include <QTemporaryDir>

using lora::test::runCli;

namespace {

struct HelpRun {
    int exitCode = -1;
    QString out, err;
};

// The whole stdout, which runCli does not keep (help prints text, not JSON).
HelpRun runHelp(const QStringList& args) {
    QProcess process;
    process.start(QStringLiteral(LORA_CLI_PATH), args);
    HelpRun run;
    if (!process.waitForFinished(60000)) {
        process.kill();
        return run;
    }
    run.exitCode = process.exitCode();
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

const QString kReaders = "train, finetune, eval, forgetting, variants, scaling, adapters import "
                         "and adapters merge";

// Every command with every flag it accepts, written out here independently of the table.
const QList<QPair<QString, QStringList>> kCommands = {
    {"train",
     {"arch", "classes", "settings", "data", "epochs", "lr", "batch", "optimizer", "max-steps",
      "seed", "threads", "out"}},
    {"finetune",
     {"base", "classes", "train-digits", "full", "settings", "data", "epochs", "lr", "batch",
      "optimizer", "max-steps", "seed", "threads", "rank", "alpha", "rslora", "init", "targets",
      "out"}},
    {"eval",
     {"base", "adapter", "classes", "alpha", "rank", "no-lora", "merged", "logits", "data"}},
    {"forgetting",
     {"base", "classes", "old-classes", "data", "epochs", "lr", "batch", "optimizer", "max-steps",
      "seed", "threads", "rank", "alpha", "rslora", "init", "targets"}},
    {"variants",
     {"base", "classes", "variants", "rank", "alpha", "targets", "data", "epochs", "lr", "batch",
      "optimizer", "max-steps", "seed", "threads"}},
    {"scaling",
     {"base", "classes", "ranks", "alpha", "init", "targets", "data", "epochs", "lr", "batch",
      "optimizer", "max-steps", "seed", "threads"}},
    {"rank", {"matrix", "tensor", "example", "tolerance"}},
    {"svd",
     {"matrix", "tensor", "example", "base", "layer", "adapter", "delta", "rank", "all-ranks"}},
    {"approx",
     {"rows", "cols", "matrix", "tensor", "rank", "steps", "report-every", "lr", "optimizer",
      "seed"}},
    {"params", {"arch", "preset", "rank", "alpha", "rslora", "targets"}},
    {"bench",
     {"arch", "batch", "mode", "rank", "alpha", "seconds", "threads", "samples", "size", "gemm",
      "seed"}},
    {"analyze", {"base", "adapter", "layer", "compare", "rank", "seed"}},
    {"adapters list", {"base", "adapters", "dir"}},
    {"adapters import", {"base", "adapter", "classes", "name", "data", "out"}},
    {"adapters merge", {"base", "adapter", "classes", "data", "out"}},
    {"adapters unmerge", {"merged", "adapter", "original", "out"}},
    {"adapters combine", {"base", "adapters", "method", "weights", "rank", "out"}},
    {"inspect", {"path"}},
    {"resize", {"path", "rank", "sv-ratio", "sv-fro", "sv-cumulative", "max-rank", "dtype", "out"}},
    {"convert", {"path", "to", "dtype", "out"}},
    {"combine", {"inputs", "method", "weights", "rank", "to", "dtype", "out"}},
    {"merge-into", {"base", "adapter", "scale", "out"}},
};

// The "--flag" words at the start of help's option lines.
QStringList listedFlags(const QString& help) {
    QStringList flags;
    for (const QString& line : help.split('\n'))
        if (line.startsWith("  --")) flags << line.mid(4).section(' ', 0, 0);
    return flags;
}

} // namespace

class TestCliHelp : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_base, m_adapter, m_data;

private slots:
    void initTestCase() {
        m_base = m_dir.filePath("base.safetensors");
        m_adapter = m_dir.filePath("adapter");
        m_data = m_dir.filePath("mnist");
        QVERIFY(lora::test::writeMnistFolder(m_data, true));
        auto run = runCli({"train", "--arch", "784-8-2", "--classes", "3,4", "--out", m_base});
        QVERIFY2(run.exitCode == 0, qPrintable(run.stdErr));
        run = runCli({"finetune", "--base", m_base, "--classes", "7,8", "--rank", "2",
                      "--max-steps", "3", "--out", m_adapter});
        QVERIFY2(run.exitCode == 0, qPrintable(run.stdErr));
    }

    void usageListsEveryCommand_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("help") << QStringList{"help"} << 0;
        QTest::newRow("--help") << QStringList{"--help"} << 0;
        QTest::newRow("-h") << QStringList{"-h"} << 0;
        QTest::newRow("no arguments") << QStringList{} << 2;
    }
    void usageListsEveryCommand() {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        const HelpRun run = runHelp(args);
        QCOMPARE(run.exitCode, exitCode);
        QVERIFY(run.out.startsWith("usage: lora-cli <command> [options]"));
        for (const auto& [name, flags] : kCommands)
            QVERIFY2(run.out.contains("\n  " + name + "  "), qPrintable(name));
        QVERIFY(run.out.simplified().contains("--data: " + kReaders)); // wrapped over lines
        QVERIFY(run.out.contains("Exit code 2 = bad input."));
    }

    void helpCommandListsItsFlags_data() {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QStringList>("flags");
        for (const auto& [name, flags] : kCommands)
            QTest::newRow(qPrintable(name)) << name << flags;
    }
    void helpCommandListsItsFlags() {
        QFETCH(QString, command);
        QFETCH(QStringList, flags);
        const QStringList words = command.split(' ');
        for (const QStringList& args :
             {QStringList{"help"} + words, words + QStringList{"--help"}}) {
            const HelpRun run = runHelp(args);
            QCOMPARE(run.exitCode, 0);
            QVERIFY(run.out.startsWith("usage: lora-cli " + command + " "));
            QStringList listed = listedFlags(run.out), expected = flags;
            listed.sort();
            expected.sort();
            QCOMPARE(listed, expected); // every accepted flag, one line each, nothing else
        }
    }

    void helpAdaptersListsItsActions() {
        const HelpRun run = runHelp({"help", "adapters"});
        QCOMPARE(run.exitCode, 0);
        for (const char* action : {"list", "import", "merge", "unmerge", "combine"})
            QVERIFY(run.out.contains(QString("usage: lora-cli adapters ") + action + " "));
    }

    void unknownCommand_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("command") << QStringList{"fly"}
                                 << "unknown command 'fly' (try lora-cli help)";
        QTest::newRow("help topic")
            << QStringList{"help", "fly"} << "unknown command 'fly' (try lora-cli help)";
        QTest::newRow("adapters action") << QStringList{"adapters", "split"}
                                         << "unknown adapters action 'split' (use list, import, "
                                            "merge, unmerge or combine)";
    }
    void unknownCommand() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const HelpRun run = runHelp(args);
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.err.trimmed(), "lora-cli: " + message);
        QVERIFY(run.out.isEmpty());
    }

    void dataRefused_data() {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("rank") << QStringList{"rank", "--example", "rank1"};
        QTest::newRow("svd") << QStringList{"svd", "--example", "rank2", "--rank", "1"};
        QTest::newRow("approx") << QStringList{"approx", "--steps", "1"};
        QTest::newRow("params") << QStringList{"params", "--preset", "seed000"};
        QTest::newRow("bench") << QStringList{"bench", "--seconds", "0.01"};
        QTest::newRow("analyze") << QStringList{"analyze", "--base", "B", "--adapter", "A"};
        QTest::newRow("adapters list")
            << QStringList{"adapters", "list", "--base", "B", "--adapters", "A"};
        QTest::newRow("adapters unmerge")
            << QStringList{"adapters", "unmerge", "--merged", "B", "--adapter", "A", "--out", "O"};
        QTest::newRow("adapters combine")
            << QStringList{"adapters", "combine", "--base", "B", "--adapters", "A,A", "--out", "O"};
    }
    void dataRefused() {
        QFETCH(QStringList, args);
        const QString out = m_dir.filePath("never-written");
        args.replaceInStrings(QRegularExpression("^B$"), m_base)
            .replaceInStrings(QRegularExpression("^A$"), m_adapter)
            .replaceInStrings(QRegularExpression("^A,A$"), m_adapter + "," + m_adapter)
            .replaceInStrings(QRegularExpression("^O$"), out);
        const QString name = args.first() == "adapters" ? args[0] + " " + args[1] : args[0];
        const auto run = runCli(args + QStringList{"--data", m_data});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.stdErr.trimmed(), "lora-cli: " + name +
                                           " reads no digits, so --data does not apply (it does "
                                           "to " +
                                           kReaders + ")");
        QVERIFY(!QFileInfo::exists(out));
    }

    void dataAccepted_data() {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("train") << QStringList{"train", "--arch",      "784-8-2", "--classes",
                                              "3,4",   "--max-steps", "2"};
        QTest::newRow("finetune") << QStringList{"finetune", "--base",      "B", "--classes",
                                                 "7,8",      "--max-steps", "2"};
        QTest::newRow("eval") << QStringList{"eval", "--base", "B"};
        QTest::newRow("forgetting") << QStringList{
            "forgetting", "--base", "B", "--classes", "7,8", "--epochs", "1", "--max-steps", "2"};
        QTest::newRow("variants") << QStringList{"variants",  "--base",      "B",
                                                 "--classes", "7,8",         "--variants",
                                                 "kaiming",   "--max-steps", "2"};
        QTest::newRow("scaling") << QStringList{
            "scaling", "--base", "B", "--classes", "7,8", "--ranks", "1", "--max-steps", "2"};
        QTest::newRow("adapters import")
            << QStringList{"adapters", "import", "--base", "B", "--adapter", "A"};
        QTest::newRow("adapters merge")
            << QStringList{"adapters", "merge", "--base", "B", "--adapter", "A"};
    }
    void dataAccepted() {
        QFETCH(QStringList, args);
        args.replaceInStrings(QRegularExpression("^B$"), m_base)
            .replaceInStrings(QRegularExpression("^A$"), m_adapter);
        const auto run = runCli(args + QStringList{"--data", m_data});
        QVERIFY2(run.exitCode == 0, qPrintable(run.stdErr));
        QVERIFY(!run.json.isEmpty());
        // The folder really is read: one that is not there is named in a one-line refusal.
        const QString missing = m_dir.filePath("no-mnist");
        const auto bad = runCli(args + QStringList{"--data", missing});
        QCOMPARE(bad.exitCode, 2);
        QCOMPARE(bad.stdErr.trimmed(), "lora-cli: data folder " + missing + " does not exist");
    }
};

QTEST_GUILESS_MAIN(TestCliHelp)
#include "tst_cli_help.moc"
