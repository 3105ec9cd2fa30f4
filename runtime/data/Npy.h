//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
//
// Reads and writes NumPy's .npy format (versions 1.0-3.0, little-endian,
// C order) for the dtypes qrt has: f32, i8, u8, i32, i64. This is how qrun
// exchanges tensors with Python tests and users.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_DATA_NPY_H
#define QRT_DATA_NPY_H

#include "runtime/Tensor.h"

#include <string>

namespace qrt {

/// Reads a .npy file. Errors name the file and what is wrong with it
/// (missing, truncated, unsupported dtype or Fortran order).
Expected<Tensor> readNpy(const std::string &path);

/// Writes `t` as a version 1.0 .npy file.
Status writeNpy(const std::string &path, const Tensor &t);

} // namespace qrt

#endif // QRT_DATA_NPY_H
