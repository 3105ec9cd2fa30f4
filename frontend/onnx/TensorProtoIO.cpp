//===- TensorProtoIO.cpp - ONNX TensorProto files as qrt tensors ----------===//

#include "frontend/onnx/TensorProtoIO.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <fstream>
#include <sstream>

using namespace qopt;

namespace {

bool dtypeOf(int32_t type, qrt::DType &d) {
  switch (type) {
  case onnx::TensorProto::FLOAT:
    d = qrt::DType::F32;
    return true;
  case onnx::TensorProto::UINT8:
    d = qrt::DType::U8;
    return true;
  case onnx::TensorProto::INT8:
    d = qrt::DType::I8;
    return true;
  case onnx::TensorProto::INT32:
    d = qrt::DType::I32;
    return true;
  case onnx::TensorProto::INT64:
    d = qrt::DType::I64;
    return true;
  default:
    return false;
  }
}

int32_t protoTypeOf(qrt::DType d) {
  switch (d) {
  case qrt::DType::F32:
    return onnx::TensorProto::FLOAT;
  case qrt::DType::U8:
    return onnx::TensorProto::UINT8;
  case qrt::DType::I8:
    return onnx::TensorProto::INT8;
  case qrt::DType::I32:
    return onnx::TensorProto::INT32;
  case qrt::DType::I64:
    return onnx::TensorProto::INT64;
  }
  return onnx::TensorProto::UNDEFINED;
}

qrt::Status formatError(const std::string &path, const std::string &why) {
  return qrt::Status::error(qrt::ErrorCode::FormatError, path + ": " + why);
}

} // namespace

qrt::Expected<qrt::Tensor> onnx_io::readTensorProto(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return qrt::Status::error(qrt::ErrorCode::IoError,
                              "cannot open " + path);
  std::stringstream bytes;
  bytes << in.rdbuf();
  onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes.str()))
    return formatError(path, "not an ONNX TensorProto (truncated or another "
                             "format)");
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return formatError(path, "external tensor data is not supported");
  qrt::DType dtype;
  if (!dtypeOf(proto.data_type(), dtype))
    return formatError(path, "unsupported TensorProto data_type " +
                                 std::to_string(proto.data_type()) +
                                 " (float, uint8, int8, int32, int64)");
  qrt::Shape shape(proto.dims().begin(), proto.dims().end());
  for (int64_t d : shape)
    if (d < 0)
      return formatError(path, "negative dimension");
  // The element count the dims promise (saturated: it then matches no
  // data), checked against the data the file holds before allocating: a
  // few bytes of dims must not allocate gigabytes.
  size_t n = static_cast<size_t>(qrt::numElements(shape));
  size_t got;
  if (proto.has_raw_data())
    got = proto.raw_data().size() / qrt::dtypeSize(dtype);
  else if (dtype == qrt::DType::F32)
    got = proto.float_data_size();
  else if (dtype == qrt::DType::I64)
    got = proto.int64_data_size();
  else // int32_data holds every narrower integer type, one per entry.
    got = proto.int32_data_size();
  if (got != n || (proto.has_raw_data() &&
                   proto.raw_data().size() % qrt::dtypeSize(dtype) != 0))
    return formatError(path, "holds " + std::to_string(got) +
                                 " element(s), its dims " +
                                 qrt::shapeToString(shape) + " need " +
                                 std::to_string(n));
  qrt::Tensor t = qrt::Tensor::empty(shape, dtype);
  if (proto.has_raw_data()) {
    std::memcpy(t.rawData(), proto.raw_data().data(), t.nbytes());
    return t;
  }
  switch (dtype) {
  case qrt::DType::F32:
    std::copy(proto.float_data().begin(), proto.float_data().end(),
              t.data<float>());
    break;
  case qrt::DType::I64:
    std::copy(proto.int64_data().begin(), proto.int64_data().end(),
              t.data<int64_t>());
    break;
  case qrt::DType::I32:
  case qrt::DType::I8:
  case qrt::DType::U8:
    for (size_t i = 0; i < n; ++i) {
      int32_t v = proto.int32_data((int)i);
      if (dtype == qrt::DType::I32)
        t.data<int32_t>()[i] = v;
      else if (dtype == qrt::DType::I8)
        t.data<int8_t>()[i] = static_cast<int8_t>(v);
      else
        t.data<uint8_t>()[i] = static_cast<uint8_t>(v);
    }
    break;
  }
  return t;
}

qrt::Status onnx_io::writeTensorProto(const std::string &path,
                                      const qrt::Tensor &t) {
  onnx::TensorProto proto;
  for (int64_t d : t.shape())
    proto.add_dims(d);
  proto.set_data_type(protoTypeOf(t.dtype()));
  proto.set_raw_data(static_cast<const char *>(t.rawData()), t.nbytes());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out || !proto.SerializeToOstream(&out) || !out.flush())
    return qrt::Status::error(qrt::ErrorCode::IoError, "cannot write " + path);
  return qrt::Status::ok();
}
