//===- TensorProtoIO.h - ONNX TensorProto files as qrt tensors --*- C++ -*-===//
//
// The input_*.pb / output_*.pb files of ONNX's backend tests (one serialized
// onnx.TensorProto each), for qrun's --input / --output. No ONNX or MLIR
// types in the interface: the protobuf code stays in TensorProtoIO.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_FRONTEND_ONNX_TENSORPROTOIO_H
#define QOPT_FRONTEND_ONNX_TENSORPROTOIO_H

#include "runtime/Status.h"
#include "runtime/Tensor.h"

#include <string>

namespace qopt::onnx_io {

/// Reads a TensorProto (float, uint8, int8, int32 or int64; raw_data or the
/// typed fields). IoError if unreadable; FormatError for a file that is not
/// a TensorProto, external data, an unsupported type, or a data size that
/// does not match the dims.
qrt::Expected<qrt::Tensor> readTensorProto(const std::string &path);

/// Writes `t` as a TensorProto with raw_data.
qrt::Status writeTensorProto(const std::string &path, const qrt::Tensor &t);

} // namespace qopt::onnx_io

#endif // QOPT_FRONTEND_ONNX_TENSORPROTOIO_H
