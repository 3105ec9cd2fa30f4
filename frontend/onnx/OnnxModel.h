//===- OnnxModel.h - a neutral in-memory ONNX graph -------------*- C++ -*-===//
//
// The protobuf reader (OnnxReader.cpp) is the only code that sees ONNX's C++
// headers: they need exceptions and RTTI, which libMLIR code is built without.
// It fills these plain structs, which the MLIR importer then reads; the
// exporter (export/onnx) fills them for its writer. Nothing here depends on
// ONNX, protobuf or MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_FRONTEND_ONNX_ONNXMODEL_H
#define QOPT_FRONTEND_ONNX_ONNXMODEL_H

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace qopt::onnx_import {

/// ONNX TensorProto.DataType values the importer distinguishes.
enum class ElemType : int32_t {
  Undefined = 0,
  Float = 1,
  UInt8 = 2,
  Int8 = 3,
  UInt16 = 4,
  Int16 = 5,
  Int32 = 6,
  Int64 = 7,
  String = 8,
  Bool = 9,
  Float16 = 10,
  Double = 11,
  UInt32 = 12,
  UInt64 = 13,
  BFloat16 = 16,
};

/// Name of an element type as ONNX spells it ("float", "int64", ...).
const char *elemTypeName(ElemType type);

/// Size in bytes of one element; 0 for types without a fixed size.
unsigned elemTypeSize(ElemType type);

/// A tensor with its data as little-endian bytes in the natural layout of
/// `type` (booleans one byte each), whatever field the file stored it in.
struct OnnxTensor {
  std::string name;
  ElemType type = ElemType::Undefined;
  std::vector<int64_t> dims;
  std::vector<char> data;

  int64_t numElements() const;
};

/// Type of a graph value. A dimension of -1 is unknown (symbolic, like a
/// batch size `N`, or not inferred); `hasShape` is false when even the rank
/// is unknown.
struct OnnxValueInfo {
  std::string name;
  ElemType type = ElemType::Undefined;
  bool hasShape = false;
  std::vector<int64_t> dims;
  /// Per dimension, the symbolic name (dim_param) or "".
  std::vector<std::string> dimParams;
};

struct OnnxAttribute {
  enum class Kind {
    Undefined,
    Float,
    Int,
    String,
    Tensor,
    Graph,
    Floats,
    Ints,
    Strings,
    Other
  };
  Kind kind = Kind::Undefined;
  float f = 0;
  int64_t i = 0;
  std::string s;
  OnnxTensor t;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
};

struct OnnxNode {
  std::string name;
  std::string opType;
  std::string domain;               // "" is the default ai.onnx domain
  std::vector<std::string> inputs;  // "" marks an omitted optional input
  std::vector<std::string> outputs; // "" marks an omitted optional output
  std::map<std::string, OnnxAttribute> attributes;

  const OnnxAttribute *attr(const std::string &key) const {
    auto it = attributes.find(key);
    return it == attributes.end() ? nullptr : &it->second;
  }
};

struct OnnxModel {
  int64_t irVersion = 0;
  /// Opset of the default (ai.onnx) domain; other domains by name.
  int64_t opset = 0;
  std::map<std::string, int64_t> otherOpsets;
  std::string producer;
  std::vector<OnnxValueInfo> inputs; // initializers already removed
  std::vector<OnnxValueInfo> outputs;
  std::vector<OnnxTensor> initializers;
  std::vector<OnnxNode> nodes;
  /// Every typed value: inputs, outputs, and what shape inference found.
  std::map<std::string, OnnxValueInfo> valueInfo;
  /// Set when ONNX shape inference rejected the model (the importer reports
  /// it as an error); empty otherwise.
  std::string shapeInferenceError;
};

/// Reads and shape-infers `path`. On failure returns nullopt and sets
/// `error` to a one-line message (file missing, not an ONNX model, ...).
std::optional<OnnxModel> readOnnxModel(const std::string &path,
                                       std::string &error);

} // namespace qopt::onnx_import

#endif // QOPT_FRONTEND_ONNX_ONNXMODEL_H
