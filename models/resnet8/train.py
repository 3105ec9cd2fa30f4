"""Float training of ResNet-8 on Fashion-MNIST, then ONNX export (BN kept).

Usage: python models/resnet8/train.py [--epochs 8] [--dry-run-steps N]
Outputs (next to this folder, in models/): resnet8_fmnist.{onnx,pt,json}.
"""
import argparse
import json
import os
import random
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F

import fmnist
from model import MEAN, STD, ResNet8, num_params

OUT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ONNX_PATH = os.path.join(OUT_DIR, "resnet8_fmnist.onnx")
PT_PATH = os.path.join(OUT_DIR, "resnet8_fmnist.pt")
JSON_PATH = os.path.join(OUT_DIR, "resnet8_fmnist.json")


def to_tensor(x):
    """uint8 [N,28,28] -> normalized float [N,1,28,28]."""
    return (torch.from_numpy(x).float().div_(255).sub_(MEAN).div_(STD)).unsqueeze(1)


def augment(x, gen, pad=2):
    """Random crop (zero-padded by `pad`) + horizontal flip, batched on tensors.

    Padding happens after normalization, so pad with the normalized value of a
    black pixel to match what padding the raw image would have produced.
    """
    n, _, h, w = x.shape
    xp = F.pad(x, (pad,) * 4, value=-MEAN / STD)
    oy = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
    ox = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
    rows = (oy[:, None] + torch.arange(h))[:, :, None]          # [n,h,1]
    cols = (ox[:, None] + torch.arange(w))[:, None, :]          # [n,1,w]
    x = xp[torch.arange(n)[:, None, None], 0, rows, cols].unsqueeze(1)
    flip = torch.rand(n, generator=gen) < 0.5
    return torch.where(flip[:, None, None, None], x.flip(3), x)


@torch.no_grad()
def evaluate(model, x, y, bs=1000):
    model.eval()
    correct = sum((model(x[i:i + bs]).argmax(1) == y[i:i + bs]).sum().item()
                  for i in range(0, len(x), bs))
    return correct / len(x)


def _undo_initializer_dedup(m):
    """Replaces Identity(initializer) nodes with a copy of the initializer.

    torch's export dedups equal-valued initializers into Identity nodes. Here
    bn2.bias == shortcut-BN.bias exactly (both start at 0 and always receive
    the same gradient, since they are summed by the residual add), so the
    graph would otherwise carry Identity nodes feeding BN; the compiler
    frontend should see every BN parameter as a plain constant.
    """
    inits = {t.name: t for t in m.graph.initializer}
    keep = []
    for n in m.graph.node:
        if n.op_type == "Identity" and n.input[0] in inits:
            t = onnx.TensorProto()
            t.CopyFrom(inits[n.input[0]])
            t.name = n.output[0]
            m.graph.initializer.append(t)
        else:
            keep.append(n)
    del m.graph.node[:]
    m.graph.node.extend(keep)
    return m


def export_onnx(model, path):
    # eval() => BN uses running stats and exports in inference mode (1 output).
    # PRESERVE + no constant folding stops torch 1.13 from folding BN into Conv
    # (it does so under TrainingMode.EVAL); qopt wants to see and fold BN itself.
    model.eval()
    torch.onnx.export(
        model, torch.zeros(1, 1, 28, 28), path, opset_version=13,
        training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False,
        input_names=["input"], output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    m = _undo_initializer_dedup(onnx.load(path))
    onnx.save(m, path)
    onnx.checker.check_model(m, full_check=True)
    bns = [n for n in m.graph.node if n.op_type == "BatchNormalization"]
    assert bns, "BatchNormalization was folded away"
    assert all(len(n.output) == 1 for n in bns), "BN exported in training mode"
    return sorted({n.op_type for n in m.graph.node})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dry-run-steps", type=int, default=0,
                    help="time this many steps, extrapolate an epoch, and exit")
    args = ap.parse_args()

    torch.set_num_threads(1)  # 2 shared cores; compiles run alongside
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)  # shuffling + augmentation

    xtr, ytr = fmnist.load("train")
    xte, yte = fmnist.load("test")
    xtr, ytr = to_tensor(xtr), torch.from_numpy(ytr).long()
    xte, yte = to_tensor(xte), torch.from_numpy(yte).long()

    model = ResNet8()
    print(f"params: {num_params(model)}", flush=True)
    steps_per_epoch = (len(xtr) + args.batch - 1) // args.batch
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    # Cosine over every optimizer step (not per epoch) for a smooth decay to 0.
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs * steps_per_epoch)

    t_train = 0.0
    for epoch in range(args.epochs):
        model.train()
        t0 = time.time()
        perm = torch.randperm(len(xtr), generator=gen)
        loss_sum = 0.0
        for step in range(steps_per_epoch):
            idx = perm[step * args.batch:(step + 1) * args.batch]
            loss = F.cross_entropy(model(augment(xtr[idx], gen)), ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item()
            if args.dry_run_steps and step + 1 == args.dry_run_steps:
                per_step = (time.time() - t0) / args.dry_run_steps
                print(f"{per_step * 1000:.1f} ms/step -> ~{per_step * steps_per_epoch:.0f} s/epoch, "
                      f"~{per_step * steps_per_epoch * args.epochs / 60:.1f} min for {args.epochs} epochs")
                return
        dt = time.time() - t0
        t_train += dt
        acc = evaluate(model, xte, yte)
        print(f"epoch {epoch + 1}/{args.epochs} loss {loss_sum / steps_per_epoch:.4f} "
              f"test top1 {acc * 100:.2f}% ({dt:.0f} s)", flush=True)

    torch.save(model.state_dict(), PT_PATH)
    ops = export_onnx(model, ONNX_PATH)
    print(f"exported {ONNX_PATH}; ops: {ops}")
    # check_onnx.py adds the verified float_top1 to this file.
    with open(JSON_PATH, "w") as f:
        json.dump({"torch_top1": acc, "params": num_params(model), "epochs": args.epochs,
                   "train_seconds": round(t_train, 1), "torch": torch.__version__}, f, indent=2)


if __name__ == "__main__":
    main()
