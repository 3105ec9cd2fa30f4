"""train_step_oracle.py OUT_DIR INIT_DIR AFTER_DIR : one SGD step of the
default model in PyTorch (the oracle) against qopt's @train_step.

    train_step_oracle.py prepare OUT_DIR      writes x.npy, y.npy, lr.npy
    train_step_oracle.py check OUT_DIR INIT_DIR AFTER_DIR LOSS.npy

The model is models/resnet8 with the committed float weights, in training
mode (batch statistics, running statistics updated with momentum 0.1), one
step of torch.optim.SGD(momentum 0.9, weight decay 5e-5 except on BN
parameters: model-quantization's decay_small, qopt's default). qopt's
globals are matched to PyTorch's tensors by their initial values (every
tensor of the model is distinct), so no naming convention is assumed.
"""
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "models", "resnet8"))
from model import ResNet8  # noqa: E402
import fmnist  # noqa: E402

LR, MOMENTUM, WD, BATCH = 0.05, 0.9, 5e-5, 64


def batch():
    x, y = fmnist.load("train")
    x = ((x[:BATCH].astype(np.float32) / 255.0 - 0.2860) / 0.3530)
    return x.reshape(BATCH, 1, 28, 28).astype(np.float32), y[:BATCH].astype(np.int32)


def prepare(out):
    x, y = batch()
    np.save(os.path.join(out, "x.npy"), x)
    np.save(os.path.join(out, "y.npy"), y)
    np.save(os.path.join(out, "lr.npy"), np.array(LR, np.float32))


def check(out, init_dir, after_dir, loss_path, logits_path=None):
    torch.manual_seed(0)
    model = ResNet8()
    model.load_state_dict(torch.load(os.path.join(ROOT, "models", "resnet8_fmnist.pt")))
    model.train()
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if ".bn" in name or "stem.1" in name or "shortcut.1" in name
         else decay).append(p)
    opt = torch.optim.SGD([{"params": decay, "weight_decay": WD},
                           {"params": no_decay, "weight_decay": 0.0}],
                          lr=LR, momentum=MOMENTUM)
    x, y = batch()
    before = {k: v.detach().clone().numpy() for k, v in model.state_dict().items()
              if v.dtype == torch.float32}
    logits = model(torch.from_numpy(x))
    loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(y).long())
    opt.zero_grad()
    loss.backward()
    opt.step()
    after = {k: v.detach().numpy() for k, v in model.state_dict().items()
             if v.dtype == torch.float32}
    momentum = {}
    for group in opt.param_groups:
        for p in group["params"]:
            momentum[id(p)] = opt.state[p]["momentum_buffer"].numpy()
    params = dict(model.named_parameters())

    qloss = float(np.load(loss_path))
    print(f"loss: qopt {qloss:.6f} torch {loss.item():.6f}")
    assert abs(qloss - loss.item()) <= 1e-5 * max(1.0, abs(loss.item())), "loss differs"
    if logits_path:
        # The step's second result: the training-mode logits of the batch.
        ql, tl = np.load(logits_path), logits.detach().numpy()
        assert ql.shape == tl.shape, f"logits shape {ql.shape} vs {tl.shape}"
        assert np.allclose(ql, tl, rtol=1e-4, atol=1e-4), \
            f"logits differ by up to {np.abs(ql - tl).max()}"
        same = (ql.argmax(1) == tl.argmax(1)).all()
        print(f"logits: {ql.shape[0]}x{ql.shape[1]} match torch's, same argmax: {same}")

    checked = 0
    worst = 0.0
    for f in sorted(os.listdir(init_dir)):
        init = np.load(os.path.join(init_dir, f))
        new = np.load(os.path.join(after_dir, f))
        if f.endswith(".momentum_buffer.npy"):
            continue
        match = [k for k, v in before.items()
                 if v.shape == init.shape and np.array_equal(v, init)]
        if not match:
            sys.exit(f"{f}: no PyTorch tensor has its initial value")

        # Updates are lr * (g + wd p): compare them, relative to their size.
        # (Tensors with equal initial values, e.g. two untouched BN shifts,
        # are told apart by their updates.)
        def update_error(k):
            step_q, step_t = new - init, after[k] - init
            return np.abs(step_q - step_t).max() / max(np.abs(step_t).max(), 1e-12)
        k = min(match, key=update_error)
        err = update_error(k)
        worst = max(worst, err)
        if err > 2e-3:
            sys.exit(f"{f} ({k}): update differs by {err:.2e} of its size")
        buf = f[:-4] + ".momentum_buffer.npy"
        if k in params and os.path.exists(os.path.join(after_dir, buf)):
            mb = np.load(os.path.join(after_dir, buf))
            ref_mb = momentum[id(params[k])]
            e = np.abs(mb - ref_mb).max() / max(np.abs(ref_mb).max(), 1e-12)
            if e > 2e-3:
                sys.exit(f"{buf} ({k}): momentum buffer differs by {e:.2e}")
        checked += 1
    print(f"OK: {checked} tensors (weights, BN parameters and running "
          f"statistics) match PyTorch's step; worst relative update error "
          f"{'below 1e-3' if worst < 1e-3 else 'below 2e-3'}")


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(sys.argv[2])
    else:
        check(*sys.argv[2:7])
