"""make_archives.py SEED.pt OUTDIR: TorchScript archives for
test/fuzz/torchscript-pickle.test, made from a fuzz seed (an archive of a
scripted or traced module) by rewriting one pickle record."""
import os
import pickletools
import sys
import zipfile


def rewrite(seed, out, suffix, change):
    """Copies `seed` to `out` with the first record ending in `suffix`
    replaced by change(bytes)."""
    done = False
    with zipfile.ZipFile(seed) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if not done and info.filename.endswith(suffix):
                data, done = change(data), True
            zout.writestr(info, data)
    assert done, suffix


def main(seed, outdir):
    os.makedirs(outdir, exist_ok=True)
    # After PROTO 2: EMPTY_LIST, LONG_BINPUT 0x7fffffff, POP. A valid pickle
    # whose memo id would make LibTorch's unpickler grow its memo table to
    # 2^31 IValues (the fuzzer's was 1,848,600,675, in a debug_pkl).
    memo = b"]r" + (0x7FFFFFFF).to_bytes(4, "little") + b"0"
    rewrite(seed, os.path.join(outdir, "huge-memo-id.pt"), "data.pkl",
            lambda d: d[:2] + memo + d[2:])
    # A weight's storage record cut to half its bytes: data.pkl still
    # declares the full element count, and LibTorch 1.13 sized the storage by
    # it, over the shorter record (fuzz-torchscript: a heap-buffer-overflow
    # reading the constant).
    rewrite(seed, os.path.join(outdir, "short-storage.pt"), "/data/0",
            lambda d: d[:len(d) // 2])
    # A compile error in the archive's code and a debug_pkl that is not a
    # pickle: LibTorch unpickles the debug_pkl lazily, when the error's
    # what() quotes the source, and what() is noexcept (std::terminate).
    rewrite(seed, os.path.join(outdir, "bad-code.pt"), "code/__torch__.py",
            lambda d: d + b"\n  def (\n")
    rewrite(os.path.join(outdir, "bad-code.pt"),
            os.path.join(outdir, "bad-debug-pkl.pt"), "code/__torch__.py.debug_pkl",
            lambda d: d[:2] + b"\xff" + d[3:])
    # A debug_pkl whose first source names text 200 of a string table of a
    # few entries: LibTorch 1.13 indexes the table unchecked when it maps
    # a node back to its Python line (the importer does, for every node), or
    # when an error message highlights the code (fuzz-torchscript: SEGV).
    rewrite(seed, os.path.join(outdir, "debug-pkl-index.pt"),
            "code/__torch__.py.debug_pkl", first_text_index(200))


def first_text_index(value):
    """Sets the first item of the first non-empty build_intlist list (a
    source's text indices) to `value`, a BININT1."""
    def change(data):
        ops = list(pickletools.genops(data))
        for k in range(len(ops) - 2):
            if (ops[k][0].name, ops[k + 1][0].name, ops[k + 2][0].name) == \
                    ("EMPTY_LIST", "MARK", "BININT1"):
                at = ops[k + 2][2] + 1
                return data[:at] + bytes([value]) + data[at + 1:]
        raise AssertionError("no text index")
    return change


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
