#!/usr/bin/env python3
"""The speed table of issue #15: qopt's fp32 and int8 programs against
onnxruntime, and int8 against qopt's own fp32, as fractions of the machine's
measured peak.

Rows: ResNet-18 (torchvision, random weights, 224x224) at batch 1 and 32,
the default model (ResNet-8, Fashion-MNIST) at batch 1 and 100, MobileNetV2
(depthwise convolutions) at batch 1; 1 and 2 threads.
  fp32: qimport + qnn-fold-batch-norm + qrun   vs the ONNX file in onnxruntime
  int8: ResNet-18 / MobileNetV2: onnxruntime's quantize_static QDQ model
        (per-channel, MinMax, 8 random images) through qimport +
        qnn-lower-to-integer + qrun, vs the same QDQ file in onnxruntime;
        ResNet-8: qc's W8A8 integer program vs onnxruntime's QDQ MinMax model
        (bench/ptq_vs_ort.py's calibration: the first 512 training images).
For every row the four programs are timed interleaved (qopt fp32, ort fp32,
qopt int8, ort int8), REPS times, medians; ratios are from the same run.
Peak: bench/peak.cpp (oneDNN matmuls, 1024^3, f32 and u8 x s8) at the same
thread count; "% peak" = 2 x MACs x batch / time / peak.
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np

import benchlib as B

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(B.CACHE, "speed")
MODELS_PY = os.path.join(B.ROOT, "test", "e2e", "Inputs", "torchvision_models.py")


def peaks(threads, out=None):
    """The best rate bench/peak.cpp reaches at each thread count, merged
    into `out` (best so far): measured again after every row, since on a
    shared machine a single measurement can land on a busy moment."""
    exe = os.path.join(OUT, "peak")
    src = os.path.join(HERE, "peak.cpp")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        B.run(["c++", "-O2", "-fopenmp", src, "-ldnnl", "-o", exe])
    out = {} if out is None else out
    for t in threads:
        env = dict(os.environ, OMP_NUM_THREADS=str(t))
        if "OMP_WAIT_POLICY" not in env and "GOMP_SPINCOUNT" not in env:
            env["OMP_WAIT_POLICY"] = "passive"
        best = out.get(t, {})
        for _ in range(3):  # the best of three: the machine is shared
            text = subprocess.run([exe], env=env, capture_output=True, text=True,
                                  check=True).stdout
            for line in text.splitlines():
                _, kind, gops, impl = line.split(maxsplit=3)
                if float(gops) > best.get(kind, (0, ""))[0]:
                    best[kind] = (float(gops), impl)
        out[t] = best
    return out


def macs_per_image(onnx_path):
    """Multiply-adds of one image: Conv, Gemm and MatMul nodes, from onnx's
    shape inference (a symbolic batch counts as 1)."""
    import onnx
    from onnx import shape_inference
    m = shape_inference.infer_shapes(onnx.load(onnx_path))
    shapes = {}
    for v in list(m.graph.value_info) + list(m.graph.input) + list(m.graph.output):
        dims = [d.dim_value if d.HasField("dim_value") else 1
                for d in v.type.tensor_type.shape.dim]
        shapes[v.name] = dims
    for t in m.graph.initializer:
        shapes[t.name] = list(t.dims)
    total = 0
    for n in m.graph.node:
        if n.op_type == "Conv":
            w, y = shapes[n.input[1]], shapes[n.output[0]]
            total += int(np.prod(y[1:])) * int(np.prod(w[1:]))
        elif n.op_type in ("Gemm", "MatMul"):
            a, y = shapes[n.input[0]], shapes[n.output[0]]
            total += int(np.prod(y[1:])) * a[-1]
    return total


def torchvision(name):
    """fp32 ONNX (dynamic batch), its QDQ int8 model, and the qopt programs."""
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    fp32 = os.path.join(d, f"{name}.onnx")
    qdq = os.path.join(d, f"{name}.qdq.onnx")
    if not os.path.exists(fp32):
        print(f"  exporting {name} (project .venv) ...", flush=True)
        # torch in a process of its own (bench/README.md: onnx 1.16 and
        # Debian's torch do not import together).
        B.run([os.path.join(B.ROOT, ".venv", "bin", "python"), MODELS_PY, "export",
               name, d, "dynamic"])
    if not os.path.exists(qdq):
        print(f"  quantizing {name} (onnxruntime quantize_static) ...", flush=True)
        B.run([sys.executable, MODELS_PY, "quantize", name, d])
    mlir32 = B.import_and_fold(fp32, f"speed-{name}")
    imported = os.path.join(d, f"{name}.qdq.mlir")
    mlir8 = os.path.join(d, f"{name}.int8.mlir")
    if not os.path.exists(mlir8):
        with open(imported, "w") as f:
            f.write(B.run([B.tool("qimport"), qdq]))
        B.run([B.tool("qopt"), imported, "-qnn-lower-to-integer", "-o", mlir8])
    return fp32, qdq, mlir32, mlir8


def resnet8():
    qdq = os.path.join(B.CACHE, "ptq", "resnet8.qdq.min_max.onnx")
    if not os.path.exists(qdq):
        print("  making onnxruntime's QDQ model of the default model ...", flush=True)
        import ptq_vs_ort
        os.makedirs(os.path.dirname(qdq), exist_ok=True)
        xcal, _ = B.fmnist_batch("train", 512)
        ptq_vs_ort.ort_quantize("min_max", os.path.dirname(qdq), xcal)
    out = os.path.join(B.CACHE, "int8-resnet8")
    integer = os.path.join(out, "4-integer.mlir")
    if not os.path.exists(integer):
        B.run([B.tool("qc"), "quantize", B.DEFAULT_MODEL, "--policy",
               "wt_bit=8,fm_bit=8,wt_quant_group=C,first_bit=8,last_bit=8", "-o", out])
    return B.DEFAULT_MODEL, qdq, B.import_and_fold(B.DEFAULT_MODEL, "resnet8_fmnist"), integer


def check(name, mlir, sess, x, x_npy, float_rtol):
    feed = {sess.get_inputs()[0].name: x}
    ref = sess.run(None, feed)[0]
    got = B.qrun_output(mlir, x_npy, os.path.join(OUT, "out.npy"), 1)
    if float_rtol:
        B.check_close(name, got, ref, float_rtol)
    else:
        # Integer programs agree with onnxruntime's up to rounding near ties
        # (and qc's own calibration for the default model): report.
        span = float(ref.max() - ref.min()) or 1.0
        top1 = float((got.argmax(-1) == ref.argmax(-1)).mean())
        print(f"  {name}: max |qopt - ort| = {np.abs(got - ref).max() / span:.3f} of the "
              f"output range, top-1 agreement {top1:.2f}", flush=True)
    return feed


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--only", default="", help="comma-separated row names")
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    os.makedirs(OUT, exist_ok=True)
    print(f"== speed: qopt fp32 / int8 vs onnxruntime "
          f"{__import__('onnxruntime').__version__}, {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"   {B.machine()}, {args.reps} reps, medians")
    pk = peaks(threads)
    for t in threads:
        print(f"   peak at {t} thread(s): f32 {pk[t]['f32'][0]:.0f} GFLOP/s "
              f"({pk[t]['f32'][1]}), int8 {pk[t]['int8'][0]:.0f} GOP/s "
              f"({pk[t]['int8'][1]})", flush=True)

    r18 = torchvision("resnet18")
    mv2 = torchvision("mobilenet_v2")
    r8 = resnet8()
    rng = np.random.default_rng(0)
    img = rng.standard_normal((32, 3, 224, 224)).astype(np.float32)
    rows = [  # name, model files, input, qrun / ort repeat
        ("ResNet-18 b1", r18, img[:1], 10),
        ("ResNet-18 b32", r18, img, 2),
        ("ResNet-8 b1", r8, B.fmnist_batch("test", 1)[0], 300),
        ("ResNet-8 b100", r8, B.fmnist_batch("test", 100)[0], 20),
        ("MobileNetV2 b1", mv2, img[:1], 20),
    ]
    if args.only:
        keep = args.only.split(",")
        rows = [r for r in rows if r[0] in keep]
    results = []
    for name, (fp32, qdq, mlir32, mlir8), x, repeat in rows:
        x_npy = os.path.join(OUT, name.replace(" ", "_") + ".npy")
        np.save(x_npy, x)
        macs = macs_per_image(fp32) * x.shape[0]
        for t in threads:
            s32, s8 = B.ort_session(fp32, t), B.ort_session(qdq, t)
            feed = check(f"{name} fp32", mlir32, s32, x, x_npy, 1e-4)
            check(f"{name} int8", mlir8, s8, x, x_npy, None)
            times = {k: [] for k in ("q32", "o32", "q8", "o8")}
            for _ in range(args.reps):  # interleaved
                times["q32"].append(B.qrun_time(mlir32, x_npy, t, repeat))
                times["o32"].append(B.ort_time(s32, feed, repeat))
                times["q8"].append(B.qrun_time(mlir8, x_npy, t, repeat))
                times["o8"].append(B.ort_time(s8, feed, repeat))
            m = {k: B.median(v) for k, v in times.items()}
            results.append((name, t, m, macs))
            peaks(threads, pk)
            print(f"  {name:15s} T{t}: fp32 qopt {m['q32']:9.3f} ort {m['o32']:9.3f}  "
                  f"int8 qopt {m['q8']:9.3f} ort {m['o8']:9.3f} ms   ("
                  + "; ".join(f"{k} " + ", ".join(f"{v:.3f}" for v in vs)
                              for k, vs in times.items()) + ")", flush=True)
    print()
    for t in threads:
        print(f"peak at {t} thread(s), the best of the run: f32 {pk[t]['f32'][0]:.0f} GFLOP/s, "
              f"int8 {pk[t]['int8'][0]:.0f} GOP/s")
    print("| model | threads | fp32 qopt/ort | int8 qopt/ort | int8/fp32 (qopt) | "
          "int8/fp32 (ort) | qopt fp32 % peak | qopt int8 % peak | ort int8 % peak | "
          "qopt fp32 ms | qopt int8 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, t, m, macs in results:
        def pct(ms, kind):
            return 100 * 2 * macs / (ms * 1e-3) / (pk[t][kind][0] * 1e9)
        print(f"| {name} | {t} | {m['q32'] / m['o32']:.2f} | {m['q8'] / m['o8']:.2f} | "
              f"{m['q8'] / m['q32']:.2f} | {m['o8'] / m['o32']:.2f} | "
              f"{pct(m['q32'], 'f32'):.0f}% | {pct(m['q8'], 'int8'):.1f}% | "
              f"{pct(m['o8'], 'int8'):.1f}% | {m['q32']:.3f} | {m['q8']:.3f} |")
    if len(threads) > 1:
        print()
        print("2 threads / 1 thread (time; < 1: faster at 2):")
        by = {(n, t): m for n, t, m, _ in results}
        for name in dict.fromkeys(n for n, _, _, _ in results):
            if (name, 1) in by and (name, 2) in by:
                a, b = by[(name, 1)], by[(name, 2)]
                print(f"  {name}: qopt fp32 {b['q32'] / a['q32']:.2f}, qopt int8 "
                      f"{b['q8'] / a['q8']:.2f}, ort fp32 {b['o32'] / a['o32']:.2f}, "
                      f"ort int8 {b['o8'] / a['o8']:.2f}")


if __name__ == "__main__":
    sys.exit(main())
