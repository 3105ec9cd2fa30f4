//===- TorchReader.cpp - LibTorch to the neutral TsGraph ------------------===//
//
// Built with exceptions and RTTI (LibTorch needs both); sees no MLIR header.
// Every c10::Error (and any other exception) LibTorch throws ends here as an
// error string.
//
//===----------------------------------------------------------------------===//

#include "frontend/torchscript/PickleCheck.h"
#include "frontend/torchscript/SourceRangeCheck.h"
#include "frontend/torchscript/TorchGraph.h"
#include "frontend/torchscript/ZipDirectory.h"

#include <caffe2/serialize/inline_container.h>

#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/constant_propagation.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>
#include <torch/csrc/jit/passes/freeze_module.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/csrc/jit/passes/lower_tuples.h>
#include <torch/csrc/jit/passes/peephole.h>
#include <torch/csrc/jit/passes/remove_mutation.h>
#include <torch/script.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <functional>
#include <unordered_map>

namespace qopt::torch_import {
namespace {

namespace jit = torch::jit;

/// The first line of an exception message (c10::Error appends a backtrace).
std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

std::string firstLine(const std::string &what) {
  return what.substr(0, what.find('\n'));
}

std::string dtypeName(at::ScalarType t) {
  switch (t) {
  case at::kFloat:
    return "float";
  case at::kDouble:
    return "double";
  case at::kHalf:
    return "half";
  case at::kBFloat16:
    return "bfloat16";
  case at::kLong:
    return "long";
  case at::kInt:
    return "int";
  case at::kShort:
    return "short";
  case at::kChar:
    return "int8";
  case at::kByte:
    return "uint8";
  case at::kBool:
    return "bool";
  default:
    return c10::toString(t);
  }
}

/// What import-time evaluation needs after read() returns: the operations of
/// the nodes and every tensor handed out, by handle. The module stays loaded
/// for the process, and so do these.
struct EvalState {
  std::vector<jit::Operation> ops;
  std::vector<at::Tensor> tensors;
};
EvalState &evalState() {
  static EvalState state;
  return state;
}

int tensorHandle(const at::Tensor &t) {
  evalState().tensors.push_back(t);
  return (int)evalState().tensors.size() - 1;
}

class Extractor {
public:
  Extractor(TsGraph &out,
            const std::unordered_map<const void *, std::string> &params)
      : out(out), params(params) {}

  int valueId(const jit::Value *v) {
    auto it = ids.find(v);
    if (it != ids.end())
      return it->second;
    TsValue tv;
    tv.debugName = v->debugName();
    tv.type = v->type()->repr_str();
    tv.isTensor = v->type()->cast<c10::TensorType>() != nullptr;
    out.values.push_back(tv);
    return ids[v] = (int)out.values.size() - 1;
  }

  void block(const jit::Block *b, TsBlock &tb, bool skipSelf) {
    for (const jit::Value *in : b->inputs()) {
      if (skipSelf && !in->type()->cast<c10::TensorType>() &&
          in->type()->cast<c10::ClassType>())
        continue;
      tb.inputs.push_back(valueId(in));
    }
    for (const jit::Node *n : b->nodes())
      tb.nodes.push_back(node(n));
    for (const jit::Value *o : b->outputs())
      tb.outputs.push_back(valueId(o));
  }

private:
  TsNode node(const jit::Node *n) {
    TsNode tn;
    tn.kind = n->kind().toQualString();
    for (const jit::Value *v : n->inputs())
      tn.inputs.push_back(valueId(v));
    for (const jit::Value *v : n->outputs())
      tn.outputs.push_back(valueId(v));
    for (const jit::Block *b : n->blocks()) {
      tn.blocks.emplace_back();
      block(b, tn.blocks.back(), false);
    }
    tn.layer = layerName(n);
    jit::SourceRange range = n->sourceRange();
    if (auto orig = range.findSourceRangeThatGenerated())
      range = *orig;
    if (auto flc = range.file_line_col()) {
      tn.file = std::get<0>(*flc);
      tn.line = std::get<1>(*flc);
      tn.col = std::get<2>(*flc);
    }
    if (n->kind() == c10::prim::Constant)
      tn.constant = constant(n->output());
    if (n->kind().is_aten() && n->maybeOperator()) {
      tn.op = (int)evalState().ops.size();
      evalState().ops.push_back(n->getOperation());
    }
    return tn;
  }

