"""float64 numpy oracle for conv-clip-fusion.mlir: expand conv (3x3, pad 1,
bias) -> clip [0, 6] -> depthwise 3x3 conv (pad 1) + the clipped value ->
clip [-1, 1.5]. Compares qrun's output (float32) within 1e-5 relative.

    conv_clip_oracle.py x.npy y.npy
"""
import sys

import numpy as np


def conv(x, w, b, groups):
    n, c, h, wd = x.shape
    oc, icg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    y = np.zeros((n, oc, h, wd))
    ocg = oc // groups
    for o in range(oc):
        g = o // ocg
        for i in range(icg):
            for a in range(kh):
                for bb in range(kw):
                    y[:, o] += w[o, i, a, bb] * xp[:, g * icg + i, a:a + h, bb:bb + wd]
        y[:, o] += b[o]
    return y


def main():
    x = np.load(sys.argv[1]).astype(np.float64)
    got = np.load(sys.argv[2])
    w = np.array([[[[0.5, -0.25, 0.125], [1.0, 0.0, -1.0], [0.25, 0.5, 0.75]],
                   [[-0.5, 0.25, 1.5], [0.0, 1.0, 0.0], [-0.75, 0.5, 0.25]]],
                  [[[1.5, 1.25, 0.5], [1.0, 2.0, 1.0], [0.25, 0.5, 0.75]],
                   [[0.5, 0.25, 1.5], [0.0, 1.0, 0.0], [0.75, 0.5, 0.25]]],
                  [[[-1.5, 1.25, -0.5], [1.0, -2.0, 1.0], [0.25, -0.5, 0.75]],
                   [[0.5, -0.25, 1.5], [0.0, 1.0, 0.0], [-0.75, 0.5, -0.25]]]])
    r = np.clip(conv(x, w, [0.1, -0.2, 0.3], 1), 0.0, 6.0)
    y = np.clip(conv(r, np.full((3, 1, 3, 3), -0.375), [0.0] * 3, 3) + r, -1.0, 1.5)
    err = np.abs(got - y).max() / (np.abs(y).max() + 1)
    # Both clips bite on this input: values at each bound.
    bounds = [(r == 0.0).sum(), (r == 6.0).sum(), (y == -1.0).sum(), (y == 1.5).sum()]
    print(f"max rel error {err:.2e}, clipped {bounds}")
    return 0 if err < 1e-5 and min(bounds) > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
