//===- Exec.h - the kernel calls of an execution plan -----------*- C++ -*-===//
//
// A compiled qnn function is a list of steps; a step is data: a kernel of
// runtime/Kernels.def, the slots it reads and writes (StepIO) and typed
// parameters decided when the plan was built (conv geometry, quantizer
// grids, requantization multipliers, fused epilogues, layouts). This header
// is the whole interface between a plan and qrt: the interpreter calls
// qrt::exec::dispatch per step, an emitted program calls the same functions
// by name, one call per step, with the same parameters printed as C++
// constants. So both compute the same bits by construction.
//
// A Context holds the slots of one plan, the arena where the plan placed its
// intermediate tensors (ArenaLayout), the recycled buffers, the kernel
// state that is per input shape (oneDNN primitives and reordered weights,
// created for each new batch size and kept), the observers of calibration
// graphs, and the first error. A kernel does nothing once an error is set;
// the caller reads it at the end of the run (Context::endRun), so a program
// is a straight list of calls.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_EXEC_H
#define QRT_EXEC_H

#include "runtime/BinaryConv.h"
#include "runtime/Conv.h"
#include "runtime/FakeQuant.h"
#include "runtime/IntKernels.h"
#include "runtime/Observer.h"
#include "runtime/Optimizer.h"
#include "runtime/Pool.h"
#include "runtime/ShapeOps.h"
#include "runtime/Tensor.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace qrt {
namespace exec {

/// A value slot of a plan; kNoSlot for an absent optional operand.
using Slot = int32_t;
constexpr Slot kNoSlot = -1;

/// The operands of one step.
struct StepIO {
  int32_t id = 0;       // the step's index: the key of its kernel state
  std::string what;     // "conv1: qnn.conv2d", prefixed to its errors
  std::vector<Slot> in; // kernel-specific order; kNoSlot when absent
  std::vector<Slot> out;
  std::vector<Slot> release; // slots whose last reader this step is
};

/// Buffers of dead intermediate tensors, kept across runs so that repeated
/// runs with the same shapes reuse them instead of allocating. Only tensors
/// that nothing else references enter it; results handed to the caller never
/// do. Buffers not reused during a run are freed at its end.
class BufferPool {
public:
  /// A free buffer of exactly `shape` and `dtype`, or an undefined tensor.
  Tensor take(const Shape &shape, DType dtype);
  /// Keeps `t`'s buffer if it is uniquely owned; drops it otherwise.
  void give(Tensor t);
  /// Ends a run: frees buffers that were neither given nor taken during it.
  void endRun();
  size_t size() const { return free_.size(); }

private:
  struct Entry {
    Tensor tensor;
    uint64_t run;
  };
  std::vector<Entry> free_;
  uint64_t currentRun_ = 0;
};

/// The mutable state of a training program: weights, batch-norm
/// statistics, quantizer parameters and optimizer buffers, as named tensors
/// (a module's `ml_program.global`s). global_load hands out the current
/// tensor; global_store rebinds the name to a new one and never writes into
/// a tensor that was handed out, so a loaded value keeps its value.
template <typename TensorT> class BasicGlobals {
public:
  /// Appends a global; its index is its position.
  int32_t add(std::string name, TensorT value) {
    names_.push_back(std::move(name));
    values_.push_back(std::move(value));
    return size() - 1;
  }
  /// The index of `name`, or -1.
  int32_t index(const std::string &name) const {
    for (size_t i = 0; i < names_.size(); ++i)
      if (names_[i] == name)
        return static_cast<int32_t>(i);
    return -1;
  }
  const TensorT &get(int32_t i) const { return values_[i]; }
  void set(int32_t i, TensorT t) { values_[i] = std::move(t); }
  const std::vector<std::string> &names() const { return names_; }
  int32_t size() const { return static_cast<int32_t>(names_.size()); }

private:
  std::vector<std::string> names_;
  std::vector<TensorT> values_;
};
/// Host tensors (the CUDA back end's are device tensors).
using Globals = BasicGlobals<Tensor>;

/// The observers of a calibration plan by name, in the order their steps
/// first ran (the CPU and CUDA contexts hold one).
class ObserverList {
public:
  /// The observer registered under `name` (null until its step first runs).
  std::unique_ptr<Observer> &get(const std::string &name) {
    for (auto &[n, o] : observers_)
      if (n == name)
        return o;
    observers_.emplace_back(name, nullptr);
    return observers_.back().second;
  }
  const std::vector<std::pair<std::string, std::unique_ptr<Observer>>> &
  all() const {
    return observers_;
  }

private:
  std::vector<std::pair<std::string, std::unique_ptr<Observer>>> observers_;
};

/// Where a plan's intermediate tensors live in its context's arena (one
/// buffer per batch size; docs/codegen.md, "The arena"). Offsets and sizes
/// are bytes per batch row: at a batch of N rows (dimension 0 of the first
/// input), a placed slot's tensor is bytes [offset * N, (offset + size) * N)
/// of an arena of rowBytes * N bytes. All are multiples of kTensorAlignment,
/// so every tensor is aligned at every batch size. Slots not placed (weights,
/// inputs, results, tensors not proportional to the batch) use the
/// BufferPool.
struct ArenaLayout {
  struct Placement {
    Slot slot = kNoSlot;
    int64_t offset = 0, size = 0;
  };
  int64_t rowBytes = 0;
  std::vector<Placement> placements;
};

/// An ArenaLayout's places by slot: where an output of a run of `batch`
/// rows lies in an arena of rowBytes * batch bytes. The CPU and CUDA
/// contexts hand out their arenas by it.
class ArenaPlacements {
public:
  /// Takes `layout` for a plan of `numSlots` slots; fails on a placement of
  /// a slot the plan lacks or off the alignment.
  Status set(const ArenaLayout &layout, size_t numSlots);
  const ArenaLayout &layout() const { return layout_; }
  /// rowBytes * batch, or 0 when there is no arena for that batch (none
  /// planned, no batch, too large).
  int64_t arenaBytes(int64_t batch) const;
  /// The byte offset in the arena of slot `s`'s tensor of `shape` and
  /// `dtype` in a run of `batch` rows, or -1 when `s` is not placed or the
  /// tensor is not `batch` rows that fit its place.
  int64_t offsetOf(Slot s, const Shape &shape, DType dtype,
                   int64_t batch) const;

private:
  ArenaLayout layout_;
  std::vector<int64_t> offset_, size_; // by slot; offset -1: not placed
};

/// The batch of a run: dimension 0 of the first input (0 when it has none).
inline int64_t batchOf(const std::vector<Tensor> &inputs) {
  return !inputs.empty() && inputs[0].rank() > 0 ? inputs[0].dim(0) : 0;
}

/// Checks `layout` against the steps that use it: placements aligned and
/// inside the arena, no result placed, and no two placed tensors that are
/// live at the same step sharing a byte. A tensor is live from the step that
/// writes it to the last step that reads it or any view of it; `storageOf`
/// maps each slot to the slot whose bytes it uses (itself; for a view the
/// viewed slot's, for an in-place output its operand's). The step order is
/// the run order.
Status checkArenaLayout(const ArenaLayout &layout,
                        const std::vector<const StepIO *> &steps,
                        const std::vector<Slot> &storageOf,
                        const std::vector<Slot> &results);

/// The wall time of one step over the profiled runs (Context::profile).
struct StepTime {
  std::string what; // the step's StepIO::what ("loc: qnn.conv2d")
  double seconds = 0;
  int64_t calls = 0;
};
/// A profile as text: time per run by op (the `qnn.<op>` of each step's
/// name), then the `top` slowest steps, each with its share of the run.
std::string formatProfile(const std::vector<StepTime> &profile, int64_t runs,
                          size_t top = 12);

/// The state of one plan's executions. Not thread-safe: one run at a time.
class Context {
public:
  Context() = default;
  Context(const Context &) = delete;
  Context &operator=(const Context &) = delete;

