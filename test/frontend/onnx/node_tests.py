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

import numpy as np
import onnx
from onnx import numpy_helper, version_converter

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


# Tolerance of the numeric comparison: |actual - expected| <= ATOL + RTOL *
# |expected| elementwise (numpy.isclose). The references come from NumPy
# (float64 math rounded to float32); ours is float32 throughout, oneDNN
# reorders sums, so a few ulps of relative error plus an absolute floor for
# results that cancel to ~0 are expected.
RTOL, ATOL = 1e-4, 1e-5


def read_pb(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def check_numerics(test_dir, mlir_path, qrun, frozen, workdir):
    """Runs the imported module with qrun on test_data_set_0 and compares
    with its output_*.pb: "pass (max err E)" or "fail (numeric, max err E)"
    / "fail (qrun: ...)". Inputs frozen into initializers are not passed."""
    data = os.path.join(test_dir, "test_data_set_0")
    name = os.path.basename(test_dir)
    base = os.path.join(workdir, name)
    m = onnx.load(os.path.join(test_dir, "model.onnx"),
                  load_external_data=False)
    args = [qrun, mlir_path]
    for i, input_name in enumerate(data_inputs(m)):
        if input_name in frozen:
            continue
        path = "%s.in%d.npy" % (base, i)
        value = read_pb(os.path.join(data, "input_%d.pb" % i))
        if value.dtype == np.uint8:
            # qimport types uint8 graph inputs as signless i8 (the bits);
            # quant.scast gives them their u8 meaning.
            value = value.view(np.int8)
        np.save(path, value)
        args += ["--input", path]
    expected = []
    for i in range(len(m.graph.output)):
        expected.append(read_pb(os.path.join(data, "output_%d.pb" % i)))
        args += ["--output", "%s.out%d.npy" % (base, i)]
    proc = subprocess.run(args + ["--threads", "1"], capture_output=True,
                          text=True)
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        first = lines[0] if lines else "exit %d" % proc.returncode
        first = first.split("error: ", 1)[-1]
        return "fail (qrun: %s)" % first.replace("qrun: ", "", 1)
    worst, bad = 0.0, False
    for i, want in enumerate(expected):
        got = np.load("%s.out%d.npy" % (base, i))
        if got.shape != want.shape:
            return "fail (numeric, output %d shape %s, expected %s)" % (
                i, list(got.shape), list(want.shape))
        want64 = want.astype(np.float64)
        err = np.abs(got.astype(np.float64) - want64)
        if err.size:
            worst = max(worst, float(np.nanmax(err)) if not
                        np.isnan(err).all() else float("nan"))
        if not np.allclose(got, want, rtol=RTOL, atol=ATOL, equal_nan=True):
            bad = True
    if bad:
        return "fail (numeric, max err %.3g)" % worst
    return "pass (max err %.3g)" % worst


NEEDS_CONSTANT = ("must be a constant", "computable at import time",
                  "needs constant")
REJECTED = ("not supported", "is not supported", "only ", "must be a float32",
            "that the importer does not produce", "unsupported element type")


def data_inputs(m):
    """Names of the graph inputs fed by input_*.pb (older models also list
    their initializers as inputs)."""
    init = {t.name for t in m.graph.initializer}
    return [vi.name for vi in m.graph.input if vi.name not in init]


def freeze_inputs(test_dir, model_path, out_path):
    """Writes a copy of the model whose inputs 1.. are initializers holding
    test_data_set_0's values; returns their names."""
    m = onnx.load(model_path)
    data = os.path.join(test_dir, "test_data_set_0")
    frozen = []
    for i, name in enumerate(data_inputs(m)):
        pb = os.path.join(data, "input_%d.pb" % i)
        if i == 0 or not os.path.exists(pb):
            continue
        t = onnx.TensorProto()
        with open(pb, "rb") as f:
            t.ParseFromString(f.read())
        t.name = name
        m.graph.initializer.append(t)
        frozen.append(name)
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


Result = collections.namedtuple(
    "Result", "suite name status note missing numerics")


def run_one(test_dir, tools, supported, workdir):
    qimport, qrun = tools
    suite = os.path.basename(os.path.dirname(test_dir))
    name = os.path.basename(test_dir)
    model = os.path.join(test_dir, "model.onnx")
    try:
        opset, ops = model_ops(model)
    except Exception as e:  # unreadable test model: report, don't stop
        return Result(suite, name, "fail", "onnx.load: %s" % e, [], None)
    missing = [op for op in ops if op not in supported]
    if missing:
        return Result(suite, name, "unsupported", "ops: " + ", ".join(missing),
                      missing, None)
    note, frozen = "", []
    if opset < MIN_OPSET:
        # Older models (most of the pytorch-* folders are opset 6) go through
        # ONNX's version converter first, as a user of qimport would.
        converted = os.path.join(workdir, name + ".opset13.onnx")
        try:
            m = version_converter.convert_version(onnx.load(model), 13)
            onnx.checker.check_model(m)
            onnx.save(m, converted)
        except Exception as e:
            return Result(suite, name, "unsupported",
                          "opset %d (version converter: %s)" % (
                              opset, str(e).splitlines()[0][:80]),
                          ["opset %d" % opset], None)
        model, note = converted, "converted from opset %d" % opset
    elif opset > MAX_OPSET:
        return Result(suite, name, "unsupported", "opset %d" % opset,
                      ["opset %d" % opset], None)
    mlir_path = os.path.join(workdir, name + ".mlir")
    ok, error = import_model(qimport, model, mlir_path)
    if not ok and any(k in error for k in NEEDS_CONSTANT):
        frozen_model = os.path.join(workdir, name + ".frozen.onnx")
        frozen = freeze_inputs(test_dir, model, frozen_model)
        if frozen:
            ok, error = import_model(qimport, frozen_model, mlir_path)
            note = (note + "; " if note else "") + \
                "frozen: " + ", ".join(frozen)
    if not ok:
        kind = "fail (rejected)" \
            if any(k in error for k in REJECTED + NEEDS_CONSTANT) \
            else "fail (error)"
        return Result(suite, name, kind,
                      error if not note else note + "; " + error, [], None)
    numerics = check_numerics(test_dir, mlir_path, qrun, frozen, workdir) \
        if qrun else None
    return Result(suite, name, "pass", note, [], numerics)


def numeric_kind(r):
    """The numerics column's class: pass, fail (numeric), fail (qrun), or
    None when not run."""
    if not r.numerics:
        return None
    if r.numerics.startswith("pass"):
        return "pass"
    return "fail (numeric)" if r.numerics.startswith("fail (numeric") \
        else "fail (qrun)"


def markdown(results, data_dirs, numerics_run):
    counts = collections.Counter((r.suite, r.status) for r in results)
    ncounts = collections.Counter((r.suite, numeric_kind(r)) for r in results)
    missing = collections.Counter(op for r in results for op in r.missing)
    suites = sorted({r.suite for r in results},
                    key=lambda s: (s != "node", s))
    lines = [
        "# ONNX backend tests through qimport and qrun",
        "",
        "Generated by `test/frontend/onnx/node_tests.py` from %s." %
        ", ".join("`%s`" % d for d in data_dirs),
        "Import passes when qimport imports the model and the module",
        "verifies. Numerics run the imported module with qrun on",
        "test_data_set_0 and compare every output with `output_*.pb`:",
        "pass when |qrun - reference| <= %g + %g * |reference| elementwise"
        % (ATOL, RTOL),
        "(the max absolute error is shown either way)." if numerics_run else
        "(not run in this table).",
        "\"frozen\" tests had their shape-like graph inputs turned into",
        "initializers from test_data_set_0 (qimport needs them constant).",
        "\"rejected\" failures are clean diagnostics for variants qimport",
        "does not support; \"error\" failures are anything else.",
        "Tests whose numerics pass are listed in",
        "`test/frontend/onnx/Inputs/numerics-expected-pass.txt`;",
        "`node-tests-numerics.test` fails when one of them stops passing.",
        "",
        "| result | " + " | ".join(suites) + " |",
        "|---|" + "---|" * len(suites),
    ]
    for key in ("pass", "fail (rejected)", "fail (error)", "unsupported"):
        lines.append("| import: %s | %s |" % (key, " | ".join(
            str(counts.get((s, key), 0)) for s in suites)))
    if numerics_run:
        for key in ("pass", "fail (numeric)", "fail (qrun)"):
            lines.append("| numerics: %s | %s |" % (key, " | ".join(
                str(ncounts.get((s, key), 0)) for s in suites)))
    lines.append("| total | %s |" % " | ".join(
        str(sum(1 for r in results if r.suite == s)) for s in suites))
    for s in suites:
        lines += ["", "## %s: imported and failed tests" % s, "",
                  "| test | import | numerics | note |", "|---|---|---|---|"]
        for r in results:
            if r.suite == s and r.status != "unsupported":
                lines.append("| %s | %s | %s | %s |" % (
                    r.name, r.status, r.numerics or "not run",
                    (r.note + ("; " if r.note and NUMERIC_NOTES.get(r.name)
                               else "") + NUMERIC_NOTES.get(r.name, ""))
                    .replace("|", "\\|")))
    lines += ["", "## Why tests are unsupported", "",
              "Operators (or opsets) qimport does not take, by the number of "
              "tests that need them (all suites).", "",
              "| operator | tests |", "|---|---|"]
    for op, n in sorted(missing.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append("| %s | %d |" % (op, n))
    return "\n".join(lines) + "\n"


# Why a test that imports does not match its reference (shown in the table).
NUMERIC_NOTES = {}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--qimport", required=True)
    ap.add_argument("--qrun", help="run numerics with this qrun")
    ap.add_argument("--data", nargs="+",
                    default=["/usr/share/libonnx-testdata/data/node"],
                    help="folders of test directories")
    ap.add_argument("--only", nargs="*", help="test directory names")
    ap.add_argument("--expect-pass",
                    help="file of suite/test names whose numerics must pass; "
                    "exit 1 when one does not")
    ap.add_argument("--workdir", default=None, help="where .mlir files go")
    ap.add_argument("--markdown", help="write the table here")
    ap.add_argument("--write-expect-pass",
                    help="write the suite/test names whose numerics pass")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()

    expected = []
    if args.expect_pass:
        with open(args.expect_pass) as f:
            expected = [line.strip() for line in f
                        if line.strip() and not line.startswith("#")]
    only = set(args.only or [])
    if expected and not only:
        only = {e.split("/", 1)[1] for e in expected}
    supported = supported_ops(args.qimport)
    dirs = []
    for data in args.data:
        for n in sorted(os.listdir(data)):
            if (not only or n in only) and \
                    os.path.isfile(os.path.join(data, n, "model.onnx")):
                dirs.append(os.path.join(data, n))
    workdir = args.workdir or os.path.join(os.getcwd(), "node-tests")
    os.makedirs(workdir, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(
            lambda d: run_one(d, (args.qimport, args.qrun), supported,
                              workdir), dirs))
    results.sort(key=lambda r: (r.suite != "node", r.suite, r.name))
    for r in results:
        print("%-16s %s/%s%s%s" % (
            r.status, r.suite, r.name, "  (" + r.note + ")" if r.note else "",
            "  numerics: " + r.numerics if r.numerics else ""))
    counts = collections.Counter(r.status for r in results)
    print("pass %d, fail (rejected) %d, fail (error) %d, unsupported %d, "
          "total %d" % (counts["pass"], counts["fail (rejected)"],
                        counts["fail (error)"], counts["unsupported"],
                        len(results)))
    status = 0
    if args.qrun:
        ncounts = collections.Counter(numeric_kind(r) for r in results)
        print("numerics: pass %d, fail (numeric) %d, fail (qrun) %d" % (
            ncounts["pass"], ncounts["fail (numeric)"],
            ncounts["fail (qrun)"]))
        passed = {"%s/%s" % (r.suite, r.name) for r in results
                  if numeric_kind(r) == "pass"}
        regressed = [e for e in expected if e not in passed]
        for e in regressed:
            print("REGRESSION: %s no longer passes its numerics" % e)
        if regressed:
            status = 1
        if args.write_expect_pass:
            with open(args.write_expect_pass, "w") as f:
                f.write("# Tests whose imported module matches output_*.pb "
                        "through qrun\n# (written by node_tests.py "
                        "--write-expect-pass; checked by "
                        "node-tests-numerics.test).\n")
                f.write("".join(p + "\n" for p in sorted(passed)))
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(markdown(results, args.data, bool(args.qrun)))
    return status


if __name__ == "__main__":
    sys.exit(main())
