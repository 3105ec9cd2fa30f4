"""Minimal Fashion-MNIST IDX reader (no torchvision/PIL dependency)."""
import gzip
import os

import numpy as np

DATA_DIR = os.environ.get("FMNIST_DIR", "/usr/share/datasets/fashion-mnist")

# IDX magic: 0x0000 | dtype 0x08 (uint8) | ndim.  Checking it catches swapped
# or truncated files before they silently train on garbage.
_MAGIC = {"images": 0x00000803, "labels": 0x00000801}


def _read_idx(path, kind):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    if magic != _MAGIC[kind]:
        raise ValueError(f"{path}: bad IDX magic {magic:#010x}, want {_MAGIC[kind]:#010x}")
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {arr.size} bytes of payload, header says {dims}")
    return arr.reshape(dims).copy()  # frombuffer is read-only; callers may want to write


def load(split):
    """Returns (images uint8 [N,28,28], labels uint8 [N]); split is 'train' or 'test'."""
    prefix = {"train": "train", "test": "t10k"}[split]
    x = _read_idx(os.path.join(DATA_DIR, f"{prefix}-images-idx3-ubyte.gz"), "images")
    y = _read_idx(os.path.join(DATA_DIR, f"{prefix}-labels-idx1-ubyte.gz"), "labels")
    if len(x) != len(y):
        raise ValueError(f"{split}: {len(x)} images but {len(y)} labels")
    return x, y
