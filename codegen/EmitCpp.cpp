//===- EmitCpp.cpp - execution plans as standalone C++ programs -----------===//
//
// The computation goes through MLIR's EmitC dialect and its C++ printer
// (mlir::emitc::translateToCpp). What EmitC cannot express is printed here
// as plain text: C++ enumerations (the slot names), aggregate initializers
// of the parameter structs (as #emitc.opaque initial values of emitc.global)
// and the fixed C API / main / CMake boilerplate around the computation
// (docs/codegen.md says why).
//
//===----------------------------------------------------------------------===//

#include "codegen/EmitCpp.h"
#include "codegen/CppParams.h"
#include "codegen/GlobalState.h"
#include "dialect/QnnOps.h"
#include "passes/Names.h"

#include "runtime/Checkpoint.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/EmitC/IR/EmitC.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Target/Cpp/CppEmitter.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace qopt;

const char *qopt::targetName(Target t) {
  return t == Target::Cuda ? "cuda" : "cpu";
}

std::optional<Target> qopt::parseTarget(StringRef s) {
  if (s == "cpu")
    return Target::Cpu;
  if (s == "cuda")
    return Target::Cuda;
  return std::nullopt;
}

namespace {
/// How a target's program names its kernels, context and runtime.
struct TargetSpelling {
  std::string ns;            // the kernels' namespace: ns::conv2d(ctx, ...)
  std::string execHeader;    // declares them
  std::string programHeader; // Program, ProgramSpec, programMainWithWeights
  std::string library;       // the CMake target the program links
};
} // namespace

static TargetSpelling spelling(Target t) {
  if (t == Target::Cuda)
    return {"qrt::cuda::exec", "runtime/cuda/Exec.h", "runtime/cuda/Program.h",
            "qrt::qrt_cuda"};
  return {"qrt::exec", "runtime/Exec.h", "runtime/Program.h", "qrt::qrt"};
}

/// True when the CUDA back end defines kernel `k`.
static bool onCuda(qrt::exec::Kernel k) {
  switch (k) {
#define QRT_CUDA_KERNEL(name)                                                  \
  case qrt::exec::Kernel::name:                                                \
    return true;
#include "runtime/cuda/Kernels.def"
  default:
    return false;
  }
}

std::string qopt::cIdentifier(StringRef s) {
  // "/stages/stages.0/conv1/Conv" -> "stages_stages_0_conv1_Conv": runs of
  // other characters become one '_', none at either end.
  std::string out;
  for (char c : s) {
    if (std::isalnum((unsigned char)c))
      out += c;
    else if (!out.empty() && out.back() != '_')
      out += '_';
  }
  while (!out.empty() && out.back() == '_')
    out.pop_back();
  if (out.empty() || std::isdigit((unsigned char)out[0]))
    out = "_" + out;
  return out;
}

/// C++ keywords and names the generated files use themselves.
static bool isReserved(StringRef s) {
  static const llvm::StringSet<> reserved = {
      "alignas",  "alignof",   "and",    "asm",      "auto",     "bool",
      "break",    "case",      "catch",  "char",     "class",    "const",
      "continue", "default",   "delete", "do",       "double",   "else",
      "enum",     "explicit",  "export", "extern",   "false",    "float",
      "for",      "friend",    "goto",   "if",       "inline",   "int",
      "long",     "namespace", "new",    "not",      "operator", "or",
      "private",  "protected", "public", "register", "return",   "short",
      "signed",   "sizeof",    "static", "struct",   "switch",   "template",
      "this",     "throw",     "true",   "try",      "typedef",  "typename",
      "union",    "unsigned",  "using",  "virtual",  "void",     "volatile",
      "while",    "xor",       "main",   "slot",     "qrt",      "std"};
  return reserved.contains(s);
}

namespace {
/// Hands out unique identifiers from bases.
class Namer {
public:
  std::string unique(StringRef base) {
    std::string b = cIdentifier(base);
    std::string n = b;
    for (int i = 2; isReserved(n) || used.contains(n); ++i)
      n = b + "_" + std::to_string(i);
    used.insert(n);
    return n;
  }

private:
  llvm::StringSet<> used;
};
} // namespace

