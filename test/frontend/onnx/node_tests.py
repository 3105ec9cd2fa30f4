"""Imports the ONNX backend node tests with qimport and tabulates the result.

    node_tests.py --qimport build/bin/qimport \
        [--data /usr/share/libonnx-testdata/data/node] [--only test_relu ...] \
        [--markdown docs/onnx-node-tests.md]

Each test directory holds model.onnx and test_data_set_*/{input,output}_*.pb.
A test is
  unsupported  when it uses an operator qimport does not list
               (`qimport --list-ops`) or an opset outside 11..17;
  pass         when qimport imports it and the module verifies;
  fail         otherwise (qimport's first error line is recorded).

qimport needs shape-like operands (Reshape's shape, Pad's pads, Resize's
scales, Clip's bounds, quantization scales, ...) to be constants, while the
node tests feed them as graph inputs. When the plain import fails for that
reason, every graph input but the first is frozen into an initializer from
test_data_set_0 and the import is retried; such passes are marked "frozen".
Failures are split into clean rejections (qimport says the variant is not
supported: an integer dtype, a 3-D pool, cubic resize, ...) and other errors.

Numbers are not compared yet: check_numerics() is the slot where a later step
runs the imported module on test_data_set_0 (with qrun) and compares against
output_*.pb; until then its column says "not run".
"""
import argparse
import collections
import concurrent.futures
import os
import subprocess
import sys

import onnx

MIN_OPSET, MAX_OPSET = 11, 17


def supported_ops(qimport):
    out = subprocess.run([qimport, "--list-ops"], check=True,
                         capture_output=True, text=True).stdout
    return set(out.split())


def model_ops(path):
    """(default-domain opset, sorted op types) of an ONNX file."""
    m = onnx.load(path, load_external_data=False)
    opset = next((o.version for o in m.opset_import
                  if o.domain in ("", "ai.onnx")), 0)
    ops = set()
    for n in m.graph.node:
        ops.add(n.op_type if n.domain in ("", "ai.onnx")
                else n.domain + "." + n.op_type)
    return opset, sorted(ops)


def check_numerics(test_dir, mlir_path):
    """Slot for the numeric comparison against output_*.pb: returns
    "pass" / "fail: ..." once an interpreter step is wired in, None until
    then."""
    return None


NEEDS_CONSTANT = ("must be a constant", "computable at import time",
                  "needs constant")
REJECTED = ("not supported", "is not supported", "only ", "must be a float32",
            "that qimport does not produce", "unsupported element type")


def freeze_inputs(test_dir, model_path, out_path):
    """Writes a copy of the model whose inputs 1.. are initializers holding
    test_data_set_0's values; returns their names."""
    m = onnx.load(model_path)
    data = os.path.join(test_dir, "test_data_set_0")
    frozen = []
    for i, vi in enumerate(list(m.graph.input)):
        pb = os.path.join(data, "input_%d.pb" % i)
        if i == 0 or not os.path.exists(pb):
            continue
        t = onnx.TensorProto()
        with open(pb, "rb") as f:
            t.ParseFromString(f.read())
        t.name = vi.name
        m.graph.initializer.append(t)
        frozen.append(vi.name)
    keep = [vi for vi in m.graph.input if vi.name not in frozen]
    del m.graph.input[:]
    m.graph.input.extend(keep)
    onnx.save(m, out_path)
    return frozen


def import_model(qimport, model, mlir_path):
    """(ok, first error line) of one qimport run."""
    proc = subprocess.run([qimport, model, "-o", mlir_path],
                          capture_output=True, text=True)
    if proc.returncode == 0:
        return True, ""
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    first = lines[0] if lines else "exit %d" % proc.returncode
    return False, first.split("error: ", 1)[-1]


