"""The oracles of qc's own COCO mAP (test/e2e/detection-map.test).

  check_map.py VAL.json QC_OUT TAG MODULE [--limit N]

QC_OUT is a `qc quantize --detector fcos --save-detections -o QC_OUT` run:
- its detections-TAG.json scored by pycocotools (COCOeval bbox on the first
  N val images) must give the AP / AP50 / AP75 that qc's report.md prints
  for that stage (4 decimals);
- the same detections must be models/detection/fcos.py's postprocess of
  MODULE's maps (run by qrun on the same images): the same boxes per image,
  labels equal, boxes and scores within 1e-5.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import coco_data  # noqa: E402
import fcos  # noqa: E402


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        sys.exit("check_map.py: %s failed:\n%s" % (" ".join(cmd), r.stderr))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("val")
    ap.add_argument("qc_out")
    ap.add_argument("tag")
    ap.add_argument("module")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    args = ap.parse_args()
    with open(args.val) as f:
        ids = [im["id"] for im in json.load(f)["images"]]
    if args.limit:
        ids = ids[:args.limit]
    dets_path = os.path.join(args.qc_out, "detections-%s.json" % args.tag)
    with open(dets_path) as f:
        dets = json.load(f)

    # 1. pycocotools on qc's detections = qc's numbers.
    stats = coco_data.evaluate(args.val, dets, ids)
    with open(os.path.join(args.qc_out, "report.md")) as f:
        report = f.read()
    section = report.split("## COCO mAP", 1)[1]
    rows = [r for r in section.splitlines() if r.startswith("| evaluate ")]
    stage = {"float": "evaluate float", "fake-quant": "evaluate fake-quant",
             "integer": "evaluate integer",
             "trained": "evaluate trained"}[args.tag]
    row = [r for r in rows if r.startswith("| " + stage)]
    if len(row) != 1:
        sys.exit("check_map.py: no '%s' row in %s's COCO mAP table" %
                 (stage, args.qc_out))
    qc = [float(v) for v in re.findall(r"\| ([0-9.]+)", row[0])[-3:]]
    ours = ["%.4f" % v for v in stats]
    theirs = ["%.4f" % v for v in qc]
    print("%s: pycocotools AP %s AP50 %s AP75 %s, qc %s" %
          (args.tag, *ours, " ".join(theirs)))
    ok = ours == theirs

    # 2. qc's post-processing = fcos.postprocess of the module's maps.
    work = tempfile.mkdtemp(prefix="qopt-map-")
    images = os.path.join(work, "images.npy")
    run([os.path.join(args.bin, "qc"), "data", "coco:" + args.val, "--role",
         "eval", "--transform", "Grayscale(1),ToTensor", "--limit",
         str(len(ids)), "--dump", images])
    outs = [os.path.join(work, "%s.npy" % n) for n in fcos.OUTPUT_NAMES]
    cmd = [os.path.join(args.bin, "qrun"), args.module, "--input", images]
    for o in outs:
        cmd += ["--output", o]
    run(cmd)
    results = fcos.postprocess([np.load(o) for o in outs])
    expected = fcos.to_coco(results, ids)
    by_image = {}
    for d in dets:
        by_image.setdefault(d["image_id"], []).append(d)
    worst, mismatched = 0.0, 0
    for i in ids:
        mine = by_image.get(i, [])
        want = [d for d in expected if d["image_id"] == i]
        if len(mine) != len(want) or any(
                a["category_id"] != b["category_id"]
                for a, b in zip(mine, want)):
            mismatched += 1
            continue
        for a, b in zip(mine, want):
            worst = max(worst, abs(a["score"] - b["score"]),
                        *[abs(p - q) for p, q in zip(a["bbox"], b["bbox"])])
    print("%s: %d images, %d detections; %d images differ from "
          "fcos.postprocess, largest box / score difference %.1e" %
          (args.tag, len(ids), len(dets), mismatched, worst))
    ok = ok and mismatched == 0 and worst <= 1e-5
    print("same" if ok else "DIFFERENT")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
