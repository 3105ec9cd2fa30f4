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
#include <map>
#include <memory>
#include <mutex>
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

/// Bytes of a TensorProto's data as stored: raw_data, or the typed field
/// its element type uses times the element size.
int64_t storedBytes(const onnx::TensorProto &proto, ElemType type,
                    unsigned size) {
  if (proto.has_raw_data())
    return static_cast<int64_t>(proto.raw_data().size());
  switch (type) {
  case ElemType::Float:
    return int64_t(proto.float_data_size()) * size;
  case ElemType::Double:
    return int64_t(proto.double_data_size()) * size;
  case ElemType::Int64:
    return int64_t(proto.int64_data_size()) * size;
  case ElemType::UInt32:
  case ElemType::UInt64:
    return int64_t(proto.uint64_data_size()) * size;
  default: // every narrower integer type, one element per int32_data entry
    return int64_t(proto.int32_data_size()) * size;
  }
}

/// Checks that a TensorProto's data can be read: a supported element type,
/// dims that are non-negative and addressable, and as many bytes as they
/// need. ONNX's shape inference reads constant tensors with the same
/// trust (ParseData copies all of raw_data into dims-sized storage: a heap
/// overflow in libonnx, fuzz-onnx), so this runs on every tensor of the
/// model before inference does.
bool checkTensor(const onnx::TensorProto &proto, std::string &error) {
  ElemType type = static_cast<ElemType>(proto.data_type());
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    error = "tensor '" + proto.name() + "' uses external data (unsupported)";
    return false;
  }
  unsigned size = elemTypeSize(type);
  if (size == 0) {
    error = "tensor '" + proto.name() + "' has unsupported element type " +
            elemTypeName(type);
    return false;
  }
  int64_t n = 1;
  for (int64_t d : proto.dims()) {
    if (d < 0) {
      error = "tensor '" + proto.name() + "' has a negative dimension";
      return false;
    }
    if (n >= 0 && __builtin_mul_overflow(n, d, &n))
      n = -1;
  }
  int64_t bytes;
  if (n < 0 || __builtin_mul_overflow(n, (int64_t)size, &bytes)) {
    error = "tensor '" + proto.name() + "' has a shape too large to address";
    return false;
  }
  int64_t stored = storedBytes(proto, type, size);
  if (stored != bytes) {
    error = "tensor '" + proto.name() + "' holds " + std::to_string(stored) +
            " bytes, its shape needs " + std::to_string(bytes);
    return false;
  }
  return true;
}

/// Converts a TensorProto; returns false with `error` set when its data
/// cannot be read (checkTensor).
bool convertTensor(const onnx::TensorProto &proto, OnnxTensor &out,
                   std::string &error) {
  if (!checkTensor(proto, error))
    return false;
  out.name = proto.name();
  out.type = static_cast<ElemType>(proto.data_type());
  out.dims.assign(proto.dims().begin(), proto.dims().end());
  if (proto.has_raw_data()) {
    out.data.assign(proto.raw_data().begin(), proto.raw_data().end());
    return true;
  }
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
/// (convPoolShapeInference: SIGFPE on a stride of 0), and copies constant
/// tensors into storage sized by their dims (checkTensor), so what it
/// trusts is checked first: every node's `strides` whatever its op, and
/// every tensor (initializers, tensor attributes), in sub-graphs too. The
/// rest of a node's attribute values are the importer's to check; their
/// count, names and types are checked against ONNX's schema here.
bool checkBeforeInference(const onnx::GraphProto &graph, int64_t opset,
                          std::string &error) {
  // Types without a fixed element size are left to the importer, which
  // names them as unsupported where it meets them.
  auto checkTensor = [](const onnx::TensorProto &t, std::string &error) {
    return elemTypeSize(static_cast<ElemType>(t.data_type())) == 0 ||
           t.data_location() == onnx::TensorProto::EXTERNAL ||
           onnx_import::checkTensor(t, error);
  };
  for (const onnx::TensorProto &t : graph.initializer())
    if (!checkTensor(t, error))
      return false;
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &n = graph.node(i);
    auto where = [&] {
      return "node #" + std::to_string(i) + " " +
             (n.name().empty() ? "" : "'" + n.name() + "' ") + "(" +
             n.op_type() + "): ";
    };
    // A default-domain node against its ONNX schema (input and output
    // counts, attribute names and types, required attributes), as
    // onnxruntime checks it: without this a Gemm's extra inputs were
    // ignored and an attribute of the wrong type read as absent.
    // (A deprecated op, e.g. Upsample past opset 9, has no schema to
    // check against; the importer still takes it.)
    if (opset > 0 && (n.domain().empty() || n.domain() == "ai.onnx"))
      if (const onnx::OpSchema *schema =
              onnx::OpSchemaRegistry::Schema(n.op_type(), (int)opset, "");
          schema && !schema->Deprecated()) {
        try {
          schema->Verify(n);
        } catch (const std::exception &e) {
          error = where() + "ONNX's schema of " + n.op_type() + " (opset " +
                  std::to_string(opset) + "): " + e.what();
          return false;
        }
      }
    for (const onnx::AttributeProto &a : n.attribute()) {
      if (a.name() == "strides")
        for (int64_t v : a.ints())
          if (v < 1) {
            error = where() + "'strides' must be positive, got " +
                    std::to_string(v);
            return false;
          }
      bool ok = !a.has_t() || checkTensor(a.t(), error);
      for (const onnx::TensorProto &t : a.tensors())
        ok = ok && checkTensor(t, error);
      if (!ok) {
        error = where() + error;
        return false;
      }
      if (a.has_g() && !checkBeforeInference(a.g(), opset, error))
        return false;
      for (const onnx::GraphProto &g : a.graphs())
        if (!checkBeforeInference(g, opset, error))
          return false;
    }
  }
  return true;
}

