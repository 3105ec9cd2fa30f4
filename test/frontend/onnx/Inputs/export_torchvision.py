"""export_torchvision.py OUTDIR NAME... : torchvision networks as ONNX.

Each NAME (resnet18, resnet50, mobilenet_v2) is built with weights=None and
randomized eval-mode BN statistics (the same network as the TorchScript
tests, make_models.network), exported with Debian's torch at opset 13 with
BatchNormalization kept and a symbolic batch, as NAME.onnx, with a batch-2
input NAME_in.npy and PyTorch's own output NAME_ref.npy (the oracle).
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "torchscript", "Inputs"))
from make_models import network  # noqa: E402


def main(out, names):
    os.makedirs(out, exist_ok=True)
    for name in names:
        model = network(name)
        torch.manual_seed(3)
        x = torch.randn(2, 3, 64, 64)
        with torch.no_grad():
            ref = model(x)
        np.save(os.path.join(out, name + "_in.npy"), x.numpy())
        np.save(os.path.join(out, name + "_ref.npy"), ref.numpy())
        torch.onnx.export(model, x, os.path.join(out, name + ".onnx"),
                          input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "N"}, "output": {0: "N"}},
                          training=torch.onnx.TrainingMode.PRESERVE,
                          do_constant_folding=False, opset_version=13)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
