// The per-block grid of module names: every format's spelling of the same places lands in the
// same row and column, rows come in model order (numbers as numbers, down → mid → up) and
// columns in the canonical order.
#include "io/module_layout.h"

#include "lora_test_files.h"

#include <QtTest>

using namespace lora;

class TestModuleLayout : public QObject {
    Q_OBJECT
private slots:
    void cell_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("row");
        QTest::addColumn<QString>("column");
        auto row = [](const char* n, const char* r, const char* c) {
            QTest::newRow(n) << n << r << c;
        };
        row("base_model.model.model.layers.3.self_attn.q_proj", "layers.3", "q");
        row("base_model.model.model.layers.12.mlp.down_proj", "layers.12", "down");
        row("base_model.model.model.layers.0.mlp.gate_proj", "layers.0", "gate");
        row("base_model.model.transformer.h.5.attn.c_attn", "h.5", "attn.c_attn");
        row("base_model.model.transformer.h.5.mlp.c_proj", "h.5", "mlp.c_proj");
        row("base_model.model.vit.encoder.layer.7.attention.attention.query", "layer.7", "q");
        row("base_model.model.model.embed_tokens", "other", "embed_tokens");
        row("base_model.model.fc1", "other", "fc1"); // our own MLP adapters
        row("lora_unet_down_blocks_0_attentions_1_transformer_blocks_0_attn1_to_q",
            "down_blocks.0.attentions.1", "attn1.to_q");
        row("lora_unet_up_blocks_1_attentions_2_transformer_blocks_0_attn2_to_out_0",
            "up_blocks.1.attentions.2", "attn2.to_out");
        row("lora_unet_down_blocks_2_attentions_1_transformer_blocks_5_ff_net_0_proj",
            "down_blocks.2.attentions.1.transformer_blocks.5", "ff.net.0.proj");
        row("lora_te1_text_model_encoder_layers_3_mlp_fc1", "te1 layers.3", "mlp.fc1");
        row("lora_te2_text_model_encoder_layers_0_self_attn_q_proj", "te2 layers.0", "q");
        row("lora_te_text_model_encoder_layers_11_self_attn_out_proj", "te layers.11", "o");
        row("unet.up_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k",
            "up_blocks.1.attentions.0", "attn2.to_k");
        row("unet.mid_block.attentions.0.transformer_blocks.0.attn1.to_q", "mid_block.attentions.0",
            "attn1.to_q");
        row("unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.processor.to_q",
            "down_blocks.0.attentions.0", "attn1.to_q");
        row("text_encoder.text_model.encoder.layers.0.self_attn.k_proj", "te layers.0", "k");
        row("text_encoder_2.text_model.encoder.layers.4.self_attn.v_proj", "te2 layers.4", "v");
        row("lora_unet_input_blocks_4_0_in_layers_2", "input_blocks.4.0", "in_layers.2");
        row("lora_unet_mid_block_attentions_0_proj_out", "mid_block.attentions.0", "proj_out");
        row("lora_unet_single_transformer_blocks_7_proj_mlp", "single_transformer_blocks.7",
            "proj_mlp");
    }
    void cell() {
        QFETCH(QString, name);
        QFETCH(QString, row);
        QFETCH(QString, column);
        const ModuleCell c = moduleCell(name.toStdString());
        QCOMPARE(QString::fromStdString(c.row), row);
        QCOMPARE(QString::fromStdString(c.column), column);
    }

    void gridOrder() {
        const std::vector<std::string> names = {
            "lora_unet_up_blocks_1_attentions_0_transformer_blocks_0_attn1_to_k",
            "lora_unet_down_blocks_1_attentions_0_transformer_blocks_0_attn1_to_q",
            "lora_unet_mid_block_attentions_0_transformer_blocks_0_attn2_to_q",
            "lora_te1_text_model_encoder_layers_10_mlp_fc1",
            "lora_te1_text_model_encoder_layers_9_self_attn_q_proj",
            "lora_unet_down_blocks_1_attentions_0_transformer_blocks_0_attn1_to_out_0",
            "lora_unet_down_blocks_1_attentions_0_proj_in"};
        const ModuleGrid g = moduleGrid(names);
        QCOMPARE(g.rows, (std::vector<std::string>{
                             "te1 layers.9", "te1 layers.10", "down_blocks.1.attentions.0",
                             "mid_block.attentions.0", "up_blocks.1.attentions.0"}));
        QCOMPARE(g.columns, (std::vector<std::string>{"q", "mlp.fc1", "proj_in", "attn1.to_q",
                                                      "attn1.to_k", "attn1.to_out", "attn2.to_q"}));
        QCOMPARE(g.rowOf, (std::vector<int>{4, 2, 3, 1, 0, 2, 2}));
        QCOMPARE(g.columnOf, (std::vector<int>{4, 3, 6, 1, 0, 5, 2}));
    }

    void generatedFiles_data() {
        QTest::addColumn<int>("which");
        QTest::addColumn<QStringList>("cells");
        QTest::newRow("peft") << 0
                              << QStringList{"layers.0/q", "layers.0/v", "layers.1/q",
                                             "other/embed_tokens"};
        QTest::newRow("kohya") << 1
                               << QStringList{"input_blocks.4.0/in_layers.2", "te1 layers.0/q",
                                              "te2 layers.0/mlp.fc1"};
        QTest::newRow("diffusers")
            << 2 << QStringList{"mid_block.attentions.0/attn1.to_q", "te layers.0/k"};
    }
    void generatedFiles() {
        QFETCH(int, which);
        QFETCH(QStringList, cells);
        const test::TestLoraFile f = which == 0   ? test::peftFile()
                                     : which == 1 ? test::kohyaFile()
                                                  : test::diffusersFile();
        QStringList got;
        for (const auto& [name, delta] : f.delta) {
            const ModuleCell c = moduleCell(name);
            got << QString::fromStdString(c.row + "/" + c.column);
        }
        got.sort();
        cells.sort();
        QCOMPARE(got, cells);
    }
};

QTEST_GUILESS_MAIN(TestModuleLayout)
#include "tst_module_layout.moc"
