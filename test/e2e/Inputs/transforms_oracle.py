"""qc's --transform against torchvision's functional transforms.

    transforms_oracle.py DIR

Writes RGB PNG images of several sizes (Fashion-MNIST items, resized and
tinted with PIL) into DIR/images, runs `qc data images:DIR/images
--transform T --limit 0 --dump` for each spec T below, and compares the
dump with torchvision 0.14 applied to the same files (PIL decoding,
convert('RGB'), then tensor transforms: Resize with antialias=False, as
qopt resizes). Grayscale is compared with PIL's convert('L') weights
(299, 587, 114) / 1000 in float, which qopt uses (torchvision's tensor
Grayscale uses 0.2989, 0.587, 0.114). Random transforms are checked by
their defining property: with --augment every RandomCrop output is a window
of the padded image and RandomHorizontalFlip(p=1) mirrors. Prints one line
per spec; exits non-zero on a mismatch.
"""
import gzip
import os
import subprocess
import sys

import numpy as np
import torch
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode
from PIL import Image

DATA = "/usr/share/datasets/fashion-mnist"
SIZES = [(40, 52), (37, 29), (64, 64), (33, 47), (28, 28), (90, 45)]


def fashion(n):
    with gzip.open(f"{DATA}/t10k-images-idx3-ubyte.gz", "rb") as f:
        raw = f.read()
    return np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 28, 28)[:n]


def make_images(d):
    os.makedirs(d, exist_ok=True)
    items = fashion(len(SIZES))
    rng = np.random.default_rng(0)
    for i, (h, w) in enumerate(SIZES):
        gray = Image.fromarray(items[i]).resize((w, h), Image.BILINEAR)
        g = np.asarray(gray).astype(np.float32)
        tint = rng.uniform(0.4, 1.0, size=3)
        rgb = np.clip(g[..., None] * tint + rng.uniform(0, 30, size=(h, w, 3)), 0, 255)
        Image.fromarray(rgb.astype(np.uint8)).save(os.path.join(d, f"{i:02d}.png"))


def load(d):
    out = []
    for name in sorted(os.listdir(d)):
        img = Image.open(os.path.join(d, name)).convert("RGB")
        out.append(torch.from_numpy(np.asarray(img).copy()).permute(2, 0, 1).float())
    return out


def gray(x):
    return ((x[0] * 299 + x[1] * 587 + x[2] * 114) / 1000).unsqueeze(0)


# (qopt spec, torchvision on one CHW float tensor in 0..255)
CASES = [
    ("Resize(36),CenterCrop(32),ToTensor,Normalize([0.485,0.456,0.406],[0.229,0.224,0.225])",
     lambda x: F.normalize(F.center_crop(F.resize(x, 36, antialias=False), 32) / 255,
                           [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])),
    ("Resize([20, 24]),Grayscale(1),ToTensor",
     lambda x: gray(F.resize(x, [20, 24], antialias=False)) / 255),
    ("Grayscale(num_output_channels=3),Resize(size=(30, 30)),ToTensor,Normalize(mean=0.5, std=0.25)",
     lambda x: F.normalize(F.resize(gray(x).repeat(3, 1, 1), [30, 30], antialias=False) / 255,
                           [0.5] * 3, [0.25] * 3)),
    ("Pad([1, 2, 3, 4], fill=7),CenterCrop(45),Resize(30, interpolation=nearest),ToTensor,ToBGR,Scale(2)",
     lambda x: F.resize(F.center_crop(F.pad(x, [1, 2, 3, 4], fill=7), 45), 30,
                        interpolation=InterpolationMode.NEAREST)[[2, 1, 0]] / 255 * 2),
    ("CenterCrop([31, 50]),Pad(2),ToTensor",
     lambda x: F.pad(F.center_crop(x, [31, 50]), 2) / 255),
    ("Resize(17),CenterCrop(17)",
     lambda x: F.center_crop(F.resize(x, 17, antialias=False), 17)),
]


def qc_dump(d, spec, out, *extra):
    subprocess.run(["qc", "data", f"images:{d}", "--transform", spec, "--limit", "0",
                    "--dump", out, *extra], check=True, stdout=subprocess.DEVNULL)
    return np.load(out)


def main():
    root = sys.argv[1]
    d = os.path.join(root, "images")
    make_images(d)
    images = load(d)
    ok = True
    for k, (spec, fn) in enumerate(CASES):
        got = qc_dump(d, spec, os.path.join(root, f"case{k}.npy"))
        want = torch.stack([fn(x) for x in images]).numpy()
        if got.shape != want.shape:
            print(f"MISMATCH {spec}: shape {got.shape} vs torchvision {want.shape}")
            ok = False
            continue
        scale = max(1.0, float(np.abs(want).max()))
        diff = float(np.abs(got - want).max()) / scale
        good = diff <= 1e-5
        ok &= good
        print(f"{'ok' if good else 'MISMATCH'} {spec}: {got.shape}, max relative diff {diff:.1e}")

    # RandomCrop: every output a window of the zero-padded 32 x 32 center.
    spec = "CenterCrop(28),RandomCrop(24, padding=4),ToTensor"
    got = qc_dump(d, spec, os.path.join(root, "crop.npy"), "--augment", "--seed", "3")
    windows = 0
    for x, y in zip(images, got):
        p = F.pad(F.center_crop(x, 28), 4).numpy() / 255
        hits = [(t, l) for t in range(p.shape[1] - 23) for l in range(p.shape[2] - 23)
                if np.array_equal(p[:, t:t + 24, l:l + 24], y)]
        windows += bool(hits)
    print(f"{'ok' if windows == len(images) else 'MISMATCH'} {spec} --augment: "
          f"{windows} / {len(images)} outputs are windows of the padded image")
    ok &= windows == len(images)
    spec = "CenterCrop(28),RandomHorizontalFlip(p=1),ToTensor"
    got = qc_dump(d, spec, os.path.join(root, "flip.npy"), "--augment")
    want = torch.stack([F.hflip(F.center_crop(x, 28)) / 255 for x in images]).numpy()
    good = np.array_equal(got, want)
    print(f"{'ok' if good else 'MISMATCH'} {spec} --augment: mirrored")
    ok &= good
    # Without --augment (calibration, evaluation) the random transforms are
    # their deterministic counterparts: a center crop, no flip.
    got = qc_dump(d, "CenterCrop(28),RandomCrop(24, padding=4),RandomHorizontalFlip(p=1),ToTensor",
                  os.path.join(root, "eval.npy"))
    want = torch.stack([F.center_crop(x, 24) / 255 for x in images]).numpy()
    good = np.array_equal(got, want)
    print(f"{'ok' if good else 'MISMATCH'} random transforms without --augment: center crop, no flip")
    ok &= good
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
