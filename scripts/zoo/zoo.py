"""zoo.py: every torchvision classification model through qopt (#19).

usage: zoo.py [--models REGEX,...] [--formats onnx13,onnx17,trace,script]
              [--timeout S] [--out build/zoo] [--bin build/bin] [--doc FILE]
       zoo.py --doc-only            rewrite the doc from build/zoo's results
       zoo.py export MODEL DIR      (internal) one model's files

For each model of Debian's torchvision (0.14), with random weights (seed 0,
all-zero parameters such as ViT's head made random too) and randomized
normalization statistics and affine parameters, `export` writes ONNX at
opset 13 and 17 (BatchNormalization kept, dynamic batch), traced and
scripted TorchScript, a batch-2 input with PyTorch's output (the oracle) and
8 random calibration images. Then, per (model, format):

  import    qimport (TorchScript: --input-shape)
  match     qrun on the input vs PyTorch: max|out - ref| <= 1e-4 max|ref|
  w8a8      qc quantize --policy W8A8 (per-channel weights, first and last
            layers 8 bit) calibrated on the 8 random images (npy: data)
  exact     qrun of qc's 3-calibrated.mlir (test-mode fake-quant) and of its
            4-integer.mlir on the calibration images: identical bytes

Results go to OUT/MODEL/FORMAT.json (so runs over a --models filter add up)
and the table to docs/model-zoo.md, generated from every result present.
Each step runs under a timeout (--timeout, per step) in its own process
group, so one huge model cannot hang the run.
"""
import argparse
import glob
import json
import os
import re
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FORMATS = ["onnx13", "onnx17", "trace", "script"]
POLICY = "wt_bit=8,fm_bit=8,wt_quant_group=C,first_bit=8,last_bit=8"
CALIB_IMAGES = 8

FAMILIES = [
    ("ResNet", r"resnet\d+$"), ("ResNeXt", r"resnext"),
    ("Wide ResNet", r"wide_resnet"), ("VGG", r"vgg"), ("AlexNet", r"alexnet"),
    ("SqueezeNet", r"squeezenet"), ("DenseNet", r"densenet"),
    ("GoogLeNet", r"googlenet"), ("Inception", r"inception"),
    ("MobileNet v2", r"mobilenet_v2"), ("MobileNet v3", r"mobilenet_v3"),
    ("MNASNet", r"mnasnet"), ("ShuffleNet v2", r"shufflenet"),
    ("EfficientNet", r"efficientnet_b"), ("EfficientNet v2", r"efficientnet_v2"),
    ("RegNet", r"regnet"), ("ConvNeXt", r"convnext"), ("ViT", r"vit_"),
    ("Swin", r"swin_t|swin_s|swin_b"), ("Swin v2", r"swin_v2"),
    ("MaxViT", r"maxvit"),
]


TRANSFORMERS = {"ViT", "Swin", "Swin v2", "MaxViT"}


def family(name):
    for fam, pat in FAMILIES:
        if re.match(pat, name):
            return fam
    return "other"


def input_size(name):
    """The smallest input each model allows, to keep the zoo fast.

    VGG and AlexNet end in adaptive average pooling to 7x7 / 6x6, which
    torch.onnx exports only when the input size is a multiple of the output
    (224 gives exactly 7 and 6); MaxViT's 7x7 partitions need 224 too.
    ViTs are built with image_size=64 (56 for the 14-pixel patches).
    """
    if re.match(r"vgg|alexnet|maxvit", name):
        return 224
    if name == "inception_v3":
        return 80
    if name == "vit_h_14":
        return 56
    return 64


# ---------------------------------------------------------------- export


