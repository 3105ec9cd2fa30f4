"""Compares two qrt checkpoints tensor by tensor.

    compare_checkpoints.py A.qckpt B.qckpt --tol T [--skip SUFFIX]

For each tensor (but those whose name ends with SUFFIX): the largest
|a - b| relative to the tensor's largest |b| (its scale), the worst tensor
printed. Exits non-zero when the two hold different tensor names or shapes,
or when a tensor differs by more than T.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts"))
from gpu_compare import read_qckpt  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--tol", type=float, required=True)
    ap.add_argument("--skip", default=None)
    args = ap.parse_args()
    a, b = read_qckpt(args.a), read_qckpt(args.b)
    if sorted(a) != sorted(b):
        sys.exit(f"different tensors: {sorted(set(a) ^ set(b))}")
    worst_name, worst, compared = None, -1.0, 0
    for name in sorted(a):
        if args.skip and name.endswith(args.skip):
            continue
        compared += 1
        (sa, _, va), (sb, _, vb) = a[name], b[name]
        if sa != sb:
            sys.exit(f"{name}: shape {sa} vs {sb}")
        scale = max((abs(float(x)) for x in vb), default=0.0) or 1.0
        d = max((abs(float(x) - float(y)) for x, y in zip(va, vb)), default=0.0) / scale
        if d > worst:
            worst_name, worst = name, d
    status = "within" if worst <= args.tol else "NOT within"
    print(f"{compared} tensors {status} {args.tol:g} of their scale "
          f"(worst: {worst_name}, {worst:.2e})")
    sys.exit(0 if worst <= args.tol else 1)


if __name__ == "__main__":
    main()
