"""onnxruntime's W8A8 of the FCOS body, the peer row of docs/detection.md:
quant_pre_process (shape inference, BN folded into the convs by
onnxruntime's optimizer), then quantize_static in QDQ format, int8 weights
per channel, uint8 activations (min-max), calibrated on CALIB.npy (f32
[N, 1, H, W], e.g. `qc data coco:train.json --transform
"Grayscale(1),ToTensor" --limit 256 --dump CALIB.npy`). Every conv is
quantized, the first and the output convs included.

Run by the onnxruntime-quantization venv (scripts/install-deps.sh):
    .venv-ortq/bin/python scripts/detection/ort_quantize.py BODY.onnx OUT.onnx CALIB.npy
"""
import os
import sys
import tempfile

import numpy as np
from onnxruntime.quantization import (CalibrationDataReader, QuantFormat,
                                      QuantType, quantize_static)
from onnxruntime.quantization.shape_inference import quant_pre_process


class Reader(CalibrationDataReader):
    def __init__(self, name, data, batch=32):
        self.items = iter([{name: data[i:i + batch]}
                           for i in range(0, len(data), batch)])

    def get_next(self):
        return next(self.items, None)


def main(model, out, calib):
    import onnx
    with tempfile.TemporaryDirectory() as tmp:
        pre = os.path.join(tmp, "pre.onnx")
        quant_pre_process(model, pre)
        name = onnx.load(pre).graph.input[0].name
        quantize_static(pre, out, Reader(name, np.load(calib)),
                        quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8,
                        weight_type=QuantType.QInt8)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:4])
