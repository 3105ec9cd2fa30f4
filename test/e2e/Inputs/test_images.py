"""test_images.py OUT.npy [N]: the Fashion-MNIST test images (first N, all by
default), normalized as the default model was trained, as one f32 batch."""
import sys

import numpy as np

sys.path.insert(0, __file__.rsplit("/test/", 1)[0] + "/models/resnet8")
from fmnist import load  # noqa: E402

images, _ = load("test")
n = int(sys.argv[2]) if len(sys.argv) > 2 else len(images)
x = ((images[:n].astype(np.float32) / 255.0 - 0.2860) / 0.3530)[:, None]
np.save(sys.argv[1], x.astype(np.float32))
