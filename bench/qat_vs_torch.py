#!/usr/bin/env python3
"""QAT training throughput: qopt's @train_step against PyTorch eager.

Recipe (issue #7): LSQ W4A4 on the default model (models/resnet8_fmnist.onnx,
first and last layer 8 bit, per-channel weights, per-tensor activations),
batch 128, 2 threads, SGD momentum 0.9, weight decay 5e-5, softmax
cross-entropy. Both sides train the BN-folded network (conv with bias, no
BatchNorm), as `qopt -qnn-fold-batch-norm` builds it.

qopt: qimport -> qopt -qnn-fold-batch-norm -qnn-apply-policy -qnn-wrap-mode
-> `qrun --function train_step --repeat N --threads 2` (one untimed step,
then the mean of N steps; each repetition is a new process).
PyTorch: the same network in eager mode with LSQ written as a
torch.autograd.Function (the formulas of docs/training-math.md), one
untimed warm-up step plus a few more, then the mean of N steps
(forward, loss, backward, optimizer step), with OMP_WAIT_POLICY=passive
as qrun sets it for itself (unless the caller set it). Two PyTorch builds, each in its
own interpreter: Debian's 1.13 (the project .venv, system python3-torch)
and the current release from the Python package registry, installed on
first use into build/bench/torch-venv (QOPT_TORCH_VENV overrides; never in
CI, nor in `make test`).

qopt, torch 1.13 and torch current are run interleaved REPS times; medians
and ratios are printed. Nothing is asserted.
"""
import argparse
import os
import subprocess
import sys

import numpy as np

import benchlib as B

BATCH = 128
POLICY = "lsq,fm_bit=4,wt_bit=4,wt_quant_group=C,first_bit=8,last_bit=8"
WRAP = "mode=qat optimizer=sgd momentum=0.9 weight-decay=5e-5"
HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "qat_torch_worker.py")


def debian_python():
    py = os.path.join(B.ROOT, ".venv", "bin", "python")
    return py if os.path.exists(py) else "/usr/bin/python3"


def current_torch_python():
    """The benchmark's own venv with the registry's current torch (CPU
    wheels come with MKL and oneDNN), made on first use."""
    venv = os.environ.get("QOPT_TORCH_VENV",
                          os.path.join(B.ROOT, "build", "bench", "torch-venv"))
    py = os.path.join(venv, "bin", "python")
    ok = os.path.exists(py) and subprocess.run(
        [py, "-c", "import torch, numpy"], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL).returncode == 0
    if not ok:
        if os.environ.get("CI"):
            return None
        print(f"installing the current torch into {venv} (first use) ...", flush=True)
        subprocess.run(["/usr/bin/python3", "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "--progress-bar",
                        "off", "torch", "numpy"], check=True)
    return py


def prepare(cache):
    """The train step and one batch (random inputs, seeded)."""
    os.makedirs(cache, exist_ok=True)
    imported = os.path.join(cache, "r8.mlir")
    train = os.path.join(cache, "r8.qat.lsq44.mlir")
    B.run([B.tool("qimport"), B.DEFAULT_MODEL, "-o", imported])
    B.run([B.tool("qopt"), imported, "-qnn-fold-batch-norm",
           f"-qnn-apply-policy=policy=\"{POLICY}\"", f"-qnn-wrap-mode={WRAP}",
           "-o", train])
    rng = np.random.default_rng(0)
    x = os.path.join(cache, "qat_x.npy")
    y = os.path.join(cache, "qat_y.npy")
    lr = os.path.join(cache, "qat_lr.npy")
    np.save(x, rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32))
    np.save(y, rng.integers(0, 10, BATCH).astype(np.int32))
    np.save(lr, np.array(0.01, np.float32))
    return train, x, y, lr


def qopt_ms(train, x, y, lr, threads, steps, qrun=None):
    out = B.run([qrun or B.tool("qrun"), train, "--function", "train_step", "--input", x,
                 "--input", y, "--input", lr, "--threads", str(threads),
                 "--repeat", str(steps)])
    m = B._TIME.search(out)
    if not m:
        sys.exit(f"no 'time per run' in qrun output:\n{out}")
    return float(m.group(1))


def torch_ms(python, x, y, threads, steps):
    # The same OpenMP wait policy as qrun (which sleeps idle threads unless
    # told otherwise): spinning threads collapse on a shared machine.
    env = dict(os.environ)
    env.setdefault("OMP_WAIT_POLICY", "passive")
    out = B.run([python, WORKER, "--x", x, "--y", y, "--threads", str(threads),
                 "--steps", str(steps)], env=env)
    fields = dict(kv.split("=", 1) for kv in out.split())
    return float(fields["ms"]), fields["torch"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--steps", type=int, default=20, help="timed steps per repetition")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-current", action="store_true",
                    help="skip the registry's current torch")
    ap.add_argument("--qrun-before", metavar="PATH",
                    help="also time another qrun binary (e.g. an older build) on the "
                         "same train step, interleaved")
    args = ap.parse_args()

    print(f"QAT training throughput, LSQ W4A4 (first/last 8 bit), resnet8_fmnist "
          f"BN folded, batch {BATCH}, {args.threads} threads; {B.machine()}")
    train, x, y, lr = prepare(os.path.join(B.CACHE, "qat"))
    peers = [("torch (Debian)", debian_python())]
    if not args.no_current:
        py = current_torch_python()
        if py:
            peers.append(("torch (current)", py))
    names = ["qopt"] + (["qopt (before)"] if args.qrun_before else []) + [n for n, _ in peers]
    ms = {n: [] for n in names}
    versions = {}
    for rep in range(args.reps):
        ms["qopt"].append(qopt_ms(train, x, y, lr, args.threads, args.steps))
        if args.qrun_before:
            ms["qopt (before)"].append(
                qopt_ms(train, x, y, lr, args.threads, args.steps, args.qrun_before))
        for name, py in peers:
            t, v = torch_ms(py, x, y, args.threads, args.steps)
            ms[name].append(t)
            versions[name] = v
        print(f"  rep {rep + 1}: " + ", ".join(f"{n} {ms[n][-1]:.1f} ms" for n in names),
              flush=True)
    med = {n: B.median(ms[n]) for n in names}
    print(f"\nmedian of {args.reps} (ms per step of {BATCH} images -> images/s):")
    for n in names:
        label = n + (f" {versions[n]}" if n in versions else "")
        print(f"  {label:28s} {med[n]:8.1f} ms  {BATCH / med[n] * 1e3:8.0f} img/s")
    for n in names[1:]:
        print(f"throughput ratio qopt / {n}: {med[n] / med['qopt']:.2f}x")


if __name__ == "__main__":
    main()
