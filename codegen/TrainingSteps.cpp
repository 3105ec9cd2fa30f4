//===- TrainingSteps.cpp - training ops to qrt backward kernels -----------===//
//
// The backward, loss and optimizer ops of qnn-autodiff / qnn-wrap-mode
// (docs/training.md) lowered to qrt's training kernels. Where the op's convention
// differs from qrt's (PyTorch's), the translation is here and nowhere else:
// batch-norm momentum (ONNX 0.9 = PyTorch 0.1), the zero-initialized SGD
// buffer, Adam's 1-based step operand.
//
// Each op becomes a kernel call of runtime/Kernels.def (ExecTrain.cpp);
// result shapes keep their dynamic dimensions as -1, completed by the
// kernel from its incoming gradient.
//
//===----------------------------------------------------------------------===//

#include "codegen/Lowerings.h"
#include "dialect/QnnOps.h"

#include "runtime/Exec.h"

using namespace mlir;
using namespace qopt;
using namespace qopt::qnn;

namespace exec = qrt::exec;

/// The shape of `type`, -1 for its dynamic dimensions (completed by the
/// kernel at run time).
static qrt::Shape planShape(Type type) {
  auto t = cast<RankedTensorType>(type);
  qrt::Shape s;
  for (int64_t d : t.getShape())
    s.push_back(ShapedType::isDynamic(d) ? -1 : d);
  return s;
}

static float f32Attr(llvm::APFloat v) {
  return static_cast<float>(v.convertToDouble());
}

//===-- Convolution and linear --------------------------------------------===//

static void lowerConvGradInput(ExecutionPlan &plan, Conv2dGradInputOp op) {
  exec::ConvGradParams p;
  p.conv = convParams(op.getStrides(), op.getDilations(), op.getPads(),
                      op.getGroups());
  p.shape = planShape(op.getInputGrad().getType());
  plan.addCall(op, exec::step::conv2d_grad_input,
               {op.getOutputGrad(), op.getWeight()}, {op.getInputGrad()}, p);
}

static void lowerConvGradWeight(ExecutionPlan &plan, Conv2dGradWeightOp op) {
  exec::ConvGradParams p;
  p.conv = convParams(op.getStrides(), op.getDilations(), op.getPads(),
                      op.getGroups());
  p.shape = planShape(op.getWeightGrad().getType());
  plan.addCall(op, exec::step::conv2d_grad_weight,
               {op.getOutputGrad(), op.getInput()}, {op.getWeightGrad()}, p);
}

//===-- Elementwise, pooling, data movement -------------------------------===//

/// True when `v` is available before `op` runs (a block argument or an
/// earlier op's result in the same block).
static bool definedBefore(Value v, Operation *op) {
  Operation *def = v.getDefiningOp();
  return !def ? cast<BlockArgument>(v).getOwner() == op->getBlock()
              : def->getBlock() == op->getBlock() && def->isBeforeInBlock(op);
}

/// pad_grad -> [add] -> relu_grad, the backward of a ResNet's
/// relu(conv(pad(x)) [+ shortcut]), as one pass
/// (qrt::padBackwardAddReluBackward) when each intermediate has that single
/// use and the add does not broadcast. The add and relu_grad are absorbed.
static LogicalResult lowerPadGradAddRelu(ExecutionPlan &plan, PadGradOp op) {
  Value v = op.getInputGrad();
  if (!v.hasOneUse())
    return failure();
  AddOp add = dyn_cast<AddOp>(*v.getUsers().begin());
  Value addend;
  if (add) {
    addend = add.getLhs() == v ? add.getRhs() : add.getLhs();
    if (addend == v || addend.getType() != v.getType() ||
        add.getType() != v.getType() || !definedBefore(addend, op))
      return failure();
    v = add.getResult();
    if (!v.hasOneUse())
      return failure();
  }
  auto relu = dyn_cast<ReluGradOp>(*v.getUsers().begin());
  if (!relu || relu.getOutputGrad() != v ||
      relu.getType() != op.getInputGrad().getType() ||
      !definedBefore(relu.getOutput(), op))
    return failure();
  if (add) {
    plan.absorb(add);
    plan.aliasSlot(add.getResult(), op.getInputGrad());
  }
  plan.absorb(relu);
  plan.aliasSlot(relu.getInputGrad(), op.getInputGrad());
  exec::PadGradParams p;
  p.pads.assign(op.getPads().begin(), op.getPads().end());
  p.shape = planShape(op.getInputGrad().getType());
  plan.addCall(op, exec::step::pad_grad_add_relu,
               {op.getOutputGrad(), relu.getOutput(), addend},
               {op.getInputGrad()}, p);
  return success();
}

