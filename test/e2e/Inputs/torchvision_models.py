"""Exports a torchvision classifier for the emitted-program tests: random
weights (seed 0), randomized BN statistics, ONNX opset 13 with batch norm
kept, plus onnxruntime's quantize_static QDQ int8 model of it (per-channel
weights, MinMax on 8 random images) and one random input.

usage: torchvision_models.py export {resnet18,mobilenet_v2} OUT_DIR [dynamic]
         writes OUT_DIR/{model}.onnx and x.npy (the project venv: torch with
         Debian's onnx); with `dynamic` the batch dimension is symbolic
       torchvision_models.py quantize {resnet18,mobilenet_v2} OUT_DIR
         writes OUT_DIR/{model}.qdq.onnx (.venv-ortq: onnxruntime's
         quantization needs onnx >= 1.16, which must not meet torch's onnx
         in one process)
"""
import os
import sys

import numpy as np


def export(name, out, batch="fixed"):
    import torch
    import torchvision
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None).eval()
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                c = m.num_features
                m.running_mean.copy_(torch.randn(c, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=g) * 0.5 + 0.75)
    x = torch.randn(1, 3, 224, 224, generator=g)
    fp32 = os.path.join(out, f"{name}.onnx")
    torch.onnx.export(model, x, fp32, opset_version=13, input_names=["input"],
                      output_names=["logits"], training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False,
                      dynamic_axes={"input": {0: "n"}, "logits": {0: "n"}}
                      if batch == "dynamic" else None)
    np.save(os.path.join(out, "x.npy"), x.numpy())


def quantize(name, out):
    fp32 = os.path.join(out, f"{name}.onnx")
    from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod,
                                          QuantFormat, QuantType, quantize_static)
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self):
            rng = np.random.default_rng(1)
            self.it = iter([{"input": rng.standard_normal((1, 3, 224, 224), np.float32)}
                            for _ in range(8)])

        def get_next(self):
            return next(self.it, None)

    pre = os.path.join(out, f"{name}.pre.onnx")
    quant_pre_process(fp32, pre, skip_symbolic_shape=True)
    quantize_static(pre, os.path.join(out, f"{name}.qdq.onnx"), Reader(),
                    quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    calibrate_method=CalibrationMethod.MinMax)


if __name__ == "__main__":
    {"export": export, "quantize": quantize}[sys.argv[1]](*sys.argv[2:])