/// The name of a weight constant: its dense_resource key (the importers
/// key weights by their ONNX initializer / TorchScript parameter name).
static std::string weightName(Value v) {
  auto cst = v.getDefiningOp<arith::ConstantOp>();
  if (!cst)
    return "";
  if (auto r = dyn_cast<DenseResourceElementsAttr>(cst.getValue()))
    return r.getRawHandle().getKey().str();
  return "";
}

/// The layer an op belongs to: its location's name, else the name of the
/// first weight it reads without the ".weight" / ".bias" suffix.
static std::string layerOf(Operation &op) {
  std::string layer = nameInLoc(op.getLoc());
  if (!layer.empty() || isa<arith::ConstantOp>(op))
    return layer;
  for (Value v : op.getOperands()) {
    std::string w = weightName(v);
    if (w.empty())
      continue;
    for (StringRef suffix : {".weight", ".bias"})
      if (StringRef(w).ends_with(suffix))
        return w.substr(0, w.size() - suffix.size());
    return w;
  }
  return "";
}

ProgramNames qopt::nameProgram(const ExecutionPlan &plan, func::FuncOp func) {
  ProgramNames names;
  names.slots.assign(plan.numSlots(), "");
  const llvm::DenseMap<Value, unsigned> &slotMap = plan.slotMap();
  Namer slotNamer;
  auto name = [&](Value v, StringRef base) {
    auto it = slotMap.find(v);
    if (it != slotMap.end() && names.slots[it->second].empty())
      names.slots[it->second] = slotNamer.unique(base);
  };
  unsigned numArgs = func.getNumArguments();
  for (BlockArgument arg : func.getArguments())
    name(arg, numArgs == 1 ? std::string("input")
                           : "input" + std::to_string(arg.getArgNumber()));
  for (Operation &op : func.getBody().front()) {
    StringRef mnemonic = op.getName().stripDialect();
    std::string base;
    if (auto cst = dyn_cast<arith::ConstantOp>(op)) {
      base = weightName(cst.getResult());
      if (base.empty()) {
        // A constant named after the layer that reads it (fold-batch-norm's
        // folded weights and biases) says what it is for.
        base = nameInLoc(op.getLoc());
        for (OpOperand &use : cst->getUses()) {
          Operation *user = use.getOwner();
          if (base.empty() || layerOf(*user) != base)
            continue;
          unsigned n = use.getOperandNumber();
          base += isa<qnn::FakeQuantOp>(user) ? (n == 0 ? "_weight" : "_qparam")
                  : n == 1                    ? "_weight"
                  : n == 2                    ? "_bias"
                                              : "_cst";
          break;
        }
      }
      if (base.empty())
        base = "cst";
    } else if (auto load = dyn_cast<ml_program::GlobalLoadOp>(op)) {
      // The training state: named after the global ("conv1.weight").
      base = load.getGlobal().getLeafReference().str();
    } else {
      std::string layer = layerOf(op);
      // A layer's main op takes its name; its quantizers and the like add
      // their mnemonic.
      bool mainOp =
          isa<qnn::Conv2dOp, qnn::LinearOp, qnn::QConv2dOp, qnn::QLinearOp>(op);
      base = layer.empty() ? mnemonic.str()
             : mainOp      ? layer
                           : layer + "_" + mnemonic.str();
    }
    for (Value r : op.getResults())
      name(r, base);
  }
  for (auto [i, n] : llvm::enumerate(names.slots))
    if (n.empty())
      n = slotNamer.unique("t" + std::to_string(i));
  // A step is named after the slot it writes (or its kernel).
  Namer stepNamer;
  for (const PlanStep &step : plan.planSteps()) {
    const qrt::exec::StepIO &io = step.call.io;
    std::string base =
        step.call.kernel == qrt::exec::Kernel::global_store
            ? "store_" + step.call.as<qrt::exec::GlobalRef>().name
        : io.out.empty() ? std::string(qrt::exec::kernelName(step.call.kernel))
                         : names.slots[io.out[0]];
    names.steps.push_back(stepNamer.unique(base));
  }
  return names;
}