  /// Module instance names along the inlined call stack: "layer1.0.conv1".
  static std::string layerName(const jit::Node *n) {
    std::string name;
    if (auto cs = n->callstack()) {
      for (const auto &entry : (*cs)->vec()) {
        const auto &info = std::get<2>(entry);
        if (!info || info->instance_name().empty())
          continue;
        // Traced modules name instances "__module.layer1"; skip `self`.
        std::string part = info->instance_name();
        if (part == "self" || part == "SELF" || part == "__module")
          continue;
        if (part.rfind("__module.", 0) == 0)
          part = part.substr(9);
        name += (name.empty() ? "" : ".") + part;
      }
    }
    return name;
  }

  static bool allStrings(c10::ArrayRef<c10::IValue> items) {
    for (const c10::IValue &e : items)
      if (!e.isString())
        return false;
    return true;
  }

  TsConstant constant(const jit::Value *v) {
    TsConstant c;
    c10::optional<c10::IValue> iv = jit::toIValue(v);
    if (!iv || iv->isNone())
      return c;
    if (iv->isBool()) {
      c.kind = TsConstant::Kind::Bool;
      c.i = iv->toBool();
    } else if (iv->isInt()) {
      c.kind = TsConstant::Kind::Int;
      c.i = iv->toInt();
    } else if (iv->isDouble()) {
      c.kind = TsConstant::Kind::Float;
      c.f = iv->toDouble();
    } else if (iv->isString()) {
      c.kind = TsConstant::Kind::String;
      c.s = iv->toStringRef();
    } else if (iv->isIntList()) {
      c.kind = TsConstant::Kind::IntList;
      c.ints = iv->toIntVector();
    } else if (iv->isDoubleList()) {
      c.kind = TsConstant::Kind::FloatList;
      c.floats = iv->toDoubleVector();
    } else if (iv->isBoolList()) {
      c.kind = TsConstant::Kind::BoolList;
      for (bool b : iv->toBoolList())
        c.ints.push_back(b);
    } else if (iv->isList() &&
               allStrings(iv->toListRef())) {
      c.kind = TsConstant::Kind::StringList;
      for (const c10::IValue &e : iv->toListRef())
        c.strings.push_back(e.toStringRef());
    } else if (iv->isTensor()) {
      c.kind = TsConstant::Kind::Tensor;
      c.tensor = tensor(iv->toTensor());
    } else if (iv->isDevice()) {
      c.kind = TsConstant::Kind::Device;
      c.s = iv->toDevice().str();
    } else {
      c.kind = TsConstant::Kind::Other;
      c.s = iv->tagKind();
    }
    return c;
  }

  int tensor(const at::Tensor &t) {
    TsTensor tt;
    at::Tensor c = t.contiguous().cpu();
    tt.dtype = dtypeName(c.scalar_type());
    for (int64_t d : c.sizes())
      tt.dims.push_back(d);
    auto it = params.find(t.data_ptr());
    if (it != params.end())
      tt.paramName = it->second;
    tt.handle = tensorHandle(t);
    fillData(c, tt);
    out.tensors.push_back(std::move(tt));
    return (int)out.tensors.size() - 1;
  }

