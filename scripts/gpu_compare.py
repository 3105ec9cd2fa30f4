#!/usr/bin/env python3
"""gpu_compare.py KIND ACTUAL EXPECTED [--rtol R] [--atol A]
   gpu_compare.py randn OUT D0,D1,...   (an f32 .npy of N(0, 1), seeded)

The comparisons of scripts/gpu-check.sh's program stage, in plain Python
(the GPU machine may lack numpy):
  npy    two .npy files (little-endian f32 / i32 / i64 / u8 / i8, C order):
         identical with --exact, else |a - e| <= atol + rtol |e| everywhere;
  qckpt  two qrt checkpoints (runtime/Checkpoint.h, version 1): the same
         tensor names, dtypes and shapes; f32 tensors within the tolerance,
         the others identical.
Prints one line "OK ..." or "DIFF ..." (the worst element) and exits 0 / 1.
"""
import argparse
import ast
import struct
import sys
from array import array

NPY_TYPES = {"<f4": "f", "<i4": "i", "<i8": "q", "|u1": "B", "|i1": "b",
             "<u1": "B", "<i1": "b"}
# runtime/Tensor.h's DType order.
CKPT_TYPES = {0: "f", 1: "b", 2: "B", 3: "i", 4: "q"}


def read_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        sys.exit(f"{path}: not a .npy file")
    major = data[6]
    if major == 1:
        (hlen,), start = struct.unpack_from("<H", data, 8), 10
    else:
        (hlen,), start = struct.unpack_from("<I", data, 8), 12
    header = ast.literal_eval(data[start:start + hlen].decode("latin1"))
    if header.get("fortran_order"):
        sys.exit(f"{path}: Fortran order is not supported")
    code = NPY_TYPES.get(header["descr"])
    if code is None:
        sys.exit(f"{path}: dtype {header['descr']} is not supported")
    values = array(code)
    values.frombytes(data[start + hlen:])
    return tuple(header["shape"]), code, values


def read_qckpt(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"QRTCKPT\0" or data[-8:] != b"QRTCEND\0":
        sys.exit(f"{path}: not a qrt checkpoint")
    version, _flags, nmeta, ntensors = struct.unpack_from("<IIQQ", data, 8)
    if version != 1:
        sys.exit(f"{path}: checkpoint version {version}")
    pos = 32
    for _ in range(nmeta):
        (klen,) = struct.unpack_from("<I", data, pos)
        pos += 4 + klen
        (count,) = struct.unpack_from("<Q", data, pos)
        pos += 8 + 8 * count
    tensors = {}
    for _ in range(ntensors):
        (nlen,) = struct.unpack_from("<I", data, pos)
        name = data[pos + 4:pos + 4 + nlen].decode()
        pos += 4 + nlen
        dtype, rank = struct.unpack_from("<II", data, pos)
        pos += 8
        shape = struct.unpack_from(f"<{rank}q", data, pos)
        pos += 8 * rank
        (nbytes,) = struct.unpack_from("<Q", data, pos)
        pos += 8
        code = CKPT_TYPES.get(dtype)
        if code is None:
            sys.exit(f"{path}: tensor {name}: dtype {dtype} is not supported")
        values = array(code)
        values.frombytes(data[pos:pos + nbytes])
        pos += nbytes
        tensors[name] = (shape, code, values)
    return tensors


def worst(actual, expected, exact, rtol, atol):
    """(count of bad elements, index of the worst, its two values)."""
    bad, worst_i, worst_d = 0, -1, -1.0
    for i, (a, e) in enumerate(zip(actual, expected)):
        d = abs(float(a) - float(e))
        ok = a == e if exact else (d <= atol + rtol * abs(float(e)) or a == e)
        if not ok:
            bad += 1
        if d > worst_d or (d != d and worst_d == worst_d):
            worst_i, worst_d = i, d
    return bad, worst_i


def compare(name, a, e, exact, rtol, atol):
    (sa, ca, va), (se, ce, ve) = a, e
    if sa != se or ca != ce:
        return f"{name}: {ca}{list(sa)} vs expected {ce}{list(se)}"
    exact = exact or ca != "f"
    bad, i = worst(va, ve, exact, rtol, atol)
    if bad:
        return (f"{name}: {bad} of {len(va)} elements differ; worst at {i}: "
                f"{va[i]} vs expected {ve[i]}")
    return None


def write_randn(path, shape):
    """An input for timing runs, made where it runs (large inputs are not
    carried in the bundle)."""
    import random
    rng = random.Random(0)
    n = 1
    for d in shape:
        n *= d
    values = array("f", (rng.gauss(0.0, 1.0) for _ in range(n)))
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s,), }" % (
        ", ".join(str(d) for d in shape))
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode())
        f.write(values.tobytes())


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "randn":
        write_randn(sys.argv[2], [int(d) for d in sys.argv[3].split(",")])
        return
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=["npy", "qckpt"])
    p.add_argument("actual")
    p.add_argument("expected")
    p.add_argument("--rtol", type=float, default=1e-5)
    p.add_argument("--atol", type=float, default=1e-6)
    p.add_argument("--exact", action="store_true")
    a = p.parse_args()
    tol = "identical" if a.exact else f"rtol {a.rtol}, atol {a.atol}"
    if a.kind == "npy":
        x, y = read_npy(a.actual), read_npy(a.expected)
        why = compare(a.actual, x, y, a.exact, a.rtol, a.atol)
        count = len(x[2])
    else:
        x, y = read_qckpt(a.actual), read_qckpt(a.expected)
        if sorted(x) != sorted(y):
            why = f"tensors {sorted(set(x) ^ set(y))} are in one file only"
        else:
            why = next((w for n in y
                        if (w := compare(n, x[n], y[n], a.exact, a.rtol,
                                         a.atol))), None)
        count = sum(len(v[2]) for v in x.values())
    if why:
        print(f"DIFF {why} ({tol})")
        sys.exit(1)
    print(f"OK {count} elements ({tol})")


if __name__ == "__main__":
    main()
