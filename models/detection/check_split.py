"""Checks the FCOS split (test/e2e/detection-fcos.test):

1. the full torch model's detections == post-processing of the body's
   outputs written to .npy and read back (bit for bit: the split is where
   the model says it is, outputs in OUTPUT_NAMES order);
2. the exported ONNX body run by onnxruntime, post-processed, gives the same
   detections (same count, labels; boxes and scores within 1e-4) and the
   same COCO mAP (+-0.001);
3. a post-processing refusal: a body whose outputs do not match.

Usage: python check_split.py MODEL.pt MODEL.onnx VAL.json OUTDIR [--limit N]
Writes OUTDIR/images.npy (the images, f32 [N, 1, H, W], pixels / 255) and
OUTDIR/torch_<name>.npy (the torch body's outputs).
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import coco_data  # noqa: E402
import fcos  # noqa: E402


def same(a, b, what):
    if len(a) != len(b):
        sys.exit(f"{what}: {len(a)} images vs {len(b)}")
    for i, (x, y) in enumerate(zip(a, b)):
        for k in ("boxes", "scores", "labels"):
            if not torch.equal(x[k], y[k]):
                sys.exit(f"{what}: image {i} {k} differ")


def close(a, b, what, tol=1e-4):
    worst = 0.0
    for i, (x, y) in enumerate(zip(a, b)):
        if len(x["labels"]) != len(y["labels"]) or \
                not torch.equal(x["labels"], y["labels"]):
            sys.exit(f"{what}: image {i}: labels {x['labels'].tolist()} vs "
                     f"{y['labels'].tolist()}")
        for k in ("boxes", "scores"):
            d = (x[k] - y[k]).abs().max().item() if len(x[k]) else 0.0
            scale = max(1.0, x[k].abs().max().item() if len(x[k]) else 1.0)
            worst = max(worst, d / scale)
    if worst > tol:
        sys.exit(f"{what}: max relative difference {worst:.3g} > {tol}")
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pt")
    ap.add_argument("onnx")
    ap.add_argument("val")
    ap.add_argument("out")
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)

    val = coco_data.load(args.val)
    n = args.limit or len(val.ids)
    x = torch.from_numpy(val.images[:n]).float().div(255).unsqueeze(1)
    os.makedirs(args.out, exist_ok=True)
    np.save(os.path.join(args.out, "images.npy"), x.numpy())

    model = fcos.Fcos()
    model.body = fcos.load_body(args.pt)
    model.eval()
    with torch.no_grad():
        full = model(x)
        outs = model.body(x)
    paths = []
    for name, o in zip(fcos.OUTPUT_NAMES, outs):
        paths.append(os.path.join(args.out, f"torch_{name}.npy"))
        np.save(paths[-1], o.numpy())
    split = fcos.postprocess([np.load(p) for p in paths])
    same(full, split, "full model vs body .npy + post-processing")
    print(f"split: {n} images, {sum(len(r['labels']) for r in full)} "
          "detections, identical")

    import onnxruntime as ort
    sess = ort.InferenceSession(args.onnx, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    if names != fcos.OUTPUT_NAMES:
        sys.exit(f"ONNX outputs {names}, expected {fcos.OUTPUT_NAMES}")
    ort_outs = []
    for i in range(0, n, 50):
        r = sess.run(None, {"image": x[i:i + 50].numpy()})
        ort_outs.append(r)
    ort_outs = [np.concatenate([b[k] for b in ort_outs]) for k in
                range(len(names))]
    rt = fcos.postprocess(ort_outs)
    worst = close(full, rt, "onnxruntime body")
    ids = val.ids[:n]
    ap_t = coco_data.evaluate(args.val, fcos.to_coco(full, ids), ids)
    ap_o = coco_data.evaluate(args.val, fcos.to_coco(rt, ids), ids)
    if abs(ap_t[0] - ap_o[0]) > 0.001:
        sys.exit(f"mAP torch {ap_t[0]:.4f} vs onnxruntime {ap_o[0]:.4f}")
    print(f"onnxruntime: same detections (boxes, scores within {worst:.2g} "
          f"relative), AP {ap_o[0]:.4f} = torch {ap_t[0]:.4f}")

    try:
        fcos.postprocess(ort_outs[:6])
        sys.exit("6 outputs accepted")
    except ValueError as e:
        print("refused:", e)
    try:
        fcos.postprocess([ort_outs[1]] + ort_outs[1:])
        sys.exit("a box map as class logits accepted")
    except ValueError as e:
        print("refused:", e)


if __name__ == "__main__":
    main()
