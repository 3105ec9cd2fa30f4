"""The Fashion-MNIST detection set's COCO json and gray PNG images as
arrays, and COCO mAP by pycocotools (the oracle)."""
import contextlib
import io
import json
import os
from dataclasses import dataclass

import numpy as np
from PIL import Image


@dataclass
class CocoSet:
    path: str
    ids: list        # image ids, in the json's order
    images: np.ndarray  # u8 [N, H, W]
    boxes: list      # per image f32 [K, 4] (x1, y1, x2, y2)
    labels: list     # per image i64 [K] (category id - 1)


def load(path):
    with open(path) as f:
        d = json.load(f)
    root = os.path.dirname(os.path.abspath(path))
    ids = [im["id"] for im in d["images"]]
    images = np.stack([np.array(Image.open(os.path.join(root, im["file_name"]))
                                .convert("L")) for im in d["images"]])
    row = {i: k for k, i in enumerate(ids)}
    boxes = [[] for _ in ids]
    labels = [[] for _ in ids]
    for a in d["annotations"]:
        x, y, w, h = a["bbox"]
        boxes[row[a["image_id"]]].append([x, y, x + w, y + h])
        labels[row[a["image_id"]]].append(a["category_id"] - 1)
    boxes = [np.array(b, np.float32).reshape(-1, 4) for b in boxes]
    labels = [np.array(l, np.int64) for l in labels]
    return CocoSet(path, ids, images, boxes, labels)


def evaluate(annotations, detections, image_ids=None):
    """(AP, AP50, AP75) of COCO results `detections` on `annotations`'s
    images `image_ids` (default: all)."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    quiet = io.StringIO()
    with contextlib.redirect_stdout(quiet):
        gt = COCO(annotations)
        if not detections:
            return 0.0, 0.0, 0.0
        dt = gt.loadRes(detections)
        e = COCOeval(gt, dt, "bbox")
        if image_ids is not None:
            e.params.imgIds = list(image_ids)
        e.evaluate()
        e.accumulate()
        e.summarize()
    return float(e.stats[0]), float(e.stats[1]), float(e.stats[2])