/// True when a step of `plan` loads or stores a global.
static bool usesGlobals(const ExecutionPlan &plan) {
  return llvm::any_of(plan.planSteps(), [](const PlanStep &step) {
    return step.call.kernel == qrt::exec::Kernel::global_load ||
           step.call.kernel == qrt::exec::Kernel::global_store;
  });
}

LogicalResult qopt::checkEmittable(const ExecutionPlan &plan,
                                   func::FuncOp func, Target target) {
  bool ok = true;
  if (target == Target::Cuda) {
    for (const PlanStep &step : plan.planSteps())
      if (!onCuda(step.call.kernel)) {
        emitError(step.loc) << "qrt has no CUDA kernel for "
                            << qrt::exec::kernelName(step.call.kernel)
                            << " yet (runtime/cuda/Kernels.def lists those "
                               "it has); emit this function for the CPU";
        ok = false;
      }
  }
  for (BlockArgument arg : func.getArguments()) {
    auto type = cast<RankedTensorType>(arg.getType());
    for (int64_t d = 1; d < type.getRank(); ++d)
      if (type.isDynamicDim(d)) {
        emitError(arg.getLoc())
            << "dimension " << d << " of argument " << arg.getArgNumber()
            << " is dynamic; an emitted program takes a dynamic batch "
               "(dimension 0) only";
        ok = false;
      }
  }
  return success(ok);
}

/// `{slot::a, slot::b}` (kNoSlot as -1).
static std::string slotList(const std::vector<int32_t> &slots,
                            const ProgramNames &names) {
  std::string s = "{";
  for (size_t i = 0; i < slots.size(); ++i)
    s += (i ? ", " : "") + (slots[i] == qrt::exec::kNoSlot
                                ? std::string("qrt::exec::kNoSlot")
                                : "slot::" + names.slots[slots[i]]);
  return s + "}";
}

