//===- Analysis.cpp - probing layers: SQNR, ranges, bias correction -------===//
//
// Both analyses compare a layer's output in the float graph with the same
// layer's output in the fake-quant graph. A layer is a qnn.conv2d or
// qnn.linear; the two graphs have the same layers in the same program order
// (the policy only inserts quantizers and explicit pads). Intermediate
// values are read by appending them to a clone's @main results.
//
//===----------------------------------------------------------------------===//

#include "pipeline/Analysis.h"
#include "passes/Names.h"

#include "codegen/ExecutionPlan.h"
#include "passes/Calibration.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/WithColor.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace qopt;

static LogicalResult fail(const Twine &message) {
  llvm::WithColor::error(llvm::errs()) << message << "\n";
  return failure();
}

static func::FuncOp mainOf(ModuleOp module) {
  if (auto f = module.lookupSymbol<func::FuncOp>("main"))
    return f;
  auto funcs = module.getOps<func::FuncOp>();
  return std::distance(funcs.begin(), funcs.end()) == 1 ? *funcs.begin()
                                                         : func::FuncOp();
}

std::vector<Operation *> qopt::layersOf(ModuleOp module) {
  std::vector<Operation *> layers;
  if (func::FuncOp fn = mainOf(module))
    fn.walk([&](Operation *op) {
      if (isa<qnn::Conv2dOp, qnn::LinearOp>(op))
        layers.push_back(op);
    });
  return layers;
}

/// The fake_quant feeding operand `i` of a layer, seen through a qnn.pad.
static qnn::FakeQuantOp quantizerOf(Operation *layer, unsigned i) {
  Value v = layer->getOperand(i);
  if (auto pad = v.getDefiningOp<qnn::PadOp>())
    v = pad->getOperand(0);
  return v.getDefiningOp<qnn::FakeQuantOp>();
}

static Value biasOf(Operation *layer) {
  if (auto conv = dyn_cast<qnn::Conv2dOp>(layer))
    return conv.getBias();
  return cast<qnn::LinearOp>(layer).getBias();
}


namespace {
/// A clone of a module whose @main also returns `probes`.
struct ProbedPlan {
  OwningOpRef<ModuleOp> module;
  std::optional<ExecutionPlan> plan;
  unsigned firstProbe = 0;
};
} // namespace

/// Clones `module`, picks the values to read in the clone with `select`
/// (given the clone's layers) and compiles it.
static LogicalResult
probe(ModuleOp module,
      llvm::function_ref<std::vector<Value>(ArrayRef<Operation *>)> select,
      ProbedPlan &out) {
  out.module = module.clone();
  func::FuncOp fn = mainOf(*out.module);
  if (!fn)
    return fail("the model has no @main function");
  std::vector<Operation *> layers = layersOf(*out.module);
  std::vector<Value> values = select(layers);
  auto ret = cast<func::ReturnOp>(fn.getBody().back().getTerminator());
  out.firstProbe = ret.getNumOperands();
  ret->insertOperands(ret.getNumOperands(), values);
  fn.setFunctionType(FunctionType::get(fn.getContext(), fn.getArgumentTypes(),
                                       ret.getOperandTypes()));
  FailureOr<ExecutionPlan> plan = ExecutionPlan::compile(fn);
  if (failed(plan))
    return failure();
  out.plan.emplace(std::move(*plan));
  return success();
}

/// Runs `p` on calibration images [0, count) and hands each batch's probes
/// to `consume`.
static LogicalResult
forEachBatch(const ProbedPlan &p, const qrt::DataSource &data,
             const QuantizeOptions &options, int64_t count,
             llvm::function_ref<void(ArrayRef<qrt::Tensor>)> consume) {
  count = std::min<int64_t>(count, data.size());
  for (int64_t begin = 0; begin < count; begin += options.batchSize) {
    int64_t n = std::min<int64_t>(options.batchSize, count - begin);
    qrt::Tensor images, labels;
    qrt::Status s = data.batch(begin, n, images, labels);
    if (!s)
      return fail(s.message());
    qrt::Expected<std::vector<qrt::Tensor>> out = p.plan->run({images});
    if (!out)
      return fail(out.status().message());
    consume(ArrayRef<qrt::Tensor>(*out).drop_front(p.firstProbe));
  }
  return success();
}