  TsGraph &out;
  const std::unordered_map<const void *, std::string> &params;
  std::unordered_map<const jit::Value *, int> ids;

public:
  static void fillData(const at::Tensor &c, TsTensor &tt) {
    if (c.is_floating_point()) {
      at::Tensor f = c.to(at::kFloat).contiguous();
      const float *p = f.data_ptr<float>();
      tt.floats.assign(p, p + f.numel());
    } else if (c.scalar_type() == at::kLong || c.scalar_type() == at::kInt ||
               c.scalar_type() == at::kShort || c.scalar_type() == at::kChar ||
               c.scalar_type() == at::kByte || c.scalar_type() == at::kBool) {
      at::Tensor l = c.to(at::kLong).contiguous();
      const int64_t *p = l.data_ptr<int64_t>();
      tt.ints.assign(p, p + l.numel());
    }
  }
};

/// TorchScript archives are zip files; anything else is not a model.
bool looksLikeZip(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  char magic[4] = {0, 0, 0, 0};
  f.read(magic, 4);
  return f.gcount() == 4 && magic[0] == 'P' && magic[1] == 'K';
}

/// LibTorch 1.13's source importer takes every class-body assignment
/// `name = value` it does not know (__parameters__, __buffers__,
/// __forward_pre_hooks__, __forward_hooks__) for a class constant and reads
/// its annotation unchecked (`name : Final[T] = value` is the only form its
/// printer writes), so one without an annotation was a SEGV in
/// ScriptTypeParser::parseClassConstant (fuzz-torchscript: `__parameters__`
/// mutated to `__paraTeters__`). The printer indents a class body by two
/// spaces. Returns a description of the first such line of `code`.
std::optional<std::string> unannotatedClassConstant(const std::string &code) {
  bool inClass = false;
  size_t lineNo = 0;
  for (size_t at = 0; at < code.size();) {
    size_t end = code.find('\n', at);
    if (end == std::string::npos)
      end = code.size();
    std::string line = code.substr(at, end - at);
    at = end + 1;
    ++lineNo;
    if (line.empty() || line[0] == '#')
      continue;
    if (line[0] != ' ') {
      inClass = line.rfind("class ", 0) == 0;
      continue;
    }
    if (!inClass || line.size() < 3 || line[1] != ' ' || line[2] == ' ')
      continue;
    size_t i = 2;
    while (i < line.size() && (std::isalnum((unsigned char)line[i]) ||
                               line[i] == '_'))
      ++i;
    if (i == 2 || std::isdigit((unsigned char)line[2]))
      continue;
    size_t j = i;
    while (j < line.size() && line[j] == ' ')
      ++j;
    if (j >= line.size() || line[j] != '=' ||
        (j + 1 < line.size() && line[j + 1] == '='))
      continue;
    std::string name = line.substr(2, i - 2);
    if (name == "__parameters__" || name == "__buffers__" ||
        name == "__forward_pre_hooks__" || name == "__forward_hooks__")
      continue;
    return "line " + std::to_string(lineNo) + " assigns class attribute '" +
           name + "' without a type (a class constant is 'name : Final[T] = "
           "value')";
  }
  return std::nullopt;
}

/// LibTorch 1.13 rebuilds a pickled tensor from (storage, offset, sizes,
/// strides) without checking that the view stays inside the storage, so a
/// damaged archive's tensor read past it (fuzz-torchscript: a bias at
/// offset 1 of a 2-element storage, copied by Extractor::fillData). Returns
/// why `t` reaches outside its storage, or nothing.
std::optional<std::string> outsideStorage(const at::Tensor &t) {
  if (!t.defined() || !t.has_storage() || t.numel() == 0)
    return std::nullopt;
  int64_t last = t.storage_offset();
  bool ok = last >= 0;
  for (int64_t d = 0; ok && d < t.dim(); ++d) {
    int64_t size = t.size(d), stride = t.stride(d);
    if (size > 1)
      ok = stride >= 0 && stride <= (INT64_MAX - last) / (size - 1) &&
           !__builtin_add_overflow(last, (size - 1) * stride, &last);
  }
  uint64_t item = t.element_size();
  if (ok && (uint64_t)last < UINT64_MAX / item - 1 &&
      ((uint64_t)last + 1) * item <= t.storage().nbytes())
    return std::nullopt;
  std::string sizes;
  for (int64_t v : t.sizes())
    sizes += (sizes.empty() ? "" : ", ") + std::to_string(v);
  return "a tensor of sizes [" + sizes + "] at storage offset " +
         std::to_string(t.storage_offset()) + " reaches past its storage of " +
         std::to_string(t.storage().nbytes()) + " bytes";
}

/// Every tensor the loaded module holds: attributes (parameters, buffers,
/// plain tensors) and the constants of its methods' graphs.
std::optional<std::string> checkModuleTensors(const jit::Module &module) {
  for (const auto &a : module.named_attributes(/*recurse=*/true))
    if (a.value.isTensor())
      if (auto why = outsideStorage(a.value.toTensor()))
        return "attribute '" + a.name + "': " + *why;
  std::function<std::optional<std::string>(const jit::Block *)> walk =
      [&](const jit::Block *b) -> std::optional<std::string> {
    for (const jit::Node *n : b->nodes()) {
      if (n->kind() == c10::prim::Constant && n->outputs().size() == 1 &&
          n->output()->type()->cast<c10::TensorType>())
        if (auto v = jit::toIValue(n->output()); v && v->isTensor())
          if (auto why = outsideStorage(v->toTensor()))
            return "a constant of the code: " + *why;
      for (const jit::Block *inner : n->blocks())
        if (auto why = walk(inner))
          return why;
    }
    return std::nullopt;
  };
  for (const jit::Module &m : module.modules())
    for (const jit::Method &method : m.get_methods())
      if (auto why = walk(method.graph()->block()))
        return why;
  return std::nullopt;
}

std::optional<TsGraph> read(const std::string &path,
                            const ReadOptions &options, std::string &error) {
  {
    std::ifstream probe(path);
    if (!probe) {
      error = "cannot open '" + path + "': " + std::strerror(errno);
      return std::nullopt;
    }
  }
  if (!looksLikeZip(path)) {
    error = "'" + path + "' is not a TorchScript model (not a zip archive)";
    return std::nullopt;
  }
  // LibTorch's unpickler allocates what a pickle declares (string lengths,
  // memo ids) before reading it (PickleCheck.h): each pickle of the archive
  // is checked against its record first.
  std::vector<ZipEntry> directory;
  if (!readZipDirectory(path, directory, error)) {
    error = "'" + path + "' is not a TorchScript model: its zip directory: " +
            error;
    return std::nullopt;
  }
  try {
    caffe2::serialize::PyTorchStreamReader archive(path);
    // LibTorch's miniz checks no CRC-32 (ZipDirectory.h): every record is
    // compared with the directory's before anything reads it. LibTorch
    // names records without the archive's top directory.
    std::unordered_map<std::string, const ZipEntry *> entries;
    for (const ZipEntry &e : directory)
      if (size_t slash = e.name.find('/'); slash != std::string::npos)
        entries.emplace(e.name.substr(slash + 1), &e);
    for (const std::string &name : archive.getAllRecords()) {
      auto it = entries.find(name);
      if (it == entries.end())
        continue; // a name LibTorch made up would fail in LibTorch
      const ZipEntry &e = *it->second;
      // LibTorch allocates the declared size before inflating: a size that
      // the record's bytes cannot hold is refused first.
      if (std::optional<std::string> why = implausibleSize(e)) {
        error = "'" + path + "' is not a TorchScript model: record " + name +
                " " + *why;
        return std::nullopt;
      }
      auto [bytes, size] = archive.getRecord(name);
      uint32_t crc = zipCrc32(bytes.get(), size);
      if (crc != e.crc32) {
        error = "'" + path + "' is not a TorchScript model: record " + name +
                " is damaged: its " + std::to_string(size) +
                " bytes have CRC-32 " + hex32(crc) +
                ", the archive's directory says " + hex32(e.crc32);
        return std::nullopt;
      }
    }
    for (const std::string &name : archive.getAllRecords()) {
      if (name.rfind("code/", 0) == 0 && name.size() > 3 &&
          name.compare(name.size() - 3, 3, ".py") == 0) {
        auto [text, length] = archive.getRecord(name);
        if (auto why = unannotatedClassConstant(
                std::string(static_cast<const char *>(text.get()), length))) {
          error = "'" + path + "' is not a TorchScript model: " + name + ": " +
                  *why;
          return std::nullopt;
        }
        continue;
      }
      if (name.size() < 3 || name.compare(name.size() - 3, 3, "pkl") != 0)
        continue;
      auto [bytes, size] = archive.getRecord(name);
      std::string why;
      const auto *pickle = static_cast<const uint8_t *>(bytes.get());
      if (!checkPickleLengths(pickle, size, why)) {
        error = "'" + path + "' is not a TorchScript model: " + name + ": " +
                why;
        return std::nullopt;
      }
      // A code record's source ranges: LibTorch indexes their string table
      // unchecked when an error message, or this reader, maps a node back
      // to its Python line (SourceRangeCheck.h). They are checked rather
      // than skipped because they give the importer's errors their line.
      if (name.size() > 10 &&
          name.compare(name.size() - 10, 10, ".debug_pkl") == 0) {
        if (!checkSourceRangePickle(pickle, size, why)) {
          error = "'" + path + "' is not a TorchScript model: " + name +
                  ": " + why;
          return std::nullopt;
        }
        continue;
      }
      // Each tensor storage the pickle names must fit its record.
      bool complete = false;
      std::string dir = name.substr(0, name.size() - 4) + "/";
      for (const PickleStorage &st : pickleStorages(pickle, size, complete)) {
        if (st.elementBytes == 0 || !archive.hasRecord(dir + st.key))
          continue; // LibTorch names a missing record itself
        size_t have = std::get<1>(archive.getRecord(dir + st.key));
        bool fits = st.numel >= 0 &&
                    (uint64_t)st.numel <= UINT64_MAX / (uint64_t)st.elementBytes &&
                    (uint64_t)st.numel * (uint64_t)st.elementBytes <= have;
        if (!fits) {
          error = "'" + path + "' is not a TorchScript model: " + name +
                  ": storage '" + st.key + "' (" + st.type + ") declares " +
                  std::to_string(st.numel) + " elements, but its record " +
                  dir + st.key + " holds " + std::to_string(have) + " bytes";
          return std::nullopt;
        }
      }
    }
  } catch (const std::exception &e) {
    error = "'" + path +
            "' is not a TorchScript model: " + firstLine(e.what());
    return std::nullopt;
  }
  jit::Module module;
  try {
    module = jit::load(path);
  } catch (const std::exception &e) {
    error = "'" + path +
            "' is not a TorchScript model: " + firstLine(e.what());
    return std::nullopt;
  }
  module.eval();
  if (!module.find_method("forward")) {
    error = "'" + path + "' has no forward method";
    return std::nullopt;
  }
  if (auto why = checkModuleTensors(module)) {
    error = "'" + path + "' is not a TorchScript model: " + *why;
    return std::nullopt;
  }

  // State-dict names by storage, before freezing turns them into constants
  // (freeze_module shares the tensors with the module it clones).
  std::unordered_map<const void *, std::string> params;
  for (const auto &p : module.named_buffers(/*recurse=*/true))
    params.emplace(p.value.data_ptr(), p.name);
  for (const auto &p : module.named_parameters(/*recurse=*/true))
    params[p.value.data_ptr()] = p.name;

  // freeze_module (not freeze): it inlines and folds attributes but keeps
  // batch_norm, which freeze's frozen-graph optimizations fold into conv.
  jit::Module frozen = jit::freeze_module(module);
  std::shared_ptr<jit::Graph> graph = frozen.get_method("forward").graph();
  jit::Inline(*graph);

  // Ranks (and known sizes) on the inputs let peephole fold x.dim().
  unsigned tensorInput = 0;
  for (jit::Value *in : graph->inputs()) {
    if (!in->type()->cast<c10::TensorType>())
      continue;
    if (tensorInput < options.inputShapes.size()) {
      std::vector<c10::optional<int64_t>> sizes;
      for (int64_t d : options.inputShapes[tensorInput])
        sizes.push_back(d < 0 ? c10::nullopt : c10::optional<int64_t>(d));
      in->setType(c10::TensorType::create(
          at::kFloat, at::kCPU, c10::SymbolicShape(sizes),
          c10::VaryingShape<c10::Stride>(sizes.size()),
          /*requires_grad=*/false));
    }
    ++tensorInput;
  }
  for (int i = 0; i < 2; ++i) {
    jit::RemoveTensorMutation(graph);
    jit::ConstantPropagation(graph);
    jit::PeepholeOptimize(graph, /*disable_shape_peepholes=*/true);
    jit::LowerSimpleTuples(graph);
    jit::EliminateDeadCode(graph);
  }

  TsGraph out;
  for (const auto &p : params)
    out.stateDict.push_back(p.second);
  Extractor extractor(out, params);
  extractor.block(graph->block(), out.body, /*skipSelf=*/true);
  return out;
}

c10::IValue toIValue(const TsEvalValue &v) {
  using K = TsEvalValue::Kind;
  auto tensorOf = [](int h) -> at::Tensor {
    if (h < 0)
      return at::empty({0}, at::kFloat);
    return evalState().tensors.at(h);
  };
  switch (v.kind) {
  case K::None:
    return c10::IValue();
  case K::Bool:
    return c10::IValue(v.i != 0);
  case K::Int:
    if (v.asTensor)
      return c10::IValue(at::scalar_tensor(v.i, at::kLong));
    return c10::IValue(v.i);
  case K::Float:
    if (v.asTensor)
      return c10::IValue(at::scalar_tensor(v.f, at::kDouble));
    return c10::IValue(v.f);
  case K::String:
    return c10::IValue(v.s);
  case K::Device:
    return c10::IValue(c10::Device(v.s));
  case K::IntList:
    return c10::IValue(v.ints);
  case K::FloatList:
    return c10::IValue(v.floats);
  case K::BoolList: {
    c10::List<bool> l;
    for (int64_t b : v.ints)
      l.push_back(b != 0);
    return c10::IValue(l);
  }
  case K::Tensor:
    return c10::IValue(tensorOf(v.tensors.at(0)));
  case K::TensorList: {
    bool optional = false;
    for (int h : v.tensors)
      optional |= h < 0;
    if (!optional) {
      c10::List<at::Tensor> l;
      for (int h : v.tensors)
        l.push_back(tensorOf(h));
      return c10::IValue(l);
    }
    c10::List<c10::optional<at::Tensor>> l;
    for (int h : v.tensors)
      l.push_back(h < 0 ? c10::optional<at::Tensor>()
                        : c10::optional<at::Tensor>(tensorOf(h)));
    return c10::IValue(l);
  }
  case K::Other:
    break;
  }
  throw std::runtime_error("cannot pass " + v.s + " to LibTorch");
}

TsEvalValue fromIValue(const c10::IValue &iv) {
  TsEvalValue v;
  using K = TsEvalValue::Kind;
  if (iv.isNone()) {
    v.kind = K::None;
  } else if (iv.isBool()) {
    v.kind = K::Bool;
    v.i = iv.toBool();
  } else if (iv.isInt()) {
    v.kind = K::Int;
    v.i = iv.toInt();
  } else if (iv.isDouble()) {
    v.kind = K::Float;
    v.f = iv.toDouble();
  } else if (iv.isString()) {
    v.kind = K::String;
    v.s = iv.toStringRef();
  } else if (iv.isDevice()) {
    v.kind = K::Device;
    v.s = iv.toDevice().str();
  } else if (iv.isIntList()) {
    v.kind = K::IntList;
    v.ints = iv.toIntVector();
  } else if (iv.isDoubleList()) {
    v.kind = K::FloatList;
    v.floats = iv.toDoubleVector();
  } else if (iv.isBoolList()) {
    v.kind = K::BoolList;
    for (bool b : iv.toBoolList())
      v.ints.push_back(b);
  } else if (iv.isTensor()) {
    v.kind = K::Tensor;
    v.tensors.push_back(tensorHandle(iv.toTensor()));
  } else if (iv.isTensorList()) {
    v.kind = K::TensorList;
    for (const at::Tensor &t : iv.toTensorVector())
      v.tensors.push_back(tensorHandle(t));
  } else {
    v.kind = K::Other;
    v.s = iv.tagKind();
  }
  return v;
}

} // namespace

} // namespace qopt::torch_import

