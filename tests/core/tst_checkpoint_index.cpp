// Finding a checkpoint's tensors (locateCheckpoint) and reading a shard's header for streaming
// (CheckpointReader): transformers' and diffusers' file names, the folder's other files, every
// dtype safetensors defines, and one-line refusals for an index or header that lies.
#include "io/checkpoint_index.h"
#include "io/checkpoint_reader.h"
#include "util/error.h"

#include "lora_test_files.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace lora;
using namespace lora::test;

namespace {

QString errorOf(const std::function<void()>& action) {
    try {
        action();
    } catch (const InputError& e) {
        return e.what();
    }
    return {};
}

void writeText(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
}

} // namespace

class TestCheckpointIndex : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    std::string folder(const char* name) const {
        const std::string dir = m_dir.filePath(name).toStdString();
        std::filesystem::create_directories(dir);
        return dir;
    }

private slots:
    void shardedFolder() {
        const std::string dir = folder("llama");
        writeShardedCheckpoint(dir, llamaShards());
        const CheckpointLayout layout = locateCheckpoint(dir);
        QVERIFY(layout.folder);
        QCOMPARE(layout.indexName, std::string("model.safetensors.index.json"));
        QCOMPARE(layout.shards,
                 (std::vector<std::string>{llamaShardName(0, 2), llamaShardName(1, 2)}));
        QCOMPARE(layout.otherFiles, (std::vector<std::string>{"config.json", "tokenizer.json"}));
        QCOMPARE(layout.weightMap.at("lm_head.weight"), llamaShardName(1, 2));
        const CheckpointReader first(layout.shardPath(0)), second(layout.shardPath(1));
        checkIndexAgainstShards(layout, {&first, &second});
        const CheckpointTensor* ids = first.find("model.position_ids");
        QVERIFY(ids);
        QCOMPARE(ids->dtype, std::string("I64"));
        QCOMPARE(ids->values(), std::uint64_t(30));
        QCOMPARE(first.metadata().at("format"), std::string("pt"));
        QCOMPARE(first.headerBytes().size(), std::size_t(first.dataStart()));
    }

    void diffusersSingleFile() {
        const std::string dir = folder("unet");
        Rng rng(3);
        writeBytes(dir + "/diffusion_pytorch_model.safetensors",
                   checkpointBytes({checkpointTensor(rng, "conv_in.weight", "F16", {2, 2, 3, 3})}));
        writeText(dir + "/config.json", "{}");
        const CheckpointLayout layout = locateCheckpoint(dir);
        QVERIFY(layout.indexName.empty());
        QCOMPARE(layout.shards, std::vector<std::string>{"diffusion_pytorch_model.safetensors"});
        QCOMPARE(layout.otherFiles, std::vector<std::string>{"config.json"});
    }

    void refusedIndexes_data() {
        QTest::addColumn<QString>("index");
        QTest::addColumn<QString>("says");
        QTest::newRow("no weight_map") << R"({"metadata": {}})"
                                       << "has no weight_map object";
        QTest::newRow("a path out of the folder")
            << R"({"weight_map": {"a.weight": "../x.safetensors"}})"
            << "not a file name in the folder";
        QTest::newRow("a missing shard") << R"({"weight_map": {"a.weight": "gone.safetensors"}})"
                                         << "names shard 'gone.safetensors', which is missing";
        QTest::newRow("duplicate key")
            << R"({"weight_map": {"a": "s.safetensors", "a": "s.safetensors"}})"
            << "duplicate key";
        QTest::newRow("not JSON") << "{weight_map"
                                  << "is not valid JSON";
    }
    void refusedIndexes() {
        QFETCH(QString, index);
        QFETCH(QString, says);
        const std::string dir = folder(qPrintable("index-" + QString(QTest::currentDataTag())));
        writeText(dir + "/model.safetensors.index.json", index.toStdString());
        const QString error = errorOf([&] { locateCheckpoint(dir); });
        QVERIFY2(error.contains(says), qPrintable(error));
    }

    void noCheckpoint() {
        const std::string dir = folder("empty");
        writeText(dir + "/config.json", "{}");
        QVERIFY(errorOf([&] { locateCheckpoint(dir); }).contains("holds no model.safetensors"));
    }

    void refusedHeaders_data() {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<int>("dataBytes");
        QTest::addColumn<QString>("says");
        QTest::newRow("unknown dtype")
            << QByteArray(R"({"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,2]}})") << 2
            << "dtype 'Q4' unknown";
        QTest::newRow("size disagrees")
            << QByteArray(R"({"a":{"dtype":"I64","shape":[2],"data_offsets":[0,8]}})") << 8
            << "its shape and dtype I64 need another size";
        QTest::newRow("gap") << QByteArray(
                                    R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}})")
                             << 4 << "first tensor 'a' starts at byte 2, not 0";
        QTest::newRow("truncated")
            << QByteArray(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})") << 8
            << "data is truncated";
        QTest::newRow("huge shape")
            << QByteArray(
                   R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]}})")
            << 4 << "need another size";
        QTest::newRow("not an object")
            << QByteArray("[1]") << 0 << "header does not start with '{'";
    }
    void refusedHeaders() {
        QFETCH(QByteArray, header);
        QFETCH(int, dataBytes);
        QFETCH(QString, says);
        const std::string path =
            m_dir.filePath(QString("h-%1.safetensors").arg(QTest::currentDataTag())).toStdString();
        std::vector<std::uint8_t> bytes(8);
        for (int i = 0; i < 8; ++i)
            bytes[i] = std::uint8_t(std::uint64_t(header.size()) >> (8 * i));
        bytes.insert(bytes.end(), header.begin(), header.end());
        bytes.resize(bytes.size() + std::size_t(dataBytes));
        writeBytes(path, bytes);
        const QString error = errorOf([&] { CheckpointReader reader(path); });
        QVERIFY2(error.contains(says), qPrintable(error));
        QVERIFY(error.startsWith(QString::fromStdString(path)));
    }

    void headerOverBudget() {
        const std::string path = m_dir.filePath("big-header.safetensors").toStdString();
        std::vector<std::uint8_t> bytes(16, ' ');
        const std::uint64_t claimed = kMaxCheckpointHeaderBytes + 8;
        for (int i = 0; i < 8; ++i) bytes[std::size_t(i)] = std::uint8_t(claimed >> (8 * i));
        writeBytes(path, bytes);
        QVERIFY(errorOf([&] { CheckpointReader reader(path); }).contains("MiB limit"));
    }
};

QTEST_GUILESS_MAIN(TestCheckpointIndex)
#include "tst_checkpoint_index.moc"
