//===- SymbolicInt.h - import-time ints known only at run time --*- C++ -*-===//
//
// Shape arithmetic folds at import time, but some of its ints are only known
// at run time: a dynamic batch size, and what is computed from it. They are
// kept as values at the bottom of int64's range: kUnknown for "some int", and
// symbolValue(id) for a named one (an ONNX dim_param, the batch of a
// TorchScript input), so that a reshape to (x.size(0), -1) can tell that an
// entry equals a dimension of its input and keep it dynamic.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_FRONTEND_COMMON_SYMBOLICINT_H
#define QOPT_FRONTEND_COMMON_SYMBOLICINT_H

#include <cstdint>
#include <limits>

namespace qopt::frontend {

constexpr int64_t kUnknown = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxSymbols = 1 << 20;
inline bool isUnknown(int64_t v) { return v <= kUnknown + kMaxSymbols; }
inline int64_t symbolValue(unsigned id) { return kUnknown + 1 + id; }

} // namespace qopt::frontend

#endif // QOPT_FRONTEND_COMMON_SYMBOLICINT_H
