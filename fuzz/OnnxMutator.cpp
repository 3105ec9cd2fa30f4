//===- OnnxMutator.cpp - structure-aware mutation of ONNX models ----------===//

#include "fuzz/OnnxMutator.h"

#include <onnx/onnx_pb.h>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/reflection.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

extern "C" size_t LLVMFuzzerMutate(uint8_t *data, size_t size,
                                   size_t maxSize);

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;

namespace qopt::fuzz {
namespace {

/// Op types the importer maps (a subset of `qimport --list-ops`) and a few
/// it does not, so that a swap reaches both the handlers and the refusal.
const char *const kOpTypes[] = {
    "Conv", "ConvTranspose", "Gemm", "MatMul", "Relu", "Clip", "Add", "Mul",
    "Sub", "Div", "MaxPool", "AveragePool", "GlobalAveragePool",
    "BatchNormalization", "Reshape", "Flatten", "Transpose", "Concat",
    "Slice", "Squeeze", "Unsqueeze", "Softmax", "Sigmoid", "Resize",
    "Upsample", "Pad", "ReduceMean", "Erf", "Gelu", "Constant", "Shape",
    "Gather", "QuantizeLinear", "DequantizeLinear", "QLinearConv",
    "ConvInteger", "MatMulInteger", "Identity", "Dropout", "LeakyRelu",
    "HardSigmoid", "HardSwish", "Tanh", "LpPool", "Split", "Cast"};

const int64_t kInterestingInts[] = {
    0, 1, -1, 2, 3, 4, 7, 8, 16, 255, 256, -2, 1 << 16, 65535,
    std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min(),
    int64_t(1) << 31, int64_t(1) << 32, int64_t(1) << 62,
    std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()};

struct Site {
  pb::Message *msg;
  const FD *field;
};

class Mutator {
public:
  explicit Mutator(unsigned seed) : rng(seed) {}

  bool mutate(onnx::ModelProto &model) {
    collectNames(model);
    switch (pick(10)) {
    case 0:
      return rewireNode(model);
    case 1:
      return swapOpType(model);
    case 2:
      return resizeRawData(model);
    case 3:
      return setOpset(model);
    default:
      return mutateAnyField(model);
    }
  }

private:
  std::minstd_rand rng;
  std::vector<std::string> names; // every string of the model

  size_t pick(size_t n) { return n ? rng() % n : 0; }
  bool coin() { return rng() & 1; }

  void collectNames(const pb::Message &m) {
    const pb::Reflection *r = m.GetReflection();
    std::vector<const FD *> fields;
    r->ListFields(m, &fields);
    for (const FD *f : fields) {
      if (f->cpp_type() == FD::CPPTYPE_STRING && f->type() != FD::TYPE_BYTES) {
        if (f->is_repeated())
          for (int i = 0; i < r->FieldSize(m, f); ++i)
            names.push_back(r->GetRepeatedString(m, f, i));
        else
          names.push_back(r->GetString(m, f));
      } else if (f->cpp_type() == FD::CPPTYPE_MESSAGE) {
        if (f->is_repeated())
          for (int i = 0; i < r->FieldSize(m, f); ++i)
            collectNames(r->GetRepeatedMessage(m, f, i));
        else
          collectNames(r->GetMessage(m, f));
      }
    }
  }

  // --- ONNX-aware moves ----------------------------------------------------
  /// Values a node may read: graph inputs, initializers, node outputs, "".
  std::vector<std::string> valueNames(const onnx::GraphProto &g) {
    std::vector<std::string> v = {""};
    for (const auto &i : g.input())
      v.push_back(i.name());
    for (const auto &i : g.initializer())
      v.push_back(i.name());
    for (const auto &n : g.node())
      for (const auto &o : n.output())
        v.push_back(o);
    return v;
  }

