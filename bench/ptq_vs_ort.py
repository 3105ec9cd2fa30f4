#!/usr/bin/env python3
"""Post-training quantization of the default model: qopt (qc quantize) vs
onnxruntime.quantization.quantize_static.

Both calibrate on the same 512 images (the first 512 of the Fashion-MNIST
train split, normalized with mean 0.2860 / std 0.3530) and are evaluated on
the 10k test images.

  qopt: qc quantize models/resnet8_fmnist.onnx --policy
        "wt_bit=8,fm_bit=8,wt_quant_group=C,first_bit=8,last_bit=8"
        --observer {min_max,entropy,percentile,mse} (entropy / percentile
        add wt_observer=min_max: those observers are per tensor only and
        the weights are per channel); top-1 is qc's
        'evaluate fake-quant' row (simulated int8 in qrun: qopt has no integer
        lowering yet).
  ort:  quant_pre_process (folds BN, like qnn-fold-batch-norm), then
        quantize_static(QDQ, per_channel=True, activations QUInt8, weights
        QInt8) with MinMax, Entropy, Percentile (99.99, qopt's default)
        calibrators; top-1 from an onnxruntime session on the QDQ model.
  W4A8: "wt_bit=4,..." with min_max and mse in qopt; QuantType.QInt4
        weights (INT4 QDQ; first and last layer kept at QInt8 through
        TensorQuantOverrides) with MinMax in onnxruntime.

Time = calibration + quantization (qc: its import, fold, policy and
calibrate stages; ort: pre-processing + quantize_static). Both run on all
cores of the machine.
"""
import argparse
import os
import re
import sys
import time

import numpy as np

import benchlib as B

POLICY = "wt_bit=8,fm_bit=8,wt_quant_group=C,first_bit=8,last_bit=8"
POLICY_W4 = "wt_bit=4,fm_bit=8,wt_quant_group=C,first_bit=8,last_bit=8"
CALIB = 512


def qc_quantize(observer, policy, out):
    t0 = time.perf_counter()
    text = B.run([B.tool("qc"), "quantize", B.DEFAULT_MODEL, "--policy", policy,
                  "--observer", observer, "--calib-images", str(CALIB), "-o", out])
    wall = time.perf_counter() - t0
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 6 and cells[0] and not cells[0].startswith("-"):
            rows[cells[0]] = cells
    fq = rows.get("evaluate fake-quant (test mode)")
    fl = rows.get("evaluate float")
    if not fq or not fl:
        sys.exit(f"qc output has no 'evaluate fake-quant' / 'evaluate float' row:\n{text}")
    prep = sum(float(c[5]) for name, c in rows.items()
               if not name.startswith("evaluate") and re.match(r"^[0-9.]+$", c[5]))
    return float(fq[1].rstrip("%")), float(fl[1].rstrip("%")), prep, wall


def ort_top1(path, x, y, threads):
    sess = B.ort_session(path, threads)
    name = sess.get_inputs()[0].name
    correct = 0
    for i in range(0, len(x), 1000):
        logits = sess.run(None, {name: x[i:i + 1000]})[0]
        correct += int((logits.argmax(1) == y[i:i + 1000]).sum())
    return 100.0 * correct / len(x)


def first_last_weights(path):
    """Weight initializer names of the first and last Conv / Gemm."""
    import onnx
    layers = [n for n in onnx.load(path).graph.node if n.op_type in ("Conv", "Gemm", "MatMul")]
    return layers[0].input[1], layers[-1].input[1]


def ort_quantize(method, out_dir, xcal, w4=False):
    q = B.ort_quantization()
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(q.CalibrationDataReader):
        def __init__(self):
            self.it = iter([{"input": xcal[i:i + 64]} for i in range(0, len(xcal), 64)])

        def get_next(self):
            return next(self.it, None)

    calib = {"min_max": q.CalibrationMethod.MinMax, "entropy": q.CalibrationMethod.Entropy,
             "entropy2048": q.CalibrationMethod.Entropy,
             "percentile": q.CalibrationMethod.Percentile}[method]
    extra = {"CalibPercentile": 99.99} if method == "percentile" else {}
    if method == "entropy2048":
        # onnxruntime's entropy defaults (128 bins, 128 quantized bins) leave
        # KL a single candidate threshold, the full range: its "entropy" is
        # min-max exactly. TensorRT's (and qopt's) 2048 bins make it search,
        # but quantize_static does not forward num_bins: wrap the factory.
        qq = sys.modules["onnxruntime.quantization.quantize"]  # the name is shadowed by a function
        factory = qq.create_calibrator

        def with_bins(*a, extra_options=None, **k):
            return factory(*a, extra_options=dict(extra_options or {}, num_bins=2048), **k)
        qq.create_calibrator = with_bins
    pre = os.path.join(out_dir, "resnet8.pre.onnx")
    dst = os.path.join(out_dir, f"resnet8.qdq.{method}{'.w4' if w4 else ''}.onnx")
    t0 = time.perf_counter()
    quant_pre_process(B.DEFAULT_MODEL, pre, skip_symbolic_shape=True)
    weight_type = q.QuantType.QInt8
    if w4:
        # 4-bit weights (INT4 QDQ, opset 21), except the first and last layers
        # at 8 bit like qopt's first_bit=8,last_bit=8.
        weight_type = q.QuantType.QInt4
        extra["TensorQuantOverrides"] = {
            w: [{"quant_type": q.QuantType.QInt8, "axis": 0}] for w in first_last_weights(pre)}
    try:
        q.quantize_static(pre, dst, Reader(), quant_format=q.QuantFormat.QDQ, per_channel=True,
                          activation_type=q.QuantType.QUInt8, weight_type=weight_type,
                          calibrate_method=calib, extra_options=extra)
    finally:
        if method == "entropy2048":
            qq.create_calibrator = factory
    return dst, time.perf_counter() - t0


