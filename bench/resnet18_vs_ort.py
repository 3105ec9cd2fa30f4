#!/usr/bin/env python3
"""qrun (qopt's interpreter) vs onnxruntime: fp32 and int8 latency.

Models:
  - torchvision resnet18 (weights=None, seed 0, BN statistics randomized,
    exported with BatchNormalization kept, opset 13, batch 1, 224x224);
  - the default model models/resnet8_fmnist.onnx at batch 1 and 100.
qopt's side is qimport -> qopt -qnn-fold-batch-norm -> qrun --repeat N.
onnxruntime's side is an InferenceSession (intra_op T, inter_op 1,
sequential, default graph optimizations) on the original ONNX.

For each model and thread count, outputs are checked to agree (rtol 1e-4)
before anything is timed; then qrun and onnxruntime are timed alternately
REPS times and the medians and their ratio qopt/ort are printed.
"""
import argparse
import os
import re
import sys
import time

import numpy as np

import benchlib as B


def export_resnet18(path):
    """Exports in the project venv (.venv: torch with Debian's onnx 1.12):
    in .venv-ortq, onnx 1.16 and the onnx that torch.onnx loads collide
    ("cannot import name 'IR_VERSION_2021_7_30'")."""
    here = os.path.dirname(os.path.abspath(__file__))
    B.run([os.path.join(B.ROOT, ".venv", "bin", "python"), "-c",
           f"import sys; sys.path.insert(0, {here!r}); "
           f"import resnet18_vs_ort as R; R._export_resnet18({path!r})"])


def _export_resnet18(path):
    import torch
    import torchvision
    torch.manual_seed(0)
    model = torchvision.models.resnet18(weights=None)
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                c = m.num_features
                m.running_mean.copy_(torch.randn(c, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=g) * 0.5 + 0.75)
                m.weight.copy_(torch.rand(c, generator=g) * 0.5 + 0.75)
                m.bias.copy_(torch.randn(c, generator=g) * 0.1)
    model.eval()
    x = torch.randn(1, 3, 224, 224, generator=g)
    torch.onnx.export(model, x, path, opset_version=13, input_names=["input"],
                      output_names=["logits"],
                      training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False)
    import onnx
    n_bn = sum(n.op_type == "BatchNormalization" for n in onnx.load(path).graph.node)
    assert n_bn == 20, f"expected 20 BatchNormalization nodes, got {n_bn}"


def calib_reader(n, seed=1):
    q = B.ort_quantization()

    class Reader(q.CalibrationDataReader):
        def __init__(self):
            rng = np.random.default_rng(seed)
            self.it = iter([{"input": rng.standard_normal((1, 3, 224, 224), np.float32)}
                            for _ in range(n)])

        def get_next(self):
            return next(self.it, None)
    return Reader()


def quantize_resnet18_int8(src, dst):
    q = B.ort_quantization()
    from onnxruntime.quantization.shape_inference import quant_pre_process
    pre = dst.replace(".onnx", ".pre.onnx")
    quant_pre_process(src, pre, skip_symbolic_shape=True)
    q.quantize_static(pre, dst, calib_reader(16), quant_format=q.QuantFormat.QDQ,
                      per_channel=True, activation_type=q.QuantType.QUInt8,
                      weight_type=q.QuantType.QInt8,
                      calibrate_method=q.CalibrationMethod.MinMax)


