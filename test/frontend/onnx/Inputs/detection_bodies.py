"""detection_bodies.py OUTDIR NAME... [--full] [--size S] [--formats F,...]

torchvision 0.14 detection bodies with random weights: backbone + FPN +
heads, without anchors, box decoding or NMS (the float post-processing that
qopt leaves to the caller), each wrapped in a module returning the per-level
head outputs. NAME is one of:

  retinanet  RetinaNet-R50-FPN: classification and box-regression heads on P3-P7
  fcos       FCOS-R50-FPN: GroupNorm(32) heads, relu(box) and centerness on P3-P7
  ssdlite    SSDlite320-MobileNetV3-Large: per-level classification / regression
  rpn        Faster R-CNN's backbone + RPN head (objectness, deltas on P2-P6)
  group_norm a small conv net with GroupNorm(4, 16), GroupNorm(16, 16) without
             affine parameters, and GroupNorm(1, 8)

By default the reduced variants (make test): ResNet-18 backbones with 32 / 64
FPN channels, SSDlite at width 0.25, few classes, 64x64 inputs (FCOS
256x256); --full builds
the real widths (ResNet-50, 256 channels, 91 classes, 320x320 unless --size).
Backbones use FrozenBatchNorm2d as torchvision's pretrained configurations
do, with random statistics; GroupNorm / BatchNorm parameters are random too.

Writes NAME_in.npy (a seeded batch of 2), NAME_ref<i>.npy (PyTorch's outputs,
the oracle), NAME_dyn13.onnx (opset 13, dynamic batch), NAME_static17.onnx
(opset 17), NAME_trace.pt and NAME_script.pt (torch.jit.script; skipped with
a message where scripting fails).
"""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models import mobilenet_v3_large, resnet18, resnet50
from torchvision.models.detection import faster_rcnn, fcos, retinanet, ssdlite
from torchvision.models.detection.backbone_utils import _resnet_fpn_extractor
from torchvision.ops import misc as misc_nn_ops
from torchvision.ops.feature_pyramid_network import (FeaturePyramidNetwork,
                                                     LastLevelMaxPool,
                                                     LastLevelP6P7)


def randomize(model):
    """Non-trivial eval-mode normalization statistics and affine parameters."""
    g = torch.Generator().manual_seed(1)
    for m in model.modules():
        with torch.no_grad():
            if isinstance(m, (nn.BatchNorm2d, misc_nn_ops.FrozenBatchNorm2d)):
                c = m.weight.shape[0]
                m.running_mean.copy_(torch.randn(c, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=g) + 0.5)
                m.weight.copy_(torch.rand(c, generator=g) + 0.5)
                m.bias.copy_(torch.randn(c, generator=g) * 0.1)
            elif isinstance(m, nn.GroupNorm) and m.affine:
                m.weight.copy_(torch.rand(m.num_channels, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.num_channels, generator=g) * 0.1)
    return model.eval()


