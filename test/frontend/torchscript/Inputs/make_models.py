"""make_models.py OUTDIR NAME... : TorchScript test models for qimport.

Whole networks are written as NAME_trace.pt and NAME_script.pt with the input
NAME_in.npy and PyTorch's output NAME_ref.npy (the oracle); NAME.onnx is the
same network exported with BatchNormalization kept. Small modules for the
mapping and error tests are written as NAME.pt (scripted). Everything is
seeded, so the files are the same on every run.
"""
import os
import sys

from typing import NamedTuple, Optional

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

NETWORK_SHAPES = {
    "resnet18": (1, 3, 64, 64),
    "resnet50": (1, 3, 64, 64),
    "mobilenet_v2": (1, 3, 64, 64),
    "shufflenet_v2_x1_0": (1, 3, 64, 64),
    "efficientnet_b0": (1, 3, 64, 64),
    "custom": (1, 3, 32, 32),
    "tiny_vit": (1, 3, 32, 32),
    "tiny_swin": (1, 3, 32, 32),
    "tiny_swin_v2": (1, 3, 32, 32),
}
# Also exported to ONNX for the TorchScript-vs-ONNX import comparison
# (ShuffleNet's ONNX form needs Slice on a computed tensor, its channel
# split, which the ONNX importer lacks).
ONNX_EXPORTS = {"resnet18", "mobilenet_v2", "efficientnet_b0", "custom",
                "tiny_vit"}


def randomize_bn(model):
    """Eval-mode BN with non-trivial statistics, so that BN mistakes show."""
    g = torch.Generator().manual_seed(1)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(c, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=g) + 0.5)
                m.weight.copy_(torch.rand(c, generator=g) + 0.5)
                m.bias.copy_(torch.randn(c, generator=g) * 0.1)
    return model


