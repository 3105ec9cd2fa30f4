//===- DnnlUtil.h - internal oneDNN helpers ---------------------*- C++ -*-===//
//
// Internal to qrt: includes dnnl.hpp, which the public headers avoid so that
// the interpreter and emitted programs do not pay for it.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_DNNLUTIL_H
#define QRT_DNNLUTIL_H

#include "runtime/Tensor.h"

#include <oneapi/dnnl/dnnl.hpp>

namespace qrt {
namespace detail {

/// The process-wide CPU engine (creating one per primitive is wasteful).
dnnl::engine &cpuEngine();

dnnl::memory::data_type toDnnl(DType dtype);

/// Runs `f` and converts a dnnl::error (or any std::exception) into a Status,
/// so no exception crosses the public API.
template <typename F> Status guardDnnl(const char *what, F &&f) {
  try {
    return f();
  } catch (const dnnl::error &e) {
    return Status::error(ErrorCode::Internal,
                         std::string(what) + ": oneDNN error: " + e.what());
  } catch (const std::exception &e) {
    return Status::error(ErrorCode::Internal,
                         std::string(what) + ": " + e.what());
  }
}

} // namespace detail
} // namespace qrt

#endif // QRT_DNNLUTIL_H
