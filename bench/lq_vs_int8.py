"""LQ-Nets conv layers (the lq_conv2d step's work: encode, one int8 conv of
the code planes, the double combination) at W2A2 and W8A8 vs the int8 conv
and the fp32 conv (how LQ-Nets layers ran before) on the same ResNet-like
shapes: bench/lq_conv.cpp, built against the build tree's libqrt, at 1 and
2 threads. Ratios from one run (interleaved repetitions, medians); nothing
is asserted. Issue #20, docs/benchmarks.md "LQ-Nets layers"."""
import argparse
import os
import subprocess

import benchlib as B


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    out = os.path.join(B.CACHE, "lq")
    os.makedirs(out, exist_ok=True)
    exe = os.path.join(out, "lq_conv")
    src = os.path.join(B.HERE, "lq_conv.cpp")
    lib = os.path.join(B.ROOT, B.BUILD, "lib")
    qrt = os.path.join(lib, "libqrt.so")
    if (not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src)
            or os.path.getmtime(exe) < os.path.getmtime(qrt)):
        B.run(["c++", "-O2", "-std=c++17", "-I", B.ROOT, src, "-L", lib, "-lqrt",
               "-Wl,-rpath," + lib, "-o", exe])
    print(f"## LQ-Nets conv layers vs int8 vs fp32 ({B.machine()})")
    for threads in (1, 2):
        env = dict(os.environ, OMP_NUM_THREADS=str(threads))
        if "OMP_WAIT_POLICY" not in env and "GOMP_SPINCOUNT" not in env:
            env["OMP_WAIT_POLICY"] = "passive"
        print(f"\n{threads} thread(s):\n")
        print(subprocess.run([exe, str(args.reps)], env=env, check=True,
                             capture_output=True, text=True).stdout, end="")


if __name__ == "__main__":
    main()
