"""Data-parallel QAT throughput: 1 process vs 2 MPI ranks (docs/benchmarks.md).

One epoch of LSQ W4A4 on the default model over the first N training images
(global batch 128), `qc quantize --mode qat`, in three layouts on the same
machine, interleaved, medians of R repetitions:

  1 rank  x 1 thread, batch 128
  1 rank  x 2 threads, batch 128
  2 ranks x 1 thread, batch 64 each (mpirun)

Reported: training images/s of each (qc's "QAT epoch" row) and the ratios to
1 rank x 2 threads. A 2-core machine has little to gain; the point is that
the ranks' collectives cost little next to a step.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import tempfile

import benchlib as B

POLICY = "lsq,wt_bit=4,fm_bit=4,wt_quant_group=C,first_bit=8,last_bit=8"
_EPOCH = re.compile(r"\| QAT epoch 1 \(.*?\) \| [0-9.]+% \|[^|]*\|[^|]*\| ([0-9.]+) \|")


def qat(out, ranks, threads, batch, images):
    cmd = [B.tool("qc"), "quantize", B.DEFAULT_MODEL, "--mode", "qat", "--policy", POLICY,
           "--calib-images", "256", "--train-images", str(images), "--epochs", "1",
           "--train-batch-size", str(batch), "--eval-limit", "100",
           "--threads", str(threads), "-o", out]
    if ranks > 1:
        cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(ranks)] + cmd
    text = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    m = _EPOCH.search(text)
    if not m:
        raise SystemExit(f"no QAT epoch row in:\n{text}")
    return float(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=8192)
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    if not shutil.which("mpirun") or not os.path.exists(
            os.path.join(B.ROOT, B.BUILD, "lib", "libqrt_mpi.so")):
        print("data_parallel: no mpirun or libqrt_mpi: skipped")
        return
    layouts = [("1 rank x 1 thread", 1, 1, 128), ("1 rank x 2 threads", 1, 2, 128),
               ("2 ranks x 1 thread", 2, 1, 64)]
    rates = {name: [] for name, *_ in layouts}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(a.reps):
            for name, ranks, threads, batch in layouts:
                rates[name].append(qat(os.path.join(tmp, "out"), ranks, threads, batch, a.images))
    base = statistics.median(rates["1 rank x 2 threads"])
    print(f"Data-parallel QAT, LSQ W4A4, default model, {a.images} images, global batch 128, "
          f"median of {a.reps} (training images/s; ratio to 1 rank x 2 threads)")
    print("| layout | images/s | ratio |")
    print("|---|---|---|")
    for name, *_ in layouts:
        r = statistics.median(rates[name])
        print(f"| {name} | {r:.0f} | {r / base:.2f} |")


if __name__ == "__main__":
    main()