OwningOpRef<ModuleOp>
qopt::buildEmitCModule(MLIRContext *context,
                       ArrayRef<ProgramFunction> functions, StringRef name,
                       Target target) {
  const TargetSpelling spell = spelling(target);
  context->getOrLoadDialect<emitc::EmitCDialect>();
  OpBuilder b(context);
  Location loc = b.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  emitc::IncludeOp::create(b, loc, spell.execHeader);
  auto verbatim = [&](const std::string &text) {
    emitc::VerbatimOp::create(b, loc, text);
  };
  auto opaque = [&](const std::string &s) {
    return emitc::OpaqueType::get(context, s);
  };
  // Step data symbols are unique in the module (MLIR's symbol table), so a
  // name that an earlier function took gets the role as a suffix.
  llvm::StringSet<> taken;
  std::vector<std::vector<std::string>> stepSymbols;
  for (const ProgramFunction &fn : functions) {
    std::vector<std::string> &symbols = stepSymbols.emplace_back();
    for (const std::string &n : fn.names.steps) {
      std::string sym = n;
      for (int i = 2; taken.contains(sym) || taken.contains(sym + "_io"); ++i)
        sym = n + "_" + fn.role + (i > 2 ? std::to_string(i) : "");
      taken.insert(sym);
      taken.insert(sym + "_io");
      symbols.push_back(sym);
    }
  }
  for (auto [f, fn] : llvm::enumerate(functions)) {
    const ExecutionPlan &plan = *fn.plan;
    const ProgramNames &names = fn.names;
    const std::vector<std::string> &symbols = stepSymbols[f];
    // Each function's slots and step data live in a namespace named after
    // its role, so that two functions' layer names cannot collide.
    verbatim("");
    verbatim("namespace " + fn.role + " {");
    verbatim("// The value slots of @" + fn.func.getName().str() +
             "'s context, named after the layers that write them.");
    verbatim("namespace slot {");
    verbatim("enum : int32_t {");
    for (auto [i, n] : llvm::enumerate(names.slots))
      verbatim("  " + n + " = " + std::to_string(i) + ",");
    verbatim("};");
    verbatim("} // namespace slot");
    verbatim("");
    verbatim("// Each step's operands and parameters, fixed when the plan was "
             "built.");
    for (auto [i, step] : llvm::enumerate(plan.planSteps())) {
      const qrt::exec::StepIO &io = step.call.io;
      std::string ioInit = "{.id = " + std::to_string(io.id) +
                           ", .what = " + cppStringLiteral(io.what) +
                           ", .in = " + slotList(io.in, names) +
                           ", .out = " + slotList(io.out, names) +
                           ", .release = " + slotList(io.release, names) + "}";
      emitc::GlobalOp::create(b, loc, symbols[i] + "_io",
                              opaque("qrt::exec::StepIO"),
                              emitc::OpaqueAttr::get(context, ioInit),
                              /*extern=*/false, /*static=*/true,
                              /*const=*/true);
      emitc::GlobalOp::create(
          b, loc, symbols[i], opaque(cppParamsType(step.call)),
          emitc::OpaqueAttr::get(context, cppParamsInitializer(step.call)),
          /*extern=*/false, /*static=*/true, /*const=*/true);
    }
    verbatim("} // namespace " + fn.role);
    verbatim("");
  }

  Type ctxType = opaque(spell.ns + "::Context &");
  for (auto [f, fn] : llvm::enumerate(functions)) {
    b.setInsertionPointToEnd(module->getBody());
    auto func = emitc::FuncOp::create(b, loc, (name + "_" + fn.role).str(),
                                      b.getFunctionType({ctxType}, {}));
    Block *body = func.addEntryBlock();
    b.setInsertionPointToEnd(body);
    Value ctx = body->getArgument(0);
    for (auto [i, step] : llvm::enumerate(fn.plan->planSteps())) {
      std::string data = fn.role + "::" + stepSymbols[f][i];
      ArrayAttr args =
          b.getArrayAttr({b.getIndexAttr(0),
                          emitc::OpaqueAttr::get(context, data + "_io"),
                          emitc::OpaqueAttr::get(context, data)});
      emitc::CallOpaqueOp::create(
          b, loc, TypeRange(),
          spell.ns + "::" + qrt::exec::kernelName(step.call.kernel),
          ValueRange{ctx}, args);
    }
    emitc::ReturnOp::create(b, loc, Value());
  }
  return module;
}

//===----------------------------------------------------------------------===//
// The program directory
//===----------------------------------------------------------------------===//

static std::string tensorInfoCpp(const ArgSpec &a) {
  return "{.shape = " + cppIntList(a.shape) +
         ", .dtype = " + cppDType(a.dtype) + "}";
}

static LogicalResult writeFile(Location loc, const std::string &path,
                               const std::string &text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return emitError(loc) << "cannot write " << path << ": "
                          << ec.message();
  os << text;
  return success();
}

static std::string header(const ExecutionPlan &plan, StringRef name) {
  std::string s;
  llvm::raw_string_ostream os(s);
  std::string guard = llvm::StringRef(cIdentifier(name)).upper() + "_H";
  os << "/* Generated by qemit. The C API of the " << name << " program:\n"
     << " *   " << name << "_context *ctx = " << name << "_create(\"" << name
     << ".weights\");\n"
     << " *   if (!ctx) puts(" << name << "_last_error());\n"
     << " *   " << name << "_run(ctx, batch, inputs, outputs);  // 0: ok, else "
     << name << "_error(ctx)\n"
     << " *   " << name << "_destroy(ctx);\n"
     << " * Buffers are dense, row-major, of the dtypes and shapes below; a\n"
     << " * dimension of -1 is the batch size passed to " << name
     << "_run. */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "typedef struct " << name << "_context " << name << "_context;\n\n";
  auto describe = [&](const char *kind, const std::vector<ArgSpec> &specs) {
    std::string upper = StringRef(kind).upper();
    os << "#define " << StringRef(cIdentifier(name)).upper() << "_NUM_" << upper
       << "S " << specs.size() << "\n";
    for (auto [i, a] : llvm::enumerate(specs)) {
      os << "/* " << kind << " " << i << ": " << qrt::dtypeName(a.dtype)
         << qrt::shapeToString(a.shape) << " */\n";
      os << "static const int64_t " << name << "_" << kind << i
         << "_shape[] = " << cppIntList(a.shape) << ";\n";
    }
  };
  describe("input", plan.arguments());
  describe("output", plan.results());
  os << "\n/* Loads the weights; NULL on error (see " << name
     << "_last_error). */\n"
     << name << "_context *" << name << "_create(const char *weights_path);\n"
     << "/* Why the last " << name << "_create of this thread failed. */\n"
     << "const char *" << name << "_last_error(void);\n"
     << "/* Runs the model; 0 on success. Not reentrant per context. */\n"
     << "int " << name << "_run(" << name
     << "_context *ctx, int64_t batch, const void *const *inputs,\n"
     << "    void *const *outputs);\n"
     << "/* The error of the last failed " << name << "_run. */\n"
     << "const char *" << name << "_error(const " << name << "_context *ctx);\n"
     << "void " << name << "_destroy(" << name << "_context *ctx);\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif\n";
  return s;
}

