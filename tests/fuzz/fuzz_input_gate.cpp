// libFuzzer target: any bytes through the input gate as a file — InputFile and the
// header-first safetensors reader — and through the in-memory decoders. The two safetensors
// readers must agree (both refuse, or both return the same tensors), and every refusal must
// be one printable line within the message limit (util/error.h).
#include "data/idx.h"
#include "io/input_gate.h"
#include "io/safetensors.h"
#include "util/error.h"

#include <cstdlib>
#include <cstring>
#include <string>

#include <sys/mman.h>
#include <unistd.h>

namespace {

void checkMessage(const lora::InputError& e) {
    const std::string what = e.what();
    std::size_t chars = 0;
    for (unsigned char c : what) {
        if (c < 0x20 || c == 0x7f) std::abort(); // one printable line
        chars += (c & 0xc0) != 0x80;
    }
    if (chars > lora::kMaxErrorChars) std::abort();
}

// The bytes as a file the gate opens by path: a memfd, so the fuzzer writes no disk.
std::string asFile(const std::uint8_t* data, std::size_t size, int& fd) {
    fd = ::memfd_create("fuzz", 0);
    if (fd < 0) std::abort();
    for (std::size_t done = 0; done < size;) {
        const ssize_t n = ::write(fd, data + done, size - done);
        if (n <= 0) std::abort();
        done += static_cast<std::size_t>(n);
    }
    return "/proc/self/fd/" + std::to_string(fd);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    int fd = -1;
    const std::string path = asFile(data, size, fd);
    lora::SafetensorsFile fromFile, fromMemory;
    bool fileOk = true, memoryOk = true;
    try {
        fromFile = lora::readSafetensors(path);
    } catch (const lora::InputError& e) {
        checkMessage(e);
        fileOk = false;
    }
    try {
        fromMemory = lora::decodeSafetensors(lora::readFileBytes(path, size), "fuzz");
    } catch (const lora::InputError& e) {
        checkMessage(e);
        memoryOk = false;
    }
    if (fileOk != memoryOk) std::abort();
    if (fileOk) {
        if (fromFile.tensors.size() != fromMemory.tensors.size()) std::abort();
        for (std::size_t i = 0; i < fromFile.tensors.size(); ++i) {
            const auto& a = fromFile.tensors[i];
            const auto& b = fromMemory.tensors[i];
            if (a.name != b.name || a.shape != b.shape || a.data.size() != b.data.size() ||
                std::memcmp(a.data.data(), b.data.data(), 4 * a.data.size()) != 0)
                std::abort();
        }
        if (fromFile.metadata != fromMemory.metadata) std::abort();
    }
    // The same bytes as MNIST files (gzip bombs included): refused within the budget.
    const std::vector<std::uint8_t> bytes(data, data + size);
    for (int kind = 0; kind < 2; ++kind) {
        try {
            if (kind == 0)
                lora::parseIdxImages(bytes, "fuzz");
            else
                lora::parseIdxLabels(bytes, "fuzz");
        } catch (const lora::InputError& e) {
            checkMessage(e);
        }
    }
    ::close(fd);
    return 0;
}
