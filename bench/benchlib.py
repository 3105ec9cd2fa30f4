"""Shared helpers of the qopt-vs-peer benchmarks (bench/*.py).

Rules (docs/benchmarks.md): qopt and its peer run in the same invocation on
the same input, interleaved, several repetitions; we report medians and the
ratio qopt/peer. No absolute timing is ever asserted.
"""
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.environ.get("BUILD", "build")
BIN = os.path.join(ROOT, BUILD, "bin")
CACHE = os.path.join(ROOT, BUILD, "bench")
DEFAULT_MODEL = os.path.join(ROOT, "models", "resnet8_fmnist.onnx")
FMNIST_MEAN, FMNIST_STD = 0.2860, 0.3530

sys.path.insert(0, os.path.join(ROOT, "models", "resnet8"))


def tool(name):
    path = os.path.join(BIN, name)
    if not os.path.exists(path):
        sys.exit(f"{path} is missing: build first (cmake --build {BUILD})")
    return path


def run(cmd, **kw):
    """Runs a command, returning stdout; exits with its stderr on failure."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr}{p.stdout}")
    return p.stdout


def import_and_fold(onnx_path, stem):
    """qimport + qopt -qnn-fold-batch-norm into the cache; returns the .mlir."""
    os.makedirs(CACHE, exist_ok=True)
    imported = os.path.join(CACHE, stem + ".mlir")
    folded = os.path.join(CACHE, stem + ".folded.mlir")
    if not (os.path.exists(folded) and os.path.getmtime(folded) >= os.path.getmtime(onnx_path)):
        with open(imported, "w") as f:
            f.write(run([tool("qimport"), onnx_path]))
        run([tool("qopt"), imported, "-qnn-fold-batch-norm", "-o", folded])
    return folded


def qrun_output(mlir, x_npy, out_npy, threads):
    run([tool("qrun"), mlir, "--input", x_npy, "--output", out_npy, "--threads", str(threads)])
    return np.load(out_npy)


_TIME = re.compile(r"time per run: ([0-9.]+) ms")


def qrun_time(mlir, x_npy, threads, repeat):
    """qrun's mean ms per run (it runs the plan once untimed, then `repeat`
    timed runs; MLIR parsing and plan compilation are outside the timing)."""
    out = run([tool("qrun"), mlir, "--input", x_npy, "--threads", str(threads),
               "--repeat", str(repeat)])
    m = _TIME.search(out)
    if not m:
        sys.exit(f"no 'time per run' in qrun output:\n{out}")
    return float(m.group(1))


def ort_session(onnx_path, threads):
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # graph_optimization_level stays at its default (ORT_ENABLE_ALL).
    return ort.InferenceSession(onnx_path, opts, providers=["CPUExecutionProvider"])


def ort_time(sess, feed, repeat):
    """Mean ms per run, after one untimed run (the same protocol as qrun)."""
    sess.run(None, feed)
    t0 = time.perf_counter()
    for _ in range(repeat):
        sess.run(None, feed)
    return (time.perf_counter() - t0) * 1e3 / repeat


def median(xs):
    return statistics.median(xs)


def check_close(name, got, ref, rtol=1e-4):
    """Elementwise |got-ref| <= rtol*(|ref| + max|ref|): relative, with an
    absolute floor scaled to the output for logits near zero (BN folding and
    a different summation order change the last bits). Exits when they
    disagree; returns the smallest rtol that passes."""
    got, ref = np.asarray(got, np.float64), np.asarray(ref, np.float64)
    if got.shape != ref.shape:
        sys.exit(f"{name}: shape {got.shape} != {ref.shape}")
    scale = float(np.abs(ref).max())
    err = np.abs(got - ref)
    # The tolerance this pair needs: err <= tol * (|ref| + max|ref|).
    need = float((err / (np.abs(ref) + scale)).max())
    if need > rtol:
        sys.exit(f"{name}: qopt and onnxruntime disagree (max |err| {err.max():.2e}, "
                 f"max |ref| {scale:.2e}, needs rtol {need:.2e} > {rtol})")
    return need


def fmnist_batch(split, n, offset=0):
    """Normalized float32 [n,1,28,28] and labels."""
    import fmnist
    x, y = fmnist.load(split)
    x = x[offset:offset + n].astype(np.float32) / 255.0
    x = (x - np.float32(FMNIST_MEAN)) / np.float32(FMNIST_STD)
    return x[:, None].astype(np.float32), y[offset:offset + n]


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
        flags = " ".join(x for x in ("avx512f", "avx512_vnni", "avx512_bf16", "amx_int8") if x in text)
    except OSError:
        pass
    return f"{os.cpu_count()} vCPU {cpu} ({flags})"


def ort_quantization():
    """Imports onnxruntime.quantization. onnxruntime 1.20's quantization
    tooling needs onnx >= 1.16 (onnx.reference, FLOAT8/INT4 enums,
    helper.tensor_dtype_to_np_dtype); Debian's onnx is 1.12. bench/run.sh
    therefore runs the benchmarks from .venv-ortq (scripts/install-deps.sh),
    a venv over the system packages with onnx 1.16.2 and onnxruntime 1.20.1
    pip-installed."""
    try:
        import onnxruntime.quantization as q
    except (ImportError, AttributeError) as e:
        sys.exit(f"onnxruntime.quantization does not import ({e!r}); onnx "
                 f"{__import__('onnx').__version__} is too old: run through bench/run.sh, "
                 "which uses .venv-ortq with onnx 1.16")
    return q
