//===- Reconstruct.cpp - AdaRound reconstruction in `qc quantize` ---------===//
//
// The driver of qnn-build-reconstruction's steps: for each unit k in order,
// @recon_data_k runs on the calibration images (the unit's input in the
// quantized model with the rounding already chosen for units < k, and its
// float output), the pairs are kept in memory (one unit at a time), and
// @recon_step_k runs `iterations` times on random mini-batches with BRECQ /
// QDrop's schedule: lambda = 0 during the first `warmup` fraction, then
// beta decays linearly from `betaStart` to `betaEnd`; learned activation
// steps follow QDrop's cosine-annealed rate; for QDrop, a fresh random keep
// mask per activation quantizer each iteration. The steps do all the math;
// this file only schedules, draws masks and moves rows.
//
//===----------------------------------------------------------------------===//

#include "pipeline/Reconstruct.h"

#include "codegen/ExecutionPlan.h"
#include "codegen/GlobalState.h"
#include "dialect/QnnOps.h"
#include "passes/Passes.h"
#include "runtime/Progress.h"

#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>

using namespace mlir;
using namespace qopt;

namespace {
using Options = QuantizeOptions::Reconstruction;

/// The unit's (input, target) rows for every calibration image.
struct UnitData {
  qrt::Tensor inputs, floatInputs, targets;
};

qrt::Tensor scalar(float v) {
  qrt::Tensor t = qrt::Tensor::zeros({}, qrt::DType::F32);
  t.data<float>()[0] = v;
  return t;
}

/// Appends `batch` (rows [0, n)) to `all` at row `at`, allocating `all` for
/// `total` rows on first use.
qrt::Status appendRows(qrt::Tensor &all, const qrt::Tensor &batch, int64_t at,
                       int64_t total) {
  if (batch.dtype() != qrt::DType::F32 || batch.shape().empty())
    return qrt::Status::error(qrt::ErrorCode::InvalidArgument, "reconstruction data must be f32 with a batch "
                              "dimension, got " +
                              qrt::shapeToString(batch.shape()));
  if (!all.defined()) {
    qrt::Shape shape = batch.shape();
    shape[0] = total;
    all = qrt::Tensor::zeros(shape, qrt::DType::F32);
  }
  int64_t row = batch.numel() / batch.shape()[0];
  if (row != all.numel() / all.shape()[0])
    return qrt::Status::error(qrt::ErrorCode::InvalidArgument, "reconstruction data changed shape: " +
                              qrt::shapeToString(batch.shape()));
  std::memcpy(all.data<float>() + at * row, batch.data<float>(),
              batch.numel() * sizeof(float));
  return qrt::Status::ok();
}

/// Copies `rows` of `all` into `out` (allocated on first use, then reused:
/// the step does not keep its arguments).
void gatherRows(const qrt::Tensor &all, const std::vector<int64_t> &rows,
                qrt::Tensor &out) {
  qrt::Shape shape = all.shape();
  int64_t row = all.numel() / shape[0];
  shape[0] = static_cast<int64_t>(rows.size());
  if (!out.defined() || out.shape() != shape)
    out = qrt::Tensor::empty(shape, qrt::DType::F32);
  for (size_t i = 0; i < rows.size(); ++i)
    std::memcpy(out.data<float>() + i * row, all.data<float>() + rows[i] * row,
                row * sizeof(float));
}

FailureOr<UnitData> collect(const ExecutionPlan &plan,
                            const QuantizeOptions &options,
                            const qrt::DataSource &train, int64_t count,
                            bool qdrop) {
  UnitData d;
  for (int64_t b = 0; b < count; b += options.batchSize) {
    int64_t n = std::min(options.batchSize, count - b);
    qrt::Tensor images, labels;
    if (qrt::Status s = train.batch(b, n, images, labels);
        !s)
      return reportError(s.message());
    qrt::Expected<std::vector<qrt::Tensor>> r = plan.run({images});
    if (!r)
      return reportError("reconstruction data: " + r.status().message());
    if (r->size() != (qdrop ? 3u : 2u))
      return reportError("reconstruction data: unexpected result count");
    if (qrt::Status s = appendRows(d.inputs, (*r)[0], b, count); !s)
      return reportError(s.message());
    if (qdrop)
      if (qrt::Status s = appendRows(d.floatInputs, (*r)[1], b, count); !s)
        return reportError(s.message());
    if (qrt::Status s = appendRows(d.targets, r->back(), b, count); !s)
      return reportError(s.message());
  }
  return d;
}

/// BRECQ's LinearTempDecay and QDrop's warm-up: (beta, lambda) at `t`.
std::pair<float, float> schedule(const Options &o, int64_t t) {
  int64_t start = static_cast<int64_t>(o.warmup * o.iterations);
  if (t < start)
    return {static_cast<float>(o.betaStart), 0.f};
  double rel = double(t - start) / std::max<int64_t>(1, o.iterations - start);
  double beta = o.betaEnd + (o.betaStart - o.betaEnd) * std::max(0.0, 1 - rel);
  return {static_cast<float>(beta), static_cast<float>(o.lambda)};
}

/// The shape of `rows` rows of the step input `type` (QDrop's keep mask).
FailureOr<qrt::Shape> maskShape(Type type, int64_t rows) {
  auto shaped = dyn_cast<RankedTensorType>(type);
  if (!shaped || shaped.getRank() == 0)
    return reportError("reconstruction: the keep mask needs a ranked input type");
  qrt::Shape shape(shaped.getShape().begin(), shaped.getShape().end());
  shape[0] = rows;
  for (int64_t d : shape)
    if (d < 0)
      return reportError("reconstruction: the layer input has a dynamic dimension "
                    "besides the batch");
  return shape;
}

/// QDrop's keep mask: 1 with probability p (the activation quantization of
/// that element is dropped), else 0. Four 16-bit draws per 64 random bits
/// (p is honoured to 2^-16).
void fillKeepMask(qrt::Tensor &mask, double p, std::mt19937_64 &rng) {
  float *m = mask.data<float>();
  uint64_t threshold = static_cast<uint64_t>(std::lround(p * 65536.0));
  int64_t n = mask.numel();
  for (int64_t i = 0; i < n; i += 4) {
    uint64_t bits = rng();
    for (int64_t j = i; j < std::min(n, i + 4); ++j, bits >>= 16)
      m[j] = (bits & 0xffffu) < threshold ? 1.f : 0.f;
  }
}

/// QDrop's activation learning rate: CosineAnnealingLR from `lr` to 0 over
/// the iterations.
float cosineRate(double lr, int64_t t, int64_t iterations) {
  return static_cast<float>(
      0.5 * lr * (1 + std::cos(M_PI * double(t) / double(iterations))));
}

} // namespace

