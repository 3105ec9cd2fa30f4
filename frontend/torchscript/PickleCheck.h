//===- PickleCheck.h - lengths in a pickle against its size -----*- C++ -*-===//
//
// LibTorch 1.13's Unpickler sizes a string or bytes object by the length the
// pickle declares and zero-fills it before reading it (Unpickler::readBytes:
// resize, then read), so 18 bytes declaring a 4 GB string make it touch
// 4 GB before it finds the archive short; it also grows its memo table to
// any id a BINPUT names, and it reads a damaged debug_pkl where its errors
// cannot be caught (fuzz-torchscript found all three). The reader walks
// each pickle of an archive first and refuses a length that runs past the
// end of its record, or a memo id no pickler would write. No LibTorch
// types: plain bytes in.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_FRONTEND_TORCHSCRIPT_PICKLECHECK_H
#define QOPT_FRONTEND_TORCHSCRIPT_PICKLECHECK_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace qopt::torch_import {

/// Walks the opcodes of a pickle (protocols 0-5) up to STOP. Returns false
/// with `error` set when an opcode's argument or declared length runs past
/// `size`, a memo id is not below the number of opcodes read, an opcode is
/// unknown, or there is no STOP. Strict because LibTorch unpickles an
/// archive's debug_pkl lazily, inside jit::ErrorReport::what(), which is
/// noexcept: an error there was std::terminate (fuzz-torchscript).
bool checkPickleLengths(const uint8_t *data, size_t size, std::string &error);

/// A tensor storage a pickle names through BINPERSID: TorchScript's
/// ('storage', torch.<Type>Storage, key, location, numel) tuple. LibTorch
/// 1.13 gives the storage numel * elementBytes bytes over the record
/// `<pickle name without .pkl>/<key>` without comparing the record's size,
/// so a short record was read past its end (fuzz-torchscript).
struct PickleStorage {
  std::string key, type; // e.g. "0", "FloatStorage"
  int64_t numel = 0;
  int64_t elementBytes = 0; // 0: a storage type this check does not know
};

/// The storages of a pickle that checkPickleLengths accepted, by simulating
/// the unpickler's stack for the opcodes TorchScript's pickler writes.
/// `complete` is false when an opcode outside that set (or a stack the
/// simulation cannot follow) stopped it: the storages before that point
/// are returned, nothing after it is judged.
std::vector<PickleStorage> pickleStorages(const uint8_t *data, size_t size,
                                          bool &complete);

} // namespace qopt::torch_import

#endif // QOPT_FRONTEND_TORCHSCRIPT_PICKLECHECK_H
