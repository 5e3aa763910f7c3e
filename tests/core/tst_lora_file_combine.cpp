// Combining real LoRA files module by module, checked against Σ wᵢ·ΔWᵢ formed densely in double
// from the generators' own ΔW: cat is exact (1e-6) at rank Σ rᵢ; svd is the best rank-R part
// of the sum (a dense SVD, 1e-5) with its fro_retained; linear is PEFT's product of the
// combined factors, its gap to the sum as a dense computation gives it; kohya SDXL files (a 3×3
// conv, te1 / te2) and PEFT pipeline folders under rsLoRA, written in their own format or
// another; and the refusals naming the file and module, with nothing written.
#include "linalg/lora_file_combine.h"

#include "error_of.h"
#include "lora_test_files.h"

#include <QTemporaryDir>
#include <QtTest>
#include <functional>

using namespace lora;
using lora::test::Dense;
using lora::test::errorOf;
using lora::test::TestLoraFile;

Q_DECLARE_METATYPE(lora::CombineMethod)

namespace {

using Makers = std::vector<std::function<TestLoraFile()>>;

Dense deltaOf(const LoraModule& m) {
    return m.scale * m.up.cast<double>() * m.down.cast<double>();
}

Dense bestRank(const Dense& m, int r, double* retained) {
    Eigen::JacobiSVD<Dense> svd(m, Eigen::ComputeThinU | Eigen::ComputeThinV);
    const Eigen::VectorXd& s = svd.singularValues();
    r = std::min<int>(r, static_cast<int>(s.size()));
    *retained = std::sqrt(s.head(r).squaredNorm() / s.squaredNorm());
    return svd.matrixU().leftCols(r) * s.head(r).asDiagonal() *
           svd.matrixV().leftCols(r).transpose();
}

TestLoraFile kohyaA() {
    return lora::test::kohyaSdxlFile(11, {4, 4, 2}, {2.0f, 4.0f, 1.0f});
}
TestLoraFile kohyaB() {
    return lora::test::kohyaSdxlFile(12, {2, 4, 2}, {2.0f, 1.0f, 3.0f});
}

} // namespace

class TestLoraFileCombine : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_count = 0;

    std::string fresh(const std::string& stem) {
        return m_dir.filePath(QString::fromStdString(stem + std::to_string(++m_count)))
            .toStdString();
    }

