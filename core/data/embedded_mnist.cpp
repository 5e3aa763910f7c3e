#include "data/embedded_mnist.h"

#include "util/error.h"

// Defined in the build-time generated embedded_mnist_data.cpp (see resources/).
namespace lora::embedded {
extern const unsigned char train_images_idx3_ubyte_gz[];
extern const std::size_t train_images_idx3_ubyte_gz_size;
extern const unsigned char train_labels_idx1_ubyte_gz[];
extern const std::size_t train_labels_idx1_ubyte_gz_size;
extern const unsigned char t10k_images_idx3_ubyte_gz[];
extern const std::size_t t10k_images_idx3_ubyte_gz_size;
extern const unsigned char t10k_labels_idx1_ubyte_gz[];
extern const std::size_t t10k_labels_idx1_ubyte_gz_size;
} // namespace lora::embedded

namespace lora {

EmbeddedFile embeddedMnistFile(const std::string& name) {
    using namespace embedded;
    if (name == "train-images-idx3-ubyte.gz")
        return {train_images_idx3_ubyte_gz, train_images_idx3_ubyte_gz_size};
    if (name == "train-labels-idx1-ubyte.gz")
        return {train_labels_idx1_ubyte_gz, train_labels_idx1_ubyte_gz_size};
    if (name == "t10k-images-idx3-ubyte.gz")
        return {t10k_images_idx3_ubyte_gz, t10k_images_idx3_ubyte_gz_size};
    if (name == "t10k-labels-idx1-ubyte.gz")
        return {t10k_labels_idx1_ubyte_gz, t10k_labels_idx1_ubyte_gz_size};
    throw InputError("no embedded file named '" + name + "'");
}

const std::vector<std::string>& embeddedMnistFileNames() {
    static const std::vector<std::string> names = {
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz"};
    return names;
}

} // namespace lora
