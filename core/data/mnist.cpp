// The MNIST entry points of idx.h: a torchvision-style folder, or the embedded subset.
#include "data/embedded_mnist.h"
#include "data/idx.h"
#include "util/error.h"

#include <array>
#include <filesystem>

namespace lora {
namespace {

namespace fs = std::filesystem;

constexpr int kMnistSide = 28;

// Order matters: images before labels, train before test.
constexpr std::array<const char*, 4> kMnistFiles = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte"};

// The uncompressed file wins when both exist: torchvision keeps the .gz next to it.
fs::path findFile(const fs::path& folder, const std::string& base) {
    std::error_code ec;
    for (const fs::path& p : {folder / base, folder / (base + ".gz")})
        if (fs::is_regular_file(p, ec)) return p;
    return {};
}

void requireMnistSize(const RawImages& raw, const std::string& what) {
    if (raw.rows != kMnistSide || raw.cols != kMnistSide)
        throw InputError(what + ": images are " + std::to_string(raw.rows) + "x" +
                         std::to_string(raw.cols) + " but MNIST digits are 28x28");
}

Dataset loadSplit(const fs::path& images, const fs::path& labels) {
    const RawImages raw = loadIdxPair(images.string(), labels.string());
    requireMnistSize(raw, images.string());
    return normalise(raw);
}

} // namespace

SplitData loadMnistFolder(const std::string& dir) {
    std::error_code ec;
    const fs::path root(dir);
    if (!fs::is_directory(root, ec)) throw InputError("data folder " + dir + " does not exist");

    // The first candidate holding any MNIST file is the folder; the rest must be there too.
    for (const fs::path& folder : {root, root / "MNIST" / "raw", root / "raw"}) {
        std::array<fs::path, 4> found;
        bool any = false;
        for (std::size_t i = 0; i < kMnistFiles.size(); ++i) {
            found[i] = findFile(folder, kMnistFiles[i]);
            any = any || !found[i].empty();
        }
        if (!any) continue;
        for (std::size_t i = 0; i < kMnistFiles.size(); ++i)
            if (found[i].empty())
                throw InputError(std::string("MNIST file ") + kMnistFiles[i] +
                                 "[.gz] is missing in " + folder.string());
        SplitData split;
        split.train = loadSplit(found[0], found[1]);
        split.test = loadSplit(found[2], found[3]);
        split.source = folder.string();
        return split;
    }
    throw InputError("no MNIST files in " + dir + " (looked for " + kMnistFiles[0] +
                     "[.gz] etc. there, in MNIST/raw and in raw)");
}

const SplitData& loadEmbeddedMnist() {
    // Parsed once (thread-safe static init); inflating and normalising takes ~50 ms.
    static const SplitData split = [] {
        auto parse = [](const std::string& imagesName, const std::string& labelsName) {
            const EmbeddedFile images = embeddedMnistFile(imagesName);
            const EmbeddedFile labels = embeddedMnistFile(labelsName);
            const std::string what = "embedded " + imagesName;
            RawImages raw = parseIdxImages({images.data, images.data + images.size}, what);
            raw.labels =
                parseIdxLabels({labels.data, labels.data + labels.size}, "embedded " + labelsName);
            if (raw.labels.size() != std::size_t(raw.count))
                throw InputError(what + ": label count does not match image count");
            requireMnistSize(raw, what);
            return normalise(raw);
        };
        const std::vector<std::string>& names = embeddedMnistFileNames();
        SplitData s;
        s.train = parse(names[0], names[1]);
        s.test = parse(names[2], names[3]);
        s.source = "embedded";
        return s;
    }();
    return split;
}

SplitData loadMnist(const std::string& dir) {
    return dir.empty() ? loadEmbeddedMnist() : loadMnistFolder(dir);
}

} // namespace lora
