"""The oracle of qopt's detector training step (test/e2e/detection-qat-step.test).

  check_train_step.py prepare BODY.pt VAL.json N DIR
      writes DIR/images.npy (the first N val images, pixels / 255), the FCOS
      targets of train.py's targets_for in @train_step's layout (per level
      cls i32 [N, H, W], box f32 [N, 4, H, W], ctr / pos f32 [N, 1, H, W];
      then npos, ctr_sum) and lr.npy;
  check_train_step.py compare BODY.pt DIR BEFORE AFTER LOSS.npy
      runs the same step in PyTorch (train mode: batch statistics; loss_fn
      of train.py, summed; plain SGD with DIR/lr.npy, no momentum or decay)
      and compares the loss and every updated conv / batch-norm parameter
      qrun wrote to AFTER (qrun --globals-out of the step) with torch's. A
      global is matched to its torch parameter by its value before the step
      (BEFORE: qrun --globals-out of @main), so that no naming is assumed.
"""
import glob
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import coco_data  # noqa: E402
import fcos  # noqa: E402
import train  # noqa: E402

LR = 0.05


def body_of(pt):
    return fcos.load_body(pt).train()


def prepare(pt, val_json, n, out):
    os.makedirs(out, exist_ok=True)
    val = coco_data.load(val_json)
    x = torch.from_numpy(val.images[:n]).float().div_(255).unsqueeze(1)
    body = body_of(pt)
    with torch.no_grad():
        shapes = [o.shape[2:] for o in body.eval()(x[:1])[0::3]]
    per_image = [train.targets_for(torch.from_numpy(val.boxes[i]),
                                   torch.from_numpy(val.labels[i]), shapes)
                 for i in range(n)]
    cls = torch.stack([t[0] for t in per_image])   # [N, P]
    reg = torch.stack([t[1] for t in per_image])   # [N, P, 4]
    ctr = torch.stack([t[2] for t in per_image])   # [N, P]
    np.save(os.path.join(out, "images.npy"), x.numpy())
    names, start = [], 0
    for level, (h, w) in enumerate(shapes):
        p = h * w
        c = cls[:, start:start + p].reshape(n, h, w)
        b = reg[:, start:start + p].reshape(n, h, w, 4).permute(0, 3, 1, 2)
        t = ctr[:, start:start + p].reshape(n, 1, h, w)
        arrays = {"cls": c.to(torch.int32), "box": b, "ctr": t,
                  "pos": (c >= 0).float().reshape(n, 1, h, w)}
        for kind in ("cls", "box", "ctr", "pos"):
            name = f"{kind}_p{level}.npy"
            np.save(os.path.join(out, name),
                    np.ascontiguousarray(arrays[kind].numpy()))
            names.append(name)
        start += p
    pos = cls >= 0
    np.save(os.path.join(out, "npos.npy"),
            np.array(max(pos.sum().item(), 1), np.float32))
    np.save(os.path.join(out, "ctr_sum.npy"),
            np.array(max(ctr[pos].sum().item(), 1e-6), np.float32))
    np.save(os.path.join(out, "lr.npy"), np.array(LR, np.float32))
    print(f"prepared {n} images, {int(pos.sum())} positive points; inputs:",
          " ".join(["images.npy"] + names + ["npos.npy", "ctr_sum.npy",
                                              "lr.npy"]))


def compare(pt, d, before_dir, after_dir, loss_npy):
    body = body_of(pt)
    x = torch.from_numpy(np.load(os.path.join(d, "images.npy")))
    n = x.shape[0]
    outputs = body(x)
    # The targets as the step took them, back to train.py's [P] layout.
    cls_t, reg_t, ctr_t = [], [], []
    for level in range(len(fcos.STRIDES)):
        c = torch.from_numpy(np.load(os.path.join(d, f"cls_p{level}.npy")))
        b = torch.from_numpy(np.load(os.path.join(d, f"box_p{level}.npy")))
        t = torch.from_numpy(np.load(os.path.join(d, f"ctr_p{level}.npy")))
        cls_t.append(c.reshape(n, -1).long())
        reg_t.append(b.permute(0, 2, 3, 1).reshape(n, -1, 4))
        ctr_t.append(t.reshape(n, -1))
    cls_t, reg_t, ctr_t = (torch.cat(cls_t, 1), torch.cat(reg_t, 1),
                           torch.cat(ctr_t, 1))
    targets = [(cls_t[i], reg_t[i], ctr_t[i]) for i in range(n)]
    losses = train.loss_fn(outputs, targets)
    loss = sum(losses)
    loss.backward()
    params = dict(body.named_parameters())
    initial = {k: v.detach().numpy().copy() for k, v in params.items()}
    qloss = float(np.load(loss_npy))
    print("loss: qopt %.6f torch %.6f (focal %.4f, giou %.4f, centerness "
          "%.4f)" % (qloss, loss.item(), *[l.item() for l in losses]))
    ok = abs(qloss - loss.item()) <= 1e-5 * max(1.0, abs(loss.item()))
    worst, worst_name, checked = 0.0, "", 0
    for path in sorted(glob.glob(os.path.join(before_dir, "*.npy"))):
        name = os.path.basename(path)
        start = np.load(path)
        match = [k for k, v in initial.items()
                 if v.shape == start.shape and np.array_equal(v, start)]
        if len(match) != 1:
            continue  # running statistics; constant-initialized biases
        p = params[match[0]]
        tname = match[0]
        expect = (p - LR * p.grad).detach().numpy()
        got = np.load(os.path.join(after_dir, name))
        # Relative to the update's size: the step, not the weight, is checked.
        step = LR * np.abs(p.grad.numpy()).max()
        err = np.abs(got - expect).max() / max(step, 1e-12)
        checked += 1
        if os.environ.get("VERBOSE") and err > 1e-4:
            print(f"  {tname}: {err:.2e}")
        if err > worst:
            worst, worst_name = err, tname
    ok = ok and checked >= 30 and worst <= 1e-3
    print(f"{checked} parameters updated; largest error {worst:.2e} of the "
          f"update ({worst_name})")
    print("same step" if ok else "DIFFERENT")
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    else:
        sys.exit(compare(*sys.argv[2:7]))
