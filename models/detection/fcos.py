"""A small FCOS detector for the Fashion-MNIST detection set
(scripts/detection/make_dataset.py), split as MQBench / mmdeploy split it:

- `FcosBody` (what qopt imports and quantizes): a 5-stage conv + BN + ReLU
  backbone, an FPN with BN on its output convs ("FPN-BN"), and heads shared
  by the levels (conv weights shared, BN per level: "Head-BN"; or with
  norm="gn" one GroupNorm(8, width) per head conv, shared by the levels as
  FCOS's heads share theirs: "FCOS-GN"). Image
  [N, 1, H, W] (pixels / 255) -> per level P3 / P4 / P5 (strides 8, 16, 32)
  three maps: class logits [N, 10, h, w], box distances [N, 4, h, w] (left,
  top, right, bottom, in units of the level's stride, before the ReLU) and
  centerness logits [N, 1, h, w]; outputs in that order, level by level
  (OUTPUT_NAMES).
- `postprocess` (float, outside the body): points, sigmoid scores
  sqrt(class * centerness), ReLU(distances) * stride, the best
  PRE_NMS_TOP_N candidates per level above SCORE_THRESH, class-wise NMS at
  NMS_IOU, the best DETECTIONS_PER_IMAGE. It takes the body's outputs as
  arrays, so the same function scores torch, onnxruntime and qrun bodies.
- `Fcos` = postprocess(body(image)): the full model.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

NUM_CLASSES = 10
STRIDES = (8, 16, 32)
# A point is trained on a box at the level whose range holds the point's
# largest distance to the box's sides (pixels), as FCOS assigns sizes.
SIZE_RANGES = ((0, 16), (16, 32), (32, 1e8))
CENTER_RADIUS = 1.5  # FCOS's center sampling, in strides
SCORE_THRESH = 0.05
PRE_NMS_TOP_N = 100
NMS_IOU = 0.6
DETECTIONS_PER_IMAGE = 100
OUTPUT_NAMES = [f"{kind}_p{level}" for level in (3, 4, 5)
                for kind in ("cls", "box", "ctr")]


def conv_bn(cin, cout, stride=1, relu=True):
    layers = [nn.Conv2d(cin, cout, 3, stride, 1, bias=False),
              nn.BatchNorm2d(cout)]
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


NORMS = ("bn", "gn")
GN_GROUPS = 8


class FcosBody(nn.Module):
    def __init__(self, width=32, num_classes=NUM_CLASSES, norm="bn"):
        super().__init__()
        if norm not in NORMS:
            raise ValueError("norm must be one of %s, got %r" % (NORMS, norm))
        self.norm = norm
        self.stem = conv_bn(1, 16, 2)                                  # /2
        self.c2 = nn.Sequential(conv_bn(16, 24, 2), conv_bn(24, 24))  # /4
        self.c3 = nn.Sequential(conv_bn(24, 32, 2), conv_bn(32, 32))  # /8
        self.c4 = nn.Sequential(conv_bn(32, 48, 2), conv_bn(48, 48))  # /16
        self.c5 = nn.Sequential(conv_bn(48, 64, 2), conv_bn(64, 64))  # /32
        self.lateral = nn.ModuleList(
            nn.Conv2d(c, width, 1) for c in (32, 48, 64))
        self.fpn_out = nn.ModuleList(
            conv_bn(width, width, relu=False) for _ in STRIDES)
        # Head convs shared by the levels; their BNs one per level, or
        # (norm="gn") their GroupNorms shared by the levels too.
        self.cls_convs = nn.ModuleList(
            nn.Conv2d(width, width, 3, 1, 1, bias=False) for _ in range(2))
        self.box_convs = nn.ModuleList(
            nn.Conv2d(width, width, 3, 1, 1, bias=False) for _ in range(2))
        if norm == "bn":
            self.cls_bns = nn.ModuleList(
                nn.ModuleList(nn.BatchNorm2d(width) for _ in range(2))
                for _ in STRIDES)
            self.box_bns = nn.ModuleList(
                nn.ModuleList(nn.BatchNorm2d(width) for _ in range(2))
                for _ in STRIDES)
        else:
            self.cls_gns = nn.ModuleList(
                nn.GroupNorm(GN_GROUPS, width) for _ in range(2))
            self.box_gns = nn.ModuleList(
                nn.GroupNorm(GN_GROUPS, width) for _ in range(2))
        self.cls_logits = nn.Conv2d(width, num_classes, 3, 1, 1)
        self.box_pred = nn.Conv2d(width, 4, 3, 1, 1)
        self.ctr_pred = nn.Conv2d(width, 1, 3, 1, 1)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.normal_(m.weight, std=0.01 if m in (
                    self.cls_logits, self.box_pred, self.ctr_pred) else
                    math.sqrt(2.0 / (m.in_channels * 9)))
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        # Focal loss's prior: every class starts at probability 0.01.
        nn.init.constant_(self.cls_logits.bias, -math.log(99))
        nn.init.constant_(self.box_pred.bias, 1.0)

    def forward(self, x):
        c2 = self.c2(self.stem(x))
        c3 = self.c3(c2)
        c4 = self.c4(c3)
        c5 = self.c5(c4)
        p5 = self.lateral[2](c5)
        p4 = self.lateral[1](c4) + F.interpolate(p5, scale_factor=2.0,
                                                 mode="nearest")
        p3 = self.lateral[0](c3) + F.interpolate(p4, scale_factor=2.0,
                                                 mode="nearest")
        outs = []
        for level, p in enumerate((p3, p4, p5)):
            f = self.fpn_out[level](p)
            c = b = f
            cls_norms, box_norms = ((self.cls_bns[level], self.box_bns[level])
                                    if self.norm == "bn" else
                                    (self.cls_gns, self.box_gns))
            for conv, norm in zip(self.cls_convs, cls_norms):
                c = F.relu(norm(conv(c)))
            for conv, norm in zip(self.box_convs, box_norms):
                b = F.relu(norm(conv(b)))
            outs += [self.cls_logits(c), self.box_pred(b), self.ctr_pred(b)]
        return tuple(outs)


def load_body(path):
    """The FcosBody of a state dict saved by train.py, BN or GN heads (told
    apart by the heads' norm names)."""
    state = torch.load(path)
    body = FcosBody(norm="gn" if any(k.startswith("cls_gns.") for k in state)
                    else "bn")
    body.load_state_dict(state)
    return body


def points(h, w, stride):
    """Centers of a level's cells, (x, y) pixels, row-major [h * w, 2]."""
    ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float32),
                            torch.arange(w, dtype=torch.float32),
                            indexing="ij")
    return torch.stack([xs.reshape(-1), ys.reshape(-1)], 1) * stride + \
        stride // 2


