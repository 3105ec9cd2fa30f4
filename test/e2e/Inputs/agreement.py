"""agreement.py SIMULATED.npy DEPLOYED.npy: the fake-quant (test-mode) and
integer programs' logits on the same images. Fails unless every image gets
the same prediction; prints the largest logit difference."""
import sys

import numpy as np

a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
assert a.shape == b.shape, (a.shape, b.shape)
same = (a.argmax(1) == b.argmax(1))
print(f"predictions equal on {same.sum()} of {len(same)} images; "
      f"max |logit difference| {np.abs(a - b).max():.3g}")
sys.exit(0 if same.all() else 1)