/// Runs a node's operation at import time (TorchGraph.h, kEvalSymbol).
extern "C" __attribute__((visibility("default"))) bool
qopt_eval_torch_op(int op,
                   const std::vector<qopt::torch_import::TsEvalValue> &inputs,
                   std::vector<qopt::torch_import::TsEvalValue> &outputs,
                   std::string &error) {
  using namespace qopt::torch_import;
  try {
    torch::NoGradGuard noGrad;
    torch::jit::Stack stack;
    for (const TsEvalValue &v : inputs)
      stack.push_back(toIValue(v));
    evalState().ops.at(op)(stack);
    outputs.clear();
    for (const c10::IValue &iv : stack)
      outputs.push_back(fromIValue(iv));
    return true;
  } catch (const std::exception &e) {
    error = firstLine(e.what());
    return false;
  }
}

/// A tensor's current dims and data (TorchGraph.h, kTensorSymbol).
extern "C" __attribute__((visibility("default"))) bool
qopt_read_torch_tensor(int handle, qopt::torch_import::TsTensor &tensor,
                       std::string &error) {
  using namespace qopt::torch_import;
  try {
    at::Tensor c = evalState().tensors.at(handle).contiguous().cpu();
    tensor = TsTensor();
    tensor.dtype = dtypeName(c.scalar_type());
    for (int64_t d : c.sizes())
      tensor.dims.push_back(d);
    tensor.handle = handle;
    Extractor::fillData(c, tensor);
    return true;
  } catch (const std::exception &e) {
    error = firstLine(e.what());
    return false;
  }
}

/// The module's one entry point (TorchGraph.h, kReaderSymbol): loaded with
/// dlopen, so that only a TorchScript import pays for loading LibTorch.
extern "C" __attribute__((visibility("default"))) bool
qopt_read_torchscript(const std::string &path,
                      const qopt::torch_import::ReadOptions &options,
                      qopt::torch_import::TsGraph &graph, std::string &error) {
  using namespace qopt::torch_import;
  try {
    std::optional<TsGraph> result = read(path, options, error);
    if (!result)
      return false;
    graph = std::move(*result);
    return true;
  } catch (const std::exception &e) {
    error = "LibTorch failed on '" + path + "': " + firstLine(e.what());
    return false;
  }
}