  /// Sizes the slot frame and the per-step state table.
  void resize(size_t numSlots, size_t numSteps);
  size_t numSlots() const { return slots_.size(); }

  Tensor &operator[](Slot s) { return slots_[s]; }
  const Tensor &operator[](Slot s) const { return slots_[s]; }
  /// slot `s`, or an undefined tensor for kNoSlot.
  const Tensor &operand(Slot s) const {
    static const Tensor none;
    return s == kNoSlot ? none : slots_[s];
  }

  /// Places the plan's intermediate tensors (after resize); fails on a
  /// placement of a slot the context lacks or off the alignment.
  Status setArena(const ArenaLayout &layout);
  const ArenaLayout &arena() const { return placements_.layout(); }
  /// Starts a run of `batch` rows (dimension 0 of the first input; 0 when
  /// there is none): the arena grows to the layout's rowBytes * batch.
  void beginRun(int64_t batch);
  /// The buffer for output slot `s` of a step (kNoSlot: no slot): its place
  /// in the arena when the layout placed it and `shape` is `batch` rows that
  /// fit there, else a recycled buffer or an undefined tensor (the kernel
  /// then allocates); either way a valid `Tensor &` output.
  Tensor output(Slot s, const Shape &shape, DType dtype);
  /// True when `s` is dead after the step `io` (its last reader).
  static bool diesHere(const StepIO &io, Slot s);

