"""ort_reference.py MODEL.onnx N BATCH.npy REF.npy

Saves the first N Fashion-MNIST test images, normalized as the default model
was trained (mean 0.2860, std 0.3530), and onnxruntime's outputs on them.
"""
import sys

import numpy as np
import onnxruntime as ort

sys.path.insert(0, __file__.rsplit("/test/", 1)[0] + "/models/resnet8")
from fmnist import load  # noqa: E402

model, n, batch_path, ref_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
images, _ = load("test")
x = ((images[:n].astype(np.float32) / 255.0 - 0.2860) / 0.3530)[:, None, :, :]
x = x.astype(np.float32)
sess = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
(y,) = sess.run(None, {sess.get_inputs()[0].name: x})
np.save(batch_path, x)
np.save(ref_path, y)