/// The `.arena` field of a ProgramSpec: the plan's layout, one placement per
/// line (bytes per batch row), so that the program places each tensor where
/// qrun does.
static std::string arenaInitializer(const qrt::exec::ArenaLayout &layout,
                                    const ProgramNames &names) {
  std::string s = "      // Where the intermediate tensors live, in bytes per "
                  "batch row (docs/codegen.md).\n"
                  "      .arena = {.rowBytes = " +
                  std::to_string(layout.rowBytes) +
                  ",\n                .placements = {\n";
  for (const qrt::exec::ArenaLayout::Placement &p : layout.placements)
    s += "                    {.slot = " + std::to_string(p.slot) + " /* " +
         names.slots[p.slot] + " */, .offset = " + std::to_string(p.offset) +
         ", .size = " + std::to_string(p.size) + "},\n";
  return s + "                }},\n";
}

/// The weights-file key of a constant of `fn`.
static std::string constantKey(const ProgramFunction &fn, unsigned slot) {
  return fn.role + "/" + fn.names.slots[slot];
}

/// `const qrt::exec::ProgramSpec &NAME_<role>_spec()`: where `fn`'s inputs,
/// outputs, weights and state live in its context.
static std::string specSource(const ProgramFunction &fn, StringRef name,
                              const TargetSpelling &spell) {
  const ExecutionPlan &plan = *fn.plan;
  const ProgramNames &names = fn.names;
  std::string s;
  llvm::raw_string_ostream os(s);
  std::string description = ("@" + fn.func.getName() + ", " +
                             llvm::Twine(plan.numSteps()) + " steps")
                                .str();
  os << "const " << spell.ns << "::ProgramSpec &" << name << "_" << fn.role
     << "_spec() {\n"
     << "  static const " << spell.ns << "::ProgramSpec spec = {\n"
     << "      .name = " << cppStringLiteral(name.str()) << ",\n"
     << "      .numSlots = " << plan.numSlots() << ",\n"
     << "      .numSteps = " << plan.numSteps() << ",\n"
     << "      .signature = {.name = " << cppStringLiteral(name.str())
     << ",\n                    .inputs = {";
  for (auto [i, a] : llvm::enumerate(plan.arguments()))
    os << (i ? ", " : "") << tensorInfoCpp(a);
  os << "},\n                    .outputs = {";
  for (auto [i, a] : llvm::enumerate(plan.results()))
    os << (i ? ", " : "") << tensorInfoCpp(a);
  os << "},\n                    .description = "
     << cppStringLiteral(description) << "},\n";
  auto slots = [&](ArrayRef<unsigned> list) {
    std::string r = "{";
    for (auto [i, slot] : llvm::enumerate(list))
      r += (i ? ", " : "") + std::to_string(slot) + " /* " + names.slots[slot] +
           " */";
    return r + "}";
  };
  os << "      .inputSlots = " << slots(plan.argumentSlots()) << ",\n"
     << "      .outputSlots = " << slots(plan.resultSlots()) << ",\n"
     << "      .constants = {\n";
  for (unsigned slot = 0; slot < plan.numSlots(); ++slot) {
    const qrt::Tensor &t = plan.constant(slot);
    if (!t.defined())
      continue;
    os << "          {" << cppStringLiteral(constantKey(fn, slot)) << ", "
       << slot << ", {.shape = " << cppIntList(t.shape())
       << ", .dtype = " << cppDType(t.dtype()) << "}},\n";
  }
  os << "      },\n";
  if (GlobalState *globals = plan.globals(); globals && usesGlobals(plan)) {
    os << "      .globals = {\n";
    for (const std::string &g : globals->names()) {
      const qrt::Tensor &t = globals->get(g);
      os << "          {" << cppStringLiteral(g) << ", {.shape = "
         << cppIntList(t.shape()) << ", .dtype = " << cppDType(t.dtype())
         << "}},\n";
    }
    os << "      },\n";
  }
  os << "      .forward = " << name << "_" << fn.role << ",\n"
     << arenaInitializer(plan.arena(), names) << "  };\n"
     << "  return spec;\n}\n\n";
  return s;
}

