"""Quantizes an ONNX model with onnxruntime's own quantize_static (QDQ
format, int8 weights per channel, uint8 activations), calibrated on N
Fashion-MNIST test images (seed-free: the first N).

    ort_quantize.py MODEL.onnx OUT.onnx CALIB.npy
"""
import sys

import numpy as np
from onnxruntime.quantization import (CalibrationDataReader, QuantFormat,
                                      QuantType, quantize_static)


class Reader(CalibrationDataReader):
    def __init__(self, name, data):
        self.items = iter([{name: data[i:i + 10]}
                           for i in range(0, len(data), 10)])

    def get_next(self):
        return next(self.items, None)


def main(model, out, calib):
    import onnx
    name = onnx.load(model).graph.input[0].name
    quantize_static(model, out, Reader(name, np.load(calib)),
                    quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8,
                    weight_type=QuantType.QInt8)


if __name__ == "__main__":
    main(*sys.argv[1:4])