  /// The step's kernel state (per-shape plans, caches), made on first use.
  template <typename T> T &state(const StepIO &io) {
    std::shared_ptr<void> &p = states_[io.id];
    if (!p)
      p = std::make_shared<T>();
    return *static_cast<T *>(p.get());
  }

  /// The observer registered under `name` (null until its step first runs).
  std::unique_ptr<Observer> &observer(const std::string &name) {
    return observers_.get(name);
  }
  /// Observers in the order their steps first ran.
  const std::vector<std::pair<std::string, std::unique_ptr<Observer>>> &
  observers() const {
    return observers_.all();
  }

  /// Runs one step's `body` (returning a Status) unless an earlier step
  /// failed; records its failure under the step's name and releases the
  /// step's dead slots.
  template <typename Body> void runStep(const StepIO &io, Body &&body) {
    if (!ok())
      return;
    // A small step runs on one thread (its oneDNN plans are made so, per
    // input shape): waking an idle OpenMP thread costs more than its
    // share of the work (docs/benchmarks.md, "Threads").
    SerialIfSmall serial(*this, io);
    if (profiling_) {
      StepClock clock(*this, io);
      runBody(io, body);
      return;
    }
    runBody(io, body);
  }

  /// Steps whose largest operand has fewer elements than this run on one
  /// thread.
  static constexpr int64_t kSerialStepElements = int64_t(1) << 18;

  /// With `on`, each step's wall time is added to profile() (qrun
  /// --profile; a step's time includes the release of its dead slots).
  void setProfile(bool on);
  /// Seconds per step over the profiled runs, by step id (the StepIO's
  /// `what` names it).
  const std::vector<StepTime> &profile() const { return profile_; }

  /// The training state that global_load / global_store read and rebind
  /// (shared by the plans of one module); null for stateless programs.
  void setGlobals(std::shared_ptr<Globals> g) { globals_ = std::move(g); }
  Globals *globals() const { return globals_.get(); }

  /// With `check`, every step's f32 results are checked and the first one
  /// holding a NaN or Inf fails the run, naming its step (a slow
  /// diagnostic, e.g. to explain a non-finite training loss).
  void setCheckFinite(bool check) { checkFinite_ = check; }

