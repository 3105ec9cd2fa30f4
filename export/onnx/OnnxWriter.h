//===- OnnxWriter.h - the neutral OnnxModel to an .onnx file ----*- C++ -*-===//
//
// The exporter fills the OnnxModel that frontend/onnx's reader fills
// (frontend/onnx/OnnxModel.h); OnnxWriter.cpp, the only exporter code that
// sees ONNX's headers, turns it into protobuf.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_EXPORT_ONNX_ONNXWRITER_H
#define QOPT_EXPORT_ONNX_ONNXWRITER_H

#include "frontend/onnx/OnnxModel.h"

#include <string>

namespace qopt::onnx_export {

/// Serializes `model` (opset `model.opset` of the default domain) to `path`
/// after onnx::checker and strict shape inference accept it. On failure
/// returns false with `error` set to a one-line message.
bool writeOnnxModel(const onnx_import::OnnxModel &model,
                    const std::string &path, std::string &error);

} // namespace qopt::onnx_export

#endif // QOPT_EXPORT_ONNX_ONNXWRITER_H