/// The functions' specs and the C API (over the "forward" function).
static std::string programSource(ArrayRef<ProgramFunction> functions,
                                 StringRef name, const TargetSpelling &spell) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "// Generated by qemit: the spec and C API of the " << name
     << " program.\n"
     << "#include \"" << name << ".h\"\n#include \"" << spell.programHeader
     << "\"\n\n"
     << "#include <memory>\n#include <string>\n\n";
  for (const ProgramFunction &fn : functions)
    os << "void " << name << "_" << fn.role << "(" << spell.ns
       << "::Context &ctx);\n";
  os << "\n";
  for (const ProgramFunction &fn : functions)
    os << specSource(fn, name, spell);
  os << "struct " << name << "_context {\n"
     << "  std::unique_ptr<" << spell.ns << "::Program> program;\n"
     << "  std::string error;\n};\n\n"
     << "static thread_local std::string lastError;\n\n"
     << "extern \"C\" " << name << "_context *" << name
     << "_create(const char *weights_path) {\n"
     << "  auto program = " << spell.ns << "::Program::load(" << name
     << "_forward_spec(), weights_path ? weights_path : \"\");\n"
     << "  if (!program) {\n    lastError = program.status().message();\n"
     << "    return nullptr;\n  }\n"
     << "  return new " << name << "_context{std::move(*program), {}};\n}\n\n"
     << "extern \"C\" const char *" << name
     << "_last_error(void) { return lastError.c_str(); }\n\n"
     << "extern \"C\" int " << name << "_run(" << name
     << "_context *ctx, int64_t batch,\n    const void *const *inputs, "
        "void *const *outputs) {\n"
     << "  qrt::Status s = ctx->program->runBuffers(batch, inputs, outputs);\n"
     << "  ctx->error = s.message();\n  return s ? 0 : 1;\n}\n\n"
     << "extern \"C\" const char *" << name << "_error(const " << name
     << "_context *ctx) {\n  return ctx->error.c_str();\n}\n\n"
     << "extern \"C\" void " << name << "_destroy(" << name
     << "_context *ctx) { delete ctx; }\n";
  return s;
}

/// True for a training program (it has a train_step function).
static bool isTraining(ArrayRef<ProgramFunction> functions) {
  return llvm::any_of(functions, [](const ProgramFunction &fn) {
    return fn.role == "train_step";
  });
}