static void lowerPoolGrad(ExecutionPlan &plan, Operation *op) {
  exec::PoolGradParams p;
  if (auto o = dyn_cast<MaxPoolGradOp>(op)) {
    p.pool = poolParams(o.getKernel(), o.getStrides(), o.getPads(),
                        o.getCeilMode());
    p.pool.dilationH = o.getDilations()[0];
    p.pool.dilationW = o.getDilations()[1];
    p.shape = planShape(o.getInputGrad().getType());
    plan.addCall(op, exec::step::max_pool_grad,
                 {o.getOutputGrad(), o.getInput()}, {o.getInputGrad()}, p);
    return;
  }
  auto o = cast<AvgPoolGradOp>(op);
  p.pool =
      poolParams(o.getKernel(), o.getStrides(), o.getPads(), o.getCeilMode());
  p.pool.countIncludePad = o.getCountIncludePad();
  p.shape = planShape(o.getInputGrad().getType());
  plan.addCall(op, exec::step::avg_pool_grad, {o.getOutputGrad()},
               {o.getInputGrad()}, p);
}

static void lowerWindowGrad(ExecutionPlan &plan, Operation *op) {
  if (auto o = dyn_cast<ReluGradOp>(op))
    return plan.addCall(op, exec::step::relu_grad,
                        {o.getOutputGrad(), o.getOutput()}, {o.getInputGrad()},
                        exec::NoParams{});
  if (auto o = dyn_cast<ClipGradOp>(op))
    return plan.addCall(
        op, exec::step::clip_grad, {o.getOutputGrad(), o.getInput()},
        {o.getInputGrad()},
        exec::ClipParams{f32Attr(o.getMin()), f32Attr(o.getMax())});
  if (auto o = dyn_cast<SliceOp>(op))
    // A slice is the backward of a zero pad: the window of the input at
    // [start, start + size) along its axis.
    return plan.addCall(op, exec::step::slice, {o.getInput()}, {o.getOutput()},
                        exec::SliceParams{static_cast<int64_t>(o.getAxis()),
                                          static_cast<int64_t>(o.getStart()),
                                          planShape(o.getOutput().getType())});
  if (isa<MaxPoolGradOp, AvgPoolGradOp>(op))
    return lowerPoolGrad(plan, op);
  if (auto o = dyn_cast<GlobalAvgPoolGradOp>(op))
    return plan.addCall(op, exec::step::global_avg_pool_grad,
                        {o.getOutputGrad()}, {o.getInputGrad()},
                        exec::ShapeParams{planShape(o.getInputGrad().getType())});
  if (auto o = dyn_cast<PadGradOp>(op)) {
    if (succeeded(lowerPadGradAddRelu(plan, o)))
      return;
    exec::PadGradParams p;
    p.pads.assign(o.getPads().begin(), o.getPads().end());
    p.shape = planShape(o.getInputGrad().getType());
    return plan.addCall(op, exec::step::pad_grad, {o.getOutputGrad()},
                        {o.getInputGrad()}, p);
  }
  auto o = cast<ReduceToOp>(op);
  plan.addCall(op, exec::step::reduce_to, {o.getInput()}, {o.getOutput()},
               exec::ShapeParams{planShape(o.getOutput().getType())});
}

//===-- Batch norm ---------------------------------------------------------===//

static void lowerBatchNormTrain(ExecutionPlan &plan, BatchNormTrainOp op) {
  exec::BatchNormTrainParams p;
  // ONNX momentum (weight of the running statistic) -> PyTorch's.
  p.momentum = 1.f - f32Attr(op.getMomentum());
  p.epsilon = f32Attr(op.getEpsilon());
  p.sync = op.getSync();
  plan.addCall(op, exec::step::batch_norm_train,
               {op.getInput(), op.getScale(), op.getBias(),
                op.getRunningMean(), op.getRunningVar()},
               {op.getOutput(), op.getSavedMean(), op.getSavedInvstd(),
                op.getNewRunningMean(), op.getNewRunningVar()},
               p);
}

//===-- fake_quant_grad ----------------------------------------------------===//

