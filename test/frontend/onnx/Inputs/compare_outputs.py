"""compare_outputs.py QRUN MODEL DIR NAME [--rtol R] [qrun options...]

Runs MODEL (.mlir) in qrun on DIR/NAME_in.npy and compares its results, in
order, with DIR/NAME_ref0.npy, NAME_ref1.npy, ... (every one must exist and
match in shape): each within rtol relative to the largest |reference| of that
output (a detector's outputs are logits and box deltas; elements near zero
have no relative scale of their own). Prints the worst error; exits 1 on a
mismatch.
"""
import argparse
import glob
import os
import subprocess
import sys

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("qrun")
ap.add_argument("model")
ap.add_argument("dir")
ap.add_argument("name")
ap.add_argument("--rtol", type=float, default=1e-4)
a, rest = ap.parse_known_args()
refs = glob.glob(os.path.join(a.dir, a.name + "_ref*.npy"))
refs.sort(key=lambda p: int(p.rsplit("_ref", 1)[1][:-4]))
outs = [a.model + ".out%d.npy" % i for i in range(len(refs))]
cmd = [a.qrun, a.model, "--input", os.path.join(a.dir, a.name + "_in.npy")]
for o in outs:
    cmd += ["--output", o]
subprocess.run(cmd + rest, check=True)
worst = 0.0
for o, r in zip(outs, refs):
    x, y = np.load(o), np.load(r)
    if x.shape != y.shape:
        sys.exit(f"{o}: shape {x.shape}, expected {y.shape}")
    err = float(np.abs(x.astype(np.float64) - y).max()) / max(
        float(np.abs(y).max()), 1e-30)
    worst = max(worst, err)
ok = worst <= a.rtol
print(f"{'OK' if ok else 'MISMATCH'}: {len(refs)} outputs, max error / max "
      f"|reference| {worst:.1e} (rtol {a.rtol})")
sys.exit(0 if ok else 1)
