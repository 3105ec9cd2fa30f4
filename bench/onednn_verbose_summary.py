#!/usr/bin/env python3
"""Sums ONEDNN_VERBOSE=1 'exec' lines per primitive kind, per run.

  ONEDNN_VERBOSE=1 build/bin/qrun m.mlir --input x.npy --repeat N > v.txt
  python bench/onednn_verbose_summary.py v.txt N+1

Prints ms per run of each primitive (kind, implementation, shape), the
convolutions vs the layout reorders around them, and qrun's time per run:
what is not in oneDNN is qrt's own code (adds, pools, allocation).
"""
import collections
import re
import sys


def main():
    path, runs = sys.argv[1], int(sys.argv[2])
    per = collections.defaultdict(float)
    kinds = collections.defaultdict(float)
    once = collections.defaultdict(float)
    total_run = None
    for line in open(path):
        if line.startswith("time per run"):
            total_run = float(re.search(r"([0-9.]+) ms", line).group(1))
        if not line.startswith("onednn_verbose,exec") and not line.startswith("dnnl_verbose,exec"):
            continue
        f = line.rstrip().split(",")
        kind, impl, ms = f[3], f[4], float(f[-1])
        layouts = f[6]
        shape = f[-2]
        if kind == "reorder":
            src = re.search(r"src_\w+:\w*:blocked:(\w+)", layouts).group(1)
            dst = re.search(r"dst_\w+:\w*:blocked:(\w+)", layouts).group(1)
            if any(c.isupper() for c in dst) or src == dst:
                # weights into oneDNN's blocked layout, bias copies: once,
                # when the plan is created (first run), not per run.
                once[f"reorder {src}->{dst} {shape}"] += ms
                continue
            key = f"reorder {src}->{dst} {shape}"
        else:
            key = f"{kind} {impl} {shape[:60]}"
        per[key] += ms / runs
        kinds[kind] += ms / runs
    for k, v in sorted(per.items(), key=lambda kv: -kv[1]):
        print(f"{v:8.3f} ms  {k}")
    print()
    dnnl = sum(kinds.values())
    for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]):
        print(f"{v:8.3f} ms  all {k}")
    print(f"{dnnl:8.3f} ms  oneDNN total (per run, averaged over all {runs} runs)")
    print(f"{sum(once.values()):8.3f} ms  one-time weight reorders (plan creation, not counted)")
    if total_run is not None:
        print(f"{total_run:8.3f} ms  qrun time per run; outside oneDNN: "
              f"{total_run - dnnl:.3f} ms ({100 * (total_run - dnnl) / total_run:.0f}%)")


if __name__ == "__main__":
    main()