/// Adds the per-channel (axis 1) sums of `t` into `sums`.
static void addChannelSums(const qrt::Tensor &t, std::vector<double> &sums,
                           double &count) {
  int64_t n = t.dim(0), c = t.rank() > 1 ? t.dim(1) : 1;
  int64_t inner = t.numel() / std::max<int64_t>(n * c, 1);
  sums.resize(c, 0.0);
  const float *p = t.data<float>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < c; ++k) {
      double acc = 0.0;
      const float *q = p + (i * c + k) * inner;
      for (int64_t j = 0; j < inner; ++j)
        acc += q[j];
      sums[k] += acc;
    }
  count += double(n * inner);
}

static void minMax(const qrt::Tensor &t, float &lo, float &hi) {
  const float *p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) {
    lo = std::min(lo, p[i]);
    hi = std::max(hi, p[i]);
  }
}

LogicalResult qopt::analyzeLayers(ModuleOp floatModule, ModuleOp fqModule,
                                  const QuantizeOptions &options,
                                  const qrt::DataSource &calib,
                                  std::vector<LayerRecord> &records) {
  std::vector<Operation *> fqLayers = layersOf(fqModule);
  if (fqLayers.size() != layersOf(floatModule).size())
    return fail("layer analysis: the float and fake-quant graphs have "
                "different layers");
  // Float: output, input, weight of each layer. Fake-quant: output.
  ProbedPlan fp, qp;
  if (failed(probe(floatModule,
                   [](ArrayRef<Operation *> layers) {
                     std::vector<Value> v;
                     for (Operation *l : layers) {
                       v.push_back(l->getResult(0));
                       v.push_back(l->getOperand(0));
                       v.push_back(l->getOperand(1));
                     }
                     return v;
                   },
                   fp)) ||
      failed(probe(fqModule,
                   [](ArrayRef<Operation *> layers) {
                     std::vector<Value> v;
                     for (Operation *l : layers)
                       v.push_back(l->getResult(0));
                     return v;
                   },
                   qp)))
    return failure();
  size_t numLayers = fqLayers.size();
  records.assign(numLayers, {});
  unsigned index = 0;
  std::map<Operation *, std::string> fqNames;
  mainOf(fqModule).walk([&](qnn::FakeQuantOp op) {
    fqNames[op] = quantizerName(op, index++);
  });
  for (size_t l = 0; l < numLayers; ++l) {
    LayerRecord &r = records[l];
    r.kind = fqLayers[l]->getName().stripDialect().str();
    r.name = nameInLoc(fqLayers[l]->getLoc());
    if (qnn::FakeQuantOp w = quantizerOf(fqLayers[l], 1)) {
      r.name += (r.name.empty() ? "" : " (") + fqNames[w] +
                (r.name.empty() ? "" : ")");
      r.weightBits = w.getBits();
    }
    if (qnn::FakeQuantOp a = quantizerOf(fqLayers[l], 0)) {
      r.actBits = a.getBits();
      if (r.name.empty())
        r.name = fqNames[a];
    }
    if (r.name.empty())
      r.name = r.kind + std::to_string(l);
  }
  // One calibration batch: the report's SQNR and ranges.
  std::vector<std::vector<qrt::Tensor>> floatOut;
  if (failed(forEachBatch(fp, calib, options, options.batchSize,
                          [&](ArrayRef<qrt::Tensor> t) {
                            floatOut.emplace_back(t.begin(), t.end());
                          })))
    return failure();
  std::vector<qrt::Tensor> f = floatOut.front();
  return forEachBatch(
      qp, calib, options, options.batchSize, [&](ArrayRef<qrt::Tensor> q) {
        for (size_t l = 0; l < numLayers; ++l) {
          LayerRecord &r = records[l];
          const qrt::Tensor &yf = f[3 * l], &yq = q[l];
          double sig = 0.0, noise = 0.0;
          const float *a = yf.data<float>(), *b = yq.data<float>();
          for (int64_t i = 0; i < yf.numel(); ++i) {
            sig += double(a[i]) * a[i];
            noise += double(a[i] - b[i]) * (a[i] - b[i]);
          }
          r.sqnrDb = noise > 0 ? 10.0 * std::log10(sig / noise)
                               : std::numeric_limits<double>::infinity();
          r.inMin = r.wMin = std::numeric_limits<float>::infinity();
          r.inMax = r.wMax = -std::numeric_limits<float>::infinity();
          minMax(f[3 * l + 1], r.inMin, r.inMax);
          minMax(f[3 * l + 2], r.wMin, r.wMax);
        }
      });
}

