"""agreement.py SIMULATED.npy DEPLOYED.npy: the fake-quant (test-mode) and
integer programs' logits on the same images. Fails unless they are
bit-identical (which implies the same prediction for every image)."""
import sys

import numpy as np

a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
assert a.shape == b.shape, (a.shape, b.shape)
same = (a.argmax(1) == b.argmax(1))
identical = np.array_equal(a, b)
print(f"predictions equal on {same.sum()} of {len(same)} images; "
      f"logits bit-identical: {identical}; "
      f"max |difference| {np.abs(a - b).max():.3g}")
sys.exit(0 if identical and same.all() else 1)