def bench_model(name, onnx_path, mlir, x, threads_list, reps, repeat, results):
    x_npy = os.path.join(B.CACHE, f"{name}.input.npy")
    np.save(x_npy, x)
    sessions = {t: B.ort_session(onnx_path, t) for t in threads_list}
    feed = {sessions[threads_list[0]].get_inputs()[0].name: x}
    ref = sessions[threads_list[0]].run(None, feed)[0]
    for t in threads_list:
        got = B.qrun_output(mlir, x_npy, os.path.join(B.CACHE, f"{name}.out.npy"), t)
        rel = B.check_close(f"{name} ({t} threads)", got, ref)
        print(f"  {name}: outputs agree at {t} thread(s) (needs rtol {rel:.1e})", flush=True)
    for t in threads_list:
        q, o = [], []
        for _ in range(reps):  # interleaved: noise hits both sides alike
            q.append(B.qrun_time(mlir, x_npy, t, repeat))
            o.append(B.ort_time(sessions[t], feed, repeat))
        qm, om = B.median(q), B.median(o)
        results.append((name, t, qm, om))
        print(f"  {name:22s} threads {t}: qopt {qm:8.3f} ms  ort {om:8.3f} ms  "
              f"qopt/ort {qm / om:5.2f}   (qopt runs {', '.join(f'{v:.2f}' for v in q)}; "
              f"ort {', '.join(f'{v:.2f}' for v in o)})", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=5, help="interleaved repetitions (median)")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--skip-resnet18", action="store_true")
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    os.makedirs(B.CACHE, exist_ok=True)
    print(f"== fp32 latency, qopt (qrun) vs onnxruntime {__import__('onnxruntime').__version__}")
    print(f"   {time.strftime('%Y-%m-%d %H:%M')}, {B.machine()}, {args.reps} reps, medians")
    results = []

    if not args.skip_resnet18:
        r18 = os.path.join(B.CACHE, "resnet18.onnx")
        if not os.path.exists(r18):
            print("  exporting resnet18 ...", flush=True)
            export_resnet18(r18)
        mlir = B.import_and_fold(r18, "resnet18")
        x = np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype(np.float32)
        bench_model("resnet18 b1", r18, mlir, x, threads, args.reps, 20, results)

    mlir8 = B.import_and_fold(B.DEFAULT_MODEL, "resnet8_fmnist")
    for batch, repeat in ((1, 500), (100, 20)):
        x, _ = B.fmnist_batch("test", batch)
        bench_model(f"resnet8_fmnist b{batch}", B.DEFAULT_MODEL, mlir8, x, threads,
                    args.reps, repeat, results)

    print()
    print("| model | threads | qopt ms | onnxruntime ms | qopt/ort |")
    print("|---|---|---|---|---|")
    for name, t, q, o in results:
        print(f"| {name} | {t} | {q:.3f} | {o:.3f} | {q / o:.2f} |")

    if args.skip_resnet18:
        return
    print()
    bench_int8(r18, threads, args.reps)
    bench_int8_resnet8(threads, args.reps)


def op_histogram(mlir):
    with open(mlir) as f:
        text = f.read()
    ops = {}
    for m in re.finditer(r"= (qnn\.[a-z_0-9]+)", text):
        ops[m.group(1)] = ops.get(m.group(1), 0) + 1
    return ops


def compare_int8(name, got, ref, out_scale):
    """Integer programs agree with onnxruntime's up to rounding near ties:
    report the largest difference in output quantization steps."""
    steps = np.abs(got - ref).max() / out_scale
    same = float((got.argmax(-1) == ref.argmax(-1)).mean())
    print(f"  {name}: max |qopt - ort| = {steps:.0f} output step(s), "
          f"top-1 agreement {same:.2f}", flush=True)
    if steps > 2:
        sys.exit(f"{name}: qopt's int8 output differs from onnxruntime's by {steps} steps")


def time_int8(name, mlir, qdq, x, threads, reps, repeat):
    x_npy = os.path.join(B.CACHE, f"{name}.input.npy")
    np.save(x_npy, x)
    rows = []
    for t in threads:
        sess = B.ort_session(qdq, t)
        feed = {sess.get_inputs()[0].name: x}
        q, o = [], []
        for _ in range(reps):  # interleaved
            q.append(B.qrun_time(mlir, x_npy, t, repeat))
            o.append(B.ort_time(sess, feed, repeat))
        qm, om = B.median(q), B.median(o)
        rows.append((name, t, qm, om))
        print(f"  {name:28s} threads {t}: qopt {qm:8.3f} ms  ort {om:8.3f} ms  "
              f"qopt/ort {qm / om:5.2f}   (qopt runs {', '.join(f'{v:.2f}' for v in q)}; "
              f"ort {', '.join(f'{v:.2f}' for v in o)})", flush=True)
    return rows