class RetinaNetBody(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.backbone = m.backbone
        self.cls = m.head.classification_head
        self.reg = m.head.regression_head

    def forward(self, x):
        out = []
        for f in self.backbone(x).values():
            out.append(self.cls.cls_logits(self.cls.conv(f)))
            out.append(self.reg.bbox_reg(self.reg.conv(f)))
        return out


class FCOSBody(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.backbone = m.backbone
        self.cls = m.head.classification_head
        self.reg = m.head.regression_head

    def forward(self, x):
        out = []
        for f in self.backbone(x).values():
            out.append(self.cls.cls_logits(self.cls.conv(f)))
            r = self.reg.conv(f)
            out.append(F.relu(self.reg.bbox_reg(r)))
            out.append(self.reg.bbox_ctrness(r))
        return out


class SSDBody(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.backbone = m.backbone
        self.cls = m.head.classification_head.module_list
        self.reg = m.head.regression_head.module_list

    def forward(self, x):
        feats = list(self.backbone(x).values())
        out = []
        for i, c in enumerate(self.cls):
            out.append(c(feats[i]))
        for i, r in enumerate(self.reg):
            out.append(r(feats[i]))
        return out


class RPNBody(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.backbone = m.backbone
        self.head = m.rpn.head

    def forward(self, x):
        objectness, deltas = self.head(list(self.backbone(x).values()))
        return objectness + deltas


class GroupNormNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.gn1 = nn.GroupNorm(4, 16)
        self.gn2 = nn.GroupNorm(16, 16, affine=False, eps=1e-3)
        self.conv2 = nn.Conv2d(16, 8, 3, stride=2, padding=1)
        self.gn3 = nn.GroupNorm(1, 8)

    def forward(self, x):
        y = self.gn2(F.relu(self.gn1(self.conv1(x))))
        return [self.gn3(self.conv2(y))]


def resnet_fpn(full, layers, width, extra):
    """A FrozenBatchNorm ResNet (50, or 18 reduced) with an FPN of `width`."""
    norm = misc_nn_ops.FrozenBatchNorm2d
    net = resnet50(norm_layer=norm) if full else resnet18(norm_layer=norm)
    bb = _resnet_fpn_extractor(net, 3, returned_layers=layers,
                               extra_blocks=extra(256) if full else None)
    if not full:
        stage = {1: 64, 2: 128, 3: 256, 4: 512}
        bb.fpn = FeaturePyramidNetwork([stage[i] for i in layers], width,
                                       extra_blocks=extra(width))
        bb.out_channels = width
    return bb


def build(name, full):
    torch.manual_seed(0)
    p6p7 = lambda c: LastLevelP6P7(c, c)  # noqa: E731
    maxpool = lambda c: LastLevelMaxPool()  # noqa: E731
    if name == "retinanet":
        bb = resnet_fpn(full, [2, 3, 4], 32, p6p7)
        return RetinaNetBody(retinanet.RetinaNet(bb, 91 if full else 5))
    if name == "fcos":
        bb = resnet_fpn(full, [2, 3, 4], 64, p6p7)
        return FCOSBody(fcos.FCOS(bb, 91 if full else 5))
    if name == "ssdlite":
        m = ssdlite.ssdlite320_mobilenet_v3_large(
            weights=None, weights_backbone=None, num_classes=91 if full else 5,
            **({} if full else {"width_mult": 0.25}))
        return SSDBody(m)
    if name == "rpn":
        bb = resnet_fpn(full, [1, 2, 3, 4], 32, maxpool)
        return RPNBody(faster_rcnn.FasterRCNN(bb, 91 if full else 5))
    if name == "group_norm":
        return GroupNormNet()
    raise SystemExit("unknown model " + name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("names", nargs="+")
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--size", type=int)
    ap.add_argument("--formats", default="dyn13,static17,trace,script")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    formats = a.formats.split(",")
    for name in a.names:
        # FCOS's GroupNorm(32) over P7 of a 64x64 input normalizes groups of
        # 2 values, ill-conditioned enough that PyTorch and onnxruntime
        # differ by 3e-4: the reduced FCOS takes 256x256 (P7 is 2x2).
        size = a.size or (320 if a.full else 256 if name == "fcos" else 64)
        model = randomize(build(name, a.full))
        torch.manual_seed(3)
        x = torch.randn(2, 3, size, size)
        with torch.no_grad():
            ref = model(x)
        path = lambda s: os.path.join(a.out, name + s)  # noqa: E731
        np.save(path("_in.npy"), x.numpy())
        for i, r in enumerate(ref):
            np.save(path("_ref%d.npy" % i), r.numpy())
        outs = ["out%d" % i for i in range(len(ref))]
        if "dyn13" in formats:
            torch.onnx.export(model, x, path("_dyn13.onnx"),
                              input_names=["input"], output_names=outs,
                              dynamic_axes={k: {0: "N"}
                                            for k in ["input"] + outs},
                              opset_version=13)
        if "static17" in formats:
            torch.onnx.export(model, x, path("_static17.onnx"),
                              input_names=["input"], output_names=outs,
                              opset_version=17)
        if "trace" in formats:
            torch.jit.trace(model, x).save(path("_trace.pt"))
        if "script" in formats:
            try:
                torch.jit.script(model).save(path("_script.pt"))
            except Exception as e:  # noqa: BLE001
                print(name, "cannot be scripted:", str(e).splitlines()[0])


if __name__ == "__main__":
    main()
