"""Runs ONNX models in onnxruntime and compares them (qexport tests).

    ort_compare.py check MODEL.onnx
        onnx.checker (full check) and one onnxruntime session; prints the ops.
    ort_compare.py run MODEL.onnx --input a.npy ... --output y.npy ...
        [--no-opt]   runs MODEL in onnxruntime (--no-opt: no graph
                     optimizations, so QDQ pairs are not fused into integer
                     kernels and ORT computes what the QDQ graph says).
    ort_compare.py roundtrip ORIGINAL.onnx EXPORTED.onnx [--rtol R --atol A]
        runs both on the same seeded inputs in onnxruntime and compares.
    ort_compare.py input OUT.npy SHAPE... [--seed S] [--fmnist N]
        writes a seeded float input (or N Fashion-MNIST test images,
        normalized as qrun --eval does).
    ort_compare.py qdq-stats ACTUAL.npy EXPECTED.npy --atol A --max-frac F
        reports the max error and the fraction of elements off by more than
        A; fails when that fraction exceeds F.
"""
import argparse
import gzip
import sys

import numpy as np
import onnx
import onnxruntime as ort


def session(path, no_opt=False):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    if no_opt:
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def cmd_check(a):
    m = onnx.load(a.model)
    onnx.checker.check_model(m, full_check=True)
    session(a.model)
    ops = sorted({n.op_type for n in m.graph.node})
    print("opset %d ops: %s" % (m.opset_import[0].version, " ".join(ops)))
    for vi in list(m.graph.input) + list(m.graph.output):
        dims = [d.dim_param or d.dim_value
                for d in vi.type.tensor_type.shape.dim]
        print("%s %s %s" % (vi.name, onnx.TensorProto.DataType.Name(
            vi.type.tensor_type.elem_type), dims))


def cmd_run(a):
    s = session(a.model, a.no_opt)
    feeds = {i.name: np.load(p) for i, p in zip(s.get_inputs(), a.input)}
    outs = s.run(None, feeds)
    for o, p in zip(outs, a.output):
        np.save(p, o)


def seeded_feeds(model_path, seed):
    """Seeded float inputs for every graph input (symbolic dims -> 2)."""
    rng = np.random.RandomState(seed)
    feeds = {}
    for i in session(model_path).get_inputs():
        shape = [d if isinstance(d, int) else 2 for d in i.shape]
        feeds[i.name] = rng.randn(*shape).astype(np.float32)
    return feeds


def cmd_roundtrip(a):
    """The exported model computes what the original does (ORT on both)."""
    feeds = seeded_feeds(a.original, a.seed)
    want = session(a.original).run(None, feeds)
    got = session(a.exported).run(None, dict(zip(
        [i.name for i in session(a.exported).get_inputs()], feeds.values())))
    for i, (g, w) in enumerate(zip(got, want)):
        if g.shape != w.shape or not np.allclose(g, w, rtol=a.rtol,
                                                 atol=a.atol):
            sys.exit("output %d differs: max err %g" % (
                i, np.abs(g - w).max() if g.shape == w.shape else -1))
    print("OK: %d output(s) within rtol %g, atol %g" % (len(want), a.rtol,
                                                        a.atol))


def cmd_input(a):
    if a.fmnist:
        with gzip.open("/usr/share/datasets/fashion-mnist/"
                       "t10k-images-idx3-ubyte.gz") as f:
            raw = np.frombuffer(f.read(), np.uint8, offset=16)
        x = raw[:a.fmnist * 784].reshape(a.fmnist, 1, 28, 28)
        x = ((x.astype(np.float32) / 255.0 - 0.2860) / 0.3530)
        np.save(a.out, x.astype(np.float32))
        return
    rng = np.random.RandomState(a.seed)
    np.save(a.out, rng.randn(*a.shape).astype(np.float32))


def cmd_qdq_stats(a):
    x, y = np.load(a.actual), np.load(a.expected)
    if x.shape != y.shape:
        sys.exit("shape mismatch: %s vs %s" % (x.shape, y.shape))
    err = np.abs(x.astype(np.float64) - y)
    frac = float((err > a.atol).mean())
    top1 = float((x.argmax(-1) == y.argmax(-1)).mean()) if x.ndim == 2 else 1
    print("max err %.3g, %.2f%% of %d elements off by more than %g, "
          "top-1 agreement %.2f%%" % (err.max(), 100 * frac, x.size, a.atol,
                                       100 * top1))
    if frac > a.max_frac:
        sys.exit("mismatched fraction %.4f exceeds %g" % (frac, a.max_frac))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("check")
    p.add_argument("model")
    p = sub.add_parser("run")
    p.add_argument("model")
    p.add_argument("--input", nargs="+", default=[])
    p.add_argument("--output", nargs="+", default=[])
    p.add_argument("--no-opt", action="store_true")
    p = sub.add_parser("roundtrip")
    p.add_argument("original")
    p.add_argument("exported")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rtol", type=float, default=1e-5)
    p.add_argument("--atol", type=float, default=1e-5)
    p = sub.add_parser("input")
    p.add_argument("out")
    p.add_argument("shape", nargs="*", type=int)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--fmnist", type=int, default=0)
    p = sub.add_parser("qdq-stats")
    p.add_argument("actual")
    p.add_argument("expected")
    p.add_argument("--atol", type=float, required=True)
    p.add_argument("--max-frac", type=float, required=True)
    a = ap.parse_args()
    {"check": cmd_check, "run": cmd_run, "input": cmd_input,
     "qdq-stats": cmd_qdq_stats, "roundtrip": cmd_roundtrip}[a.cmd](a)


if __name__ == "__main__":
    main()