def export(name, out, max_params=0, formats=FORMATS, size=0):
    import numpy as np
    import torch
    import torchvision

    torch.manual_seed(0)
    size = size or input_size(name)
    kwargs = {"weights": None}
    if name.startswith("vit_"):
        kwargs["image_size"] = size
    model = getattr(torchvision.models, name)(**kwargs).eval()
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                c = m.num_features
                m.running_mean.copy_(torch.randn(c, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=g) * 0.5 + 0.75)
            if isinstance(m, (torch.nn.modules.batchnorm._BatchNorm,
                              torch.nn.LayerNorm, torch.nn.GroupNorm)) and \
                    getattr(m, "weight", None) is not None:
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) * 0.5 + 0.75)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
        # Zero-initialized parameters (ViT's head and class token) would make
        # the oracle's output trivially zero.
        for p in model.parameters():
            if p.numel() > 1 and not p.any():
                p.copy_(torch.randn(p.shape, generator=g) * 0.02)
    x = torch.randn(2, 3, size, size, generator=g)
    calib = torch.randn(CALIB_IMAGES, 3, size, size, generator=g)
    meta = {"model": name, "size": size,
            "params": sum(p.numel() for p in model.parameters()), "export": {}}
    if max_params and meta["params"] > max_params:
        why = (f"skipped: {meta['params'] / 1e6:.0f} M parameters, over --max-params "
               f"{max_params / 1e6:.0f} M (the zoo's time and memory budget on 2 cores)")
        meta["export"] = {f: {"ok": False, "error": why} for f in FORMATS}
        with open(os.path.join(out, "meta.json"), "w") as f:
            json.dump(meta, f, indent=1)
        return
    with torch.no_grad():
        ref = model(x)
    if not isinstance(ref, torch.Tensor):
        meta["output_note"] = f"forward returns {type(ref).__name__}; the oracle is its first output"
        ref = ref[0]
    np.save(os.path.join(out, "in.npy"), x.numpy())
    np.save(os.path.join(out, "ref.npy"), ref.numpy())
    np.save(os.path.join(out, "calib.npy"), calib.numpy())

    def attempt(fmt, fn):
        t = time.time()
        try:
            fn()
            meta["export"][fmt] = {"ok": True, "seconds": round(time.time() - t, 1)}
        except Exception as e:  # noqa: BLE001 -- any exporter failure is a row
            msg = str(e).strip().splitlines()
            meta["export"][fmt] = {"ok": False, "error": f"{type(e).__name__}: " +
                                   (msg[0] if msg else "")[:300]}
        with open(os.path.join(out, "meta.json"), "w") as f:
            json.dump(meta, f, indent=1)

    # Exported with gradients enabled: under no_grad, nn.MultiheadAttention
    # takes its fused fast path (aten::_native_multi_head_attention), which
    # torch.onnx cannot export and which hides the attention's matmuls.
    def onnx(opset):
        torch.onnx.export(model, x, os.path.join(out, f"model_op{opset}.onnx"),
                          opset_version=opset, input_names=["input"],
                          output_names=["output"],
                          dynamic_axes={"input": {0: "N"}, "output": {0: "N"}},
                          training=torch.onnx.TrainingMode.PRESERVE,
                          do_constant_folding=False)

    def trace():
        torch.jit.trace(model, x, check_trace=False).save(os.path.join(out, "model_trace.pt"))

    def script():
        torch.jit.script(model).save(os.path.join(out, "model_script.pt"))

    for fmt, fn in (("trace", trace), ("script", script),
                    ("onnx13", lambda: onnx(13)), ("onnx17", lambda: onnx(17))):
        if fmt in formats:
            attempt(fmt, fn)


# ---------------------------------------------------------------- drive


def run(cmd, timeout, log):
    """Runs cmd in its own process group; returns (rc, seconds, stderr)."""
    t = time.time()
    with open(log, "w") as f:
        f.write(" ".join(cmd) + "\n")
        f.flush()
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
        try:
            _, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            return None, time.time() - t, f"timed out after {timeout} s"
        f.write(err)
    return p.returncode, time.time() - t, err


def diagnostic(err):
    """The lines of a tool's stderr that say what failed, condensed."""
    lines = [l.strip() for l in err.splitlines() if l.strip()]
    keep = [l for l in lines if re.search(r"error|note|unsupported|timed out", l, re.I)]
    keep = keep or lines[-3:]
    # One line per distinct message, counted (an unsupported op's note per node).
    seen = {}
    for l in keep:
        l = re.sub(r"^\S*(\.onnx|\.pt|\.mlir|\.mlirbc|loc\(.*?\)):?[\d:]*\s*", "", l)
        l = re.sub(r"^(qimport|qrun|qc|qopt): ", "", l)
        seen[l] = seen.get(l, 0) + 1
    out = [(f"{l} (x{n})" if n > 1 else l) for l, n in seen.items()]
    return "; ".join(out)[:400]