static qrt::GradType gradTypeOf(GradType t) {
  switch (t) {
  case GradType::ClippedSte:
    return qrt::GradType::ClippedSte;
  case GradType::Triangle:
    return qrt::GradType::Triangle;
  default:
    return qrt::GradType::Ste;
  }
}

/// LSQ's step-size gradient scale: the seeds' keywords, or by default the
/// paper's g = 1/sqrt(N·Qp) (qrt's Lsq mode).
static qrt::GradScaleMode gradScaleOf(GradScale mode) {
  switch (mode) {
  case GradScale::None:
    return qrt::GradScaleMode::Lsq;
  case GradScale::FanScale:
    return qrt::GradScaleMode::FanScale;
  case GradScale::ScaleFan:
    return qrt::GradScaleMode::ScaleFan;
  case GradScale::ElementScale:
    return qrt::GradScaleMode::ElementScale;
  case GradScale::ScaleElement:
    return qrt::GradScaleMode::ScaleElement;
  }
  llvm_unreachable("unknown grad_scale");
}

static LogicalResult lowerFakeQuantGrad(ExecutionPlan &plan,
                                        FakeQuantGradOp op) {
  exec::FakeQuantGradParams p;
  p.adaptive = weightNormOf(op.getAdaptive());
  p.weight = op.getRole() == QuantRole::Weight;
  p.kind = fakeQuantKind(op.getMethod(), p.weight);
  p.bits = op.getBits();
  p.isSigned = !op.getHalfRange(); // LQ-Nets' codes, as the forward
  p.range = qrt::QuantRange::fromBits(p.bits, p.isSigned, op.getNarrow());
  p.axis = op.getAxis().value_or(-1);
  p.groups = op.getGroups().value_or(-1);
  p.grad = gradTypeOf(op.getGrad());
  p.gradScale = gradScaleOf(op.getGradScale());
  SmallVector<Value> out{op.getInputGrad()};
  for (Value g : op.getParamGrads()) {
    p.gradShapes.push_back(planShape(g.getType()));
    out.push_back(g);
  }
  plan.addCall(op, exec::step::fake_quant_grad,
               {op.getInput(), op.getOutputGrad(), op.getScale(),
                op.getZeroPoint(), op.getClip(), op.getBasis(), op.getOffset()},
               out, p);
  return success();
}

//===-- Optimizers ---------------------------------------------------------===//

static void lowerSgd(ExecutionPlan &plan, SgdUpdateOp op) {
  exec::SgdParams p;
  p.options.momentum = f32Attr(op.getMomentum());
  p.options.dampening = f32Attr(op.getDampening());
  p.options.nesterov = op.getNesterov();
  p.options.weightDecay = f32Attr(op.getWeightDecay());
  plan.addCall(op, exec::step::sgd_update,
               {op.getParam(), op.getGrad(), op.getMomentumBuffer(),
                op.getLr()},
               {op.getNewParam(), op.getNewMomentumBuffer()}, p);
}

static void lowerAdam(ExecutionPlan &plan, AdamUpdateOp op) {
  exec::AdamParams p;
  p.options.beta1 = f32Attr(op.getBeta1());
  p.options.beta2 = f32Attr(op.getBeta2());
  p.options.eps = f32Attr(op.getEpsilon());
  p.options.weightDecay = f32Attr(op.getWeightDecay());
  plan.addCall(op, exec::step::adam_update,
               {op.getParam(), op.getGrad(), op.getExpAvg(), op.getExpAvgSq(),
                op.getLr(), op.getStep()},
               {op.getNewParam(), op.getNewExpAvg(), op.getNewExpAvgSq()}, p);
}

