//===- ExecutionPlan.cpp - compile a qnn function into qrt calls ----------===//

#include "codegen/ExecutionPlan.h"
#include "codegen/ArenaPlan.h"
#include "codegen/GlobalState.h"
#include "codegen/Lowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"

#include <cstring>

using namespace mlir;
using namespace qopt;

FailureOr<ArgSpec> qopt::argSpecOf(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return failure();
  ArgSpec spec;
  for (int64_t d : tensor.getShape())
    spec.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
  Type elem = tensor.getElementType();
  // Quantized tensors are held as their storage type.
  if (auto q = dyn_cast<quant::QuantizedType>(elem)) {
    if (q.getStorageTypeIntegralWidth() == 8)
      spec.dtype = q.isSigned() ? qrt::DType::I8 : qrt::DType::U8;
    else if (q.getStorageTypeIntegralWidth() == 32 && q.isSigned())
      spec.dtype = qrt::DType::I32;
    else
      return failure();
    return spec;
  }
  if (elem.isF32())
    spec.dtype = qrt::DType::F32;
  else if (elem.isSignlessInteger(32))
    spec.dtype = qrt::DType::I32;
  else if (elem.isSignlessInteger(64))
    spec.dtype = qrt::DType::I64;
  else if (elem.isSignlessInteger(8))
    spec.dtype = qrt::DType::I8;
  else
    return failure();
  return spec;
}

unsigned ExecutionPlan::slotOf(Value v) {
  // Aliased values share a slot, so slot numbers are counted, not taken
  // from the number of mapped values.
  auto [it, inserted] = slots.try_emplace(v, nextSlot);
  if (inserted)
    ++nextSlot;
  return it->second;
}

void ExecutionPlan::aliasSlot(Value alias, Value of) {
  slots[alias] = slotOf(of);
}

/// "loc: qnn.conv2d", prefixed to the step's errors.
static std::string describe(Operation *op) {
  std::string what;
  llvm::raw_string_ostream os(what);
  os << op->getLoc() << ": " << op->getName();
  return what;
}

qrt::exec::StepIO ExecutionPlan::stepIO(Operation *op, ArrayRef<Value> in,
                                        ArrayRef<Value> out) {
  qrt::exec::StepIO io;
  io.id = (int32_t)steps.size();
  io.what = describe(op);
  for (Value v : in)
    io.in.push_back(v ? (int32_t)slotOf(v) : qrt::exec::kNoSlot);
  for (Value v : out)
    io.out.push_back((int32_t)slotOf(v));
  return io;
}

void ExecutionPlan::appendStep(Operation *op, PlanStep step) {
  step.loc = op->getLoc();
  steps.push_back(std::move(step));
}

LogicalResult ExecutionPlan::addConstant(Value result, Attribute value) {
  FailureOr<qrt::Tensor> t =
      tensorFromAttribute(result.getLoc(), result.getType(), value);
  if (failed(t))
    return failure();
  unsigned slot = slotOf(result);
  if (context->numSlots() <= slot)
    context->resize(nextSlot, steps.size());
  (*context)[(int32_t)slot] = std::move(*t);
  constSlots.insert(slot);
  return success();
}

FailureOr<ExecutionPlan>
ExecutionPlan::compile(func::FuncOp func, std::shared_ptr<GlobalState> globals,
                       Target target) {
  ExecutionPlan plan;
  plan.target_ = target;
  plan.globalState = std::move(globals);
  if (plan.globalState)
    plan.context->setGlobals(plan.globalState->table());
  bool ok = true;
  for (BlockArgument arg : func.getArguments()) {
    FailureOr<ArgSpec> spec = argSpecOf(arg.getType());
    if (failed(spec)) {
      emitError(arg.getLoc())
          << "unsupported argument type " << arg.getType();
      ok = false;
      continue;
    }
    plan.args.push_back(*spec);
    plan.argSlots.push_back(plan.slotOf(arg));
  }
  if (!func.getBody().hasOneBlock())
    return func.emitError("functions with control flow are not "
                          "supported");
  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (Value v : ret.getOperands()) {
        FailureOr<ArgSpec> spec = argSpecOf(v.getType());
        if (failed(spec)) {
          ret.emitError("unsupported result type ") << v.getType();
          ok = false;
          continue;
        }
        plan.resultSpecs.push_back(*spec);
        plan.resultSlotList.push_back(plan.slotOf(v));
      }
      continue;
    }
    if (plan.absorbed.contains(&op))
      continue;
    if (failed(lowerOp(plan, &op)))
      ok = false;
  }
  if (!ok)
    return failure();

  // Liveness: a slot dies after its last reader, unless it is a constant or
  // a result.
  llvm::DenseMap<unsigned, size_t> lastRead;
  for (auto [i, step] : llvm::enumerate(plan.steps))
    for (int32_t slot : step.call.io.in)
      if (slot != qrt::exec::kNoSlot)
        lastRead[slot] = i;
  for (unsigned slot : plan.resultSlotList)
    lastRead.erase(slot);
  for (auto [slot, step] : lastRead)
    if (!plan.constSlots.contains(slot))
      plan.steps[step].call.io.release.push_back((int32_t)slot);
  for (PlanStep &step : plan.steps)
    llvm::sort(step.call.io.release);
  plan.context->resize(plan.nextSlot, plan.steps.size());

  // Memory: the intermediate tensors' places in the arena, checked before
  // any run uses them.
  plan.memoryPlan = planArena(plan);
  qrt::Status placed = checkArenaPlan(plan, plan.memoryPlan);
  if (placed)
    placed = plan.context->setArena(plan.memoryPlan.layout);
  if (!placed)
    return func.emitError("internal error in the memory plan: ")
           << placed.message();
  return plan;
}

qrt::Expected<std::vector<qrt::Tensor>>
ExecutionPlan::run(const std::vector<qrt::Tensor> &inputs,
                   bool checkFinite) const {
  if (inputs.size() != args.size())
    return qrt::invalidArgument(
        "the function takes " + std::to_string(args.size()) +
        " input(s), got " + std::to_string(inputs.size()));
  qrt::exec::Context &ctx = *context;
  // A run starts from the constants alone: nothing of an earlier run (its
  // results, a failed run's values) is seen, e.g. by checkFinite.
  for (unsigned slot = 0; slot < nextSlot; ++slot)
    if (!constSlots.contains(slot))
      ctx[(int32_t)slot] = qrt::Tensor();
  for (size_t i = 0; i < inputs.size(); ++i) {
    QRT_RETURN_IF_ERROR(qrt::checkInput(i, args[i], inputs[i]));
    ctx[(int32_t)argSlots[i]] = inputs[i];
  }
  ctx.setCheckFinite(checkFinite);
  ctx.beginRun(qrt::exec::batchOf(inputs));
  for (const PlanStep &step : steps) {
    qrt::exec::dispatch(ctx, step.call);
    if (!ctx.ok())
      break;
  }
  std::vector<qrt::Tensor> outputs;
  for (unsigned slot : resultSlotList)
    outputs.push_back(ctx[(int32_t)slot]);
  // Arguments are the caller's: drop the references.
  for (unsigned slot : argSlots)
    if (!constSlots.contains(slot))
      ctx[(int32_t)slot] = qrt::Tensor();
  qrt::Status status = ctx.endRun();
  if (!status)
    return status;
  return outputs;
}
