//===- OnnxReader.cpp - protobuf to the neutral OnnxModel -----------------===//
//
// The one translation unit that includes ONNX's headers. It is compiled with
// exceptions and RTTI (ONNX's shape inference throws), so it must not define
// classes derived from MLIR or LLVM classes; it only fills OnnxModel.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/OnnxModel.h"

#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace qopt::onnx_import {

const char *elemTypeName(ElemType type) {
  switch (type) {
  case ElemType::Float:
    return "float";
  case ElemType::UInt8:
    return "uint8";
  case ElemType::Int8:
    return "int8";
  case ElemType::UInt16:
    return "uint16";
  case ElemType::Int16:
    return "int16";
  case ElemType::Int32:
    return "int32";
  case ElemType::Int64:
    return "int64";
  case ElemType::String:
    return "string";
  case ElemType::Bool:
    return "bool";
  case ElemType::Float16:
    return "float16";
  case ElemType::Double:
    return "double";
  case ElemType::UInt32:
    return "uint32";
  case ElemType::UInt64:
    return "uint64";
  case ElemType::BFloat16:
    return "bfloat16";
  default:
    return "undefined";
  }
}

unsigned elemTypeSize(ElemType type) {
  switch (type) {
  case ElemType::UInt8:
  case ElemType::Int8:
  case ElemType::Bool:
    return 1;
  case ElemType::UInt16:
  case ElemType::Int16:
  case ElemType::Float16:
  case ElemType::BFloat16:
    return 2;
  case ElemType::Float:
  case ElemType::Int32:
  case ElemType::UInt32:
    return 4;
  case ElemType::Int64:
  case ElemType::Double:
  case ElemType::UInt64:
    return 8;
  default:
    return 0;
  }
}

int64_t OnnxTensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : dims)
    if (__builtin_mul_overflow(n, d, &n))
      return -1;
  return n;
}

namespace {

template <typename To, typename Field>
void copyField(const Field &field, std::vector<char> &out) {
  out.resize(field.size() * sizeof(To));
  for (int i = 0; i < field.size(); ++i) {
    To v = static_cast<To>(field.Get(i));
    std::memcpy(out.data() + i * sizeof(To), &v, sizeof(To));
  }
}

/// Converts a TensorProto; returns false with `error` set when its data
/// cannot be read.
bool convertTensor(const onnx::TensorProto &proto, OnnxTensor &out,
                   std::string &error) {
  out.name = proto.name();
  out.type = static_cast<ElemType>(proto.data_type());
  out.dims.assign(proto.dims().begin(), proto.dims().end());
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    error = "tensor '" + proto.name() + "' uses external data (unsupported)";
    return false;
  }
  unsigned size = elemTypeSize(out.type);
  if (size == 0) {
    error = "tensor '" + proto.name() + "' has unsupported element type " +
            elemTypeName(out.type);
    return false;
  }
  for (int64_t d : out.dims)
    if (d < 0) {
      error = "tensor '" + proto.name() + "' has a negative dimension";
      return false;
    }
  if (proto.has_raw_data()) {
    out.data.assign(proto.raw_data().begin(), proto.raw_data().end());
  } else {
    switch (out.type) {
    case ElemType::Float:
      copyField<float>(proto.float_data(), out.data);
      break;
    case ElemType::Double:
      copyField<double>(proto.double_data(), out.data);
      break;
    case ElemType::Int64:
      copyField<int64_t>(proto.int64_data(), out.data);
      break;
    case ElemType::UInt32:
      copyField<uint32_t>(proto.uint64_data(), out.data);
      break;
    case ElemType::UInt64:
      copyField<uint64_t>(proto.uint64_data(), out.data);
      break;
    case ElemType::Int32:
      copyField<int32_t>(proto.int32_data(), out.data);
      break;
    case ElemType::Int16:
      copyField<int16_t>(proto.int32_data(), out.data);
      break;
    case ElemType::UInt16:
    case ElemType::Float16:
    case ElemType::BFloat16:
      copyField<uint16_t>(proto.int32_data(), out.data);
      break;
    case ElemType::Int8:
      copyField<int8_t>(proto.int32_data(), out.data);
      break;
    case ElemType::UInt8:
    case ElemType::Bool:
      copyField<uint8_t>(proto.int32_data(), out.data);
      break;
    default:
      break;
    }
  }
  int64_t bytes;
  if (out.numElements() < 0 ||
      __builtin_mul_overflow(out.numElements(), (int64_t)size, &bytes)) {
    error = "tensor '" + proto.name() + "' has a shape too large to address";
    return false;
  }
  if ((int64_t)out.data.size() != bytes) {
    error = "tensor '" + proto.name() + "' holds " +
            std::to_string(out.data.size()) + " bytes, its shape needs " +
            std::to_string(bytes);
    return false;
  }
  return true;
}

OnnxValueInfo convertValueInfo(const onnx::ValueInfoProto &proto) {
  OnnxValueInfo info;
  info.name = proto.name();
  if (!proto.type().has_tensor_type())
    return info;
  const onnx::TypeProto_Tensor &t = proto.type().tensor_type();
  info.type = static_cast<ElemType>(t.elem_type());
  if (!t.has_shape())
    return info;
  info.hasShape = true;
  for (const onnx::TensorShapeProto_Dimension &d : t.shape().dim()) {
    info.dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
    info.dimParams.push_back(d.has_dim_param() ? d.dim_param() : "");
  }
  return info;
}