def run_one(test_dir, qimport, supported, workdir):
    name = os.path.basename(test_dir)
    model = os.path.join(test_dir, "model.onnx")
    try:
        opset, ops = model_ops(model)
    except Exception as e:  # unreadable test model: report, don't stop
        return name, "fail", "onnx.load: %s" % e, [], None
    missing = [op for op in ops if op not in supported]
    if missing:
        return name, "unsupported", "ops: " + ", ".join(missing), missing, None
    if not MIN_OPSET <= opset <= MAX_OPSET:
        return name, "unsupported", "opset %d" % opset, ["opset %d" % opset], None
    mlir_path = os.path.join(workdir, name + ".mlir")
    ok, error = import_model(qimport, model, mlir_path)
    note = ""
    if not ok and any(k in error for k in NEEDS_CONSTANT):
        frozen_model = os.path.join(workdir, name + ".frozen.onnx")
        frozen = freeze_inputs(test_dir, model, frozen_model)
        if frozen:
            ok, error = import_model(qimport, frozen_model, mlir_path)
            note = "frozen: " + ", ".join(frozen)
    if not ok:
        kind = "fail (rejected)" if any(k in error for k in REJECTED) \
            else "fail (error)"
        return name, kind, error if not note else note + "; " + error, [], None
    return name, "pass", note, [], check_numerics(test_dir, mlir_path)


def markdown(results, data_dir):
    counts = collections.Counter(r[1] for r in results)
    missing = collections.Counter(op for r in results for op in r[3])
    lines = [
        "# ONNX backend node tests through qimport",
        "",
        "Generated by `test/frontend/onnx/node_tests.py` from `%s`." % data_dir,
        "A test passes when qimport imports it and the module verifies;",
        "numeric comparison against the reference outputs is not run yet.",
        "\"frozen\" tests had their shape-like graph inputs turned into",
        "initializers from test_data_set_0 (qimport needs them constant).",
        "\"rejected\" failures are clean diagnostics for variants qimport",
        "does not support; \"error\" failures are anything else.",
        "",
        "| result | tests |",
        "|---|---|",
    ]
    for key in ("pass", "fail (rejected)", "fail (error)", "unsupported"):
        lines.append("| %s | %d |" % (key, counts.get(key, 0)))
    lines.append("| total | %d |" % len(results))
    lines += ["", "## Imported (pass) and failed tests", "",
              "| test | import | numerics | note |", "|---|---|---|---|"]
    for name, status, note, _, numerics in results:
        if status != "unsupported":
            lines.append("| %s | %s | %s | %s |" % (
                name, status, numerics or "not run",
                note.replace("|", "\\|")))
    lines += ["", "## Why tests are unsupported", "",
              "Operators (or opsets) qimport does not take, by the number of "
              "tests that need them.", "", "| operator | tests |", "|---|---|"]
    for op, n in sorted(missing.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append("| %s | %d |" % (op, n))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--qimport", required=True)
    ap.add_argument("--data", default="/usr/share/libonnx-testdata/data/node")
    ap.add_argument("--only", nargs="*", help="test directory names")
    ap.add_argument("--workdir", default=None, help="where .mlir files go")
    ap.add_argument("--markdown", help="write the table here")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()

    supported = supported_ops(args.qimport)
    names = args.only or sorted(os.listdir(args.data))
    dirs = [os.path.join(args.data, n) for n in names
            if os.path.isfile(os.path.join(args.data, n, "model.onnx"))]
    workdir = args.workdir or os.path.join(os.getcwd(), "node-tests")
    os.makedirs(workdir, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(
            lambda d: run_one(d, args.qimport, supported, workdir), dirs))
    results.sort()
    for name, status, note, _, _ in results:
        print("%-16s %s%s" % (status, name, "  (" + note + ")" if note else ""))
    counts = collections.Counter(r[1] for r in results)
    print("pass %d, fail (rejected) %d, fail (error) %d, unsupported %d, "
          "total %d" % (counts["pass"], counts["fail (rejected)"],
                        counts["fail (error)"], counts["unsupported"],
                        len(results)))
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(markdown(results, args.data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
