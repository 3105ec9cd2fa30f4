"""make_archives.py SEED.pt OUTDIR: TorchScript archives for
test/fuzz/torchscript-pickle.test, made from a fuzz seed (an archive of a
scripted or traced module) by rewriting one pickle record."""
import os
import pickletools
import sys
import zipfile


def rewrite(seed, out, suffix, change, compress=None):
    """Copies `seed` to `out` with the first record ending in `suffix`
    replaced by change(bytes) (and stored with `compress`, if given)."""
    done = False
    with zipfile.ZipFile(seed) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if not done and info.filename.endswith(suffix):
                data, done = change(data), True
                if compress is not None:
                    info.compress_type = compress
                    # Level 0: stored deflate blocks, so a damaged byte
                    # still inflates to the declared size.
                    zout.writestr(info, data, compresslevel=0)
                    continue
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
    # After PROTO 2: a BINUNICODE declaring 4,269,735,937 bytes (the
    # fuzzer's data.pkl had it): LibTorch 1.13's unpickler zero-filled them
    # before finding the record short.
    string = b"X" + (4269735937).to_bytes(4, "little")
    rewrite(seed, os.path.join(outdir, "huge-string.pt"), "data.pkl",
            lambda d: d[:2] + string + d[2:])
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
    # A weight's storage record with one byte changed and the CRC-32 of the
    # archive's directory left as it was: LibTorch's miniz checks no CRC, so
    # the model loaded with a wrong weight.
    damage(seed, os.path.join(outdir, "damaged-storage.pt"), "/data/0",
           lambda at, n: at + n // 2)
    # A code record stored deflated whose compressed stream is damaged
    # halfway (fuzz-torchscript's archive: miniz inflated what came before
    # the damage and LibTorch returned the record at its declared size, the
    # rest uninitialized heap). Here the stream inflates, to other bytes.
    deflated = os.path.join(outdir, "deflated-code.pt")
    rewrite(seed, deflated, "code/__torch__.py", lambda d: d,
            zipfile.ZIP_DEFLATED)
    damage(deflated, os.path.join(outdir, "damaged-deflate.pt"),
           "code/__torch__.py", lambda at, n: at + n // 2)
    # A directory whose end record declares 60,000 entries (written by
    # Python's zipfile: no Zip64 records).
    data = bytearray(open(deflated, "rb").read())
    end = data.rfind(b"PK\x05\x06")
    data[end + 8:end + 12] = (60000).to_bytes(2, "little") * 2
    open(os.path.join(outdir, "many-entries.pt"), "wb").write(bytes(data))


def damage(src, out, suffix, where):
    """Copies `src` to `out` with the byte at where(data offset, compressed
    size) of the first record ending in `suffix` inverted; the directory's
    CRC-32 is kept."""
    with zipfile.ZipFile(src) as z:
        info = next(i for i in z.infolist() if i.filename.endswith(suffix))
    data = bytearray(open(src, "rb").read())
    header = info.header_offset
    name_len = int.from_bytes(data[header + 26:header + 28], "little")
    extra_len = int.from_bytes(data[header + 28:header + 30], "little")
    at = where(header + 30 + name_len + extra_len, info.compress_size)
    data[at] ^= 0xFF
    open(out, "wb").write(bytes(data))


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
