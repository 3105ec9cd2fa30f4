//===- Importer.cpp - the TorchScript graph walk --------------------------===//
//
// Checks the frozen graph for node kinds without a handler (all listed at
// once), imports forward's tensor inputs as arguments of func.func @main with
// a dynamic batch, then the nodes in order. prim::If and prim::Loop whose
// condition / trip count fold at import time are replaced by the block they
// run; anything else is data-dependent control flow, which qnn cannot hold.
//
//===----------------------------------------------------------------------===//

#include "frontend/torchscript/ImportContext.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;

namespace qopt::torch_import {

static const OpTable &opTable() {
  static const OpTable table = frontend::makeOpTable<Importer>(
      {registerNetworkOps, registerShapeOps, registerPoolResizeOps,
       registerValueOps, registerContainerOps});
  return table;
}

std::vector<std::string> supportedTorchOps() {
  return frontend::opNames(opTable(), {"prim::If", "prim::Loop"});
}

static void numberNodes(const TsBlock &block,
                        llvm::DenseMap<const TsNode *, unsigned> &index) {
  for (const TsNode &n : block.nodes) {
    unsigned i = index.size();
    index[&n] = i;
    for (const TsBlock &inner : n.blocks)
      numberNodes(inner, index);
  }
}

static void collectParamNames(const TsGraph &g, llvm::StringMap<bool> &out) {
  for (const std::string &name : g.stateDict)
    out[name] = true;
}

Importer::Importer(MLIRContext *ctx, const TsGraph &graph, StringRef fileName,
                   const ImportOptions &options)
    : GraphBuilder(ctx, fileName, options), g(graph), options(options) {
  numberNodes(g.body, nodeIndex);
  collectParamNames(g, paramNames);
}

std::string Importer::nodePrefix(const TsNode &n) const {
  std::string prefix = "node #" + std::to_string(nodeIndex.lookup(&n)) + " (" +
                       n.kind + ")";
  if (!n.layer.empty())
    prefix += " in layer '" + n.layer + "'";
  if (!n.file.empty())
    prefix += " at " + n.file + ":" + std::to_string(n.line) + ":" +
              std::to_string(n.col);
  return prefix + ": ";
}

/// NameLoc(layer, python file:line:col). Ops outside any submodule are named
/// like torch.fx names them ("add", "add_1", "flatten").
Location Importer::nodeLoc(const TsNode &n) {
  std::string name = n.layer;
  if (name.empty()) {
    StringRef kind = StringRef(n.kind).rsplit("::").second;
    kind = kind.rtrim('_');
    unsigned &count = topLevelNames[kind];
    name = count == 0 ? kind.str() : (kind + "_" + Twine(count)).str();
    ++count;
  }
  Location child =
      n.file.empty()
          ? (Location)FileLineColLoc::get(ctx, fileName, 0, 0)
          : (Location)FileLineColLoc::get(ctx, n.file, n.line, n.col);
  Location loc = NameLoc::get(StringAttr::get(ctx, name), child);
  prefixByLoc[loc.getAsOpaquePointer()] = nodePrefix(n);
  return loc;
}

InFlightDiagnostic Importer::error() {
  InFlightDiagnostic diag = emitError(fileLoc);
  if (current)
    diag << nodePrefix(*current);
  return diag;
}

void Importer::collectUnsupported(const TsBlock &block,
                                  std::vector<const TsNode *> &out) {
  if (&block == &g.body)
    runtimeTensors.insert(g.body.inputs.begin(), g.body.inputs.end());
  for (const TsNode &n : block.nodes) {
    // Tensors computed from run-time tensors (conservatively, every tensor
    // a branch or loop yields).
    bool runtime = n.kind == "prim::If" || n.kind == "prim::Loop";
    bool runtimeOperand = false;
    for (auto [i, id] : llvm::enumerate(n.inputs))
      if (runtimeTensors.count(id) && !(i == 0 && readsOnlyDtype(n.kind)))
        runtimeOperand = true;
    for (int id : n.outputs)
      if ((runtime || runtimeOperand) && g.values[id].isTensor)
        runtimeTensors.insert(id);
    if (n.kind == "prim::If")
      continue; // checked when a branch is taken
    if (n.kind == "prim::Loop") {
      collectUnsupported(n.blocks[0], out);
      continue;
    }
    // A node LibTorch can run is evaluated at import time when its inputs
    // are known then (evaluateNode).
    if (!opTable().count(n.kind) && (n.op < 0 || runtimeOperand))
      out.push_back(&n);
  }
}

/// prim::If / prim::Loop nodes of `block` whose condition (or trip count) is
/// computed from `unsupported` nodes: data-dependent control flow that will
/// not fold away.
static std::vector<const TsNode *>
dataDependentBranches(const TsBlock &block,
                      const std::vector<const TsNode *> &unsupported) {
  llvm::DenseMap<int, const TsNode *> producer;
  for (const TsNode &n : block.nodes)
    for (int out : n.outputs)
      producer[out] = &n;
  llvm::DenseSet<const TsNode *> bad(unsupported.begin(), unsupported.end());
  std::vector<const TsNode *> out;
  for (const TsNode &n : block.nodes) {
    if (n.kind != "prim::If" && n.kind != "prim::Loop")
      continue;
    SmallVector<int> work(n.inputs.begin(),
                          n.inputs.begin() + (n.kind == "prim::If" ? 1 : 2));
    llvm::DenseSet<int> seen;
    bool dependent = false;
    while (!work.empty() && !dependent) {
      int v = work.pop_back_val();
      const TsNode *p = producer.lookup(v);
      if (!p || !seen.insert(v).second)
        continue;
      dependent = bad.count(p);
      work.append(p->inputs.begin(), p->inputs.end());
    }
    if (dependent)
      out.push_back(&n);
  }
  return out;
}

LogicalResult Importer::checkSupport(const TsBlock &block) {
  std::vector<const TsNode *> unsupported;
  collectUnsupported(block, unsupported);
  if (unsupported.empty())
    return success();
  std::vector<frontend::UnsupportedNode> notes;
  for (const TsNode *n : unsupported)
    notes.push_back({n->kind, fileLoc, nodePrefix(*n)});
  std::vector<const TsNode *> branches =
      dataDependentBranches(block, unsupported);
  InFlightDiagnostic diag = emitUnsupported(notes);
  if (!branches.empty())
    diag << "; " << branches.size()
         << " prim::If / prim::Loop depend on them (data-dependent control "
            "flow)";
  for (const TsNode *n : branches)
    diag.attachNote(fileLoc)
        << nodePrefix(*n)
        << "data-dependent control flow: its condition is computed from "
           "run-time tensor values, and qnn has no control flow";
  return diag;
}

void Importer::bind(ArrayRef<int> to, ArrayRef<int> from) {
  for (auto [t, f] : llvm::zip(to, from)) {
    auto v = values.find(f);
    if (v != values.end()) {
      Value val = v->second;
      foldedValues.erase(t);
      values[t] = val;
      continue;
    }
    auto c = foldedValues.find(f);
    if (c != foldedValues.end()) {
      Folded copy = c->second;
      values.erase(t);
      foldedValues[t] = std::move(copy);
    }
  }
}

/// True when `block` ends in prim::RaiseException: an assertion's failure
/// branch.
static bool raises(const TsBlock &block) {
  return llvm::any_of(block.nodes, [](const TsNode &node) {
    return node.kind == "prim::RaiseException";
  });
}

LogicalResult Importer::importIf() {
  const TsNode &n = *current;
  const Folded *cond = folded(0);
  int branch = -1;
  if (cond && cond->isNumber() &&
      !(cond->kind == Folded::Kind::Int && isUnknown(cond->i)))
    branch = cond->number() != 0 ? 0 : 1;
  // An assertion undecided at import time (key.shape == value.shape, with a
  // dynamic batch): PyTorch would have raised where it fails, so the model
  // is taken to satisfy it.
  else if (cond && cond->kind == Folded::Kind::Int && raises(n.blocks[1]) &&
           !raises(n.blocks[0]))
    branch = 0;
  else if (cond && cond->kind == Folded::Kind::Int && raises(n.blocks[0]) &&
           !raises(n.blocks[1]))
    branch = 1;
  if (branch < 0 && cond && cond->kind == Folded::Kind::Int)
    return error() << "data-dependent control flow: the condition depends on "
                      "the dynamic batch size, and qnn has no control flow";
  if (branch < 0)
    return error() << "data-dependent control flow: the condition is only "
                      "known at run time, and qnn has no control flow";
  const TsBlock &taken = n.blocks[branch];
  if (failed(checkSupport(taken)) || failed(importBlock(taken)))
    return failure();
  bind(n.outputs, taken.outputs);
  current = &n;
  return success();
}

LogicalResult Importer::importLoop() {
  const TsNode &n = *current;
  FailureOr<int64_t> trips = getInt(0, "the trip count");
  FailureOr<bool> cond = getBool(1, "the loop condition");
  if (failed(trips) || failed(cond))
    return error() << "data-dependent control flow: prim::Loop must have a "
                      "trip count and condition known at import time";
  const TsBlock &body = n.blocks[0];
  // The node's outputs hold the loop-carried values between iterations.
  bind(n.outputs, ArrayRef<int>(n.inputs).drop_front(2));
  for (int64_t it = 0; it < *trips && *cond; ++it) {
    foldedValues[body.inputs[0]] = Folded::ofInt(it);
    bind(ArrayRef<int>(body.inputs).drop_front(), n.outputs);
    if (failed(importBlock(body)))
      return failure();
    current = &n;
    auto c = foldedValues.find(body.outputs[0]);
    if (c == foldedValues.end() || !c->second.isNumber())
      return error() << "data-dependent control flow: the loop condition is "
                        "only known at run time";
    *cond = c->second.number() != 0;
    bind(n.outputs, ArrayRef<int>(body.outputs).drop_front());
  }
  return success();
}

LogicalResult Importer::importNode(const TsNode &n) {
  current = &n;
  currentLoc = nodeLoc(n);
  if (n.kind == "prim::If")
    return importIf();
  if (n.kind == "prim::Loop")
    return importLoop();
  auto handler = opTable().find(n.kind);
  if (std::optional<LogicalResult> evaluated =
          evaluateNode(handler != opTable().end()))
    return *evaluated;
  if (handler == opTable().end())
    return error() << "has no qnn mapping for run-time tensors and its "
                      "inputs are not all known at import time";
  return handler->second(*this);
}

LogicalResult Importer::importBlock(const TsBlock &block) {
  for (const TsNode &n : block.nodes)
    if (failed(importNode(n)))
      return failure();
  return success();
}

LogicalResult Importer::importInputs(func::FuncOp &func) {
  SmallVector<Type> types;
  for (auto [k, id] : llvm::enumerate(g.body.inputs)) {
    const TsValue &v = g.values[id];
    if (!v.isTensor)
      return emitError(fileLoc) << "forward's input '" << v.debugName
                                << "' has type " << v.type
                                << "; only tensor inputs are supported";
    if (k >= options.inputShapes.size())
      return emitError(fileLoc)
             << "forward's input '" << v.debugName
             << "' needs a shape: pass --input-shape (e.g. 1,3,224,224)";
    SmallVector<int64_t> shape(options.inputShapes[k].begin(),
                               options.inputShapes[k].end());
    if (shape.empty())
      return emitError(fileLoc) << "the shape of input '" << v.debugName
                                << "' must have at least one dimension";
    shape[0] = ShapedType::kDynamic;
    for (int64_t &d : shape)
      if (d < 0)
        d = ShapedType::kDynamic;
    types.push_back(f32Type(shape));
  }
  if (options.inputShapes.size() > types.size())
    return emitError(fileLoc) << options.inputShapes.size()
                              << " input shapes given, but forward has "
                              << types.size() << " tensor input(s)";
  func = createMain(types);
  for (auto [k, id] : llvm::enumerate(g.body.inputs)) {
    values[id] = func.getArgument(k);
    func.setArgAttr(k, "torch.name",
                    StringAttr::get(ctx, g.values[id].debugName));
  }
  return success();
}

LogicalResult Importer::importOutputs(func::FuncOp func) {
  current = nullptr;
  SmallVector<Value> results;
  for (int id : g.body.outputs) {
    auto v = values.find(id);
    if (v != values.end()) {
      results.push_back(v->second);
      continue;
    }
    auto f = foldedValues.find(id);
    bool ok = f != foldedValues.end() && f->second.kind == Folded::Kind::List;
    // A named tuple whose optional fields are None at inference
    // (GoogLeNetOutputs and InceptionOutputs without their auxiliary
    // logits): the tensors are the outputs, and a warning says what was
    // left out.
    SmallVector<unsigned> dropped;
    if (ok) {
      for (auto [k, item] : llvm::enumerate(f->second.items)) {
        if (item.kind == Folded::Kind::Value) {
          results.push_back(item.value);
          continue;
        }
        if (item.kind == Folded::Kind::None) {
          dropped.push_back(k);
          continue;
        }
        ok = false;
      }
      ok = ok && dropped.size() < f->second.items.size();
    }
    if (ok && !dropped.empty()) {
      InFlightDiagnostic w = emitWarning(fileLoc);
      w << "forward returns '" << g.values[id].debugName << "' of type "
        << g.values[id].type << ": its element(s) ";
      llvm::interleaveComma(dropped, w);
      w << " are None and left out; the outputs are its tensors";
    }
    if (!ok)
      return emitError(fileLoc) << "forward returns '" << g.values[id].debugName
                                << "' of type " << g.values[id].type
                                << ", which is not a run-time tensor (or a "
                                   "tuple / list of them)";
  }
  returnFromMain(func, results);
  return success();
}

void Importer::reportVerifierError(Location loc, StringRef message) {
  emitError(fileLoc) << prefixByLoc.lookup(loc.getAsOpaquePointer()) << message;
}

LogicalResult Importer::checkGraph() { return checkSupport(g.body); }

LogicalResult Importer::importGraph() {
  func::FuncOp func;
  if (failed(importInputs(func)) || failed(importBlock(g.body)))
    return failure();
  return importOutputs(func);
}

OwningOpRef<ModuleOp> importTorchScriptFile(StringRef path, MLIRContext *ctx,
                                            const ImportOptions &options) {
  DialectRegistry registry;
  frontend::registerGraphDialects(registry);
  ctx->appendDialectRegistry(registry);
  ctx->loadAllAvailableDialects();
  ReadOptions readOptions;
  readOptions.inputShapes = options.inputShapes;
  std::string error;
  std::optional<TsGraph> graph = readTorchScript(path.str(), readOptions, error);
  if (!graph) {
    emitError(FileLineColLoc::get(ctx, path, 0, 0)) << error;
    return nullptr;
  }
  return Importer(ctx, *graph, path, options).run();
}

} // namespace qopt::torch_import