def _as_tensor(a):
    return a if isinstance(a, torch.Tensor) else torch.from_numpy(
        np.ascontiguousarray(a, dtype=np.float32))


@torch.no_grad()
def postprocess(outputs):
    """The body's 9 outputs (arrays or tensors, batch N) -> per image a dict
    of boxes [K, 4] (x1, y1, x2, y2 pixels), scores [K], labels [K] (0-based
    classes), best first."""
    outputs = [_as_tensor(o) for o in outputs]
    if len(outputs) != 3 * len(STRIDES):
        raise ValueError("the body gives %d outputs, post-processing takes %d "
                         "(%s)" % (len(outputs), 3 * len(STRIDES),
                                   ", ".join(OUTPUT_NAMES)))
    n = outputs[0].shape[0]
    for name, o, ch in zip(OUTPUT_NAMES, outputs,
                           [NUM_CLASSES, 4, 1] * len(STRIDES)):
        if o.dim() != 4 or o.shape[0] != n or o.shape[1] != ch:
            raise ValueError("body output %s is %s, expected [%d, %d, h, w]"
                             % (name, list(o.shape), n, ch))
    results = []
    for i in range(n):
        boxes, scores, labels = [], [], []
        for level, stride in enumerate(STRIDES):
            cls, box, ctr = outputs[3 * level:3 * level + 3]
            h, w = cls.shape[2:]
            if box.shape[2:] != (h, w) or ctr.shape[2:] != (h, w):
                raise ValueError("body outputs of level P%d differ in size"
                                 % (level + 3))
            prob = torch.sigmoid(cls[i]).reshape(NUM_CLASSES, -1).t()
            centerness = torch.sigmoid(ctr[i]).reshape(-1)
            score = torch.sqrt(prob * centerness[:, None])
            keep = score > SCORE_THRESH
            cand = score[keep]
            loc, cls_id = keep.nonzero(as_tuple=True)
            if cand.numel() > PRE_NMS_TOP_N:
                cand, top = cand.topk(PRE_NMS_TOP_N)
                loc, cls_id = loc[top], cls_id[top]
            pts = points(h, w, stride)[loc]
            dist = F.relu(box[i].reshape(4, -1).t()[loc]) * stride
            boxes.append(torch.cat([pts - dist[:, :2], pts + dist[:, 2:]], 1))
            scores.append(cand)
            labels.append(cls_id)
        boxes, scores, labels = (torch.cat(boxes), torch.cat(scores),
                                 torch.cat(labels))
        keep = torchvision.ops.batched_nms(boxes, scores, labels, NMS_IOU)
        keep = keep[:DETECTIONS_PER_IMAGE]
        results.append({"boxes": boxes[keep], "scores": scores[keep],
                        "labels": labels[keep]})
    return results


class Fcos(nn.Module):
    """The full detector: postprocess(body(image))."""

    def __init__(self, norm="bn"):
        super().__init__()
        self.body = FcosBody(norm=norm)

    def forward(self, x):
        return postprocess(self.body(x))


def to_coco(results, image_ids):
    """Detections as COCO results ([x, y, w, h], category id = class + 1)."""
    out = []
    for r, image_id in zip(results, image_ids):
        b = r["boxes"].tolist()
        for (x1, y1, x2, y2), s, l in zip(b, r["scores"].tolist(),
                                         r["labels"].tolist()):
            out.append({"image_id": int(image_id), "category_id": int(l) + 1,
                        "bbox": [x1, y1, x2 - x1, y2 - y1], "score": s})
    return out
