"""COCO mAP of FCOS bodies run by qrun (docs/detection.md).

Usage:
  python scripts/detection/eval.py --val VAL.json [--limit N]
      [--torch MODEL.pt] NAME=MODULE.mlir [NAME=MODULE.mlir ...]

The images are read by qrt itself (`qc data coco:VAL.json --transform
"Grayscale(1),ToTensor" --dump`: what qc calibrates on), each module (a
float, fake-quant or integer body: qimport's or qc quantize's
1-imported.mlir / 3-calibrated.mlir / 4-integer.mlir) runs on them in qrun,
its nine outputs go through models/detection/fcos.py's float
post-processing, and pycocotools scores the detections on those images.
--torch adds the row of the PyTorch model (same images, torch's body and the
same post-processing); a NAME=MODEL.onnx runs in onnxruntime instead of qrun
(e.g. onnxruntime's quantize_static body). Prints one Markdown row per
model: AP, AP50, AP75.
--qc-out DIR (repeatable) scores a `qc quantize -o DIR` run: its float
(1-folded.mlir, or a QAT run's 1-imported.mlir), fake-quant (the last frozen
module: 3-folded.mlir or 3-trained.mlir after QAT, else 3-reconstructed.mlir
or 3-calibrated.mlir) and integer (4-integer.mlir) bodies, rows named
"DIR float" and so on, and appends them to DIR/report.md as a "COCO mAP"
section.
--same A=B:TOL (repeatable) fails (exit 1) unless rows A and B differ by at
most TOL in each of AP, AP50, AP75 (the tests' checks: qrun float = PyTorch
float within 0.001, integer = fake-quant exactly).
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "models", "detection"))
import coco_data  # noqa: E402
import fcos  # noqa: E402

TRANSFORM = "Grayscale(1),ToTensor"


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("eval.py: %s failed (exit %d):\n%s" %
                 (" ".join(cmd), r.returncode, r.stderr.strip()))
    return r.stdout


def image_ids(val, n):
    import json
    with open(val) as f:
        return [im["id"] for im in json.load(f)["images"]][:n]


def run_onnxruntime(path, x):
    """The body's outputs by onnxruntime (a peer's model, e.g. its
    quantize_static QDQ body), in batches of 100."""
    import onnxruntime as ort
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    outs = [sess.run(None, {name: x[i:i + 100]})
            for i in range(0, len(x), 100)]
    return [np.concatenate([o[k] for o in outs]) for k in range(len(outs[0]))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--val", required=True)
    ap.add_argument("--limit", type=int, default=0,
                    help="the first N images (0: all)")
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--torch", help="the float model's state dict (.pt)")
    ap.add_argument("--work", help="keep the .npy files here")
    ap.add_argument("--qc-out", action="append", default=[],
                    metavar="DIR")
    ap.add_argument("--same", action="append", default=[],
                    metavar="A=B:TOL")
    ap.add_argument("models", nargs="*", metavar="NAME=MODULE.mlir|.onnx")
    args = ap.parse_args()
    checks = []
    for spec in args.same:
        pair, _, tol = spec.rpartition(":")
        a, sep, b = pair.partition("=")
        if not sep or not tol:
            sys.exit("eval.py: --same '%s' is not A=B:TOL" % spec)
        checks.append((a, b, float(tol)))
    rows = {}

    work = args.work or tempfile.mkdtemp(prefix="qopt-det-")
    os.makedirs(work, exist_ok=True)
    images = os.path.join(work, "images.npy")
    run([os.path.join(args.bin, "qc"), "data", "coco:" + args.val,
         "--role", "eval", "--transform", TRANSFORM, "--limit",
         str(args.limit), "--dump", images])
    x = np.load(images)
    ids = image_ids(args.val, len(x))
    print("| model | AP | AP50 | AP75 |")
    print("|---|---|---|---|")

    def row(name, outputs):
        dets = fcos.postprocess(outputs)
        ap_ = coco_data.evaluate(args.val, fcos.to_coco(dets, ids), ids)
        rows[name] = ap_
        print("| %s | %.4f | %.4f | %.4f |" % ((name,) + ap_), flush=True)

    if args.torch:
        import torch
        torch.set_num_threads(max(1, args.threads))
        body = fcos.load_body(args.torch)
        body.eval()
        with torch.no_grad():
            outs = [body(torch.from_numpy(x[i:i + 100]))
                    for i in range(0, len(x), 100)]
        row("PyTorch float", [np.concatenate([o[k].numpy() for o in outs])
                              for k in range(len(fcos.OUTPUT_NAMES))])
    qc_rows = {}
    for out in args.qc_out:
        found = []
        # A QAT run (--mode qat) keeps BN for training (1-imported.mlir) and
        # ends its fake-quant stages with 3-folded.mlir (BN folded through
        # the trained weight quantizers) or 3-trained.mlir.
        for kind, files in (("float", ["1-folded.mlir", "1-imported.mlir"]),
                            ("fake-quant", ["3-folded.mlir", "3-trained.mlir",
                                            "3-reconstructed.mlir",
                                            "3-calibrated.mlir"]),
                            ("integer", ["4-integer.mlir"])):
            have = [f for f in files if os.path.exists(os.path.join(out, f))]
            if not have:
                sys.exit("eval.py: --qc-out %s has none of %s (a qc quantize "
                         "-o directory)" % (out, ", ".join(files)))
            name = "%s %s" % (os.path.basename(os.path.normpath(out)), kind)
            found.append((name, os.path.join(out, have[0])))
            args.models.append("%s=%s" % (name, found[-1][1]))
        qc_rows[out] = found
    for spec in args.models:
        name, sep, module = spec.partition("=")
        if not sep:
            sys.exit("eval.py: '%s' is not NAME=MODULE.mlir" % spec)
        if module.endswith(".onnx"):
            row(name, run_onnxruntime(module, x))
            continue
        tag = "".join(c if c.isalnum() else "_" for c in name)
        paths = [os.path.join(work, "%s_%s.npy" % (tag, o))
                 for o in fcos.OUTPUT_NAMES]
        cmd = [os.path.join(args.bin, "qrun"), module, "--input", images]
        for p in paths:
            cmd += ["--output", p]
        if args.threads:
            cmd += ["--threads", str(args.threads)]
        run(cmd)
        try:
            row(name, [np.load(p) for p in paths])
        except ValueError as e:
            sys.exit("eval.py: %s (%s): %s" % (name, module, e))
    for out, found in qc_rows.items():
        with open(os.path.join(out, "report.md"), "a") as f:
            f.write("\n## COCO mAP (scripts/detection/eval.py)\n\n"
                    "%d images of %s, pycocotools.\n\n"
                    "| body | module | AP | AP50 | AP75 |\n"
                    "|---|---|---|---|---|\n" % (len(ids), args.val))
            for name, module in found:
                f.write("| %s | %s | %.4f | %.4f | %.4f |\n" %
                        ((name.rpartition(" ")[2], os.path.basename(module)) +
                         rows[name]))
    failed = False
    for a, b, tol in checks:
        if a not in rows or b not in rows:
            sys.exit("eval.py: --same %s=%s: no such row" % (a, b))
        diff = max(abs(x - y) for x, y in zip(rows[a], rows[b]))
        ok = diff <= tol
        failed |= not ok
        print("%s: %s vs %s: AP, AP50, AP75 differ by at most %.4g (%s %g)" %
              ("OK" if ok else "FAIL", a, b, diff, "<=" if ok else ">", tol))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
