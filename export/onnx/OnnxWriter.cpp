//===- OnnxWriter.cpp - the neutral OnnxModel to protobuf -----------------===//
//
// The exporter's counterpart of OnnxReader.cpp: the only exporter code that
// sees ONNX's headers. Built with exceptions and RTTI (onnx::checker throws);
// it defines no MLIR or LLVM classes and only reads OnnxModel.
//
//===----------------------------------------------------------------------===//

#include "export/onnx/OnnxWriter.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <fstream>

namespace qopt::onnx_export {

using onnx_import::OnnxAttribute;
using onnx_import::OnnxModel;
using onnx_import::OnnxNode;
using onnx_import::OnnxTensor;
using onnx_import::OnnxValueInfo;

namespace {

void setType(onnx::ValueInfoProto &proto, const OnnxValueInfo &info) {
  proto.set_name(info.name);
  onnx::TypeProto_Tensor *t = proto.mutable_type()->mutable_tensor_type();
  t->set_elem_type(static_cast<int32_t>(info.type));
  if (!info.hasShape)
    return;
  onnx::TensorShapeProto *shape = t->mutable_shape();
  for (size_t i = 0; i < info.dims.size(); ++i) {
    onnx::TensorShapeProto_Dimension *d = shape->add_dim();
    if (info.dims[i] >= 0)
      d->set_dim_value(info.dims[i]);
    else if (i < info.dimParams.size() && !info.dimParams[i].empty())
      d->set_dim_param(info.dimParams[i]);
  }
}

void setTensor(onnx::TensorProto &proto, const OnnxTensor &tensor) {
  proto.set_name(tensor.name);
  proto.set_data_type(static_cast<int32_t>(tensor.type));
  for (int64_t d : tensor.dims)
    proto.add_dims(d);
  proto.set_raw_data(tensor.data.data(), tensor.data.size());
}

void setAttribute(onnx::AttributeProto &proto, const std::string &name,
                  const OnnxAttribute &attr) {
  proto.set_name(name);
  using Kind = OnnxAttribute::Kind;
  switch (attr.kind) {
  case Kind::Float:
    proto.set_type(onnx::AttributeProto::FLOAT);
    proto.set_f(attr.f);
    break;
  case Kind::Int:
    proto.set_type(onnx::AttributeProto::INT);
    proto.set_i(attr.i);
    break;
  case Kind::String:
    proto.set_type(onnx::AttributeProto::STRING);
    proto.set_s(attr.s);
    break;
  case Kind::Ints:
    proto.set_type(onnx::AttributeProto::INTS);
    for (int64_t v : attr.ints)
      proto.add_ints(v);
    break;
  case Kind::Floats:
    proto.set_type(onnx::AttributeProto::FLOATS);
    for (float v : attr.floats)
      proto.add_floats(v);
    break;
  case Kind::Tensor:
    proto.set_type(onnx::AttributeProto::TENSOR);
    setTensor(*proto.mutable_t(), attr.t);
    break;
  default:
    break;
  }
}

} // namespace

bool writeOnnxModel(const OnnxModel &model, const std::string &path,
                    std::string &error) {
  onnx::ModelProto proto;
  proto.set_ir_version(model.irVersion);
  proto.set_producer_name(model.producer);
  onnx::OperatorSetIdProto *opset = proto.add_opset_import();
  opset->set_domain("");
  opset->set_version(model.opset);
  onnx::GraphProto *graph = proto.mutable_graph();
  graph->set_name("qnn");
  for (const OnnxValueInfo &in : model.inputs)
    setType(*graph->add_input(), in);
  for (const OnnxValueInfo &out : model.outputs)
    setType(*graph->add_output(), out);
  for (const OnnxTensor &t : model.initializers)
    setTensor(*graph->add_initializer(), t);
  for (const OnnxNode &n : model.nodes) {
    onnx::NodeProto *node = graph->add_node();
    node->set_name(n.name);
    node->set_op_type(n.opType);
    for (const std::string &i : n.inputs)
      node->add_input(i);
    for (const std::string &o : n.outputs)
      node->add_output(o);
    for (const auto &[key, attr] : n.attributes)
      setAttribute(*node->add_attribute(), key, attr);
  }
  // The checker (with strict shape inference) is the gate: an exported file
  // that ONNX itself rejects is an exporter bug, reported as an error.
  try {
    onnx::checker::check_model(proto);
    onnx::ModelProto inferred = proto;
    onnx::shape_inference::InferShapes(inferred,
                                       onnx::OpSchemaRegistry::Instance(),
                                       {/*check_type=*/true,
                                        /*error_mode=*/1});
  } catch (const std::exception &e) {
    error = std::string("the exported model fails onnx::checker: ") +
            e.what();
    return false;
  }
  std::ofstream out(path, std::ios::binary);
  if (!out || !proto.SerializeToOstream(&out)) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

} // namespace qopt::onnx_export
