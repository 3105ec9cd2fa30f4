"""Trains the small FCOS of fcos.py on the Fashion-MNIST detection set, then
exports its body to ONNX (BN kept) and scores it with pycocotools.

Usage: python models/detection/train.py [--data build/detection/fmnist-det]
           [--epochs 30] [--out models] [--norm bn|gn]
Makes the data set first when DATA/train.json is missing
(scripts/detection/make_dataset.py). Writes OUT/fcos_fmnist.{pt,onnx,json}
(--norm gn, the heads' GroupNorm variant: OUT/fcos_gn_fmnist.*):
the state dict, the body (input 'image' [batch, 1, 96, 96], pixels / 255;
outputs fcos.OUTPUT_NAMES) and the float val mAP of the torch model.

Seeded, one torch thread by default (--threads): on the shared 2-core
machines two threads ran a step 30x slower than one (OpenMP threads spinning
against the other jobs). The committed weights: 30 epochs in 627 s on a
loaded machine (about 13 s an epoch on an idle core), val AP 0.350; the
committed GN weights (--norm gn --epochs 30 --lr 0.05): 324 s, val AP 0.346.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import fcos  # noqa: E402
import coco_data  # noqa: E402


def targets_for(boxes, labels, shapes):
    """FCOS targets of one image over all levels' points: class (-1 for
    background) [P], distances / stride (l, t, r, b) [P, 4], centerness [P]."""
    cls_t, reg_t, ctr_t = [], [], []
    for (h, w), stride, (lo, hi) in zip(shapes, fcos.STRIDES,
                                        fcos.SIZE_RANGES):
        pts = fcos.points(h, w, stride)
        p = pts.shape[0]
        if boxes.shape[0] == 0:
            cls_t.append(torch.full((p,), -1, dtype=torch.long))
            reg_t.append(torch.zeros(p, 4))
            ctr_t.append(torch.zeros(p))
            continue
        x, y = pts[:, 0:1], pts[:, 1:2]
        l = x - boxes[:, 0]
        t = y - boxes[:, 1]
        r = boxes[:, 2] - x
        b = boxes[:, 3] - y
        ltrb = torch.stack([l, t, r, b], 2)                  # [P, G, 4]
        inside = ltrb.min(2).values > 0
        cx = (boxes[:, 0] + boxes[:, 2]) / 2
        cy = (boxes[:, 1] + boxes[:, 3]) / 2
        rad = fcos.CENTER_RADIUS * stride
        near = ((x - cx).abs() < rad) & ((y - cy).abs() < rad)
        m = ltrb.max(2).values
        ok = inside & near & (m >= lo) & (m <= hi)
        area = ((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]))
        area = area[None].expand(p, -1).clone()
        area[~ok] = float("inf")
        best_area, best = area.min(1)
        pos = torch.isfinite(best_area)
        cls = torch.where(pos, labels[best], torch.full_like(best, -1))
        reg = ltrb[torch.arange(p), best] / stride
        lr_ = reg[:, [0, 2]]
        tb_ = reg[:, [1, 3]]
        ctr = torch.sqrt((lr_.min(1).values / lr_.max(1).values).clamp(min=0) *
                         (tb_.min(1).values / tb_.max(1).values).clamp(min=0))
        cls_t.append(cls)
        reg_t.append(torch.where(pos[:, None], reg, torch.zeros_like(reg)))
        ctr_t.append(torch.where(pos, ctr, torch.zeros_like(ctr)))
    return torch.cat(cls_t), torch.cat(reg_t), torch.cat(ctr_t)



def flatten(outputs):
    """Body outputs -> cls [N, P, C], reg [N, P, 4], ctr [N, P]."""
    cls, reg, ctr = [], [], []
    for level in range(len(fcos.STRIDES)):
        c, b, t = outputs[3 * level:3 * level + 3]
        n = c.shape[0]
        cls.append(c.reshape(n, c.shape[1], -1).transpose(1, 2))
        reg.append(b.reshape(n, 4, -1).transpose(1, 2))
        ctr.append(t.reshape(n, -1))
    return torch.cat(cls, 1), torch.cat(reg, 1), torch.cat(ctr, 1)


def giou_loss(pred, target):
    """GIoU loss of (l, t, r, b) distances from the same point."""
    pl, pt, pr, pb = pred.unbind(1)
    tl, tt, tr, tb = target.unbind(1)
    pa = (pl + pr) * (pt + pb)
    ta = (tl + tr) * (tt + tb)
    iw = torch.min(pl, tl) + torch.min(pr, tr)
    ih = torch.min(pt, tt) + torch.min(pb, tb)
    inter = iw * ih
    union = pa + ta - inter
    iou = inter / union.clamp(min=1e-6)
    ew = torch.max(pl, tl) + torch.max(pr, tr)
    eh = torch.max(pt, tt) + torch.max(pb, tb)
    enclose = (ew * eh).clamp(min=1e-6)
    return 1 - iou + (enclose - union) / enclose


def loss_fn(outputs, targets):
    cls, reg, ctr = flatten(outputs)
    cls_t = torch.stack([t[0] for t in targets])
    reg_t = torch.stack([t[1] for t in targets])
    ctr_t = torch.stack([t[2] for t in targets])
    pos = cls_t >= 0
    npos = max(pos.sum().item(), 1)
    onehot = torch.zeros_like(cls)
    onehot[pos, cls_t[pos]] = 1
    l_cls = torchvision.ops.sigmoid_focal_loss(cls, onehot, alpha=0.25,
                                               gamma=2.0, reduction="sum")
    l_cls = l_cls / npos
    if pos.any():
        w = ctr_t[pos]
        l_box = (giou_loss(F.relu(reg[pos]), reg_t[pos]) * w).sum() / \
            w.sum().clamp(min=1e-6)
        l_ctr = F.binary_cross_entropy_with_logits(ctr[pos], ctr_t[pos],
                                                   reduction="sum") / npos
    else:
        l_box = l_ctr = reg.sum() * 0
    return l_cls, l_box, l_ctr


def export_onnx(body, path, size):
    # PRESERVE + no constant folding keeps BatchNormalization (qopt folds it).
    body.eval()
    torch.onnx.export(
        body, torch.zeros(1, 1, size, size), path, opset_version=13,
        training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False,
        input_names=["image"], output_names=fcos.OUTPUT_NAMES,
        dynamic_axes={name: {0: "batch"}
                      for name in ["image"] + fcos.OUTPUT_NAMES})
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    return sorted({n.op_type for n in m.graph.node})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "build", "detection",
                                                   "fmnist-det"))
    ap.add_argument("--out", default=os.path.join(ROOT, "models"))
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--norm", choices=fcos.NORMS, default="bn",
                    help="the heads' norm: BN per level, or GroupNorm shared "
                    "by the levels")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    if not os.path.exists(os.path.join(args.data, "train.json")):
        subprocess.check_call([sys.executable, os.path.join(
            ROOT, "scripts", "detection", "make_dataset.py"), args.data])
    train = coco_data.load(os.path.join(args.data, "train.json"))
    val = coco_data.load(os.path.join(args.data, "val.json"))
    xtr = torch.from_numpy(train.images).float().div_(255).unsqueeze(1)
    size = xtr.shape[-1]

    model = fcos.Fcos(args.norm)
    body = model.body
    print("params:", sum(p.numel() for p in body.parameters()), flush=True)
    with torch.no_grad():
        shapes = [o.shape[2:] for o in body.eval()(xtr[:1])[0::3]]
    steps = (len(xtr) + args.batch - 1) // args.batch
    opt = torch.optim.SGD(body.parameters(), lr=args.lr, momentum=0.9,
                          weight_decay=1e-4)
    total = args.epochs * steps
    warm = min(200, total // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) *
        0.5 * (1 + np.cos(np.pi * s / total)))
    t_train = time.time()
    for epoch in range(args.epochs):
        body.train()
        perm = torch.randperm(len(xtr), generator=gen)
        sums = np.zeros(3)
        t0 = time.time()
        for step in range(steps):
            idx = perm[step * args.batch:(step + 1) * args.batch]
            x = xtr[idx]
            flip = torch.rand(len(idx), generator=gen) < 0.5
            x = torch.where(flip[:, None, None, None], x.flip(3), x)
            targets = []
            for k, i in enumerate(idx.tolist()):
                b = torch.from_numpy(train.boxes[i])
                if flip[k] and len(b):
                    b = torch.stack([size - b[:, 2], b[:, 1], size - b[:, 0],
                                     b[:, 3]], 1)
                targets.append(targets_for(
                    b, torch.from_numpy(train.labels[i]), shapes))
            losses = loss_fn(body(x), targets)
            loss = sum(losses)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            sums += [l.item() for l in losses]
        sums /= steps
        print(f"epoch {epoch + 1}/{args.epochs}: focal {sums[0]:.4f} "
              f"giou {sums[1]:.4f} centerness {sums[2]:.4f} "
              f"({time.time() - t0:.0f} s)", flush=True)
    t_train = time.time() - t_train

    model.eval()
    xval = torch.from_numpy(val.images).float().div_(255).unsqueeze(1)
    results = []
    with torch.no_grad():
        for i in range(0, len(xval), 100):
            results += model(xval[i:i + 100])
    stats = coco_data.evaluate(val.path, fcos.to_coco(results, val.ids))
    print("torch float val mAP: AP %.4f AP50 %.4f AP75 %.4f" % stats[:3])

    os.makedirs(args.out, exist_ok=True)
    stem = "fcos_fmnist" if args.norm == "bn" else "fcos_gn_fmnist"
    pt = os.path.join(args.out, stem + ".pt")
    onnx_path = os.path.join(args.out, stem + ".onnx")
    torch.save(body.state_dict(), pt)
    ops = export_onnx(body, onnx_path, size)
    print(f"exported {onnx_path}; ops: {ops}")
    with open(os.path.join(args.out, stem + ".json"), "w") as f:
        json.dump({"torch_ap": round(stats[0], 4),
                   "torch_ap50": round(stats[1], 4),
                   "torch_ap75": round(stats[2], 4),
                   "params": sum(p.numel() for p in body.parameters()),
                   "epochs": args.epochs, "train_seconds": round(t_train, 1),
                   "threads": args.threads, "torch": torch.__version__},
                  f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