def compare(actual, expected):
    import numpy as np
    a, b = np.load(actual), np.load(expected)
    if a.shape != b.shape:
        return None, f"shape {a.shape} vs PyTorch's {b.shape}"
    scale = float(np.abs(b).max()) or 1.0
    return float(np.abs(a.astype(np.float64) - b).max()) / scale, None


def drive(name, fmt, out, args, meta):
    r = {"model": name, "format": fmt, "family": family(name), "size": meta["size"],
         "params": meta["params"], "status": "", "detail": "", "seconds": {},
         "commit": args.commit}
    exp = meta["export"].get(fmt)
    if exp and exp.get("error", "").startswith("skipped"):
        r["status"], r["detail"] = "skipped", exp["error"]
        return r
    if not exp or not exp["ok"]:
        r["status"] = "export failed"
        r["detail"] = exp["error"] if exp else "not exported"
        return r
    src = os.path.join(out, {"onnx13": "model_op13.onnx", "onnx17": "model_op17.onnx",
                             "trace": "model_trace.pt", "script": "model_script.pt"}[fmt])
    bin_ = lambda t: os.path.join(args.bin, t)  # noqa: E731
    thr = ["--threads", str(args.threads)]
    mlir = os.path.join(out, f"{fmt}.mlirbc")
    cmd = [bin_("qimport"), src, "--emit-bytecode", "-o", mlir]
    if fmt in ("trace", "script"):
        cmd += ["--input-shape", f"1,3,{meta['size']},{meta['size']}"]
    rc, s, err = run(cmd, args.timeout, os.path.join(out, f"{fmt}.import.log"))
    r["seconds"]["import"] = round(s, 1)
    if rc != 0:
        r["status"], r["detail"] = "import failed", diagnostic(err)
        return r
    notes = [l for l in err.splitlines() if "note" in l or "warning" in l]
    if meta.get("output_note"):
        r["note"] = meta["output_note"]
    if notes:
        r["note"] = (r.get("note", "") + " " + diagnostic("\n".join(notes))).strip()

    res = os.path.join(out, f"{fmt}.out.npy")
    rc, s, err = run([bin_("qrun"), mlir, "--input", os.path.join(out, "in.npy"),
                      "--output", res] + thr, args.timeout,
                     os.path.join(out, f"{fmt}.qrun.log"))
    r["seconds"]["qrun"] = round(s, 1)
    if rc != 0:
        r["status"], r["detail"] = "qrun failed", diagnostic(err)
        return r
    rel, why = compare(res, os.path.join(out, "ref.npy"))
    if rel is None:
        r["status"], r["detail"] = "mismatch", why
        return r
    r["rel_err"] = rel
    if rel > 1e-4:
        r["status"], r["detail"] = "mismatch", f"max |qrun - PyTorch| = {rel:.2e} of max |PyTorch|"
        return r

    q = os.path.join(out, f"{fmt}.q")
    rc, s, err = run([bin_("qc"), "quantize", mlir, "--policy", POLICY,
                      "--data", "npy:" + os.path.join(out, "calib.npy"),
                      "--calib-images", str(CALIB_IMAGES), "--batch-size", "2",
                      "--eval-limit", "2", "-o", q] + thr, args.timeout,
                     os.path.join(out, f"{fmt}.qc.log"))
    r["seconds"]["w8a8"] = round(s, 1)
    if rc != 0:
        r["status"], r["detail"] = "float ok; W8A8 failed", diagnostic(err)
        return r
    integer = os.path.join(q, "4-integer.mlir")
    with open(integer) as f:
        text = f.read()
    r["int8_layers"] = len(re.findall(r"qnn\.q(conv2d|linear|matmul)\b", text))
    r["float_layers"] = len(re.findall(r"= qnn\.(conv2d|linear|matmul)\b", text))
    outs = {}
    for tag, m in (("fq", "3-calibrated.mlir"), ("int", "4-integer.mlir")):
        outs[tag] = os.path.join(out, f"{fmt}.{tag}.npy")
        rc, s, err = run([bin_("qrun"), os.path.join(q, m), "--input",
                          os.path.join(out, "calib.npy"), "--output", outs[tag]] + thr,
                         args.timeout, os.path.join(out, f"{fmt}.{tag}.log"))
        r["seconds"]["qrun_" + tag] = round(s, 1)
        if rc != 0:
            r["status"], r["detail"] = "float ok; W8A8 run failed", diagnostic(err)
            return r
    with open(outs["fq"], "rb") as a, open(outs["int"], "rb") as b:
        same = a.read() == b.read()
    if not same:
        import numpy as np
        d = np.abs(np.load(outs["fq"]).astype(np.float64) - np.load(outs["int"]))
        r["status"] = "float ok; W8A8 not bit-exact"
        r["detail"] = f"{int((d > 0).sum())} of {d.size} logits differ, max {d.max():.3g}"
        return r
    r["status"] = "ok"
    return r


