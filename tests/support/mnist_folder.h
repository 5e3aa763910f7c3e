#pragma once
// Torchvision-style MNIST folders for the dataset tests, made from the embedded files.
#include "data/embedded_mnist.h"
#include "data/idx.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>
#include <cstdint>
#include <string>
#include <vector>

namespace lora::test {

using Bytes = std::vector<std::uint8_t>;

// One of the four embedded gzip files, as bytes ("t10k-images-idx3-ubyte.gz", …).
inline Bytes embeddedBytes(const std::string& name) {
    const EmbeddedFile f = embeddedMnistFile(name);
    return Bytes(f.data, f.data + f.size);
}

// Creates the parent folders as needed; false if anything fails.
inline bool writeFile(const QString& path, const Bytes& bytes) {
    if (!QDir().mkpath(QFileInfo(path).path())) return false;
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(reinterpret_cast<const char*>(bytes.data()),
                                                   qint64(bytes.size())) == qint64(bytes.size());
}

// Writes the four embedded files into `folder`; `gz` picks compressed or raw files.
inline bool writeMnistFolder(const QString& folder, bool gz) {
    for (const std::string& name : embeddedMnistFileNames()) {
        const std::string raw = name.substr(0, name.size() - 3);
        const Bytes bytes = embeddedBytes(name);
        if (!writeFile(folder + "/" + QString::fromStdString(gz ? name : raw),
                       gz ? bytes : maybeGunzip(bytes, name)))
            return false;
    }
    return true;
}

} // namespace lora::test
