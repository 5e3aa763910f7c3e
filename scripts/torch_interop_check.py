#!/usr/bin/env python3
"""Cross-checks lora-cli's files against PyTorch (python3-torch from Debian); not part of
the test suite, which must not need torch.

Reads a base model .safetensors and a PEFT adapter directory with a small stdlib parser
(Debian 12 has no python3-safetensors), loads the base into the seed-000 `Net` with
`load_state_dict(strict=True)`, adds the adapter the way PEFT's LoRA Linear computes it
(y = base(x) + scale * lora_B(lora_A(x)), scale = lora_alpha / r or / sqrt(r)), and
compares the logits with the CSV that `lora-cli eval --logits` wrote.

usage: torch_interop_check.py BASE.safetensors ADAPTER_DIR LOGITS.csv IMAGES.idx3.gz LABELS.idx1.gz DIGITS
"""
import gzip
import json
import math
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


def load_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + n])
    data = blob[8 + n :]
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, e in header.items():
        assert e["dtype"] == "F32", name
        b, end = e["data_offsets"]
        t = torch.frombuffer(bytearray(data[b:end]), dtype=torch.float32)
        tensors[name] = t.reshape(e["shape"]) if e["shape"] else t
    return tensors, meta


class Net(nn.Module):  # seed 000's model, unchanged
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 64)
        self.fc2 = nn.Linear(64, 2)

    def forward(self, x):
        x = x.view(x.size(0), -1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        blob = f.read()
    magic, count = struct.unpack(">II", blob[:8])
    if magic == 0x803:
        return torch.tensor(list(blob[16:]), dtype=torch.float32).reshape(count, 784)
    return torch.tensor(list(blob[8:]), dtype=torch.long)


def main():
    base_path, adapter_dir, csv_path, images_path, labels_path, digits = sys.argv[1:7]
    digits = [int(d) for d in digits.split(",")]
    state, meta = load_safetensors(base_path)
    print("base metadata:", meta)
    net = Net()
    net.load_state_dict(state, strict=True)  # exactly the keys a torch Net has

    config = json.load(open(adapter_dir + "/adapter_config.json"))
    lora, _ = load_safetensors(adapter_dir + "/adapter_model.safetensors")
    r, alpha = config["r"], config["lora_alpha"]
    scale = alpha / math.sqrt(r) if config["use_rslora"] else alpha / r
    for name in config["target_modules"]:
        layer = getattr(net, name)
        a = lora[f"base_model.model.{name}.lora_A.weight"]
        b = lora[f"base_model.model.{name}.lora_B.weight"]
        assert a.shape == (r, layer.in_features) and b.shape == (layer.out_features, r)
        base_forward = layer.forward
        layer.forward = lambda x, f=base_forward, a=a, b=b: f(x) + scale * F.linear(F.linear(x, a), b)

    images, labels = read_idx(images_path), read_idx(labels_path)
    keep = torch.tensor([int(l) in digits for l in labels])
    x = ((images[keep] / 255.0) - 0.1307) / 0.3081
    y = torch.tensor([digits.index(int(l)) for l in labels[keep]])
    with torch.no_grad():
        logits = net(x)
    rows = [list(map(float, line.split(","))) for line in open(csv_path).read().split()]
    ours = torch.tensor([row[1:] for row in rows])
    ours_labels = torch.tensor([int(row[0]) for row in rows])
    assert torch.equal(ours_labels, y), "label order differs"
    diff = (ours - logits).abs().max().item()
    acc = (logits.argmax(1) == y).float().mean().item() * 100
    print(f"samples {len(y)}, torch accuracy {acc:.2f}%, max |logit diff| vs lora-cli {diff:.3g}")
    if diff > 1e-4:
        sys.exit("logits differ")


if __name__ == "__main__":
    main()