bool convertAttribute(const onnx::AttributeProto &proto, OnnxAttribute &out,
                      std::string &error) {
  using Kind = OnnxAttribute::Kind;
  switch (proto.type()) {
  case onnx::AttributeProto::FLOAT:
    out.kind = Kind::Float;
    out.f = proto.f();
    break;
  case onnx::AttributeProto::INT:
    out.kind = Kind::Int;
    out.i = proto.i();
    break;
  case onnx::AttributeProto::STRING:
    out.kind = Kind::String;
    out.s = proto.s();
    break;
  case onnx::AttributeProto::TENSOR:
    out.kind = Kind::Tensor;
    return convertTensor(proto.t(), out.t, error);
  case onnx::AttributeProto::GRAPH:
    out.kind = Kind::Graph;
    break;
  case onnx::AttributeProto::FLOATS:
    out.kind = Kind::Floats;
    out.floats.assign(proto.floats().begin(), proto.floats().end());
    break;
  case onnx::AttributeProto::INTS:
    out.kind = Kind::Ints;
    out.ints.assign(proto.ints().begin(), proto.ints().end());
    break;
  case onnx::AttributeProto::STRINGS:
    out.kind = Kind::Strings;
    out.strings.assign(proto.strings().begin(), proto.strings().end());
    break;
  default:
    out.kind = Kind::Other;
    break;
  }
  return true;
}

/// ONNX's shape inference divides by window strides without checking them
/// (convPoolShapeInference: SIGFPE on a stride of 0), so attributes it trusts
/// are checked first, for every node whatever its op. The rest of a node's
/// attributes are the importer's to check.
bool checkBeforeInference(const onnx::GraphProto &graph, std::string &error) {
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &n = graph.node(i);
    for (const onnx::AttributeProto &a : n.attribute()) {
      if (a.name() != "strides")
        continue;
      for (int64_t v : a.ints())
        if (v < 1) {
          error = "node #" + std::to_string(i) + " " +
                  (n.name().empty() ? "" : "'" + n.name() + "' ") + "(" +
                  n.op_type() + "): 'strides' must be positive, got " +
                  std::to_string(v);
          return false;
        }
    }
  }
  return true;
}

/// Runs ONNX shape inference strictly; if that throws, keeps the message and
/// runs it leniently so that the importer still sees what could be inferred.
void inferShapes(onnx::ModelProto &model, std::string &error) {
  onnx::ModelProto lenient = model;
  try {
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(),
        onnx::ShapeInferenceOptions(/*check_type=*/false, /*strict=*/1,
                                    /*data_prop=*/true));
    return;
  } catch (const std::exception &e) {
    error = e.what();
  }
  model = lenient;
  try {
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(),
        onnx::ShapeInferenceOptions(false, 0, true));
  } catch (const std::exception &) {
    model = std::move(lenient);
  }
}

} // namespace

std::optional<OnnxModel> readOnnxModel(const std::string &path,
                                       std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return std::nullopt;
  }
  std::stringstream bytes;
  bytes << in.rdbuf();
  onnx::ModelProto proto;
  if (!proto.ParseFromString(bytes.str()) || !proto.has_graph() ||
      proto.ir_version() <= 0) {
    error = "'" + path +
            "' is not an ONNX model (unreadable or truncated "
            "protobuf, or no graph)";
    return std::nullopt;
  }

  OnnxModel model;
  model.irVersion = proto.ir_version();
  model.producer = proto.producer_name();
  for (const onnx::OperatorSetIdProto &op : proto.opset_import()) {
    if (op.domain().empty() || op.domain() == "ai.onnx")
      model.opset = op.version();
    else
      model.otherOpsets[op.domain()] = op.version();
  }
  // Shape inference needs a model whose opsets it understands; the importer
  // reports bad IR versions and opsets with its own message.
  if (!checkBeforeInference(proto.graph(), error))
    return std::nullopt;
  if (model.irVersion >= 3 && model.opset > 0)
    inferShapes(proto, model.shapeInferenceError);

  const onnx::GraphProto &graph = proto.graph();
  std::set<std::string> initialized;
  for (const onnx::TensorProto &t : graph.initializer()) {
    OnnxTensor tensor;
    if (!convertTensor(t, tensor, error))
      return std::nullopt;
    initialized.insert(tensor.name);
    model.initializers.push_back(std::move(tensor));
  }
  // Up to IR 3 initializers are also listed as graph inputs.
  for (const onnx::ValueInfoProto &v : graph.input()) {
    OnnxValueInfo info = convertValueInfo(v);
    model.valueInfo[info.name] = info;
    if (!initialized.count(info.name))
      model.inputs.push_back(std::move(info));
  }
  for (const onnx::ValueInfoProto &v : graph.value_info()) {
    OnnxValueInfo info = convertValueInfo(v);
    model.valueInfo[info.name] = info;
  }
  for (const onnx::ValueInfoProto &v : graph.output()) {
    OnnxValueInfo info = convertValueInfo(v);
    model.valueInfo[info.name] = info;
    model.outputs.push_back(std::move(info));
  }
  for (const onnx::NodeProto &n : graph.node()) {
    OnnxNode node;
    node.name = n.name();
    node.opType = n.op_type();
    node.domain = n.domain() == "ai.onnx" ? "" : n.domain();
    node.inputs.assign(n.input().begin(), n.input().end());
    node.outputs.assign(n.output().begin(), n.output().end());
    for (const onnx::AttributeProto &a : n.attribute()) {
      OnnxAttribute attr;
      if (!convertAttribute(a, attr, error)) {
        error = "node '" + n.name() + "' (" + n.op_type() + "): " + error;
        return std::nullopt;
      }
      node.attributes[a.name()] = std::move(attr);
    }
    model.nodes.push_back(std::move(node));
  }
  return model;
}

} // namespace qopt::onnx_import
