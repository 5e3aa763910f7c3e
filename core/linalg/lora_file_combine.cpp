#include "linalg/lora_file_combine.h"

#include "linalg/adapter_truncation.h"
#include "util/error.h"

#include <algorithm>
#include <cmath>

namespace lora {

namespace {

struct Input {
    std::string path;
    LoraFile file;
    LoraSource source;
};

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

// Every input holds the first's LoRA modules, no others, with the same shapes (and, for
// linear, ranks).
void checkInputs(const std::vector<Input>& inputs, CombineMethod method) {
    const Input& first = inputs.front();
    for (const Input& in : inputs) {
        for (const LoraModule& m : in.file.modules)
            if (m.kind != ModuleKind::Lora)
                throw InputError(in.path + ": module " + m.name + " is a " + toString(m.kind) +
                                 " module; only LoRA modules combine");
        for (const LoraModule& m : first.file.modules) {
            const auto it = std::find_if(in.file.modules.begin(), in.file.modules.end(),
                                         [&](const LoraModule& o) { return o.name == m.name; });
            if (it == in.file.modules.end())
                throw InputError(in.path + ": has no module " + m.name + ", which " + first.path +
                                 " holds");
            if (it->shape != m.shape || it->downShape.size() != m.downShape.size())
                throw InputError(in.path + ": module " + m.name + " has shape " +
                                 shapeText(it->shape) + " but " + shapeText(m.shape) + " in " +
                                 first.path);
            if (method == CombineMethod::Linear && it->rank != m.rank)
                throw InputError(in.path + ": module " + m.name + " has rank " +
                                 std::to_string(it->rank) + " but " + std::to_string(m.rank) +
                                 " in " + first.path + "; linear needs equal ranks");
        }
        if (in.file.modules.size() != first.file.modules.size())
            for (const LoraModule& m : in.file.modules)
                if (std::none_of(first.file.modules.begin(), first.file.modules.end(),
                                 [&](const LoraModule& o) { return o.name == m.name; }))
                    throw InputError(in.path + ": module " + m.name + " is not in " + first.path);
    }
}

const LoraModule& moduleIn(const Input& in, const std::string& name) {
    return *std::find_if(in.file.modules.begin(), in.file.modules.end(),
                         [&](const LoraModule& m) { return m.name == name; });
}

// ‖U·V‖_F² = Σ (UᵀU) ⊙ (VVᵀ): U [out, k], V [k, in] -> the squared norm, in O((out + in)·k²).
double squaredNorm(const Eigen::MatrixXd& u, const Eigen::MatrixXd& v) {
    return ((u.transpose() * u).cwiseProduct(v * v.transpose())).sum();
}

// The module combined in place (up, down, rank, scale 1), with its report.
CombinedModule combineModule(LoraModule& m, const std::vector<Input>& inputs,
                             const std::vector<double>& w, const FileCombineOptions& options) {
    CombinedModule report{m.name, {}, 0, 1, 0};
    Eigen::Index total = 0;
    for (const Input& in : inputs) {
        report.ranksIn.push_back(moduleIn(in, m.name).rank);
        total += moduleIn(in, m.name).down.rows();
    }
    // up = [w₁s₁B₁ | …] [out, Σr], down = [A₁; …] [Σr, in]: their product is Σ wᵢΔWᵢ.
    Matrix up(m.up.rows(), total), down(total, m.down.cols());
    Matrix linearUp = Matrix::Zero(m.up.rows(), m.rank),
           linearDown = Matrix::Zero(m.rank, m.down.cols());
    Eigen::Index at = 0;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const LoraModule& src = moduleIn(inputs[i], m.name);
        const Eigen::Index r = src.down.rows();
        up.middleCols(at, r) = static_cast<float>(w[i] * src.scale) * src.up;
        down.middleRows(at, r) = src.down;
        at += r;
        if (options.method == CombineMethod::Linear) {
            const float root = static_cast<float>(std::sqrt(w[i] * src.scale));
            linearUp += root * src.up;
            linearDown += root * src.down;
        }
    }
    const Eigen::MatrixXd sumUp = up.cast<double>(), sumDown = down.cast<double>();
    const double sumNorm2 = squaredNorm(sumUp, sumDown);
    if (options.method == CombineMethod::Cat) {
        m.up = std::move(up);
        m.down = std::move(down);
    } else if (options.method == CombineMethod::Svd) {
        const FactorSvd svd(up, down, 1.0);
        const Eigen::Index most = std::min({total, m.up.rows(), m.down.cols()});
        const int rank = static_cast<int>(std::min<Eigen::Index>(
            options.rank > 0 ? options.rank
                             : *std::max_element(report.ranksIn.begin(), report.ranksIn.end()),
            most));
        const LowRankFactors f = svd.factors(rank);
        const double tail = svd.tailNorm(rank);
        report.froRetained =
            sumNorm2 > 0 ? std::sqrt(std::max(0.0, 1 - tail * tail / sumNorm2)) : 1;
        m.up = f.B;
        m.down = f.A;
    } else {
        // ΔW_linear − Σ wᵢΔWᵢ = [B_lin | up] · [A_lin; −down], a thin product.
        Eigen::MatrixXd u(up.rows(), m.rank + total), v(m.rank + total, down.cols());
        u << linearUp.cast<double>(), sumUp;
        v << linearDown.cast<double>(), -sumDown;
        report.linearGap =
            sumNorm2 > 0 ? std::sqrt(std::max(0.0, squaredNorm(u, v)) / sumNorm2) : 0;
        m.up = std::move(linearUp);
        m.down = std::move(linearDown);
    }
    m.rank = static_cast<int>(m.down.rows());
    m.scale = 1;
    m.alpha = m.rank;
    report.rankOut = m.rank;
    return report;
}

std::vector<double> weightsFor(const FileCombineOptions& options, std::size_t count) {
    std::vector<double> w = options.weights;
    if (w.empty()) w.assign(count, 1.0);
    if (w.size() != count)
        throw InputError(std::to_string(w.size()) + " weights for " + std::to_string(count) +
                         " inputs");
    for (double x : w) {
        if (!std::isfinite(x)) throw InputError("the weights must be finite numbers");
        if (options.method == CombineMethod::Linear && x < 0)
            throw InputError("linear takes √(wᵢ·sᵢ), so its weights must not be negative");
    }
    return w;
}

} // namespace

FileCombine combineLoraFiles(const std::vector<std::string>& paths, const std::string& out,
                             const FileCombineOptions& options) {
    if (paths.size() < 2) throw InputError("combining needs at least two LoRA files");
    const std::vector<double> w = weightsFor(options, paths.size());
    if (options.method == CombineMethod::Svd && options.rank < 0)
        throw InputError("--rank must be positive");
    std::vector<Input> inputs(paths.size());
    FileCombine result;
    for (std::size_t i = 0; i < paths.size(); ++i) {
        inputs[i].path = paths[i];
        inputs[i].file = readLoraFile(paths[i], &inputs[i].source);
        result.bytesIn += inputs[i].file.bytes;
    }
    checkInputs(inputs, options.method);
    LoraFile combined = inputs.front().file;
    for (LoraModule& m : combined.modules)
        result.modules.push_back(combineModule(m, inputs, w, options));
    ConvertOptions convert;
    convert.to = options.to.value_or(combined.format == LoraFormat::Lycoris ? LoraFormat::Kohya
                                                                            : combined.format);
    convert.dtype = options.dtype;
    const LoraOutput output = buildLoraOutput(combined, inputs.front().source, convert, paths[0]);
    result.format = output.format;
    result.bytesOut = writeLoraOutput(out, output);
    return result;
}

} // namespace lora
