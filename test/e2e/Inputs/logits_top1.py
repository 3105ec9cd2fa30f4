"""logits_top1.py LOGITS.npy EVAL_OUTPUT.txt N

Checks a --logits-out file against the --eval line printed with it: f32
[N, 10], and the line's top-1 count is the count of rows whose argmax is the
label of the same Fashion-MNIST test image.
"""
import re
import sys

import numpy as np

sys.path.insert(0, __file__.rsplit("/test/", 1)[0] + "/models/resnet8")
from fmnist import load  # noqa: E402

logits_path, out_path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
logits = np.load(logits_path)
if logits.dtype != np.float32 or logits.shape != (n, 10):
    sys.exit(f"logits are {logits.dtype}{list(logits.shape)}, want float32[{n}, 10]")
m = re.search(r"fashion-mnist top-1: [0-9.]+% \((\d+) / (\d+)\)", open(out_path).read())
if not m or int(m.group(2)) != n:
    sys.exit(f"no --eval line for {n} images in {out_path}")
_, labels = load("test")
hits = int((logits.argmax(axis=1) == labels[:n]).sum())
if hits != int(m.group(1)):
    sys.exit(f"argmax of the logits hits {hits} labels, the line says {m.group(1)}")
print(f"OK: float32[{n}, 10], {hits} / {n} correct")
