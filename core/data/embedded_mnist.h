#pragma once
// The four gzip IDX files of resources/mnist/, compiled into the binary at build time
// (resources/CMakeLists.txt). Raw bytes, so the GUI can reuse them without a second copy.
#include <cstddef>
#include <string>
#include <vector>

namespace lora {

struct EmbeddedFile {
    const unsigned char* data = nullptr;
    std::size_t size = 0;
};

// Torchvision file names: "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
// "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz". Throws InputError otherwise.
EmbeddedFile embeddedMnistFile(const std::string& name);

// The four names above, in that order.
const std::vector<std::string>& embeddedMnistFileNames();

} // namespace lora
