#!/usr/bin/env python3
"""PyTorch side of bench/qat_vs_torch.py: times LSQ W4A4 QAT steps of the
BN-folded default model in eager mode and prints `torch=<version> ms=<mean>`.

Runs under whichever interpreter (and so whichever torch) calls it. The
network is models/resnet8/model.py's ResNet8 with the trained weights of
models/resnet8_fmnist.pt, BN folded into the convolutions (conv + bias), as
`qopt -qnn-fold-batch-norm` does. Quantizers as qopt's policy
`lsq,fm_bit=4,wt_bit=4,wt_quant_group=C,first_bit=8,last_bit=8`: weights
per output channel, signed (4 bit: [-8, 7]; first and last layer 8 bit:
[-128, 127]); activations per tensor, the network input signed 8 bit, the
others unsigned (after a ReLU; 4 bit [0, 15], the last layer's 8 bit
[0, 255]). LSQ is a torch.autograd.Function with the paper's gradients and
g = 1/sqrt(N·Qp) (docs/training-math.md).
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "models", "resnet8"))
from model import ResNet8  # noqa: E402


class LsqFn(torch.autograd.Function):
    """x̂ = round(clamp(x/s, -Qn, Qp))·s; s has one value per group along
    dim 0 (weights) or is a scalar (activations)."""

    @staticmethod
    def forward(ctx, x, s, qn, qp, g):
        ctx.save_for_backward(x, s)
        ctx.qn, ctx.qp, ctx.g = qn, qp, g
        return torch.round(torch.clamp(x / s, -qn, qp)) * s

    @staticmethod
    def backward(ctx, dy):
        x, s = ctx.saved_tensors
        qn, qp = ctx.qn, ctx.qp
        v = x / s
        below, above = v <= -qn, v >= qp
        inside = ~(below | above)
        dx = dy * inside
        dv = torch.where(below, torch.full_like(v, -qn),
                         torch.where(above, torch.full_like(v, qp), torch.round(v) - v))
        prod = dy * dv
        if s.dim() == 0:
            ds = prod.sum()
        else:
            ds = prod.sum(dim=tuple(range(1, x.dim()))).view(s.shape)
        return dx, ds * ctx.g, None, None, None


class Lsq(nn.Module):
    def __init__(self, bits, signed, per_channel=0):
        super().__init__()
        self.qn = float(2 ** (bits - 1)) if signed else 0.0
        self.qp = float(2 ** (bits - 1) - 1) if signed else float(2 ** bits - 1)
        self.scale = nn.Parameter(torch.full((per_channel,) if per_channel else (), 0.05))

    def forward(self, x):
        s = self.scale.view((-1,) + (1,) * (x.dim() - 1)) if self.scale.dim() else self.scale
        # N: weights per output channel, or features per sample.
        g = 1.0 / math.sqrt(x.numel() / x.shape[0] * self.qp)
        return LsqFn.apply(x, s, self.qn, self.qp, g)


class QConv(nn.Module):
    """Folded conv (with bias): fake-quantized input and weights."""

    def __init__(self, conv, bn, wbits, abits, asigned):
        super().__init__()
        w, b = fold(conv, bn)
        self.weight = nn.Parameter(w)
        self.bias = nn.Parameter(b)
        self.stride, self.padding = conv.stride, conv.padding
        self.wq = Lsq(wbits, True, per_channel=w.shape[0])
        self.aq = Lsq(abits, asigned)

    def forward(self, x):
        w = self.wq(self.weight)
        return F.conv2d(self.aq(x), w, self.bias, self.stride, self.padding)


def fold(conv, bn):
    std = torch.sqrt(bn.running_var + bn.eps)
    w = conv.weight.detach() * (bn.weight.detach() / std).view(-1, 1, 1, 1)
    b = bn.bias.detach() - bn.weight.detach() * bn.running_mean / std
    return w.clone(), b.detach().clone()


class QBlock(nn.Module):
    def __init__(self, blk):
        super().__init__()
        self.c1 = QConv(blk.conv1, blk.bn1, 4, 4, False)
        self.c2 = QConv(blk.conv2, blk.bn2, 4, 4, False)
        self.sc = (QConv(blk.shortcut[0], blk.shortcut[1], 4, 4, False)
                   if isinstance(blk.shortcut, nn.Sequential) else None)

    def forward(self, x):
        out = F.relu(self.c1(x))
        out = self.c2(out)
        return F.relu(out + (self.sc(x) if self.sc is not None else x))


class QResNet8(nn.Module):
    def __init__(self, float_model):
        super().__init__()
        m = float_model
        self.stem = QConv(m.stem[0], m.stem[1], 8, 8, True)
        self.blocks = nn.Sequential(*[QBlock(b) for b in m.stages])
        fc = m.fc
        self.fc_w = nn.Parameter(fc.weight.detach().clone())
        self.fc_b = nn.Parameter(fc.bias.detach().clone())
        self.fc_wq = Lsq(8, True, per_channel=fc.weight.shape[0])
        self.fc_aq = Lsq(8, False)

    def forward(self, x):
        x = self.blocks(F.relu(self.stem(x)))
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        w = self.fc_wq(self.fc_w.view(*self.fc_w.shape, 1, 1)).view(self.fc_w.shape)
        return F.linear(self.fc_aq(x), w, self.fc_b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--x", required=True)
    ap.add_argument("--y", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    float_model = ResNet8()
    float_model.load_state_dict(torch.load(os.path.join(ROOT, "models", "resnet8_fmnist.pt"),
                                           map_location="cpu"))
    float_model.eval()
    model = QResNet8(float_model).train()
    x = torch.from_numpy(np.load(args.x))
    y = torch.from_numpy(np.load(args.y).astype(np.int64))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-5)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in range(args.warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        step()
    ms = (time.perf_counter() - t0) * 1e3 / args.steps
    print(f"torch={torch.__version__} ms={ms:.3f}")


if __name__ == "__main__":
    main()
