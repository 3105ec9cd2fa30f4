"""Checks the exported ONNX against PyTorch on the full Fashion-MNIST test set.

Asserts onnxruntime top-1 matches PyTorch (within 2 images) and logits agree
within 1e-4, then records float_top1 in models/resnet8_fmnist.json.
"""
import json

import numpy as np
import onnxruntime as ort
import torch

import fmnist
from model import ResNet8, num_params
from train import JSON_PATH, ONNX_PATH, PT_PATH, to_tensor


def main():
    torch.set_num_threads(1)
    xte, yte = fmnist.load("test")
    x = to_tensor(xte)

    model = ResNet8()
    model.load_state_dict(torch.load(PT_PATH))
    model.eval()
    with torch.no_grad():
        pt_logits = torch.cat([model(x[i:i + 1000]) for i in range(0, len(x), 1000)]).numpy()

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(ONNX_PATH, opts, providers=["CPUExecutionProvider"])
    xn = x.numpy()
    ort_logits = np.concatenate([sess.run(["logits"], {"input": xn[i:i + 1000]})[0]
                                 for i in range(0, len(xn), 1000)])

    pt_correct = int((pt_logits.argmax(1) == yte).sum())
    ort_correct = int((ort_logits.argmax(1) == yte).sum())
    max_diff = float(np.abs(pt_logits[:1000] - ort_logits[:1000]).max())
    print(f"pytorch top1 {pt_correct / len(yte) * 100:.2f}%  onnxruntime top1 "
          f"{ort_correct / len(yte) * 100:.2f}%  max |dlogit| (first batch) {max_diff:.2e}")
    assert abs(pt_correct - ort_correct) <= 2, (pt_correct, ort_correct)
    assert max_diff < 1e-4, max_diff

    with open(JSON_PATH) as f:
        meta = json.load(f)  # written by train.py (train_seconds etc.)
    meta.pop("torch_top1", None)
    meta.update(float_top1=ort_correct / len(yte), params=num_params(model),
                torch=torch.__version__)
    with open(JSON_PATH, "w") as f:
        json.dump({k: meta[k] for k in ("float_top1", "params", "epochs", "train_seconds", "torch")},
                  f, indent=2)
        f.write("\n")
    print(f"wrote {JSON_PATH}")


if __name__ == "__main__":
    main()