/// Per-channel means of the layers' outputs over the calibration images.
static LogicalResult
outputMeans(ModuleOp module, ArrayRef<size_t> which,
            const QuantizeOptions &options, const qrt::DataSource &calib,
            std::vector<std::vector<double>> &means) {
  ProbedPlan p;
  if (failed(probe(module,
                   [&](ArrayRef<Operation *> layers) {
                     std::vector<Value> v;
                     for (size_t l : which)
                       v.push_back(layers[l]->getResult(0));
                     return v;
                   },
                   p)))
    return failure();
  std::vector<std::vector<double>> sums(which.size());
  std::vector<double> counts(which.size(), 0.0);
  if (failed(forEachBatch(p, calib, options, options.calibImages,
                          [&](ArrayRef<qrt::Tensor> t) {
                            for (size_t i = 0; i < which.size(); ++i)
                              addChannelSums(t[i], sums[i], counts[i]);
                          })))
    return failure();
  means.assign(which.size(), {});
  for (size_t i = 0; i < which.size(); ++i) {
    means[i] = sums[i];
    for (double &m : means[i])
      m /= std::max(counts[i], 1.0);
  }
  return success();
}

/// The values of a constant bias (read through the interpreter, so that
/// dense resources work too).
static LogicalResult readBias(ModuleOp module, size_t layer,
                              std::vector<float> &values) {
  ProbedPlan p;
  if (failed(probe(module,
                   [&](ArrayRef<Operation *> layers) {
                     return std::vector<Value>{biasOf(layers[layer])};
                   },
                   p)))
    return failure();
  const ArgSpec &in = p.plan->arguments().front();
  qrt::Shape shape = in.shape;
  for (int64_t &d : shape)
    if (d < 0)
      d = 1;
  qrt::Tensor x = qrt::Tensor::zeros(shape, in.dtype);
  qrt::Expected<std::vector<qrt::Tensor>> out = p.plan->run({x});
  if (!out)
    return fail(out.status().message());
  const qrt::Tensor &b = (*out)[p.firstProbe];
  values.assign(b.data<float>(), b.data<float>() + b.numel());
  return success();
}

LogicalResult qopt::correctBiases(ModuleOp floatModule, ModuleOp fqModule,
                                  const QuantizeOptions &options,
                                  const qrt::DataSource &calib,
                                  std::vector<BiasCorrectionRecord> &records) {
  std::vector<Operation *> layers = layersOf(fqModule);
  if (layers.size() != layersOf(floatModule).size())
    return fail("bias correction: the float and fake-quant graphs have "
                "different layers");
  std::vector<size_t> targets;
  for (size_t l = 0; l < layers.size(); ++l) {
    Value bias = biasOf(layers[l]);
    if (quantizerOf(layers[l], 1) && bias &&
        bias.getDefiningOp<arith::ConstantOp>())
      targets.push_back(l);
  }
  std::vector<std::vector<double>> floatMeans;
  if (failed(outputMeans(floatModule, targets, options, calib, floatMeans)))
    return failure();
  // Layer by layer in program order: each layer's shift is measured with
  // the layers before it already corrected.
  for (size_t t = 0; t < targets.size(); ++t) {
    size_t l = targets[t];
    std::vector<std::vector<double>> q;
    std::vector<float> bias;
    if (failed(outputMeans(fqModule, {l}, options, calib, q)) ||
        failed(readBias(fqModule, l, bias)))
      return failure();
    if (q[0].size() != bias.size() || floatMeans[t].size() != bias.size())
      return fail("bias correction: channel count mismatch");
    BiasCorrectionRecord r;
    r.layer = l;
    SmallVector<double> shifts;
    for (size_t k = 0; k < bias.size(); ++k) {
      double shift = q[0][k] - floatMeans[t][k];
      r.maxAbsShift = std::max(r.maxAbsShift, std::fabs(shift));
      r.meanAbsShift += std::fabs(shift) / bias.size();
      shifts.push_back(shift);
    }
    // The rewrite is qnn-apply-bias-correction's, before the next layer is
    // measured.
    Operation *layer = layersOf(fqModule)[l];
    layer->setAttr("qnn.bias_shift",
                   DenseF64ArrayAttr::get(layer->getContext(), shifts));
    if (failed(runPasses(fqModule, [](OpPassManager &pm) {
          pm.addNestedPass<func::FuncOp>(createApplyBiasCorrectionPass());
        })))
      return failure();
    records.push_back(r);
  }
  return success();
}