def snapshot_tools(args):
    """Copies qimport, qrun, qc and build/lib (libqrt, the TorchScript
    reader qimport loads from ../lib) into OUT/tools.PID and runs those: the
    build tree is shared, and a library relinked mid-run would fail whichever
    step loaded it then (LD_LIBRARY_PATH wins over RUNPATH)."""
    import shutil
    tools = os.path.join(args.out, f"tools.{os.getpid()}")
    os.makedirs(os.path.join(tools, "bin"), exist_ok=True)
    os.makedirs(os.path.join(tools, "lib"), exist_ok=True)
    for t in ("qimport", "qrun", "qc"):
        shutil.copy2(os.path.join(args.bin, t), os.path.join(tools, "bin"))
    for lib in glob.glob(os.path.join(args.bin, "..", "lib", "lib*.so*")):
        shutil.copy2(lib, os.path.join(tools, "lib"), follow_symlinks=False)
    os.environ["LD_LIBRARY_PATH"] = (os.path.join(tools, "lib") + os.pathsep +
                                     os.environ.get("LD_LIBRARY_PATH", ""))
    args.tools = tools
    args.bin = os.path.join(tools, "bin")


def clean_pair(out, fmt):
    """Drops a pair's modules and outputs (a large model's text MLIR is
    gigabytes), keeping its logs and qc's report."""
    import shutil
    q = os.path.join(out, f"{fmt}.q")
    if os.path.isdir(q):
        for f in os.listdir(q):
            if f != "report.md":
                p = os.path.join(q, f)
                shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)
    for f in glob.glob(os.path.join(out, f"{fmt}.*")):
        if f.endswith((".mlirbc", ".npy")):
            os.remove(f)


def do_model(name, args):
    out = os.path.join(args.out, name)
    os.makedirs(out, exist_ok=True)
    rc, s, err = run([sys.executable, os.path.abspath(__file__), "export", name, out,
                      str(args.max_params), ",".join(args.formats), str(args.size)],
                     args.timeout, os.path.join(out, "export.log"))
    meta_path = os.path.join(out, "meta.json")
    meta = json.load(open(meta_path)) if os.path.exists(meta_path) else None
    for fmt in args.formats:
        if meta is None:
            r = {"model": name, "format": fmt, "family": family(name),
                 "size": input_size(name), "params": 0, "status": "export failed",
                 "detail": diagnostic(err), "seconds": {}}
        else:
            meta.setdefault("export", {})
            if fmt not in meta["export"] and rc != 0:
                meta["export"][fmt] = {"ok": False, "error": diagnostic(err)}
            r = drive(name, fmt, out, args, meta)
            if not args.keep:
                clean_pair(out, fmt)
        r["seconds"]["export"] = round(s, 1)
        with open(os.path.join(out, fmt + ".json"), "w") as f:
            json.dump(r, f, indent=1)
        print(f"{name:22s} {fmt:7s} {r['status']:28s} {r['detail'][:110]}", flush=True)
    if not args.keep:
        for f in glob.glob(os.path.join(out, "model_*")):
            os.remove(f)


# ---------------------------------------------------------------- doc


