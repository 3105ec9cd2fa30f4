//===- SourceRangeCheck.h - debug_pkl records LibTorch trusts -*- C++ -*-===//
//
// Each code/<file>.py of a TorchScript archive may have a <file>.py.debug_pkl:
// the source ranges of the Python that generated the code, which LibTorch
// 1.13 unpickles lazily (ConcreteSourceRangeUnpickler) when a range is
// mapped back, i.e. when an error message highlights the code and when the
// importer names a node's Python line. Its SourceRangeDeserializer indexes
// the pickle's string table with the record's numbers unchecked, and its
// callers include jit::ErrorReport::what(), which is noexcept: a text index
// past the table was a SEGV in Source::findSourceRangeThatGenerated inside
// jit::load (fuzz-torchscript), a wrong type std::terminate. The reader
// checks each debug_pkl's shape, types, indices and offsets first. No
// LibTorch types: plain bytes in.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_FRONTEND_TORCHSCRIPT_SOURCERANGECHECK_H
#define QOPT_FRONTEND_TORCHSCRIPT_SOURCERANGECHECK_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace qopt::torch_import {

/// Returns false with `error` set when the pickle (one that
/// checkPickleLengths accepted) is not what LibTorch 1.13's source-range
/// unpickler reads without undefined behaviour or an exception: a non-empty
/// tuple of records (offset, range[, tag]), optionally behind
/// ("FORMAT_WITH_STRING_TABLE", (str, ...), records); a range is
/// (source, start, end) with 0 <= start <= the source's length and
/// start <= end (LibTorch clamps the end to the text); a
/// source is (List[int] of string-table indices, filename index, line) with
/// every index inside the table, or (str, Optional[str], line) without one.
/// An opcode TorchScript's pickler does not write is refused too.
bool checkSourceRangePickle(const uint8_t *data, size_t size,
                            std::string &error);

} // namespace qopt::torch_import

#endif // QOPT_FRONTEND_TORCHSCRIPT_SOURCERANGECHECK_H