bool qopt::usesAdaround(ModuleOp module) {
  bool any = false;
  module.walk([&](qnn::FakeQuantOp fq) {
    any |= fq.getMethod() == qnn::QuantMethod::Adaround;
  });
  return any;
}

LogicalResult qopt::reconstruct(ModuleOp module,
                                const QuantizeOptions &options,
                                const qrt::DataSource &train,
                                QuantizeReport &report) {
  const Options &o = options.reconstruction;
  bool qdrop = o.dropProb > 0;
  BuildReconstructionPassOptions build;
  build.unit = o.unit;
  build.qdrop = qdrop;
  build.learnActivations = o.actLr > 0;
  if (failed(runPasses(module,
                       [&](OpPassManager &pm) {
                         pm.addPass(createBuildReconstructionPass(build));
                       })) ||
      failed(writeModuleFile(module,
                             options.outDir + "/3-reconstruction-steps.mlir")))
    return failure();
  FailureOr<std::shared_ptr<GlobalState>> globals =
      GlobalState::fromModule(module);
  if (failed(globals))
    return failure();

  // The activation parameters the steps learn, as calibrated.
  auto isActivationParam = [](llvm::StringRef name) {
    return name.ends_with(".act_scale") || name.ends_with(".act_zero_point") ||
           name.ends_with(".act_clip");
  };
  auto mean = [](const qrt::Tensor &t) {
    double sum = 0;
    for (int64_t i = 0; i < t.numel(); ++i)
      sum += t.data<float>()[i];
    return t.numel() ? sum / t.numel() : 0.0;
  };
  std::vector<LearnedParamRecord> learned;
  for (const std::string &name : (*globals)->names())
    if (isActivationParam(name) && (*globals)->kind(name) == "quant_param")
      learned.push_back({name, mean((*globals)->get(name)), 0});

  int64_t count = std::min<int64_t>(options.calibImages, train.size());
  int64_t batch = std::min<int64_t>(o.batchSize, count);
  for (unsigned k = 0;; ++k) {
    auto dataFn = module.lookupSymbol<func::FuncOp>(
        ("recon_data_" + llvm::Twine(k)).str());
    auto stepFn = module.lookupSymbol<func::FuncOp>(
        ("recon_step_" + llvm::Twine(k)).str());
    if (!dataFn || !stepFn)
      break;
    std::string layer = "unit " + std::to_string(k);
    if (auto name = stepFn->getAttrOfType<StringAttr>("qnn.layer"))
      layer = name.str();
    auto start = std::chrono::steady_clock::now();
    FailureOr<ExecutionPlan> dataPlan = ExecutionPlan::compile(dataFn, *globals);
    FailureOr<ExecutionPlan> stepPlan = ExecutionPlan::compile(stepFn, *globals);
    if (failed(dataPlan) || failed(stepPlan))
      return failure();
    FailureOr<UnitData> data = collect(*dataPlan, options, train, count, qdrop);
    if (failed(data))
      return failure();

    // The step's arguments by name (qnn.recon_args): the rows, the
    // schedule's scalars and one keep mask per activation quantizer.
    auto argNames = stepFn->getAttrOfType<ArrayAttr>("qnn.recon_args");
    if (!argNames || argNames.size() != stepFn.getNumArguments())
      return reportError("reconstruction: @" + stepFn.getSymName().str() +
                         " has no qnn.recon_args naming its arguments");
    enum class Arg { In, InFloat, Target, Lr, Beta, Lambda, ActLr, Keep };
    std::vector<Arg> kinds;
    std::vector<qrt::Tensor> args;
    for (auto [i, attr] : llvm::enumerate(argNames)) {
      StringRef name = cast<StringAttr>(attr).getValue();
      std::optional<Arg> kind =
          llvm::StringSwitch<std::optional<Arg>>(name)
              .Case("in", Arg::In)
              .Case("in_float", Arg::InFloat)
              .Case("target", Arg::Target)
              .Case("lr", Arg::Lr)
              .Case("beta", Arg::Beta)
              .Case("lambda", Arg::Lambda)
              .Case("act_lr", Arg::ActLr)
              .Case("keep", Arg::Keep)
              .Default(std::nullopt);
      if (!kind || (*kind == Arg::InFloat && !qdrop))
        return reportError("reconstruction: unexpected argument '" +
                           name.str() + "' of @" + stepFn.getSymName().str());
      kinds.push_back(*kind);
      qrt::Tensor t;
      if (*kind == Arg::Keep) {
        FailureOr<qrt::Shape> shape =
            maskShape(stepFn.getArgumentTypes()[i], batch);
        if (failed(shape))
          return failure();
        t = qrt::Tensor::empty(*shape, qrt::DType::F32);
      } else if (*kind != Arg::In && *kind != Arg::InFloat &&
                 *kind != Arg::Target) {
        t = scalar(0.f);
      }
      args.push_back(std::move(t));
    }
    std::mt19937_64 rng(o.seed * 1000003ull + k);
    std::vector<int64_t> all(count);
    std::iota(all.begin(), all.end(), 0);
    qrt::Progress bar("reconstruct " + layer, o.iterations);
    double recSum = 0, regLast = 0;
    int64_t recCount = 0;
    auto loopStart = std::chrono::steady_clock::now();
    for (int64_t t = 0; t < o.iterations; ++t) {
      // A mini-batch without repetition (torch.randperm(N)[:B] in BRECQ).
      for (int64_t i = 0; i < batch; ++i)
        std::swap(all[i], all[i + rng() % (count - i)]);
      std::vector<int64_t> rows(all.begin(), all.begin() + batch);
      auto [beta, lambda] = schedule(o, t);
      for (auto [kind, arg] : llvm::zip(kinds, args)) {
        switch (kind) {
        case Arg::In:
          gatherRows(data->inputs, rows, arg);
          break;
        case Arg::InFloat:
          gatherRows(data->floatInputs, rows, arg);
          break;
        case Arg::Target:
          gatherRows(data->targets, rows, arg);
          break;
        case Arg::Lr:
          arg.data<float>()[0] = static_cast<float>(o.lr);
          break;
        case Arg::Beta:
          arg.data<float>()[0] = beta;
          break;
        case Arg::Lambda:
          arg.data<float>()[0] = lambda;
          break;
        case Arg::ActLr:
          arg.data<float>()[0] = cosineRate(o.actLr, t, o.iterations);
          break;
        case Arg::Keep:
          fillKeepMask(arg, o.dropProb, rng);
          break;
        }
      }
      qrt::Expected<std::vector<qrt::Tensor>> r = stepPlan->run(args);
      if (!r)
        return reportError("reconstruction of " + layer + ", iteration " +
                      std::to_string(t) + ": " + r.status().message());
      float rec = (*r)[0].data<float>()[0], reg = (*r)[1].data<float>()[0];
      if (!std::isfinite(rec) || !std::isfinite(reg))
        return reportError("reconstruction of " + layer + ": non-finite loss at "
                      "iteration " + std::to_string(t));
      // The reported loss: the mean over the last tenth of the iterations.
      if (t >= o.iterations - std::max<int64_t>(1, o.iterations / 10)) {
        recSum += rec;
        ++recCount;
      }
      regLast = reg;
      if (t % 50 == 0 || t + 1 == o.iterations) {
        char note[80];
        std::snprintf(note, sizeof note, "rec %.5f reg %.3f beta %.1f", rec,
                      reg, beta);
        bar.update(t + 1, note);
      }
    }
    bar.finish();
    ReconstructionRecord record;
    record.layer = layer;
    record.iterations = o.iterations;
    record.recLoss = recCount ? recSum / recCount : 0;
    record.regLoss = regLast;
    auto end = std::chrono::steady_clock::now();
    record.seconds = std::chrono::duration<double>(end - start).count();
    record.iterationsPerSecond =
        o.iterations /
        std::max(1e-9, std::chrono::duration<double>(end - loopStart).count());
    report.reconstruction.push_back(record);
    llvm::outs() << llvm::formatv(
        "reconstructed {0}: {1} iterations, output loss {2:F5}, rounding "
        "loss {3:F3}, {4:F1} s ({5:F0} iterations/s)\n",
        layer, o.iterations, record.recLoss, record.regLoss, record.seconds,
        record.iterationsPerSecond);
  }

  for (LearnedParamRecord &r : learned) {
    r.learned = mean((*globals)->get(r.name));
    report.learnedActivations.push_back(r);
  }
  // The learned offsets become @main's constants; the steps go.
  if (failed((*globals)->writeBack(module)))
    return failure();
  SymbolTable symbols(module);
  for (auto fn : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
    if (fn.getSymName().starts_with("recon_"))
      symbols.erase(fn);
  return runPasses(module, [](OpPassManager &pm) {
    pm.addPass(createFreezeGlobalsPass());
  });
}