/// Some of ONNX's inference functions trust what only inference itself
/// computes, so checkBeforeInference cannot see it (fuzz-onnx found both):
/// - Shape (and others) read their input's type without checking that it
///   has one. An input has none when it is undefined, or when the node
///   producing it is unknown to ONNX or failed inference in lenient mode,
///   so a custom op followed by Shape was a SEGV in libonnx.
/// - convPoolShapeInference takes the kernel from the weight's dims and
///   reads the input's per-axis vectors with it, so a Conv whose input has
///   a lower rank than its weight read past them.
/// This registry hands out ONNX's schemas with their inference and data
/// propagation functions wrapped: a node whose first input has no type is
/// left uninferred (nothing can be inferred from it; the importer reports
/// the input), and a Conv's ranks are compared first, failing inference
/// with a message naming the node.
class CheckedSchemaRegistry : public onnx::ISchemaRegistry {
public:
  const onnx::OpSchema *GetSchema(const std::string &key,
                                  const int maxInclusiveVersion,
                                  const std::string &domain) const override {
    const onnx::OpSchema *schema =
        onnx::OpSchemaRegistry::Schema(key, maxInclusiveVersion, domain);
    if (!schema)
      return nullptr;
    std::lock_guard<std::mutex> lock(mutex);
    std::unique_ptr<onnx::OpSchema> &checked = wrapped[schema];
    if (checked)
      return checked.get();
    checked = std::make_unique<onnx::OpSchema>(*schema);
    // Loop's first input (the trip count) is optional; every other op's is
    // required.
    bool firstRequired = !(key == "Loop" && isDefaultDomain(domain));
    int weight = weightInput(key, domain);
    if (schema->has_type_and_shape_inference_function()) {
      onnx::InferenceFunction infer =
          schema->GetTypeAndShapeInferenceFunction();
      checked->TypeAndShapeInferenceFunction(
          [infer, firstRequired, weight](onnx::InferenceContext &ctx) {
            if (firstRequired && ctx.getNumInputs() > 0 &&
                !ctx.getInputType(0))
              return;
            if (weight >= 0 && onnx::hasInputShape(ctx, 0) &&
                onnx::hasInputShape(ctx, weight)) {
              int x = ctx.getInputType(0)->tensor_type().shape().dim_size();
              int w =
                  ctx.getInputType(weight)->tensor_type().shape().dim_size();
              if (x != w)
                fail_shape_inference("the input has rank ", x,
                                     " but the weight has rank ", w);
            }
            infer(ctx);
          });
    }
    if (schema->has_data_propagation_function()) {
      onnx::DataPropagationFunction propagate =
          schema->GetDataPropagationFunction();
      checked->PartialDataPropagationFunction(
          [propagate, firstRequired](onnx::DataPropagationContext &ctx) {
            if (firstRequired && ctx.getNumInputs() > 0 &&
                !ctx.getInputType(0))
              return;
            propagate(ctx);
          });
    }
    return checked.get();
  }

private:
  static bool isDefaultDomain(const std::string &domain) {
    return domain.empty() || domain == "ai.onnx";
  }
  /// The weight input of the ops whose inference reads the kernel from it.
  static int weightInput(const std::string &op, const std::string &domain) {
    if (!isDefaultDomain(domain))
      return -1;
    if (op == "Conv" || op == "ConvInteger" || op == "ConvTranspose")
      return 1;
    if (op == "QLinearConv")
      return 3;
    return -1;
  }
  mutable std::mutex mutex;
  mutable std::map<const onnx::OpSchema *, std::unique_ptr<onnx::OpSchema>>
      wrapped;
};

/// Runs ONNX shape inference strictly; if that throws, keeps the message and
/// runs it leniently so that the importer still sees what could be inferred.
void inferShapes(onnx::ModelProto &model, std::string &error) {
  static CheckedSchemaRegistry registry;
  onnx::ModelProto lenient = model;
  try {
    onnx::shape_inference::InferShapes(
        model, &registry,
        onnx::ShapeInferenceOptions(/*check_type=*/false, /*strict=*/1,
                                    /*data_prop=*/true));
    return;
  } catch (const std::exception &e) {
    error = e.what();
  }
  model = lenient;
  try {
    onnx::shape_inference::InferShapes(
        model, &registry, onnx::ShapeInferenceOptions(false, 0, true));
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
  std::map<std::string, std::vector<int64_t>> imports;
  for (const onnx::OperatorSetIdProto &op : proto.opset_import()) {
    bool onnxDomain = op.domain().empty() || op.domain() == "ai.onnx";
    imports[onnxDomain ? "" : op.domain()].push_back(op.version());
    if (onnxDomain)
      model.opset = op.version();
    else
      model.otherOpsets[op.domain()] = op.version();
  }
  // One version per domain: ONNX's checker refuses a model that imports a
  // domain twice, and which entry wins would be a guess.
  for (const auto &[domain, versions] : imports)
    if (versions.size() > 1) {
      std::string list;
      for (int64_t v : versions)
        list += (list.empty() ? "" : ", ") + std::to_string(v);
      error = "'" + path + "' imports the " +
              (domain.empty() ? std::string("default ONNX domain")
                              : "domain '" + domain + "'") +
              " " + std::to_string(versions.size()) + " times (opsets " +
              list + "); a model names each domain once";
      return std::nullopt;
    }
  // Shape inference needs a model whose opsets it understands; the importer
  // reports bad IR versions and opsets with its own message.
  if (!checkBeforeInference(proto.graph(), model.opset, error))
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
