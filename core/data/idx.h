#pragma once
// Reader for the IDX files MNIST ships in (raw or gzip-compressed), as torchvision lays
// them out under MNIST/raw/. Throws InputError with a one-line message on bad input.
#include "data/dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lora {

// Inflates gzip data; data that does not start with the gzip magic is returned as is.
std::vector<std::uint8_t> maybeGunzip(const std::vector<std::uint8_t>& bytes,
                                      const std::string& what);

// Parse an idx3-ubyte image file / idx1-ubyte label file from (possibly gzipped) bytes.
// `what` names the source in error messages. Payloads must match the header exactly,
// counts must be non-zero, and labels must be digits 0-9.
RawImages parseIdxImages(const std::vector<std::uint8_t>& bytes, const std::string& what);
std::vector<std::uint8_t> parseIdxLabels(const std::vector<std::uint8_t>& bytes,
                                         const std::string& what);

// Serialise to (uncompressed) IDX bytes; used by tests and the conversion tooling.
std::vector<std::uint8_t> writeIdxImages(const RawImages& raw);
std::vector<std::uint8_t> writeIdxLabels(const std::vector<std::uint8_t>& labels);

// Images and labels of one split, checked to have equal counts. Any image size.
RawImages loadIdxPair(const std::string& imagesPath, const std::string& labelsPath);

struct SplitData {
    Dataset train;
    Dataset test;
    std::string source; // "embedded" or the folder path
};

// Loads train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-...,
// t10k-labels-... from `dir`, or from `dir`/MNIST/raw, or `dir`/raw (torchvision).
// Images must be 28x28; the message of a missing file names it and the folder.
SplitData loadMnistFolder(const std::string& dir);

// The 8,000/2,000 stratified split of real MNIST digits compiled into the binary
// (resources/README.md). Parsed on first use and cached; later calls are free.
const SplitData& loadEmbeddedMnist();

// loadMnistFolder(dir) when dir is non-empty, else loadEmbeddedMnist().
SplitData loadMnist(const std::string& dir);

} // namespace lora