def ort_supports_int4():
    q = B.ort_quantization()
    return hasattr(q.QuantType, "QInt4")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    out_dir = os.path.join(B.CACHE, "ptq")
    os.makedirs(out_dir, exist_ok=True)
    import onnxruntime
    print(f"== PTQ of {os.path.relpath(B.DEFAULT_MODEL, B.ROOT)}: qopt vs onnxruntime "
          f"{onnxruntime.__version__} quantize_static")
    print(f"   {time.strftime('%Y-%m-%d %H:%M')}, {B.machine()}, calibration: first "
          f"{CALIB} train images; evaluation: 10k test images")

    xcal, _ = B.fmnist_batch("train", CALIB)
    xte, yte = B.fmnist_batch("test", 10000)
    rows = []
    float_top1 = ort_top1(B.DEFAULT_MODEL, xte, yte, args.threads)
    rows.append(("float (onnxruntime)", float_top1, None))

    for obs in ("min_max", "entropy", "percentile", "mse"):
        # qopt's entropy and percentile observers are per tensor only, and the
        # policy's weights are per channel: weights use min-max then, as in
        # onnxruntime (which always takes weight ranges from min / max).
        policy = POLICY + (",wt_observer=min_max" if obs in ("entropy", "percentile") else "")
        top1, qfloat, prep, wall = qc_quantize(obs, policy, os.path.join(out_dir, f"qc-{obs}"))
        rows.append((f"qopt W8A8 {obs} (fake-quant)", top1, prep))
        print(f"  qopt {obs}: {top1:.2f}% (qc float {qfloat:.2f}%), calib+quant {prep:.2f} s, "
              f"qc wall {wall:.1f} s", flush=True)
        if obs == "mse":
            rows.append(("onnxruntime W8A8 mse", None, None))
            continue
        for method in [obs] + (["entropy2048"] if obs == "entropy" else []):
            path, secs = ort_quantize(method, out_dir, xcal)
            top1 = ort_top1(path, xte, yte, args.threads)
            label = {"entropy": "entropy (default 128 bins: = min-max)",
                     "entropy2048": "entropy (2048 bins)"}.get(method, method)
            rows.append((f"onnxruntime W8A8 {label} (QDQ)", top1, secs))
            print(f"  ort  {method}: {top1:.2f}%, calib+quant {secs:.2f} s", flush=True)

    for obs in ("min_max", "mse"):
        top1, _, prep, _ = qc_quantize(obs, POLICY_W4, os.path.join(out_dir, f"qc-w4a8-{obs}"))
        rows.append((f"qopt W4A8 {obs} (fake-quant)", top1, prep))
        print(f"  qopt W4A8 {obs}: {top1:.2f}%, calib+quant {prep:.2f} s", flush=True)
    if ort_supports_int4():
        path, secs = ort_quantize("min_max", out_dir, xcal, w4=True)
        top1 = ort_top1(path, xte, yte, args.threads)
        rows.append(("onnxruntime W4A8 min_max (QDQ, INT4 weights)", top1, secs))
        print(f"  ort  W4A8 min_max: {top1:.2f}%, calib+quant {secs:.2f} s", flush=True)
    else:
        rows.append(("onnxruntime W4A8: skipped (no QuantType.QInt4)", None, None))

    print()
    print("| method | top-1 | calibration + quantization (s) |")
    print("|---|---|---|")
    for name, top1, secs in rows:
        print(f"| {name} | {'—' if top1 is None else f'{top1:.2f}%'} | "
              f"{'—' if secs is None else f'{secs:.2f}'} |")


if __name__ == "__main__":
    sys.exit(main())
