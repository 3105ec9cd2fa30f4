#!/usr/bin/env python3
"""Emitted C++ programs (qemit) vs the interpreter (qrun) vs onnxruntime.

The same execution plan runs in both qopt back ends: qrun dispatches its
steps, the emitted program calls the same qrt kernels one by one. This
measures what the emitted program saves (MLIR parsing and plan compilation
are outside both timings; what is left is dispatch overhead) and puts both
beside onnxruntime, all in one run:
  - ResNet-18 (torchvision, random weights) b1 fp32 and int8 (onnxruntime's
    quantize_static QDQ model lowered by qnn-lower-to-integer);
  - the default model's qc W8A8 integer program at batch 1 and 100.
The ResNet-18 models and onnxruntime's ResNet-8 QDQ model are made by
resnet18_vs_ort.py and ptq_vs_ort.py (run.sh runs them first); missing ones
are skipped.

Before timing, each program's output is checked to equal qrun's bit for bit.
Interleaved repetitions, medians, ratios; nothing asserts a time.

Memory: each program's arena (static memory plan, docs/codegen.md "The
arena") against the sum of the bytes of the tensors placed in it, at batch
1, as qemit reports them.
"""
import argparse
import os
import re
import subprocess
import sys
import time

import numpy as np

import benchlib as B


def install_qrt():
    prefix = os.path.join(B.CACHE, "qrt-prefix")
    B.run(["cmake", "--install", os.path.join(B.ROOT, B.BUILD), "--prefix", prefix])
    return prefix


# The summary line of `qemit --print-arena` (codegen/ArenaPlan.cpp).
_ARENA = re.compile(r"^arena (\d+) bytes for (\d+) tensors of (\d+) bytes at batch (\d+)", re.M)


def arena_bytes(mlir):
    """(arena bytes, placed tensors' bytes, tensors) at batch 1, from qemit;
    the plan is per batch row, so batch 1 is the plan divided by its batch."""
    out = B.run([B.tool("qemit"), mlir, "--print-arena"])
    m = _ARENA.search(out)
    if not m:
        sys.exit(f"no arena line in qemit --print-arena {mlir}:\n{out}")
    arena, tensors, total, batch = (int(g) for g in m.groups())
    return arena // batch, total // batch, tensors


def emit_and_build(mlir, name, prefix):
    src = os.path.join(B.CACHE, "emit", name)
    build = os.path.join(src, "build")
    B.run([B.tool("qemit"), mlir, "-o", src, "--name", name])
    B.run(["cmake", "-G", "Ninja", "-S", src, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
           f"-DCMAKE_PREFIX_PATH={prefix}"])
    B.run(["cmake", "--build", build])
    return os.path.join(build, f"{name}-run")


def program_time(prog, x_npy, threads, repeat):
    out = B.run([prog, "--input", x_npy, "--threads", str(threads), "--repeat", str(repeat)])
    m = B._TIME.search(out)
    if not m:
        sys.exit(f"no 'time per run' in {prog}'s output:\n{out}")
    return float(m.group(1))


