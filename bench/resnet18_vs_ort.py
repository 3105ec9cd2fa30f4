#!/usr/bin/env python3
"""qrun (qopt's interpreter) vs onnxruntime: fp32 latency, and int8 status.

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
import sys
import time

import numpy as np

import benchlib as B


def export_resnet18(path):
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
    print("== int8 (resnet18, batch 1)")
    help_text = B.run([B.tool("qopt"), "--help"])
    if "qnn-lower-to-integer" in help_text:
        print("  qopt: qnn-lower-to-integer exists, but this script does not drive it yet")
    else:
        print("  qopt int8: not available (qopt has no -qnn-lower-to-integer pass yet)")
    q8 = os.path.join(B.CACHE, "resnet18.int8.qdq.onnx")
    if not os.path.exists(q8):
        t0 = time.perf_counter()
        quantize_resnet18_int8(r18, q8)
        print(f"  onnxruntime quantize_static (QDQ, per-channel, MinMax, 16 random "
              f"images): {time.perf_counter() - t0:.1f} s")
    x = np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype(np.float32)
    print("| threads | ort fp32 ms | ort int8 (QDQ) ms | int8/fp32 | qopt fp32/ort int8 |")
    print("|---|---|---|---|---|")
    fp32 = {t: o for name, t, q, o in results if name == "resnet18 b1"}
    qfp32 = {t: q for name, t, q, o in results if name == "resnet18 b1"}
    for t in threads:
        s = B.ort_session(q8, t)
        i8 = B.median([B.ort_time(s, {"input": x}, 20) for _ in range(args.reps)])
        print(f"| {t} | {fp32[t]:.3f} | {i8:.3f} | {i8 / fp32[t]:.2f} | "
              f"{qfp32[t] / i8:.2f} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