static std::string mainSource(StringRef name, bool training,
                              const TargetSpelling &spell) {
  std::string n = name.str();
  if (training) {
    // The CPU's trainMain is in TrainProgram.h, the CUDA one beside its
    // Program.
    std::string header = spell.ns == "qrt::exec" ? "runtime/TrainProgram.h"
                                                 : spell.programHeader;
    // Under mpirun, a training program is one rank of a data-parallel run
    // when qrt was built with libqrt_mpi (QRT_WITH_MPI, set by the generated
    // CMakeLists.txt); a CUDA one drives one GPU per rank, the ranks joined
    // by NCCL (runtime/cuda/NcclCollective.h) before any device work.
    bool cuda = spell.ns != "qrt::exec";
    return "// Generated by qemit: " + n +
           "-train, qc's QAT loop (runtime/TrainLoop.h) over the emitted\n"
           "// @train_step, evaluating the emitted test-mode @main.\n"
           "#include \"" + header + "\"\n"
           "#ifdef QRT_WITH_MPI\n"
           "#include \"runtime/Threading.h\"\n" +
           (cuda ? "#include \"runtime/cuda/NcclCollective.h\"\n" : "") +
           "#include \"runtime/mpi/MpiCollective.h\"\n" +
           (cuda ? "#include <cstdio>\n" : "") +
           "#endif\n"
           "\n"
           "const " + spell.ns + "::ProgramSpec &" + n + "_train_step_spec();\n"
           "const " + spell.ns + "::ProgramSpec &" + n + "_forward_spec();\n\n"
           "int main(int argc, char **argv) {\n"
           "#ifdef QRT_WITH_MPI\n"
           "  // Before MPI starts: it may execute the program again.\n"
           "  qrt::preferPassiveWaitPolicy(argv);\n"
           "  qrt::mpi::Session mpi(&argc, &argv);\n" +
           (cuda ? "  // One GPU per rank (its local rank), the ranks joined by "
                   "NCCL.\n"
                   "  qrt::cuda::NcclSession nccl;\n"
                   "  if (!nccl.status()) {\n"
                   "    std::fprintf(stderr, \"" + n + ": error: %s\\n\",\n"
                   "                 nccl.status().message().c_str());\n"
                   "    return 1;\n"
                   "  }\n"
                 : "") +
           "#endif\n"
           "  return " + spell.ns + "::trainMain(argc, argv, " + n +
           "_train_step_spec(),\n                               " + n +
           "_forward_spec());\n}\n";
  }
  return "// Generated by qemit: " + n +
         "-run, qrun's options over the emitted program.\n"
         "#include \"" + spell.programHeader + "\"\n\n"
         "const " + spell.ns + "::ProgramSpec &" + n + "_forward_spec();\n\n"
         "int main(int argc, char **argv) {\n"
         "  return " + spell.ns + "::programMainWithWeights(argc, argv, " + n +
         "_forward_spec());\n}\n";
}

static std::string cmakeLists(StringRef name, bool training, Target target) {
  std::string exe = (name + (training ? "-train" : "-run")).str();
  const TargetSpelling spell = spelling(target);
  // The CUDA program's host code is plain C++ over libqrt_cuda (which holds
  // every kernel); it needs the toolkit's runtime and a qrt built with CUDA.
  std::string findCuda =
      target == Target::Cuda
          ? "if(NOT TARGET qrt::qrt_cuda)\n"
            "  message(FATAL_ERROR \"this qrt was built without its CUDA "
            "kernels (QOPT_CUDA)\")\n"
            "endif()\n"
            "find_package(CUDAToolkit REQUIRED)\n"
          : "";
  std::string libraries =
      target == Target::Cuda ? spell.library + " CUDA::cudart" : spell.library;
  return ("# Generated by qemit. Builds lib" + name + ".a (the C API of " +
          name + ".h) and\n# " + exe +
          " against an installed qrt:\n"
          "#   cmake -S . -B build -DCMAKE_PREFIX_PATH=<qrt prefix> && "
          "cmake --build build\n"
          "cmake_minimum_required(VERSION 3.20)\n"
          "project(" +
          name +
          " LANGUAGES CXX)\n"
          "set(CMAKE_CXX_STANDARD 20)\n"
          "set(CMAKE_CXX_STANDARD_REQUIRED ON)\n"
          "if(NOT CMAKE_BUILD_TYPE)\n  set(CMAKE_BUILD_TYPE Release)\n"
          "endif()\n"
          "find_package(qrt CONFIG REQUIRED)\n" + findCuda + "\n"
          "add_library(" +
          name + " STATIC " + name + ".cpp " + name +
          "_program.cpp)\n"
          "target_include_directories(" +
          name +
          " PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})\n"
          "target_link_libraries(" +
          name +
          " PUBLIC " + libraries + ")\n\n"
          "add_executable(" +
          exe +
          " main.cpp)\n"
          "target_link_libraries(" +
          exe + " PRIVATE " + name +
          ")\n"
          + (training
                 ? "# Data-parallel under mpirun when qrt has libqrt_mpi.\n"
                   "if(TARGET qrt::qrt_mpi)\n"
                   "  target_link_libraries(" + exe +
                       " PRIVATE qrt::qrt_mpi)\n"
                   "  target_compile_definitions(" + exe +
                       " PRIVATE QRT_WITH_MPI=1)\n"
                   "endif()\n"
                 : std::string()) +
          "# The weights beside the executable (its default --weights).\n"
          "configure_file(" +
          name + ".weights ${CMAKE_CURRENT_BINARY_DIR}/" + name +
          ".weights COPYONLY)\n")
      .str();
}

