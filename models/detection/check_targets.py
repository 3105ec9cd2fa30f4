"""Checks qc's FCOS training targets (test/e2e/detection-targets.test)
against train.py's targets_for, the targets the committed model was trained
on:

    qc data coco:VAL.json --transform "Grayscale(1),ToTensor" --limit N \\
        --fcos-targets SPEC --levels 12x12,6x6,3x3 --dump-targets DIR
    python check_targets.py VAL.json DIR --levels 12x12,6x6,3x3 \\
        [--sizes 16/32] [--radius 1.5]

--sizes / --radius replace fcos.SIZE_RANGES / CENTER_RADIUS for the run
(default: fcos.py's own); the strides are fcos.STRIDES. torch's per-image
[P] / [P, 4] layout (levels concatenated, row-major points) is reshaped to
qc's per-level [N, H, W] / [N, 4, H, W]. cls, box, ctr and pos must be equal
bit for bit; npos equal; ctr_sum (a float sum, torch's order differs) within
1e-5 relative.
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import coco_data  # noqa: E402
import fcos  # noqa: E402
import train  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("val")
    ap.add_argument("dir")
    ap.add_argument("--levels", required=True)
    ap.add_argument("--sizes")
    ap.add_argument("--radius", type=float)
    args = ap.parse_args()

    shapes = [tuple(int(v) for v in s.split("x"))
              for s in args.levels.split(",")]
    if len(shapes) != len(fcos.STRIDES):
        sys.exit(f"{len(shapes)} levels, fcos.STRIDES has "
                 f"{len(fcos.STRIDES)}")
    if args.sizes:
        b = [float(v) for v in args.sizes.split("/")]
        fcos.SIZE_RANGES = tuple(zip([0] + b, b + [1e8]))
    if args.radius is not None:
        fcos.CENTER_RADIUS = args.radius

    got = {}
    for name in os.listdir(args.dir):
        got[name[:-4]] = np.load(os.path.join(args.dir, name))
    n = got["cls_p0"].shape[0]
    data = coco_data.load(args.val)
    per_image = [train.targets_for(torch.from_numpy(data.boxes[i]),
                                   torch.from_numpy(data.labels[i]), shapes)
                 for i in range(n)]
    cls_t = torch.stack([t[0] for t in per_image])   # [N, P]
    reg_t = torch.stack([t[1] for t in per_image])   # [N, P, 4]
    ctr_t = torch.stack([t[2] for t in per_image])   # [N, P]
    pos = cls_t >= 0

    failed = []
    begin = 0
    for level, (h, w) in enumerate(shapes):
        end = begin + h * w
        want = {
            "cls": cls_t[:, begin:end].reshape(n, h, w).numpy()
                   .astype(np.int32),
            "box": reg_t[:, begin:end].transpose(1, 2).reshape(n, 4, h, w)
                   .numpy(),
            "ctr": ctr_t[:, begin:end].reshape(n, 1, h, w).numpy(),
            "pos": pos[:, begin:end].reshape(n, 1, h, w).float().numpy(),
        }
        begin = end
        for kind, w_ in want.items():
            name = f"{kind}_p{level}"
            g = got[name]
            if g.dtype != w_.dtype or g.shape != w_.shape:
                failed.append(f"{name}: {g.dtype} {list(g.shape)}, torch "
                              f"{w_.dtype} {list(w_.shape)}")
            elif not np.array_equal(g, w_):
                diff = np.argwhere(g != w_)
                failed.append(f"{name}: {len(diff)} elements differ, first "
                              f"at {diff[0].tolist()}: {g[tuple(diff[0])]!r}"
                              f" vs torch {w_[tuple(diff[0])]!r}")
    # As train.py's loss_fn normalizes.
    npos = max(int(pos.sum()), 1)
    ctr_sum = float(ctr_t[pos].sum().clamp(min=1e-6))
    if got["npos"].shape != () or float(got["npos"]) != npos:
        failed.append(f"npos {got['npos']!r}, torch {npos}")
    if got["ctr_sum"].shape != () or \
            abs(float(got["ctr_sum"]) - ctr_sum) > 1e-5 * ctr_sum:
        failed.append(f"ctr_sum {got['ctr_sum']!r}, torch {ctr_sum}")
    if failed:
        sys.exit("check_targets.py: differ from train.py's targets_for:\n  " +
                 "\n  ".join(failed))
    print(f"targets: {n} images, {len(shapes)} levels, {npos} positives "
          f"(sizes {fcos.SIZE_RANGES}, radius {fcos.CENTER_RADIUS}): cls, "
          f"box, ctr, pos identical to targets_for; npos equal, ctr_sum "
          f"{float(got['ctr_sum']):.6g} = torch {ctr_sum:.6g} (1e-5)")


if __name__ == "__main__":
    main()
