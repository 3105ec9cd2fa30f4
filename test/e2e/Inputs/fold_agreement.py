"""fold_agreement.py TRAINED.npy FOLDED.npy: logits of the trained test-mode
model (batch norm unfolded) and of the same model with each batch norm
folded into its conv's integer weight levels (qnn-fold-batch-norm through
the weight quantizer). The two differ by float rounding only: the folded
epilogue computes acc * (s_x * s_w * |k|) instead of (acc * s_x * s_w) * k,
an ulp apart, which a later activation quantizer turns into one step where
a value sits on a rounding boundary. So: nearly every logit equal to float
precision, and the predictions equal on nearly every image."""
import sys

import numpy as np

a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
assert a.shape == b.shape, (a.shape, b.shape)
close = np.isclose(b, a, rtol=1e-4, atol=1e-4)
same = a.argmax(1) == b.argmax(1)
print(f"logits within 1e-4: {close.mean():.4f}; predictions equal on "
      f"{same.sum()} of {len(same)} images; max |difference| "
      f"{np.abs(a - b).max():.3g}")
sys.exit(0 if close.mean() >= 0.99 and same.mean() >= 0.99 else 1)