def bench_int8(r18, threads, reps):
    """int8 ResNet-18: onnxruntime's quantize_static QDQ model, imported by
    qimport (QuantizeLinear / DequantizeLinear become qnn.quantize /
    qnn.dequantize) and turned into integer ops by qnn-lower-to-integer
    (requantized qconv2d, qadd, integer max pool); timed against the same
    QDQ model in onnxruntime."""
    print(f"== int8 latency: resnet18 b1, onnxruntime quantize_static QDQ model in "
          f"onnxruntime vs the same model through qimport + qnn-lower-to-integer + qrun")
    q8 = os.path.join(B.CACHE, "resnet18.int8.qdq.onnx")
    if not os.path.exists(q8):
        t0 = time.perf_counter()
        quantize_resnet18_int8(r18, q8)
        print(f"  onnxruntime quantize_static (QDQ, per-channel, MinMax, 16 random "
              f"images): {time.perf_counter() - t0:.1f} s")
    imported = os.path.join(B.CACHE, "resnet18.int8.qdq.mlir")
    lowered = os.path.join(B.CACHE, "resnet18.int8.integer.mlir")
    with open(imported, "w") as f:
        f.write(B.run([B.tool("qimport"), q8]))
    B.run([B.tool("qopt"), imported, "-qnn-lower-to-integer", "-o", lowered])
    ops = op_histogram(lowered)
    print("  integer program: " + ", ".join(f"{n} {k}" for k, n in sorted(ops.items())))
    x = np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype(np.float32)
    x_npy = os.path.join(B.CACHE, "resnet18 int8.input.npy")
    np.save(x_npy, x)
    sess = B.ort_session(q8, 1)
    ref = sess.run(None, {"input": x})[0]
    got = B.qrun_output(lowered, x_npy, os.path.join(B.CACHE, "resnet18 int8.out.npy"), 1)
    out_scale = float(re.findall(r"!quant.uniform<u8:f32, ([0-9.e-]+):\d+>>\s*$",
                                 B.run(["grep", "qnn.quantize", lowered]).strip())[-1])
    compare_int8("resnet18 int8", got, ref, out_scale)
    rows = time_int8("resnet18 b1 int8", lowered, q8, x, threads, reps, 20)
    print()
    print("| model | threads | qopt int8 ms | onnxruntime QDQ ms | qopt/ort |")
    print("|---|---|---|---|---|")
    for name, t, q, o in rows:
        print(f"| {name} | {t} | {q:.3f} | {o:.3f} | {q / o:.2f} |")


def bench_int8_resnet8(threads, reps):
    """int8 default model: qc's W8A8 integer program (its own calibration)
    against onnxruntime's quantize_static QDQ MinMax model of the same
    network (bench/ptq_vs_ort.py makes it)."""
    qdq = os.path.join(B.CACHE, "ptq", "resnet8.qdq.min_max.onnx")
    if not os.path.exists(qdq):
        print(f"  (resnet8 int8 skipped: run bench/ptq_vs_ort.py first to make {qdq})")
        return
    out = os.path.join(B.CACHE, "int8-resnet8")
    integer = os.path.join(out, "4-integer.mlir")
    if not os.path.exists(integer):
        B.run([B.tool("qc"), "quantize", B.DEFAULT_MODEL, "--policy",
               "wt_bit=8,fm_bit=8,wt_quant_group=C,first_bit=8,last_bit=8", "-o", out])
    print(f"== int8 latency: resnet8_fmnist, qc W8A8 integer program vs onnxruntime QDQ")
    rows = []
    for batch, repeat in ((1, 500), (100, 20)):
        x, _ = B.fmnist_batch("test", batch)
        rows += time_int8(f"resnet8_fmnist b{batch} int8", integer, qdq, x, threads,
                          reps, repeat)
    print()
    print("| model | threads | qopt int8 ms | onnxruntime QDQ ms | qopt/ort |")
    print("|---|---|---|---|---|")
    for name, t, q, o in rows:
        print(f"| {name} | {t} | {q:.3f} | {o:.3f} | {q / o:.2f} |")


if __name__ == "__main__":
    sys.exit(main())