LogicalResult qopt::writeProgram(ArrayRef<ProgramFunction> functions,
                                 StringRef name, StringRef dir, Target target) {
  Location loc = functions.front().func.getLoc();
  const TargetSpelling spell = spelling(target);
  bool ok = true;
  for (const ProgramFunction &fn : functions)
    ok &= succeeded(checkEmittable(*fn.plan, fn.func, target));
  if (!ok)
    return failure();
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return emitError(loc) << "cannot create " << dir << ": "
                          << ec.message();
  OwningOpRef<ModuleOp> module =
      buildEmitCModule(functions.front().func.getContext(), functions, name,
                       target);
  if (failed(verify(*module)))
    return failure();
  std::string cpp;
  llvm::raw_string_ostream cppStream(cpp);
  cppStream << "// Generated by qemit from";
  for (const ProgramFunction &fn : functions)
    cppStream << " @" << fn.func.getName();
  cppStream << ": one " << spell.ns
            << " call per step of the execution plan.\n";
  if (failed(emitc::translateToCpp(*module, cppStream)))
    return failure();
  auto path = [&](const std::string &file) {
    SmallString<128> p(dir);
    llvm::sys::path::append(p, file);
    return std::string(p);
  };
  const ProgramFunction *forward = nullptr;
  for (const ProgramFunction &fn : functions)
    if (fn.role == "forward")
      forward = &fn;
  if (!forward)
    return emitError(loc) << "a program needs a forward function";
  bool training = isTraining(functions);
  if (failed(writeFile(loc, path(name.str() + ".cpp"), cpp)) ||
      failed(writeFile(loc, path(name.str() + ".h"),
                       header(*forward->plan, name))) ||
      failed(writeFile(loc, path(name.str() + "_program.cpp"),
                       programSource(functions, name, spell))) ||
      failed(writeFile(loc, path("main.cpp"),
                       mainSource(name, training, spell))) ||
      failed(writeFile(loc, path("CMakeLists.txt"),
                       cmakeLists(name, training, target))))
    return failure();
  // The weights: each function's constants, and the initial values of the
  // globals (the training state) that any function reads.
  qrt::Checkpoint weights;
  weights.meta["qemit_format"] = {2};
  GlobalState *globals = nullptr;
  for (const ProgramFunction &fn : functions) {
    for (unsigned slot = 0; slot < fn.plan->numSlots(); ++slot)
      if (const qrt::Tensor &t = fn.plan->constant(slot); t.defined())
        weights.tensors.emplace_back(constantKey(fn, slot), t);
    if (usesGlobals(*fn.plan))
      globals = fn.plan->globals();
  }
  if (globals)
    for (const std::string &g : globals->names())
      weights.tensors.emplace_back("@" + g, globals->get(g));
  if (qrt::Status s =
          qrt::saveCheckpoint(path(name.str() + ".weights"), weights);
      !s)
    return emitError(loc) << "" << s.message();
  return success();
}