  bool ok() const { return status_.isOk(); }
  /// Records the first error, prefixed with the step's name.
  void fail(const StepIO &io, const Status &s);
  /// After a step: its dead slots' buffers go back to the pool.
  void finishStep(const StepIO &io);
  /// Ends a run: the first error (Ok if none), cleared for the next run.
  /// Slots still viewing the arena are cleared (its bytes are the next
  /// run's).
  Status endRun();

private:
  template <typename Body> void runBody(const StepIO &io, Body &body) {
    Status s = body();
    if (!s)
      fail(io, s);
    finishStep(io);
  }
  /// One thread for the scope when the step is small and more are set
  /// (RAII; restores the count).
  struct SerialIfSmall {
    SerialIfSmall(const Context &ctx, const StepIO &io);
    ~SerialIfSmall();
    int restore = 0; // the thread count to restore, 0: unchanged
  };
  /// Times a step into profile_ (RAII around runBody).
  struct StepClock {
    StepClock(Context &ctx, const StepIO &io);
    ~StepClock();
    Context &ctx;
    const StepIO &io;
    int64_t startNs;
  };

  std::vector<Tensor> slots_;
  ArenaPlacements placements_;
  bool profiling_ = false;
  std::vector<StepTime> profile_;
  Tensor arenaBuffer_;                             // u8, >= rowBytes * batch_
  int64_t batch_ = 0;
  void clearArenaViews();
  std::vector<std::shared_ptr<void>> states_;
  ObserverList observers_;
  BufferPool pool_;
  std::shared_ptr<Globals> globals_;
  bool checkFinite_ = false;
  Status status_;
};

//===----------------------------------------------------------------------===//
// Parameters. Plain aggregates: the emitter prints them as C++ initializers.
//===----------------------------------------------------------------------===//

struct NoParams {};
/// Parameter types of qrt's kernels, also named here so that every
/// Kernels.def type is qrt::exec::<Params> (the CUDA back end's
/// declarations spell them so).
using qrt::Pool2dParams;
using qrt::QAddParams;

/// A frozen quantizer grid on integer storage: q = clamp(round(x / s) + z).
struct QuantGrid {
  DType dtype = DType::I8;
  QuantRange range;
  Tensor scale, zeroPoint; // f32 [1] or one per channel of `axis`
  int64_t axis = -1;       // -1: per tensor
  Granularity granularity(const Tensor &x) const {
    return axis < 0 ? Granularity::perTensor() : Granularity{axis, x.dim(axis)};
  }
};

/// in = {x, weight, bias?, addend?}. conv.fuseSum: the output starts as the
/// addend (a residual add fused through oneDNN's sum post-op).
struct ConvF32 {
  Conv2dParams conv;
  bool constWeights = true; // reorder the weights once per shape
  bool addendChannelsLast = false;
};
/// in = {x, weight, bias?}.
struct LinearF32 {
  bool relu = false;
  bool constWeights = true;
};
/// in = {x, scale, bias, mean, variance}.
struct BatchNormParams {
  float epsilon = 1e-5f;
};
struct HardSigmoidParams {
  float alpha = 0.2f, beta = 0.5f;
};
struct LeakyReluParams {
  float alpha = 0.01f;
};
struct ClipParams {
  float lo = 0.f, hi = 6.f;
};
struct AxisParams {
  int64_t axis = 0;
};
/// gelu: PyTorch's tanh approximation instead of erf.
struct GeluParams {
  bool tanh = false;
};
/// reduce_mean over `axes` (sorted, distinct, non-negative).
struct ReduceParams {
  std::vector<int64_t> axes;
  bool keepDims = true;
};
/// expand: the axes repeated to the like operand's sizes.
struct ExpandParams {
  std::vector<int64_t> axes;
};
/// layer_norm over axes [axis, rank).
struct LayerNormParams {
  int64_t axis = 0;
  float epsilon = 1e-5f;
};
/// group_norm over `groups` channel groups.
struct GroupNormParams {
  int64_t groups = 1;
  float epsilon = 1e-5f;
};
/// pow by a constant exponent.
struct PowParams {
  float exponent = 1.f;
};
struct PadParams {
  std::vector<int64_t> pads;
  double value = 0.0;
};
struct ReshapeParams {
  Shape shape; // -1: inferred
};
struct TransposeParams {
  std::vector<int64_t> perm;
};
struct ResizeStep {
  int64_t outH = 0, outW = 0;
  ResizeParams resize;
};

/// The forward of each fake_quant method (weight / activation forms
/// resolved at plan time).
enum class FakeQuantKind {
  Affine,
  Lsq,
  LsqPlus,
  Pact,
  DorefaWeight,
  DorefaActivation,
  XnorWeight,
  SignActivation,
  XnorPlusPlus,
  Lqnet,
  NonUniform,
  Adaround,
};
/// A quantizer's granularity on `x`: per tensor without an axis (-1), else
/// `groups` groups along it (-1: one per channel).
inline Granularity granularityOf(int64_t axis, int64_t groups,
                                 const Tensor &x) {
  if (axis < 0)
    return Granularity::perTensor();
  return {axis, groups > 0 ? groups : x.dim(axis)};
}

/// in = {x, scale?, zeroPoint?, clip?, basis?, offset?}.
struct FakeQuantParams {
  FakeQuantKind kind = FakeQuantKind::Affine;
  int bits = 8;
  bool isSigned = true;
  QuantRange range;
  int64_t axis = -1, groups = -1; // groups -1: one per channel of axis
  bool hardened = true;           // AdaRound: deployed (hard) rounding
  // Weight normalization before the quantizer (weightNormalize), over the
  // quantizer's granularity.
  WeightNorm adaptive = WeightNorm::None;
};

enum class ObserverKind {
  MinMax,
  EmaMinMax,
  Percentile,
  Mse,
  AvgMse,
  Entropy,
  LsqInit
};
/// in = {x}; out = {} (the result aliases x). The observer's granularity is
/// fixed at its first batch.
struct ObserveParams {
  std::string name;
  ObserverKind kind = ObserverKind::MinMax;
  int bits = 8;
  bool isSigned = true, symmetric = true, narrow = false;
  float momentum = 0.9f;
  double percentile = 99.99;
  float norm = 2.0f;
  int64_t axis = -1, groups = -1;
};
/// The observer of `p` for a tensor like `x` (its first batch, which fixes
/// the granularity).
std::unique_ptr<Observer> makeObserver(const ObserveParams &p, const Tensor &x);

/// A conv2d / linear over frozen uniform fake-quantized operands, computed
/// on the integers: q_x recovered exactly, int8 accumulation, one multiply
/// by s_x s_w[c], the float bias. in = {x, weight (fake-quantized), bias?}.
struct ExactLayer {
  Conv2dParams conv; // exact_conv2d only
  QuantGrid x, w;
  Tensor accScale;  // f32 [1 or O]: float((double)s_x * s_w[c])
  int64_t rank = 4; // of the result
};

/// conv -> [add] -> [relu] -> [pad] -> fake_quant as one requantized int8
/// layer (the kernel the deployed qconv2d runs); the result is (q - z) s.
/// in = {x, weight, bias?, residual?}.
struct FusedConvLayer {
  Conv2dParams conv;
  QuantGrid x, w, y, residual; // residual unused without one
  Int8Epilogue epilogue;
  std::vector<int64_t> pads; // a zero pad after the layer, or empty
};

/// A fused_conv2d_layer's float bias [O] in accumulator units (f32), as
/// qnn-lower-to-integer folds it (requant::accumulatorBias with s_x and
/// s_w[c]); both back ends' epilogues take it.
Tensor accumulatorBiasOf(const Tensor &bias, const FusedConvLayer &p);

/// in = {x}.
struct DequantizeParams {
  QuantGrid grid;
  bool constant = false; // dequantized once, then shared
};
/// (a - z_a) requantized, [+ residual b]. in = {a, b?}.
struct RescaleParams {
  int32_t inputZeroPoint = 0;
  RequantizeOptions options; // `residual` is bound at run time
};
struct MaxPoolInt8Params {
  Pool2dParams pool;
  bool channelsLast = false;
};
struct StorageCastParams {
  DType dtype = DType::I8;
};
/// A requantized qconv2d, epilogue inside oneDNN. in = {x, w, b?, residual?}.
struct QConvFused {
  Conv2dParams conv;
  DType inputDType = DType::U8;
  int32_t inputZeroPoint = 0;
  Int8Epilogue epilogue;
};
/// The float epilogue fused into a raw qconv2d / qlinear (a policy's
/// full-precision residual path: dequantize -> + bias -> [+ residual] ->
/// [relu] in the graph), computed as qrt::applyFloatEpilogue does, in the
/// layer's output layout (IntLayer::conv.dstChannelsLast: NHWC, the grid's
/// channel axis then the last one).
struct FloatEpilogue {
  bool enabled = false;
  QuantGrid grid; // the accumulator's (i32; per tensor or along axis 1)
  bool residual = false, relu = false;
  /// The result also quantized (per tensor) into out[1] in the same pass:
  /// the next int8 layer's input.
  bool quantized = false;
  QuantGrid output;
};

/// qconv2d / qlinear: the raw i32 accumulator (`raw`), or requantized by
/// qrt's epilogue, or (raw with floatOut) its f32 float epilogue.
/// in = {x, w, b?} and, with floatOut, {float bias [1, C, 1...],
/// residual?}; out = {result} and, with floatOut.quantized, {its 8-bit
/// copy}.
struct IntLayer {
  Conv2dParams conv; // qconv2d only
  DType inputDType = DType::U8;
  int32_t inputZeroPoint = 0;
  bool raw = true;
  Int8Epilogue epilogue;
  FloatEpilogue floatOut;
};

/// A conv2d of sign(x) by binary weights scale[o] * sign(w), on sign bits
/// packed along the input channels (XNOR + popcount; runtime/BinaryConv.h).
/// in = {x (f32: only its signs are read), w (a constant, f32 or i8 [O,
/// C/groups, KH, KW]: only its signs are read), bias?}. The weights are
/// packed once, on the step's first run, into its state.
struct BinaryConvParams {
  Conv2dParams conv;
  xnor::BinaryPad pad = xnor::BinaryPad::Zero;
  Tensor scale; // f32 [O] (or [1]): XNOR's alpha, XNOR++'s gamma, the step
};

/// A conv2d / linear of an LQ-Nets-quantized input by a constant LQ-Nets-
/// quantized weight, on integer code planes (runtime/LqLayer.h). in = {x
/// (f32: the input quantizer's input, encoded by the step; a linear's may
/// be [N, ...], read as [N, C]), w (the weight
/// quantizer's constant input, f32), bias?, weight basis, input basis}. The
/// weight's codes are computed once, on the step's first run, into its
/// state; so are the input's levels.
struct LqLayer {
  Conv2dParams conv; // lq_conv2d only
  bool weightSigned = true, inputSigned = true;
  /// The weight basis' groups along the output channels (1: per tensor).
  int64_t weightGroups = 1;
  /// The weight quantizer's `adaptive` normalization (over the same
  /// groups), applied once before the weight is encoded: the very kernel
  /// qnn-fold-adaptive folds with, so the folded graph's codes are the same.
  WeightNorm adaptive = WeightNorm::None;
};

//===----------------------------------------------------------------------===//
// Training kernels (the backward, loss, optimizer and state ops of
// @train_step). A `shape` of -1 dimensions is completed at run time from
// the step's first operand (the batch size of the incoming gradient).
//===----------------------------------------------------------------------===//

/// A result shape decided at plan time up to its dynamic dimensions.
struct ShapeParams {
  Shape shape;
};
/// conv2d_grad_input (shape: dx's) / conv2d_grad_weight (shape: dw's).
/// in = {dy, w} / {dy, x}.
struct ConvGradParams {
  Conv2dParams conv;
  Shape shape;
};
/// pad_grad and the fused pad_grad -> [add] -> relu_grad of a ResNet
/// block; in = {dy} / {dy, relu output, addend?}. shape: dx's.
struct PadGradParams {
  std::vector<int64_t> pads;
  Shape shape;
};
/// The window [start, start + size) of `axis` (the backward of a zero
/// pad); shape: the result's.
struct SliceParams {
  int64_t axis = 0, start = 0;
  Shape shape;
};
/// max_pool_grad (in = {dy, x}) / avg_pool_grad (in = {dy}; shape: dx's).
struct PoolGradParams {
  Pool2dParams pool;
  Shape shape;
};
/// in = {x, scale, bias, running mean, running var}; out = {y, saved mean,
/// saved invstd, new running mean, new running var}. momentum is PyTorch's
/// (the weight of the batch statistic).
struct BatchNormTrainParams {
  float momentum = 0.1f, epsilon = 1e-5f;
  /// Synchronized across the ranks of a data-parallel run (qrt::collective).
  bool sync = false;
};
/// in = {dy, x, scale, saved mean, saved invstd}; out = {dx, dscale, dbias}.
struct BatchNormGradParams {
  bool sync = false;
};
/// The backward of a fake_quant: in = {x, dy, scale?, zeroPoint?, clip?,
/// basis?, offset?}; out = {dx, parameter gradients...} with the shapes of
/// `gradShapes`.
struct FakeQuantGradParams {
  FakeQuantKind kind = FakeQuantKind::Affine;
  int bits = 8;
  bool isSigned = true, weight = false;
  QuantRange range;
  int64_t axis = -1, groups = -1;
  GradType grad = GradType::Ste;
  /// LSQ's step-size gradient scale; Lsq is the paper's 1/sqrt(N Qp) over
  /// the elements of one sample, the others model-quantization's keywords.
  GradScaleMode gradScale = GradScaleMode::Lsq;
  std::vector<Shape> gradShapes;
  /// The forward's weight normalization: the method's gradients are taken
  /// at the normalized weight, and dx is divided by the group's std
  /// (var-mean; the statistics are constants, as the seed's x.data).
  WeightNorm adaptive = WeightNorm::None;
};
/// qnn.sigmoid_focal_loss: in = {logits, classes, norm}; out = {loss,
/// dlogits}.
struct FocalLossParams {
  float alpha = 0.25f, gamma = 2.f;
};
/// LQ-Nets' QEM step: in = {x, basis}; out = {new basis}.
struct LqnetBasisParams {
  bool isSigned = true;
  float momentum = 0.9f;
  int64_t axis = -1, groups = -1;
};
/// in = {param, grad, momentum buffer, lr}; out = {param, buffer}. The
/// options' lr is replaced by the lr operand.
struct SgdParams {
  SgdOptions options;
};
/// in = {param, grad, exp_avg, exp_avg_sq, lr, step (1-based)}; out =
/// {param, exp_avg, exp_avg_sq}.
struct AdamParams {
  AdamOptions options;
};
/// A global of the context's Globals (its name, checked when a program
/// binds its state).
struct GlobalRef {
  int32_t index = 0;
  std::string name;
};

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

/// Identifies a kernel of Kernels.def.
enum class Kernel : uint16_t {
#define QRT_KERNEL(name, Params) name,
#include "runtime/Kernels.def"
};
/// The kernel's name in Kernels.def (and its C++ function name).
const char *kernelName(Kernel k);

#define QRT_KERNEL(name, Params)                                               \
  void name(Context &ctx, const StepIO &io, const Params &p);
#include "runtime/Kernels.def"

/// A step of a plan as data.
struct Step {
  Kernel kernel;
  StepIO io;
  std::shared_ptr<const void> params; // the kernel's Params type
  template <typename P> const P &as() const {
    return *static_cast<const P *>(params.get());
  }
};

/// Typed step constructors, one per kernel: `step::conv2d(io, params)`.
namespace step {
#define QRT_KERNEL(name, Params)                                               \
  inline Step name(StepIO io, Params p) {                                      \
    return Step{Kernel::name, std::move(io),                                   \
                std::make_shared<const Params>(std::move(p))};                 \
  }
#include "runtime/Kernels.def"
} // namespace step

/// Runs one step (the interpreter's loop body).
void dispatch(Context &ctx, const Step &step);

/// An f32 [n] tensor (quantizer grids in emitted programs).
Tensor f32(std::vector<float> values);

} // namespace exec
} // namespace qrt

#endif // QRT_EXEC_H