class Block(nn.Module):
    """Residual block: conv-bn-prelu, conv-bn, add, relu."""

    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.act = nn.PReLU(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        y = self.act(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(x + y)


class Custom(nn.Module):
    """A small CNN with residual adds, PReLU, pooling and upsampling."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, stride=2, padding=1)
        self.bn = nn.BatchNorm2d(16)
        self.block1 = Block(16)
        self.pool = nn.MaxPool2d(2)
        self.block2 = Block(16)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.fuse = nn.Conv2d(32, 16, 1)
        self.act = nn.LeakyReLU(0.1)
        self.head = nn.Linear(16, 10)

    def forward(self, x):
        x = F.relu6(self.bn(self.stem(x)))
        a = self.block1(x)
        b = self.up(self.block2(self.pool(a)))
        y = self.act(self.fuse(torch.cat([a, b], 1)))
        y = F.interpolate(y, scale_factor=0.5, mode="bilinear",
                          align_corners=False)
        y = y * torch.sigmoid(y) + 0.5 * y
        y = F.adaptive_avg_pool2d(y, 1)
        return F.softmax(self.head(y.view(y.size(0), -1)), dim=1)


def network(name):
    torch.manual_seed(0)
    if name == "custom":
        model = Custom()
    elif name == "tiny_vit":
        # torchvision's VisionTransformer, two layers of two heads; its
        # zero-initialized head and class token made random.
        import torchvision
        model = torchvision.models.VisionTransformer(
            image_size=32, patch_size=8, num_layers=2, num_heads=2,
            hidden_dim=16, mlp_dim=32, num_classes=10)
        g = torch.Generator().manual_seed(3)
        with torch.no_grad():
            for p in model.parameters():
                if not p.any():
                    p.copy_(torch.randn(p.shape, generator=g) * 0.5)
                if p.dim() == 1 and p.numel() == 16 and (p == 1).all():
                    p.copy_(torch.rand(p.shape, generator=g) + 0.5)
    elif name in ("tiny_swin", "tiny_swin_v2"):
        # torchvision's Swin (v2): two stages of two blocks, window 3 over 8x8
        # and 4x4 tokens, so that windows are padded and shifted (mask).
        import torchvision
        from torchvision.models import swin_transformer as st
        v2 = {} if name == "tiny_swin" else {
            "block": st.SwinTransformerBlockV2,
            "downsample_layer": st.PatchMergingV2}
        model = torchvision.models.SwinTransformer(
            patch_size=[4, 4], embed_dim=16, depths=[2, 2], num_heads=[2, 4],
            window_size=[3, 3], stochastic_depth_prob=0.0, num_classes=10,
            **v2)
        g = torch.Generator().manual_seed(3)
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn(p.shape, generator=g) * 0.1)
    else:
        import torchvision
        model = getattr(torchvision.models, name)(weights=None)
    return randomize_bn(model).eval()


def write_network(out, name):
    model = network(name)
    torch.manual_seed(2)
    x = torch.randn(*NETWORK_SHAPES[name])
    with torch.no_grad():
        ref = model(x)
    np.save(os.path.join(out, name + "_in.npy"), x.numpy())
    np.save(os.path.join(out, name + "_ref.npy"), ref.numpy())
    # The trace checker reruns attention and finds its graphs differ in
    # names only.
    torch.jit.trace(model, x, check_trace=name != "tiny_vit" and "swin" not in name).save(
        os.path.join(out, name + "_trace.pt"))
    torch.jit.script(model).save(os.path.join(out, name + "_script.pt"))
    if name not in ONNX_EXPORTS:
        return
    torch.onnx.export(model, x, os.path.join(out, name + ".onnx"),
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}},
                      training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False, opset_version=13)


# --- small modules for the mapping tests (FileCheck on qimport output) -----

class ConvBnRelu(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, stride=2, padding=1, groups=1)
        self.dw = nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=8, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.relu(self.bn(self.dw(self.conv(x))))


class Activations(nn.Module):
    def __init__(self):
        super().__init__()
        self.prelu = nn.PReLU(4)
        self.prelu1 = nn.PReLU()

    def forward(self, x):
        a = F.relu6(x) + F.hardtanh(x, -1.0, 2.0)
        b = F.leaky_relu(x, 0.2) * torch.sigmoid(x)
        c = F.hardsigmoid(x) - F.hardswish(x)
        d = self.prelu(x) + self.prelu1(x)
        return F.softmax(a + b + c + d, dim=1)


class Linear(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(32, 8)
        self.w = nn.Parameter(torch.randn(8, 5))
        self.b = nn.Parameter(torch.randn(5))

    def forward(self, x):
        y = torch.flatten(x, 1)
        y = self.fc(y)
        z = torch.addmm(self.b, y, self.w)
        m = torch.matmul(y, self.w)
        t = x.permute(0, 2, 3, 1).transpose(1, 2).reshape(x.size(0), -1, 2)
        return z + m, t


class PoolResize(nn.Module):
    def forward(self, x):
        a = F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)
        b = F.avg_pool2d(x, 2, count_include_pad=False)
        c = F.adaptive_avg_pool2d(x, (2, 2))
        u = F.interpolate(b, scale_factor=2.0, mode="nearest")
        v = F.interpolate(c, size=(8, 8), mode="bilinear", align_corners=True)
        w = torch.cat([u, v, F.dropout(x, 0.5, self.training)], dim=1)
        return torch.add(w, w, alpha=2.0) * 3.0 + F.adaptive_avg_pool2d(w, 1), a


class ZooOps(nn.Module):
    """What torchvision's newer families add (#19): SiLU (in place too),
    GELU in both forms, means over other axes than H and W, in-place
    dropout (the identity in eval)."""

    def __init__(self):
        super().__init__()
        self.drop = nn.Dropout(0.2, inplace=True)

    def forward(self, x):
        a = F.silu(x) + F.gelu(x) + F.gelu(x, approximate="tanh")
        b = F.silu(self.drop(a), inplace=True)
        c = b.mean(1, keepdim=True) + b.mean([2, 3], keepdim=True)
        return c, torch.mean(b, [-1, -2]), b.mean()


class TokenOut(NamedTuple):
    """GoogLeNetOutputs' shape: the logits, and auxiliary ones that are None
    at inference."""
    logits: torch.Tensor
    aux: Optional[torch.Tensor]


class TokenOps(nn.Module):
    """What ConvNeXt and the transformers add (#19): layer_norm over the
    channels of a channels-last tensor, over the last two axes without
    affine parameters, pow and sqrt, nn.Linear of a rank-4 input, and a
    named-tuple output whose optional field is None."""

    def __init__(self):
        super().__init__()
        self.norm = nn.LayerNorm(4, eps=1e-6)
        self.fc = nn.Linear(4, 3)
        with torch.no_grad():
            self.norm.weight.uniform_(0.5, 1.5)
            self.norm.bias.normal_(0, 0.1)

    def forward(self, x) -> TokenOut:
        t = self.fc(self.norm(x.permute(0, 2, 3, 1)))
        u = F.layer_norm(x, [8, 8]) + torch.sqrt(x.pow(2) + 1.0)
        return TokenOut(t + u.mean(1, keepdim=True).permute(0, 2, 3, 1), None)


class EinsumOps(nn.Module):
    """MaxViT's attention: einsum for q k^T (spaces in the equation) and for
    p v over 5-D tensors, and tanh."""

    def forward(self, x):
        q = x.reshape(-1, 2, 2, 8, 8)
        k = torch.relu(q)
        s = torch.einsum("B G H I D, B G H J D -> B G H I J", q, k)
        return torch.einsum("bghij,bghjd->bghid", torch.tanh(s), k)


# --- failure classes -----------------------------------------------------

class Unsupported(nn.Module):
    def forward(self, x):
        return torch.erf(x) + torch.cumsum(x, 1) + torch.erf(x * 2.0)


class DataDependent(nn.Module):
    def forward(self, x):
        if bool(x.sum() > 0):
            return torch.relu(x)
        return x


class BadAdaptive(nn.Module):
    def forward(self, x):
        return F.adaptive_avg_pool2d(x, 3)


class DoubleParams(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 1)
        self.register_buffer("scale", torch.ones(4, 1, 1, dtype=torch.float64))

    def forward(self, x):
        return self.conv(x) * self.scale


class BatchDependent(nn.Module):
    def forward(self, x):
        if x.size(0) > 1:
            return torch.relu(x)
        return x


SMALL = {
    "conv_bn_relu": ConvBnRelu,
    "activations": Activations,
    "linear": Linear,
    "pool_resize": PoolResize,
    "zoo_ops": ZooOps,
    "token_ops": TokenOps,
    "einsum_ops": EinsumOps,
    "bad_unsupported": Unsupported,
    "bad_control_flow": DataDependent,
    "bad_adaptive": BadAdaptive,
    "bad_dtype": DoubleParams,
    "bad_batch_branch": BatchDependent,
}


SMALL_SHAPES = {
    "conv_bn_relu": (1, 3, 16, 16),
    "linear": (1, 2, 4, 4),
}


def write_small(out, name):
    """NAME.pt (scripted), NAME_in.npy and PyTorch's NAME_ref<i>.npy."""
    torch.manual_seed(0)
    model = randomize_bn(SMALL[name]()).eval()
    torch.jit.script(model).save(os.path.join(out, name + ".pt"))
    if name.startswith("bad_"):
        return
    torch.manual_seed(2)
    x = torch.randn(*SMALL_SHAPES.get(name, (1, 4, 8, 8)))
    with torch.no_grad():
        ref = model(x)
    np.save(os.path.join(out, name + "_in.npy"), x.numpy())
    for i, r in enumerate(ref if isinstance(ref, tuple) else (ref,)):
        if r is None:
            continue
        np.save(os.path.join(out, "%s_ref%d.npy" % (name, i)), r.numpy())


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name in sys.argv[2:]:
        if name in NETWORK_SHAPES:
            write_network(out, name)
        else:
            write_small(out, name)


if __name__ == "__main__":
    main()
