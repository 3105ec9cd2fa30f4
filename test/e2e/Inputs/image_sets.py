"""Writes Fashion-MNIST images in the formats `qc --data` reads.

    image_sets.py OUT [--train N] [--test M]
    image_sets.py OUT --photos K

From the first N training and M test images of the IDX files (read here with
gzip and numpy, not with qopt), each padded by 2 pixels to 32 x 32 and
replicated to RGB (gray in RGB, as a user's camera images would be):

    OUT/png/{train,test}/<label>-<name>/<index>.png   ImageFolder, PNG (PIL)
    OUT/jpg/{train,test}/<label>-<name>/<index>.jpg   ImageFolder, JPEG q90
    OUT/jpg_decoded_{train,test}_x.npy                PIL's decoding of those
                                                      JPEGs, u8 NHWC (the
                                                      oracle of the JPEG path)
    OUT/{train,test}_{x,y}.npy                        u8 NHWC images, labels
    OUT/cifar/{data_batch_1,test_batch}.bin           CIFAR-10 binary records
    OUT/unlabelled/<index>.png                        no classes (images:DIR)

--photos K writes instead OUT/photos/<index>.jpg: K "camera" images for
ImageNet-sized models, Fashion-MNIST items resized to 240..320 pixels a
side (each its own size), tinted and noised in RGB; no labels.

`--transform "Grayscale(1),CenterCrop(28),ToTensor,Normalize(...)"` gives back
the IDX images exactly: Grayscale's ITU-R 601-2 weights sum to 1, so a gray
pixel stored as RGB comes back unchanged, and the crop removes the padding.
Class folders are named "<label>-<name>" so that their sorted order is the
label order (ImageFolder numbers classes by sorted name).
"""
import argparse
import gzip
import os

import numpy as np
from PIL import Image

DATA = "/usr/share/datasets/fashion-mnist"
NAMES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt",
         "sneaker", "bag", "ankle-boot"]


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def padded_rgb(images):
    x = np.pad(images, ((0, 0), (2, 2), (2, 2)))
    return np.repeat(x[..., None], 3, axis=3)  # N, 32, 32, 3


def write_folder(root, x, y, ext):
    decoded = []
    for i, (img, label) in enumerate(zip(x, y)):
        d = os.path.join(root, f"{label}-{NAMES[label]}")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, f"{i:05d}.{ext}")
        if ext == "png":
            Image.fromarray(img).save(path)
        else:
            Image.fromarray(img).save(path, quality=90)
        decoded.append(np.asarray(Image.open(path).convert("RGB")))
    return np.stack(decoded)


def write_photos(root, k):
    items = idx(f"{DATA}/t10k-images-idx3-ubyte.gz")[:k]
    rng = np.random.default_rng(0)
    os.makedirs(root, exist_ok=True)
    for i, item in enumerate(items):
        h, w = int(rng.integers(240, 320)), int(rng.integers(240, 320))
        g = np.asarray(Image.fromarray(item).resize((w, h), Image.BILINEAR))
        rgb = g[..., None].astype(np.float32) * rng.uniform(0.3, 1.0, 3)
        rgb = np.clip(rgb + rng.uniform(0, 60, (h, w, 3)), 0, 255)
        Image.fromarray(rgb.astype(np.uint8)).save(
            os.path.join(root, f"{i:03d}.jpg"), quality=90)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--train", type=int, default=256)
    ap.add_argument("--test", type=int, default=300)
    ap.add_argument("--photos", type=int, default=0)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    if a.photos:
        write_photos(os.path.join(a.out, "photos"), a.photos)
        return
    for split, idx_split, n in (("train", "train", a.train), ("test", "t10k", a.test)):
        images = idx(f"{DATA}/{idx_split}-images-idx3-ubyte.gz")[:n]
        labels = idx(f"{DATA}/{idx_split}-labels-idx1-ubyte.gz")[:n]
        x = padded_rgb(images)
        np.save(os.path.join(a.out, f"{split}_x.npy"), x)
        np.save(os.path.join(a.out, f"{split}_y.npy"), labels.astype(np.int64))
        write_folder(os.path.join(a.out, "png", split), x, labels, "png")
        jpg = write_folder(os.path.join(a.out, "jpg", split), x, labels, "jpg")
        np.save(os.path.join(a.out, f"jpg_decoded_{split}_x.npy"), jpg)
        # CIFAR-10 records: <label byte><R plane><G plane><B plane>.
        os.makedirs(os.path.join(a.out, "cifar"), exist_ok=True)
        chw = x.transpose(0, 3, 1, 2).reshape(n, -1)
        records = np.concatenate([labels[:, None], chw], axis=1).astype(np.uint8)
        name = "data_batch_1.bin" if split == "train" else "test_batch.bin"
        records.tofile(os.path.join(a.out, "cifar", name))
    os.makedirs(os.path.join(a.out, "unlabelled"), exist_ok=True)
    x = padded_rgb(idx(f"{DATA}/t10k-images-idx3-ubyte.gz")[:a.test])
    for i, img in enumerate(x):
        Image.fromarray(img).save(os.path.join(a.out, "unlabelled", f"{i:05d}.png"))


if __name__ == "__main__":
    main()
