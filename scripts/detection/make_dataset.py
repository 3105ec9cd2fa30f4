"""A detection data set made from Fashion-MNIST, in COCO format.

Each image is a gray canvas (default 96 x 96) with 1 to 4 Fashion-MNIST
items pasted at several scales (the 28 x 28 item resized to 16..48 pixels,
bilinear), overlapping little (the common area is at most a quarter of the
smaller box); a pixel where items overlap keeps the brighter one. An item's
box is the tight box of its resized pixels above 0 ([x, y, w, h], pixels,
COCO's convention); its category is its Fashion-MNIST class + 1 (COCO ids
start at 1).

Usage: python scripts/detection/make_dataset.py OUT [--train 2000 --val 500]
Writes OUT/{train,val}/NNNNNN.png and OUT/{train,val}.json (the images'
file_name is relative to the json's directory: train/000000.png). The train
split draws its items from Fashion-MNIST's training images, val from t10k.
Only numpy, zlib and struct are used (PNG written here), and every draw comes
from numpy's PCG64 with a fixed seed per split: the same arguments give the
same bytes on any machine.
"""
import argparse
import gzip
import json
import os
import struct
import zlib

import numpy as np

FMNIST_DIR = "/usr/share/datasets/fashion-mnist"
CLASSES = ["t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal",
           "shirt", "sneaker", "bag", "ankle boot"]
SEEDS = {"train": 1601, "val": 1602}


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(path + ": not a u8 IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def write_png(path, image):
    """8-bit gray PNG (no filtering; zlib level 9: deterministic bytes)."""
    h, w = image.shape
    raw = b"".join(b"\x00" + image[y].tobytes() for y in range(h))

    def chunk(tag, body):
        return (struct.pack(">I", len(body)) + tag + body +
                struct.pack(">I", zlib.crc32(tag + body) & 0xffffffff))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def resize(item, size):
    """Bilinear resize of a square u8 image (align_corners=False), as u8."""
    n = item.shape[0]
    pos = (np.arange(size) + 0.5) * (n / size) - 0.5
    pos = np.clip(pos, 0, n - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    f = pos - lo
    x = item.astype(np.float64)
    rows = x[lo] * (1 - f)[:, None] + x[hi] * f[:, None]
    out = rows[:, lo] * (1 - f)[None, :] + rows[:, hi] * f[None, :]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def overlap(a, b):
    """Intersection over the smaller box's area: an item mostly covered by
    another (or mostly covering it) is refused, not only a high IoU."""
    ax1, ay1, aw, ah = a
    bx1, by1, bw, bh = b
    iw = max(0, min(ax1 + aw, bx1 + bw) - max(ax1, bx1))
    ih = max(0, min(ay1 + ah, by1 + bh) - max(ay1, by1))
    return iw * ih / float(min(aw * ah, bw * bh))


def make_split(name, count, images, labels, args, out):
    rng = np.random.Generator(np.random.PCG64(SEEDS[name]))
    os.makedirs(os.path.join(out, name), exist_ok=True)
    coco = {
        "info": {"description": "Fashion-MNIST items on %dx%d canvases "
                                "(scripts/detection/make_dataset.py), %s" %
                                (args.size, args.size, name)},
        "images": [], "annotations": [],
        "categories": [{"id": i + 1, "name": c, "supercategory": "fashion"}
                       for i, c in enumerate(CLASSES)],
    }
    ann_id = 1
    for k in range(count):
        canvas = np.zeros((args.size, args.size), np.uint8)
        boxes = []
        for _ in range(int(rng.integers(1, args.max_items + 1))):
            src = int(rng.integers(0, len(images)))
            scale = int(rng.integers(args.min_scale, args.max_scale + 1))
            item = resize(images[src], scale)
            ys, xs = np.nonzero(item)
            if len(ys) == 0:
                continue
            # A few tries at a place that overlaps the others little.
            for _ in range(10):
                x0 = int(rng.integers(0, args.size - scale + 1))
                y0 = int(rng.integers(0, args.size - scale + 1))
                box = [x0 + int(xs.min()), y0 + int(ys.min()),
                       int(xs.max() - xs.min()) + 1,
                       int(ys.max() - ys.min()) + 1]
                if all(overlap(box, b[0]) <= 0.25 for b in boxes):
                    break
            else:
                continue
            view = canvas[y0:y0 + scale, x0:x0 + scale]
            np.maximum(view, item, out=view)
            boxes.append((box, int(labels[src]) + 1))
        file_name = "%s/%06d.png" % (name, k)
        write_png(os.path.join(out, file_name), canvas)
        coco["images"].append({"id": k + 1, "file_name": file_name,
                               "width": args.size, "height": args.size})
        for box, cat in boxes:
            coco["annotations"].append({
                "id": ann_id, "image_id": k + 1, "category_id": cat,
                "bbox": [float(v) for v in box], "area": float(box[2] * box[3]),
                "iscrowd": 0})
            ann_id += 1
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(coco, f, indent=None, separators=(",", ":"))
        f.write("\n")
    return len(coco["annotations"])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out")
    p.add_argument("--train", type=int, default=2000)
    p.add_argument("--val", type=int, default=500)
    p.add_argument("--size", type=int, default=96)
    p.add_argument("--min-scale", type=int, default=16)
    p.add_argument("--max-scale", type=int, default=48)
    p.add_argument("--max-items", type=int, default=4)
    p.add_argument("--fmnist", default=FMNIST_DIR)
    args = p.parse_args()
    if not 8 <= args.min_scale <= args.max_scale <= args.size:
        p.error("need 8 <= --min-scale <= --max-scale <= --size")
    for name, split, count in (("train", "train", args.train),
                               ("val", "t10k", args.val)):
        images = read_idx(os.path.join(args.fmnist,
                                       split + "-images-idx3-ubyte.gz"))
        labels = read_idx(os.path.join(args.fmnist,
                                       split + "-labels-idx1-ubyte.gz"))
        n = make_split(name, count, images, labels, args, args.out)
        print("%s: %d images, %d boxes -> %s" %
              (name, count, n, os.path.join(args.out, name + ".json")))


if __name__ == "__main__":
    main()