  bool rewireNode(onnx::ModelProto &model) {
    onnx::GraphProto *g = model.mutable_graph();
    if (g->node_size() == 0)
      return false;
    std::vector<std::string> values = valueNames(*g);
    onnx::NodeProto *n = g->mutable_node(pick(g->node_size()));
    const std::string &v = values[pick(values.size())];
    switch (pick(4)) {
    case 0:
      if (n->input_size() == 0)
        return false;
      n->set_input(pick(n->input_size()), v);
      return true;
    case 1:
      n->add_input(v);
      return true;
    case 2:
      if (n->output_size() == 0)
        return false;
      n->set_output(pick(n->output_size()), v);
      return true;
    default: // a graph output names another value
      if (g->output_size() == 0)
        return false;
      g->mutable_output(pick(g->output_size()))->set_name(v);
      return true;
    }
  }

  bool swapOpType(onnx::ModelProto &model) {
    onnx::GraphProto *g = model.mutable_graph();
    if (g->node_size() == 0)
      return false;
    g->mutable_node(pick(g->node_size()))
        ->set_op_type(kOpTypes[pick(std::size(kOpTypes))]);
    return true;
  }

  bool resizeRawData(onnx::ModelProto &model) {
    onnx::GraphProto *g = model.mutable_graph();
    if (g->initializer_size() == 0)
      return false;
    onnx::TensorProto *t = g->mutable_initializer(pick(g->initializer_size()));
    std::string *raw = t->mutable_raw_data();
    switch (pick(3)) {
    case 0:
      raw->resize(raw->empty() ? 0 : pick(raw->size()));
      break;
    case 1:
      raw->append(1 + pick(16), static_cast<char>(rng()));
      break;
    default: // typed data moved to raw_data (or dropped)
      t->clear_float_data();
      t->clear_int64_data();
      t->clear_int32_data();
      break;
    }
    return true;
  }

  bool setOpset(onnx::ModelProto &model) {
    if (coin())
      model.set_ir_version(pick(12));
    if (model.opset_import_size() == 0 || pick(4) == 0)
      model.add_opset_import()->set_version(pick(25));
    else
      model.mutable_opset_import(pick(model.opset_import_size()))
          ->set_version(pick(25));
    return true;
  }

  // --- Generic reflection moves ---------------------------------------------
  /// Every field of every message in the tree, set or not, so that unset
  /// fields (an attribute's `ints`, a tensor's `raw_data`) can be created.
  void collectSites(pb::Message &m, std::vector<Site> &sites, int depth) {
    const pb::Descriptor *d = m.GetDescriptor();
    const pb::Reflection *r = m.GetReflection();
    for (int i = 0; i < d->field_count(); ++i) {
      const FD *f = d->field(i);
      sites.push_back({&m, f});
      if (f->cpp_type() != FD::CPPTYPE_MESSAGE || depth > 8)
        continue;
      if (f->is_repeated()) {
        for (int j = 0; j < r->FieldSize(m, f); ++j)
          collectSites(*r->MutableRepeatedMessage(&m, f, j), sites,
                       depth + 1);
      } else if (r->HasField(m, f)) {
        collectSites(*r->MutableMessage(&m, f), sites, depth + 1);
      }
    }
  }

  int64_t newInt(int64_t old) {
    switch (pick(4)) {
    case 0:
      return kInterestingInts[pick(std::size(kInterestingInts))];
    case 1: // wraps, as two's complement does
      return static_cast<int64_t>(static_cast<uint64_t>(old) + pick(9) - 4);
    case 2:
      return static_cast<int64_t>(0 - static_cast<uint64_t>(old));
    default:
      return static_cast<int64_t>(pick(64));
    }
  }

  double newFloat(double old) {
    const double special[] = {0.0,
                              -0.0,
                              1.0,
                              -1.0,
                              0.5,
                              1e-8,
                              1e30,
                              std::numeric_limits<double>::infinity(),
                              -std::numeric_limits<double>::infinity(),
                              std::nan(""),
                              std::numeric_limits<float>::denorm_min()};
    switch (pick(3)) {
    case 0:
      return special[pick(std::size(special))];
    case 1:
      return old * 2;
    default:
      return -old;
    }
  }

