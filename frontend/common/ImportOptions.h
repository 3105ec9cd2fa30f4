//===- ImportOptions.h - options every importer takes -----------*- C++ -*-===//

#ifndef QOPT_FRONTEND_COMMON_IMPORTOPTIONS_H
#define QOPT_FRONTEND_COMMON_IMPORTOPTIONS_H

#include <cstdint>

namespace qopt::frontend {

struct GraphOptions {
  /// Constants with more elements than this become dense_resource blobs
  /// named after their initializer or parameter (readable .mlir, fast to
  /// print and parse); smaller ones stay inline. Negative: everything inline.
  int64_t inlineElementLimit = 16;
};

} // namespace qopt::frontend

#endif // QOPT_FRONTEND_COMMON_IMPORTOPTIONS_H
