"""compare_npy.py ACTUAL EXPECTED [--rtol R] [--atol A] [--exact]

Exits 1 with the worst element when ACTUAL and EXPECTED (.npy) differ by more
than atol + rtol * |expected| (numpy.allclose), or at all with --exact.
"""
import argparse
import sys

import numpy as np

p = argparse.ArgumentParser()
p.add_argument("actual")
p.add_argument("expected")
p.add_argument("--rtol", type=float, default=1e-5)
p.add_argument("--atol", type=float, default=1e-6)
p.add_argument("--exact", action="store_true")
a = p.parse_args()
x, y = np.load(a.actual), np.load(a.expected)
if x.shape != y.shape:
    sys.exit(f"shape mismatch: {x.shape} vs expected {y.shape}")
if a.exact:
    bad = x != y
else:
    bad = ~np.isclose(x, y, rtol=a.rtol, atol=a.atol)
if bad.any():
    i = np.unravel_index(np.argmax(np.abs(x.astype(np.float64) - y)), x.shape)
    sys.exit(f"{bad.sum()} of {x.size} elements differ; worst at {i}: "
             f"{x[i]} vs expected {y[i]} (rtol {a.rtol}, atol {a.atol})")
print(f"OK: {x.size} elements within rtol {a.rtol}, atol {a.atol}")