LogicalResult qopt::lowerTrainingOp(ExecutionPlan &plan, Operation *op,
                                    bool &handled) {
  handled = true;
  if (auto o = dyn_cast<Conv2dGradInputOp>(op))
    return lowerConvGradInput(plan, o), success();
  if (auto o = dyn_cast<Conv2dGradWeightOp>(op))
    return lowerConvGradWeight(plan, o), success();
  if (auto o = dyn_cast<BiasGradOp>(op))
    return plan.addCall(op, exec::step::bias_grad, {o.getOutputGrad()},
                        {o.getBiasGrad()}, exec::NoParams{}),
           success();
  if (auto o = dyn_cast<LinearGradInputOp>(op))
    return plan.addCall(op, exec::step::linear_grad_input,
                        {o.getOutputGrad(), o.getWeight()}, {o.getInputGrad()},
                        exec::ShapeParams{planShape(o.getInputGrad().getType())}),
           success();
  if (auto o = dyn_cast<LinearGradWeightOp>(op))
    return plan.addCall(
               op, exec::step::linear_grad_weight,
               {o.getOutputGrad(), o.getInput()}, {o.getWeightGrad()},
               exec::ShapeParams{planShape(o.getWeightGrad().getType())}),
           success();
  if (isa<ReluGradOp, ClipGradOp, SliceOp, MaxPoolGradOp, AvgPoolGradOp,
          GlobalAvgPoolGradOp, PadGradOp, ReduceToOp>(op))
    return lowerWindowGrad(plan, op), success();
  if (auto o = dyn_cast<BatchNormTrainOp>(op))
    return lowerBatchNormTrain(plan, o), success();
  if (auto o = dyn_cast<BatchNormGradOp>(op))
    return plan.addCall(op, exec::step::batch_norm_grad,
                        {o.getOutputGrad(), o.getInput(), o.getScale(),
                         o.getSavedMean(), o.getSavedInvstd()},
                        {o.getInputGrad(), o.getScaleGrad(), o.getBiasGrad()},
                        exec::BatchNormGradParams{o.getSync()}),
           success();
  if (auto o = dyn_cast<GroupNormGradOp>(op))
    return plan.addCall(
               op, exec::step::group_norm_grad,
               {o.getOutputGrad(), o.getInput(), o.getScale()},
               {o.getInputGrad(), o.getScaleGrad(), o.getBiasGrad()},
               exec::GroupNormParams{(int64_t)o.getNumGroups(),
                                     (float)o.getEpsilon().convertToDouble()}),
           success();
  if (auto o = dyn_cast<AllReduceOp>(op))
    return plan.addCall(op, exec::step::all_reduce, {o.getInput()},
                        {o.getOutput()}, exec::NoParams{}),
           success();
  if (isa<SoftmaxCrossEntropyOp, MseLossOp>(op))
    return plan.addCall(op,
                        isa<SoftmaxCrossEntropyOp>(op)
                            ? exec::step::softmax_cross_entropy
                            : exec::step::mse_loss,
                        {op->getOperand(0), op->getOperand(1)},
                        {op->getResult(0), op->getResult(1)}, exec::NoParams{}),
           success();
  if (auto o = dyn_cast<SigmoidFocalLossOp>(op))
    return plan.addCall(op, exec::step::sigmoid_focal_loss,
                        {o.getLogits(), o.getClasses(), o.getNorm()},
                        {o.getLoss(), o.getLogitsGrad()},
                        exec::FocalLossParams{f32Attr(o.getAlpha()),
                                              f32Attr(o.getGamma())}),
           success();
  if (isa<GiouLossOp, BceWithLogitsLossOp>(op))
    return plan.addCall(op,
                        isa<GiouLossOp>(op) ? exec::step::giou_loss
                                            : exec::step::bce_with_logits_loss,
                        {op->getOperand(0), op->getOperand(1),
                         op->getOperand(2), op->getOperand(3)},
                        {op->getResult(0), op->getResult(1)}, exec::NoParams{}),
           success();
  if (auto o = dyn_cast<AdaroundRegularizerOp>(op))
    return plan.addCall(op, exec::step::adaround_regularizer,
                        {o.getOffset(), o.getBeta(), o.getLambda()},
                        {o.getLoss(), o.getOffsetGrad()}, exec::NoParams{}),
           success();
  if (auto o = dyn_cast<FakeQuantGradOp>(op))
    return lowerFakeQuantGrad(plan, o);
  if (auto o = dyn_cast<LqnetBasisUpdateOp>(op))
    return plan.addCall(
               op, exec::step::lqnet_basis_update, {o.getInput(), o.getBasis()},
               {o.getNewBasis()},
               exec::LqnetBasisParams{!o.getHalfRange(),
                                      f32Attr(o.getMomentum()),
                                      static_cast<int64_t>(
                                          o.getAxis().value_or(-1)),
                                      static_cast<int64_t>(
                                          o.getGroups().value_or(-1))}),
           success();
  if (auto o = dyn_cast<SgdUpdateOp>(op))
    return lowerSgd(plan, o), success();
  if (auto o = dyn_cast<AdamUpdateOp>(op))
    return lowerAdam(plan, o), success();
  handled = false;
  return failure();
}