def bench(name, mlir, onnx_path, x, prefix, threads, reps, repeat, rows):
    stem = name.replace(" ", "_")
    prog = emit_and_build(mlir, stem, prefix)
    x_npy = os.path.join(B.CACHE, f"{stem}.input.npy")
    np.save(x_npy, x)
    emitted = os.path.join(B.CACHE, f"{stem}.emitted.npy")
    B.run([prog, "--input", x_npy, "--output", emitted])
    interpreted = B.qrun_output(mlir, x_npy, os.path.join(B.CACHE, f"{stem}.qrun.npy"), 1)
    if np.load(emitted).tobytes() != interpreted.tobytes():
        sys.exit(f"{name}: the emitted program's output differs from qrun's")
    print(f"  {name}: emitted output == qrun output (bit for bit)", flush=True)
    for t in threads:
        sess = B.ort_session(onnx_path, t)
        feed = {sess.get_inputs()[0].name: x}
        e, q, o = [], [], []
        for _ in range(reps):  # interleaved: noise hits all three alike
            e.append(program_time(prog, x_npy, t, repeat))
            q.append(B.qrun_time(mlir, x_npy, t, repeat))
            o.append(B.ort_time(sess, feed, repeat))
        em, qm, om = B.median(e), B.median(q), B.median(o)
        rows.append((name, t, em, qm, om))
        print(f"  {name:24s} threads {t}: emitted {em:8.3f} ms  qrun {qm:8.3f} ms  "
              f"ort {om:8.3f} ms", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", default="1,2")
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    os.makedirs(B.CACHE, exist_ok=True)
    print(f"== emitted program (qemit) vs interpreter (qrun) vs onnxruntime "
          f"{__import__('onnxruntime').__version__}")
    print(f"   {time.strftime('%Y-%m-%d %H:%M')}, {B.machine()}, {args.reps} reps, medians")
    prefix = install_qrt()
    rows = []
    memory = []  # (model, its .mlir)
    r18 = os.path.join(B.CACHE, "resnet18.onnx")
    x224 = np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype(np.float32)
    if os.path.exists(r18):
        f18 = B.import_and_fold(r18, "resnet18")
        bench("resnet18 b1 fp32", f18, r18, x224, prefix, threads, args.reps, 20, rows)
        memory.append(("resnet18 fp32", f18))
    else:
        print(f"  (resnet18 skipped: {r18} is made by resnet18_vs_ort.py)")
    q18 = os.path.join(B.CACHE, "resnet18.int8.qdq.onnx")
    l18 = os.path.join(B.CACHE, "resnet18.int8.integer.mlir")
    if os.path.exists(q18) and os.path.exists(l18):
        bench("resnet18 b1 int8", l18, q18, x224, prefix, threads, args.reps, 20, rows)
        memory.append(("resnet18 int8", l18))
    qdq8 = os.path.join(B.CACHE, "ptq", "resnet8.qdq.min_max.onnx")
    int8 = os.path.join(B.CACHE, "int8-resnet8", "4-integer.mlir")
    if os.path.exists(qdq8) and not os.path.exists(int8):
        B.run([B.tool("qc"), "quantize", B.DEFAULT_MODEL, "--policy",
               "wt_bit=8,fm_bit=8,wt_quant_group=C,first_bit=8,last_bit=8",
               "-o", os.path.dirname(int8)])
    if os.path.exists(qdq8):
        for batch, repeat in ((1, 500), (100, 20)):
            x, _ = B.fmnist_batch("test", batch)
            bench(f"resnet8_fmnist b{batch} int8", int8, qdq8, x, prefix, threads,
                  args.reps, repeat, rows)
        memory.append(("resnet8_fmnist int8", int8))
    else:
        print(f"  (resnet8 int8 skipped: {qdq8} is made by ptq_vs_ort.py)")
    print()
    print("| model | threads | emitted ms | qrun ms | onnxruntime ms | emitted/qrun | emitted/ort |")
    print("|---|---|---|---|---|---|---|")
    for name, t, e, q, o in rows:
        print(f"| {name} | {t} | {e:.3f} | {q:.3f} | {o:.3f} | {e / q:.2f} | {e / o:.2f} |")
    print()
    print("Memory at batch 1: the arena (the plan's static offsets, shared by qrun and the")
    print("emitted program) vs the sum of the bytes of the tensors placed in it.")
    print()
    print("| model | tensors placed | tensor bytes | arena bytes | arena/tensors |")
    print("|---|---|---|---|---|")
    for name, mlir in memory:
        arena, total, tensors = arena_bytes(mlir)
        print(f"| {name} | {tensors} | {total} | {arena} | {arena / max(total, 1):.3f} |")


if __name__ == "__main__":
    sys.exit(main())