def write_doc(args):
    paths = [p for p in glob.glob(os.path.join(args.out, "*", "*.json"))
             if not p.endswith("meta.json")]
    rows = [json.load(open(p)) for p in paths]
    stamps = sorted(os.path.getmtime(p) for p in paths) or [time.time()]
    when = lambda t: time.strftime("%Y-%m-%d %H:%M", time.gmtime(t))  # noqa: E731
    commits = sorted({r["commit"] for r in rows if r.get("commit")})
    order = {f: i for i, f in enumerate(FORMATS)}
    fam_order = {f: i for i, (f, _) in enumerate(FAMILIES)}
    rows.sort(key=lambda r: (fam_order.get(r["family"], 99), r["model"], order[r["format"]]))
    n = len(rows)
    imported = sum(r["status"] not in ("export failed", "import failed", "skipped")
                   for r in rows)
    matched = sum(r["status"] == "ok" or r["status"].startswith("float ok") for r in rows)
    exact = sum(r["status"] == "ok" for r in rows)
    exported = sum(r["status"] not in ("export failed", "skipped") for r in rows)
    skipped = sorted({r["model"] for r in rows if r["status"] == "skipped"})
    n_skipped = sum(r["status"] == "skipped" for r in rows)
    models = len({r["model"] for r in rows})
    pct = lambda a, b: f"{a} / {b} ({100.0 * a / max(b, 1):.1f}%)"  # noqa: E731
    is_match = lambda r: r["status"] == "ok" or r["status"].startswith("float ok")  # noqa: E731
    ran = [r for r in rows if r["status"] not in ("export failed", "skipped")]
    cnn = [r for r in rows if r["family"] not in TRANSFORMERS and r["status"] != "skipped"]
    tf = [r for r in rows if r["family"] in TRANSFORMERS and r["status"] != "skipped"]
    lines = [
        "# Model zoo: torchvision classifiers through qopt",
        "",
        "Generated by `make zoo` (scripts/zoo/zoo.py); do not edit. Every "
        "classification model of Debian's torchvision 0.14, random weights "
        "(seed 0) and randomized normalization statistics, exported by "
        "Debian's torch 1.13 to ONNX (opset 13 and 17, BatchNormalization "
        "kept, dynamic batch), traced and scripted TorchScript. Per (model, "
        "format):",
        "",
        "- **import**: `qimport` (TorchScript with `--input-shape 1,3,S,S`);",
        "- **match**: `qrun` on a batch of 2 against PyTorch's output, "
        "max |qrun - PyTorch| <= 1e-4 max |PyTorch|;",
        f"- **W8A8**: `qc quantize --policy {POLICY}` calibrated on "
        f"{CALIB_IMAGES} random images (`npy:` data, min_max);",
        "- **exact**: qc's test-mode fake-quant module (3-calibrated.mlir) and "
        "its integer lowering (4-integer.mlir) give identical bytes on the "
        "calibration images (`qrun`).",
        "",
        "Status `ok` means all four held. Input sizes are the smallest each "
        "model allows (S = 64; 224 for VGG, AlexNet and MaxViT, whose "
        "adaptive pooling torch.onnx exports only at factor sizes; 80 for "
        "Inception v3; ViTs built with image_size 64, 56 for vit_h_14). "
        "`int8` counts the conv / linear / matmul layers the integer module "
        "runs in int8 (`qconv2d`, `qlinear`, `qmatmul`); `float` those left in "
        "float. Times are seconds on this machine's CPU (--threads "
        f"{args.threads}): import, qrun, qc quantize.",
        "",
        f"Each row is the last result of its pair under build/zoo; these come "
        f"from runs between {when(stamps[0])} and {when(stamps[-1])} UTC"
        + (f" (commits {', '.join(commits)} and earlier)" if commits else "")
        + ", so a row may predate later commits; `make test` re-checks one "
        "model per CNN family at every commit (zoo-subset.test).",
        "",
        "Reproduce: `make zoo` (all: hours on 2 cores), or one family: "
        "`.venv/bin/python scripts/zoo/zoo.py --models 'resnet.*,vgg11'`; the "
        "table is rebuilt from every result under build/zoo "
        "(`zoo.py --doc-only`).",
        "",
        "## Summary",
        "",
        f"- {models} models, {n} (model, format) pairs",
        f"- skipped for size: {n_skipped} pairs ({', '.join(skipped) or 'none'}: "
        f"over --max-params {args.max_params / 1e6:.0f} M parameters, the time and "
        "memory budget of a 2-core run; `zoo.py --max-params 0` runs them)",
        f"- exported by PyTorch: {exported} / {n}",
        f"- imported: {pct(imported, n)}",
        f"- imported and matching PyTorch: {pct(matched, n)}",
        f"- W8A8 with integer = fake-quant bit for bit: {pct(exact, n)}",
        "",
        "Of the pairs that were run (PyTorch exported them, not skipped for size):",
        "",
        f"- imported and matching PyTorch: {pct(sum(map(is_match, ran)), len(ran))}",
        f"- W8A8 with integer = fake-quant bit for bit: "
        f"{pct(sum(r['status'] == 'ok' for r in ran), len(ran))}",
        f"- CNNs (every family but {', '.join(sorted(TRANSFORMERS))}), W8A8 "
        f"bit-exact: {pct(sum(r['status'] == 'ok' for r in cnn), len(cnn))}",
        f"- transformers, imported and matching PyTorch: "
        f"{pct(sum(map(is_match, tf)), len(tf))}; W8A8 bit-exact: "
        f"{pct(sum(r['status'] == 'ok' for r in tf), len(tf))}",
        "",
    ]
    by_status = {}
    for r in rows:
        by_status[r["status"]] = by_status.get(r["status"], 0) + 1
    lines += ["| status | pairs |", "|---|---|"]
    lines += [f"| {s} | {c} |" for s, c in sorted(by_status.items(), key=lambda x: -x[1])]
    lines += ["", "## By family", "",
              "| family | pairs | import | match | W8A8 exact |", "|---|---|---|---|---|"]
    fams = {}
    for r in rows:
        f = fams.setdefault(r["family"], [0, 0, 0, 0])
        f[0] += 1
        f[1] += r["status"] not in ("export failed", "import failed", "skipped")
        f[2] += r["status"] == "ok" or r["status"].startswith("float ok")
        f[3] += r["status"] == "ok"
    for fam, _ in FAMILIES:
        if fam in fams:
            f = fams[fam]
            lines.append(f"| {fam} | {f[0]} | {f[1]} | {f[2]} | {f[3]} |")
    lines += ["", "## Every pair", "",
              "| model | format | S | status | rel. err | int8 / float layers | import s | qrun s | qc s | diagnostic / note |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        sec = r.get("seconds", {})
        layers = f"{r['int8_layers']} / {r['float_layers']}" if "int8_layers" in r else ""
        err = f"{r['rel_err']:.1e}" if "rel_err" in r else ""
        detail = (r.get("detail") or r.get("note") or "").replace("|", "\\|")
        lines.append(f"| {r['model']} | {r['format']} | {r['size']} | {r['status']} | {err} | "
                     f"{layers} | {sec.get('import', '')} | {sec.get('qrun', '')} | "
                     f"{sec.get('w8a8', '')} | {detail} |")
    with open(args.doc, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {args.doc}: {n} pairs, {imported} imported, {matched} match, {exact} exact")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "export":
        a = sys.argv[4:] + ["0", ",".join(FORMATS), "0"][len(sys.argv[4:]):]
        export(sys.argv[2], sys.argv[3], float(a[0]), a[1].split(","), int(a[2]))
        return
    p = argparse.ArgumentParser()
    p.add_argument("--models", default="",
                   help="comma-separated regular expressions a whole name must match, e.g. 'resnet.*,vgg11'")
    p.add_argument("--formats", default=",".join(FORMATS))
    p.add_argument("--timeout", type=int, default=1200, help="seconds per step")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--size", type=int, default=0,
                   help="input size for every model (default: the smallest each allows)")
    p.add_argument("--out", default=os.path.join(ROOT, "build", "zoo"))
    p.add_argument("--max-params", type=float, default=400e6,
                   help="skip models with more parameters (0: none skipped)")
    p.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    p.add_argument("--doc", default=os.path.join(ROOT, "docs", "model-zoo.md"))
    p.add_argument("--doc-only", action="store_true")
    p.add_argument("--keep", action="store_true",
                   help="keep the exported models and every module (gigabytes)")
    p.add_argument("--list", action="store_true")
    args = p.parse_args()
    args.formats = args.formats.split(",")
    if not args.doc_only:
        import torchvision
        names = torchvision.models.list_models(module=torchvision.models)
        if args.models:
            pats = args.models.split(",")
            names = [n for n in names if any(re.fullmatch(x, n) for x in pats)]
        if args.list:
            print("\n".join(names))
            return
        args.commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                     capture_output=True, text=True).stdout.strip()
        snapshot_tools(args)
        try:
            for name in names:
                do_model(name, args)
        finally:
            import shutil
            shutil.rmtree(args.tools, ignore_errors=True)
    write_doc(args)


if __name__ == "__main__":
    main()
