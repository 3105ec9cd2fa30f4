//===- Data.h - IDX and .npy files ------------------------------*- C++ -*-===//
//
// The file formats; runtime/Dataset.h builds data sets on them.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_DATA_H
#define QRT_DATA_H

#include "runtime/Tensor.h"

#include <string>
#include <vector>

namespace qrt {

/// Reads an IDX file (optionally gzip-compressed; zlib detects it) of
/// unsigned bytes (type code 0x08) into a u8 tensor with the file's dims.
/// Errors: IoError when missing, FormatError on a bad magic, a dim count
/// over 4, or fewer bytes than the header promises.
Expected<Tensor> readIdx(const std::string &path);

/// NumPy .npy (format 1.0/2.0/3.0, C order, little-endian f4/i1/u1/i4/i8).
Expected<Tensor> readNpy(const std::string &path);
/// Writes format 1.0.
Status writeNpy(const std::string &path, const Tensor &t);

} // namespace qrt

#endif // QRT_DATA_H
