// The main window's way to the inspector: one inspector per owner, however often it is
// asked for; a LoRA file is told from a model file (the base a drop loads) by its keys alone,
// a foreign PEFT folder from one of our own adapters (which a drop imports) by its metadata,
// and anything unreadable is not a LoRA file.
#include "inspector/inspector_launcher.h"
#include "inspector/inspector_window.h"
#include "io/safetensors.h"

#include "lora_test_files.h"

#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

class TestInspectorLauncher : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void oneWindowPerOwner() {
        QWidget owner;
        InspectorWindow* first = showInspector(&owner);
        QVERIFY(first->isVisible());
        first->close();
        QCOMPARE(showInspector(&owner), first);
        QVERIFY(first->isVisible());
    }

    void isLoraFile_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<bool>("lora");
        QTest::newRow("kohya") << "kohya" << true;
        QTest::newRow("lycoris") << "lycoris" << true;
        QTest::newRow("a model") << "model" << false;
        QTest::newRow("garbage") << "garbage" << false;
        QTest::newRow("not .safetensors") << "suffix" << false;
        QTest::newRow("a PEFT folder of another model") << "peft" << true;
        QTest::newRow("one of our own adapter folders (imported)") << "ours" << false;
        QTest::newRow("a folder without adapter_config.json") << "bare" << false;
    }
    void isLoraFile() {
        QFETCH(QString, kind);
        QFETCH(bool, lora);
        QString path = m_dir.filePath(kind + ".safetensors");
        if (kind == "kohya")
            lora::writeSafetensors(path.toStdString(), lora::test::kohyaFile().tensors);
        if (kind == "lycoris")
            lora::writeSafetensors(path.toStdString(), lora::test::lycorisFile().tensors);
        if (kind == "model") {
            lora::SafetensorsFile model;
            model.tensors.push_back({"fc1.weight", {2, 3}, {1, 2, 3, 4, 5, 6}});
            model.tensors.push_back({"fc1.bias", {2}, {0, 1}});
            lora::writeSafetensors(path.toStdString(), model);
        }
        if (kind == "garbage") std::ofstream(path.toStdString()) << "no header here";
        if (kind == "peft" || kind == "ours" || kind == "bare") {
            lora::test::TestLoraFile f = lora::test::peftFile();
            if (kind == "ours") f.tensors.metadata["lora_explorer.architecture"] = "784-8-2";
            path = m_dir.filePath(kind);
            lora::test::writeLoraTestFile(path.toStdString(), f);
            if (kind == "bare") QFile::remove(path + "/adapter_config.json");
        }
        if (kind == "suffix") {
            path = m_dir.filePath("kohya.bin");
            lora::writeSafetensors(path.toStdString(), lora::test::kohyaFile().tensors);
        }
        QCOMPARE(::isLoraFile(path), lora);
    }
};

QTEST_MAIN(TestInspectorLauncher)
#include "tst_inspector_launcher.moc"
