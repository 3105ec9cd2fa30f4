"""recon_step_oracle.py: one AdaRound reconstruction step (qnn-build-
reconstruction's @recon_step_0 on Inputs/recon-unit.mlir) against the same
step written in PyTorch from the formulas (Nagel et al. 2020; BRECQ's loss
and schedule; torch.optim.Adam).

    recon_step_oracle.py prepare OUT_DIR
        writes x.npy (model input), in.npy / target.npy (the step's data),
        lr.npy, beta.npy, lambda.npy
    recon_step_oracle.py data OUT_DIR DATA_IN.npy DATA_TARGET.npy
        checks @recon_data_0: the unit's input is the model input, the
        target is the float conv + relu
    recon_step_oracle.py check OUT_DIR INIT_DIR AFTER_DIR REC.npy REG.npy [qdrop]
        checks the step's losses and the updated V and Adam moments; with
        `qdrop`, the step of qnn-build-reconstruction{qdrop=true}, whose
        layer reads in + keep * (in_float - in) after the input quantizer
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

LR, BETA, LAMBDA = 0.01, 6.0, 0.05
ZETA, GAMMA = 1.1, -0.1

W = np.array([[[[0.11, -0.23, 0.37], [0.41, -0.52, 0.06], [0.17, 0.29, -0.33]],
               [[0.21, 0.13, -0.07], [-0.44, 0.35, 0.02], [0.19, -0.28, 0.31]]],
              [[[-0.12, 0.24, -0.38], [0.44, 0.05, -0.16], [0.27, -0.31, 0.09]],
               [[0.33, -0.18, 0.26], [-0.09, 0.47, -0.25], [0.14, 0.08, -0.36]]],
              [[[0.03, 0.15, -0.27], [0.39, -0.11, 0.22], [-0.34, 0.18, 0.06]],
               [[-0.21, 0.29, 0.12], [0.07, -0.43, 0.31], [0.25, -0.02, 0.16]]]],
             np.float32)
S = np.array([0.07, 0.06, 0.05], np.float32)
B = np.array([0.05, -0.02, 0.01], np.float32)
XS = 0.04


def quant_input(x):
    return torch.clamp(torch.round(x / XS), -128, 127) * XS


def prepare(out):
    rng = np.random.default_rng(7)
    x = rng.normal(0, 1.5, (4, 2, 5, 5)).astype(np.float32)
    t = np.maximum(rng.normal(0.2, 0.5, (4, 3, 5, 5)), 0).astype(np.float32)
    np.save(os.path.join(out, "x.npy"), x)
    np.save(os.path.join(out, "in.npy"), x)
    np.save(os.path.join(out, "target.npy"), t)
    # QDrop: the float model's input differs; half of the elements keep it.
    np.save(os.path.join(out, "in_float.npy"),
            (x + rng.normal(0, 0.1, x.shape)).astype(np.float32))
    np.save(os.path.join(out, "keep.npy"),
            (rng.random(x.shape) < 0.5).astype(np.float32))
    for name, v in (("lr", LR), ("beta", BETA), ("lambda", LAMBDA)):
        np.save(os.path.join(out, name + ".npy"), np.array(v, np.float32))


def data(out, got_in, got_target):
    x = np.load(os.path.join(out, "x.npy"))
    ref = F.relu(F.conv2d(torch.from_numpy(x), torch.from_numpy(W),
                          torch.from_numpy(B), padding=1)).numpy()
    e_in = np.abs(np.load(got_in) - x).max()
    e_t = np.abs(np.load(got_target) - ref).max()
    print(f"data: input err {e_in:.3g}, float target err {e_t:.3g}")
    if e_in != 0 or e_t > 1e-5:
        sys.exit("FAIL: @recon_data_0 differs")
    print("OK: @recon_data_0")


def h_of(v):
    return torch.clamp(torch.sigmoid(v) * (ZETA - GAMMA) + GAMMA, 0, 1)


def check(out, init_dir, after_dir, rec_path, reg_path, mode=""):
    v0 = np.load(os.path.join(init_dir, "conv.offset.npy"))
    v = torch.from_numpy(v0).clone().requires_grad_(True)
    x = torch.from_numpy(np.load(os.path.join(out, "in.npy")))
    t = torch.from_numpy(np.load(os.path.join(out, "target.npy")))
    s = torch.from_numpy(S).view(3, 1, 1, 1)
    w = torch.from_numpy(W)
    h = h_of(v)
    wq = torch.clamp(torch.floor(w / s) + h, -8, 7) * s
    xin = quant_input(x)
    if mode == "qdrop":
        xf = torch.from_numpy(np.load(os.path.join(out, "in_float.npy")))
        keep = torch.from_numpy(np.load(os.path.join(out, "keep.npy")))
        xin = torch.where(keep > 0, xf, xin)
    y = F.relu(F.conv2d(xin, wq, torch.from_numpy(B), padding=1))
    rec = 3 * torch.mean((y - t) ** 2)  # C x mse: BRECQ's sum over channels
    reg = LAMBDA * torch.sum(1 - torch.abs(2 * h - 1) ** BETA)
    opt = torch.optim.Adam([v], lr=LR)
    opt.zero_grad()
    (rec + reg).backward()
    opt.step()
    state = opt.state[v]
    got = {
        "rec": float(np.load(rec_path)), "reg": float(np.load(reg_path)),
    }
    print(f"rec: qopt {got['rec']:.6f} torch {rec.item():.6f}")
    print(f"reg: qopt {got['reg']:.6f} torch {reg.item():.6f}")
    ok = abs(got["rec"] - rec.item()) <= 1e-5 * max(1, abs(rec.item())) and \
        abs(got["reg"] - reg.item()) <= 1e-5 * max(1, abs(reg.item()))
    # The update moves V by at most lr: compare against that size.
    for name, ref in (("conv.offset", v.detach()),
                      ("recon.conv.offset.exp_avg", state["exp_avg"]),
                      ("recon.conv.offset.exp_avg_sq", state["exp_avg_sq"])):
        mine = np.load(os.path.join(after_dir, name + ".npy"))
        err = np.abs(mine - ref.numpy()).max()
        scale = max(np.abs(ref.numpy()).max(), 1e-12)
        print(f"{name}: max err {err:.3g} (max |value| {scale:.3g})")
        tol = 1e-3 * LR if name == "conv.offset" else 1e-4 * scale
        ok = ok and err <= tol
    moved = np.abs(np.load(os.path.join(after_dir, "conv.offset.npy")) - v0).max()
    print(f"V moved by up to {moved:.3g}")
    ok = ok and moved > 0.5 * LR
    if not ok:
        sys.exit("FAIL: the reconstruction step differs from PyTorch's")
    print("OK: losses, V and Adam moments match PyTorch's step")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "prepare":
        prepare(sys.argv[2])
    elif cmd == "data":
        data(*sys.argv[2:5])
    else:
        check(*sys.argv[2:8])