private slots:
    void methods_data() {
        QTest::addColumn<Makers>("inputs");
        QTest::addColumn<CombineMethod>("method");
        QTest::addColumn<QList<double>>("weights");
        QTest::addColumn<int>("rank");
        const Makers kohya{kohyaA, kohyaB};
        const Makers kohyaEqual{
            kohyaA, [] {
                return lora::test::kohyaSdxlFile(13, {4, 4, 2}, {1.0f, 8.0f, 2.0f});
            }};
        const Makers peft{[] { return lora::test::peftPipelineFile(6); },
                          [] { return lora::test::peftPipelineFile(7); },
                          [] { return lora::test::peftPipelineFile(8); }};
        QTest::newRow("cat kohya") << kohya << CombineMethod::Cat << QList<double>{0.7, -1.5} << 0;
        QTest::newRow("cat peft x3") << peft << CombineMethod::Cat << QList<double>{1, 0.5, 2} << 0;
        QTest::newRow("svd kohya default rank")
            << kohya << CombineMethod::Svd << QList<double>{1, 1} << 0;
        QTest::newRow("svd peft rank 3")
            << peft << CombineMethod::Svd << QList<double>{1, -1, 0.5} << 3;
        QTest::newRow("linear kohya")
            << kohyaEqual << CombineMethod::Linear << QList<double>{0.3, 2} << 0;
        QTest::newRow("linear peft")
            << peft << CombineMethod::Linear << QList<double>{1, 1, 1} << 0;
    }
    void methods() {
        QFETCH(Makers, inputs);
        QFETCH(CombineMethod, method);
        QFETCH(QList<double>, weights);
        QFETCH(int, rank);
        std::vector<TestLoraFile> files;
        std::vector<std::string> paths;
        for (const auto& make : inputs) {
            files.push_back(make());
            paths.push_back(lora::test::writeLoraTestFile(fresh("in"), files.back()));
        }
        FileCombineOptions options;
        options.method = method;
        options.weights.assign(weights.begin(), weights.end());
        options.rank = rank;
        const std::string out = fresh("out");
        const FileCombine result = combineLoraFiles(paths, out, options);
        const LoraFile first = readLoraFile(paths[0]);
        const LoraFile written = readLoraFile(out);
        QCOMPARE(written.format, first.format);
        QCOMPARE(written.modules.size(), first.modules.size());
        for (std::size_t m = 0; m < first.modules.size(); ++m) {
            const std::string& name = first.modules[m].name;
            const CombinedModule& report = result.modules[m];
            QCOMPARE(report.name, name);
            const LoraModule& got = written.modules[m];
            QCOMPARE(got.rank, report.rankOut);
            Dense sum = Dense::Zero(files[0].delta.at(name).rows(), files[0].delta.at(name).cols());
            int ranks = 0, largest = 0;
            for (std::size_t i = 0; i < files.size(); ++i) {
                sum += weights[int(i)] * files[i].delta.at(name);
                ranks += report.ranksIn[i];
                largest = std::max(largest, report.ranksIn[i]);
            }
            const Dense delta = deltaOf(got);
            if (method == CombineMethod::Cat) {
                QCOMPARE(got.rank, ranks);
                QVERIFY2((delta - sum).norm() <= 1e-6 * sum.norm(), name.c_str());
            } else if (method == CombineMethod::Svd) {
                double retained = 0;
                const int r = std::min(rank > 0 ? rank : largest, ranks);
                const Dense best = bestRank(sum, r, &retained);
                QCOMPARE(got.rank, std::min<int>(r, std::min(sum.rows(), sum.cols())));
                QVERIFY2((delta - best).norm() <= 1e-5 * sum.norm(), name.c_str());
                QVERIFY(std::abs(report.froRetained - retained) < 1e-6);
            } else {
                // PEFT's formula formed densely: (Σ √(wᵢsᵢ)·Bᵢ)(Σ √(wᵢsᵢ)·Aᵢ).
                Dense b = Dense::Zero(sum.rows(), report.ranksIn[0]);
                Dense a = Dense::Zero(report.ranksIn[0], sum.cols());
                for (std::size_t i = 0; i < paths.size(); ++i) {
                    const LoraFile file = readLoraFile(paths[i]);
                    const LoraModule& src = file.modules[m];
                    const double root = std::sqrt(weights[int(i)] * src.scale);
                    b += root * src.up.cast<double>();
                    a += root * src.down.cast<double>();
                }
                QVERIFY((delta - b * a).norm() <= 1e-6 * (b * a).norm());
                const double gap = (b * a - sum).norm() / sum.norm();
                QVERIFY(gap > 1e-3); // the cross terms are there
                QVERIFY2(std::abs(report.linearGap - gap) <= 1e-6 * gap, name.c_str());
            }
        }
    }

    void writesAnotherFormat() {
        const std::vector<std::string> paths{lora::test::writeLoraTestFile(fresh("a"), kohyaA()),
                                             lora::test::writeLoraTestFile(fresh("b"), kohyaB())};
        FileCombineOptions options;
        options.to = LoraFormat::Diffusers;
        const std::string out = fresh("diffusers");
        QCOMPARE(combineLoraFiles(paths, out, options).format, LoraFormat::Diffusers);
        const LoraFile file = readLoraFile(out);
        QCOMPARE(file.format, LoraFormat::Diffusers);
        QCOMPARE(file.modules[2].name,
                 std::string("text_encoder_2.text_model.encoder.layers.0.mlp.fc1"));
        const Dense sum = kohyaA().delta.at("lora_te2_text_model_encoder_layers_0_mlp_fc1") +
                          kohyaB().delta.at("lora_te2_text_model_encoder_layers_0_mlp_fc1");
        QVERIFY((deltaOf(file.modules[2]) - sum).norm() <= 1e-6 * sum.norm());
    }

    void refusals_data() {
        QTest::addColumn<QStringList>("second"); // which file is second: a generator's name
        QTest::addColumn<CombineMethod>("method");
        QTest::addColumn<QString>("says"); // after the second file's path
        QTest::newRow("other modules")
            << QStringList{"diffusers"} << CombineMethod::Cat
            << ": has no module lora_unet_input_blocks_4_0_in_layers_2, which FIRST holds";
        QTest::newRow("linear over unequal ranks")
            << QStringList{"kohyaB"} << CombineMethod::Linear
            << ": module lora_unet_input_blocks_4_0_in_layers_2 has rank 2 but 4 in FIRST; "
               "linear needs equal ranks";
        QTest::newRow("other shape") << QStringList{"kohya"} << CombineMethod::Cat
                                     << ": module lora_te2_text_model_encoder_layers_0_mlp_fc1 "
                                        "has shape [32, 16] but [24, 16] in FIRST";
        QTest::newRow("loha") << QStringList{"lycoris"} << CombineMethod::Cat
                              << ": module lora_unet_mid_block_attentions_0_proj_out is a loha "
                                 "module; only LoRA modules combine";
    }
    void refusals() {
        QFETCH(QStringList, second);
        QFETCH(CombineMethod, method);
        QFETCH(QString, says);
        const QString which = second[0];
        TestLoraFile f = which == "diffusers" ? lora::test::diffusersFile()
                         : which == "kohyaB"  ? kohyaB()
                         : which == "lycoris" ? lora::test::lycorisFile()
                                              : lora::test::kohyaFile();
        if (which == "kohya") // same names, but te2's fc1 is [32, 16] instead of [24, 16]
            for (NamedTensor& t : f.tensors.tensors)
                if (t.name == "lora_te2_text_model_encoder_layers_0_mlp_fc1.lora_up.weight") {
                    t.shape = {32, 2};
                    t.data.resize(64, 0.25f);
                }
        const std::string first = lora::test::writeLoraTestFile(fresh("first"), kohyaA());
        const std::string other = lora::test::writeLoraTestFile(fresh("second"), f);
        const std::string out = fresh("refused");
        FileCombineOptions options;
        options.method = method;
        const std::string error = errorOf([&] { combineLoraFiles({first, other}, out, options); });
        QString expected = QString::fromStdString(other) + says;
        expected.replace("FIRST", QString::fromStdString(first));
        QCOMPARE(QString::fromStdString(error), expected);
        QVERIFY(!QFileInfo::exists(QString::fromStdString(out)));
    }

    void weightsAreChecked() {
        const std::vector<std::string> paths{lora::test::writeLoraTestFile(fresh("a"), kohyaA()),
                                             lora::test::writeLoraTestFile(fresh("b"), kohyaB())};
        FileCombineOptions options;
        options.weights = {1, 2, 3};
        QCOMPARE(
            QString::fromStdString(errorOf([&] { combineLoraFiles(paths, fresh("o"), options); })),
            QString("3 weights for 2 inputs"));
        QCOMPARE(
            QString::fromStdString(errorOf([&] { combineLoraFiles({paths[0]}, fresh("o"), {}); })),
            QString("combining needs at least two LoRA files"));
    }
};

QTEST_GUILESS_MAIN(TestLoraFileCombine)
#include "tst_lora_file_combine.moc"