  std::string newString(const std::string &old, bool bytes) {
    if (!bytes && !names.empty() && coin())
      return names[pick(names.size())];
    if (!bytes && pick(4) == 0)
      return kOpTypes[pick(std::size(kOpTypes))];
    if (old.empty())
      return std::string(1 + pick(8), static_cast<char>(rng()));
    size_t maxSize = old.size() * 2 + 16;
    std::string s = old;
    s.resize(maxSize);
    size_t n = LLVMFuzzerMutate(reinterpret_cast<uint8_t *>(s.data()),
                                old.size(), maxSize);
    s.resize(n);
    return s;
  }

  void mutateSingular(pb::Message &m, const pb::Reflection *r, const FD *f) {
    switch (f->cpp_type()) {
    case FD::CPPTYPE_INT32:
      r->SetInt32(&m, f, static_cast<int32_t>(newInt(r->GetInt32(m, f))));
      break;
    case FD::CPPTYPE_INT64:
      r->SetInt64(&m, f, newInt(r->GetInt64(m, f)));
      break;
    case FD::CPPTYPE_UINT32:
      r->SetUInt32(&m, f, static_cast<uint32_t>(newInt(r->GetUInt32(m, f))));
      break;
    case FD::CPPTYPE_UINT64:
      r->SetUInt64(&m, f, static_cast<uint64_t>(newInt(r->GetUInt64(m, f))));
      break;
    case FD::CPPTYPE_FLOAT:
      r->SetFloat(&m, f, static_cast<float>(newFloat(r->GetFloat(m, f))));
      break;
    case FD::CPPTYPE_DOUBLE:
      r->SetDouble(&m, f, newFloat(r->GetDouble(m, f)));
      break;
    case FD::CPPTYPE_BOOL:
      r->SetBool(&m, f, !r->GetBool(m, f));
      break;
    case FD::CPPTYPE_ENUM: {
      const pb::EnumDescriptor *e = f->enum_type();
      r->SetEnum(&m, f, e->value(pick(e->value_count())));
      break;
    }
    case FD::CPPTYPE_STRING:
      r->SetString(&m, f,
                   newString(r->GetString(m, f), f->type() == FD::TYPE_BYTES));
      break;
    case FD::CPPTYPE_MESSAGE:
      if (r->HasField(m, f) && coin())
        r->ClearField(&m, f);
      else
        r->MutableMessage(&m, f);
      break;
    }
  }

  void mutateElement(pb::Message &m, const pb::Reflection *r, const FD *f,
                     int i) {
    switch (f->cpp_type()) {
    case FD::CPPTYPE_INT32:
      r->SetRepeatedInt32(&m, f, i, static_cast<int32_t>(newInt(
                                        r->GetRepeatedInt32(m, f, i))));
      break;
    case FD::CPPTYPE_INT64:
      r->SetRepeatedInt64(&m, f, i, newInt(r->GetRepeatedInt64(m, f, i)));
      break;
    case FD::CPPTYPE_UINT32:
      r->SetRepeatedUInt32(&m, f, i, static_cast<uint32_t>(newInt(
                                         r->GetRepeatedUInt32(m, f, i))));
      break;
    case FD::CPPTYPE_UINT64:
      r->SetRepeatedUInt64(&m, f, i, static_cast<uint64_t>(newInt(
                                         r->GetRepeatedUInt64(m, f, i))));
      break;
    case FD::CPPTYPE_FLOAT:
      r->SetRepeatedFloat(&m, f, i, static_cast<float>(newFloat(
                                        r->GetRepeatedFloat(m, f, i))));
      break;
    case FD::CPPTYPE_DOUBLE:
      r->SetRepeatedDouble(&m, f, i, newFloat(r->GetRepeatedDouble(m, f, i)));
      break;
    case FD::CPPTYPE_BOOL:
      r->SetRepeatedBool(&m, f, i, !r->GetRepeatedBool(m, f, i));
      break;
    case FD::CPPTYPE_ENUM: {
      const pb::EnumDescriptor *e = f->enum_type();
      r->SetRepeatedEnum(&m, f, i, e->value(pick(e->value_count())));
      break;
    }
    case FD::CPPTYPE_STRING:
      r->SetRepeatedString(&m, f, i,
                           newString(r->GetRepeatedString(m, f, i),
                                     f->type() == FD::TYPE_BYTES));
      break;
    case FD::CPPTYPE_MESSAGE:
      break; // its fields are sites of their own
    }
  }

  /// Appends a default element, or a copy of an existing one.
  void addElement(pb::Message &m, const pb::Reflection *r, const FD *f) {
    int n = r->FieldSize(m, f);
    switch (f->cpp_type()) {
    case FD::CPPTYPE_INT32:
      r->AddInt32(&m, f, static_cast<int32_t>(newInt(1)));
      break;
    case FD::CPPTYPE_INT64:
      r->AddInt64(&m, f, newInt(1));
      break;
    case FD::CPPTYPE_UINT32:
      r->AddUInt32(&m, f, static_cast<uint32_t>(newInt(1)));
      break;
    case FD::CPPTYPE_UINT64:
      r->AddUInt64(&m, f, static_cast<uint64_t>(newInt(1)));
      break;
    case FD::CPPTYPE_FLOAT:
      r->AddFloat(&m, f, static_cast<float>(newFloat(1.0)));
      break;
    case FD::CPPTYPE_DOUBLE:
      r->AddDouble(&m, f, newFloat(1.0));
      break;
    case FD::CPPTYPE_BOOL:
      r->AddBool(&m, f, coin());
      break;
    case FD::CPPTYPE_ENUM: {
      const pb::EnumDescriptor *e = f->enum_type();
      r->AddEnum(&m, f, e->value(pick(e->value_count())));
      break;
    }
    case FD::CPPTYPE_STRING:
      r->AddString(&m, f, newString("", f->type() == FD::TYPE_BYTES));
      break;
    case FD::CPPTYPE_MESSAGE: {
      pb::Message *added = r->AddMessage(&m, f);
      if (n > 0 && coin())
        added->CopyFrom(r->GetRepeatedMessage(m, f, pick(n)));
      break;
    }
    }
  }

  void mutateRepeated(pb::Message &m, const pb::Reflection *r, const FD *f) {
    int n = r->FieldSize(m, f);
    size_t move = n == 0 ? 0 : pick(f->cpp_type() == FD::CPPTYPE_MESSAGE ? 3 : 4);
    switch (move) {
    case 0:
      addElement(m, r, f);
      break;
    case 1: { // delete one: swap it to the end, remove the last
      r->SwapElements(&m, f, pick(n), n - 1);
      r->RemoveLast(&m, f);
      break;
    }
    case 2:
      r->SwapElements(&m, f, pick(n), pick(n));
      break;
    default:
      mutateElement(m, r, f, pick(n));
      break;
    }
  }

  bool mutateAnyField(onnx::ModelProto &model) {
    std::vector<Site> sites;
    collectSites(model, sites, 0);
    // A few moves at once, as libFuzzer's MutationDispatcher does.
    for (int k = 1 + pick(3); k > 0; --k) {
      Site s = sites[pick(sites.size())];
      const pb::Reflection *r = s.msg->GetReflection();
      if (s.field->is_repeated())
        mutateRepeated(*s.msg, r, s.field);
      else
        mutateSingular(*s.msg, r, s.field);
      if (s.field->cpp_type() == FD::CPPTYPE_MESSAGE)
        break; // the sites under it may be gone
    }
    return true;
  }
};

} // namespace

size_t mutateOnnxModel(uint8_t *data, size_t size, size_t maxSize,
                       unsigned seed) {
  onnx::ModelProto model;
  // One in eight mutations is a plain byte mutation, as is every mutation
  // of an input that is not a model, so that truncated and damaged
  // encodings are tried too.
  if ((seed & 7) != 0 && model.ParseFromArray(data, static_cast<int>(size))) {
    Mutator mutator(seed);
    if (mutator.mutate(model)) {
      std::string out;
      if (model.SerializeToString(&out) && out.size() <= maxSize &&
          !out.empty()) {
        std::memcpy(data, out.data(), out.size());
        return out.size();
      }
    }
  }
  return LLVMFuzzerMutate(data, size, maxSize);
}

} // namespace qopt::fuzz

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size,
                                          size_t maxSize, unsigned seed) {
  return qopt::fuzz::mutateOnnxModel(data, size, maxSize, seed);
}
