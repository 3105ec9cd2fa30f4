//===- ExecutionPlan.cpp - compile a qnn function into qrt calls ----------===//

#include "codegen/ExecutionPlan.h"
#include "codegen/GlobalState.h"
#include "codegen/Lowerings.h"
#include "runtime/TrainOps.h"

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
  // Aliased values share a slot, so slot numbers come from the frame's size,
  // not from the number of mapped values.
  auto [it, inserted] = slots.try_emplace(v, constants.size());
  if (inserted)
    constants.emplace_back();
  return it->second;
}

void ExecutionPlan::aliasSlot(Value alias, Value of) {
  slots[alias] = slotOf(of);
}

void ExecutionPlan::addStep(Operation *op,
                            std::function<qrt::Status(Frame &)> fn,
                            ArrayRef<Value> extraReads) {
  std::string what;
  llvm::raw_string_ostream os(what);
  os << op->getLoc() << ": " << op->getName();
  PlanStep step;
  step.run = std::move(fn);
  step.what = std::move(what);
  for (Value operand : op->getOperands())
    step.reads.push_back(slotOf(operand));
  for (Value extra : extraReads)
    step.reads.push_back(slotOf(extra));
  steps.push_back(std::move(step));
}

LogicalResult ExecutionPlan::addConstant(Value result, Attribute value) {
  FailureOr<qrt::Tensor> t =
      tensorFromAttribute(result.getLoc(), result.getType(), value);
  if (failed(t))
    return failure();
  unsigned slot = slotOf(result);
  constants[slot] = std::move(*t);
  constSlots.insert(slot);
  return success();
}

FailureOr<ExecutionPlan>
ExecutionPlan::compile(func::FuncOp func,
                       std::shared_ptr<GlobalState> globals) {
  ExecutionPlan plan;
  plan.globalState = std::move(globals);
  bool ok = true;
  for (BlockArgument arg : func.getArguments()) {
    FailureOr<ArgSpec> spec = argSpecOf(arg.getType());
    if (failed(spec)) {
      emitError(arg.getLoc())
          << "qrun: unsupported argument type " << arg.getType();
      ok = false;
      continue;
    }
    plan.args.push_back(*spec);
    plan.argSlots.push_back(plan.slotOf(arg));
  }
  if (!func.getBody().hasOneBlock())
    return func.emitError("qrun: functions with control flow are not "
                          "supported");
  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (Value v : ret.getOperands()) {
        FailureOr<ArgSpec> spec = argSpecOf(v.getType());
        if (failed(spec)) {
          ret.emitError("qrun: unsupported result type ") << v.getType();
          ok = false;
          continue;
        }
        plan.resultSpecs.push_back(*spec);
        plan.resultSlots.push_back(plan.slotOf(v));
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
    for (unsigned slot : step.reads)
      lastRead[slot] = i;
  for (unsigned slot : plan.resultSlots)
    lastRead.erase(slot);
  for (auto [slot, step] : lastRead)
    if (!plan.constSlots.contains(slot))
      plan.steps[step].release.push_back(slot);
  return plan;
}

qrt::Tensor BufferPool::take(const qrt::Shape &shape, qrt::DType dtype) {
  for (size_t i = 0; i < free.size(); ++i) {
    const qrt::Tensor &t = free[i].tensor;
    if (t.dtype() == dtype && t.shape() == shape) {
      qrt::Tensor out = std::move(free[i].tensor);
      free[i] = std::move(free.back());
      free.pop_back();
      return out;
    }
  }
  return qrt::Tensor();
}

void BufferPool::give(qrt::Tensor t) {
  if (t.uniquelyOwned())
    free.push_back({std::move(t), currentRun});
}

void BufferPool::endRun() {
  llvm::erase_if(free, [&](const Entry &e) { return e.run != currentRun; });
  ++currentRun;
}

bool Frame::diesHere(unsigned slot) const {
  return releasing && llvm::is_contained(*releasing, slot);
}

static bool shapeMatches(const qrt::Shape &want, const qrt::Shape &got) {
  if (want.size() != got.size())
    return false;
  for (size_t i = 0; i < want.size(); ++i)
    if (want[i] != -1 && want[i] != got[i])
      return false;
  return true;
}

qrt::Expected<std::vector<qrt::Tensor>>
ExecutionPlan::run(const std::vector<qrt::Tensor> &inputs,
                   bool checkFinite) const {
  if (inputs.size() != args.size())
    return qrt::invalidArgument("the function takes " +
                                std::to_string(args.size()) +
                                " input(s), got " +
                                std::to_string(inputs.size()));
  Frame frame = constants;
  frame.pool = pool.get();
  for (size_t i = 0; i < inputs.size(); ++i) {
    const qrt::Tensor &in = inputs[i];
    if (!in.defined() || in.dtype() != args[i].dtype ||
        !shapeMatches(args[i].shape, in.shape()))
      return qrt::invalidArgument(
          "input " + std::to_string(i) + " must be " +
          std::string(qrt::dtypeName(args[i].dtype)) +
          qrt::shapeToString(args[i].shape) + " (-1: any size), got " +
          (in.defined() ? std::string(qrt::dtypeName(in.dtype())) +
                              qrt::shapeToString(in.shape())
                        : std::string("nothing")));
    frame[argSlots[i]] = in;
  }
  for (const PlanStep &step : steps) {
    frame.releasing = &step.release;
    qrt::Status status = step.run(frame);
    if (!status) {
      pool->endRun();
      return qrt::Status::error(status.code(),
                                step.what + ": " + status.message());
    }
    if (checkFinite)
      for (const qrt::Tensor &t : frame)
        if (t.defined() && t.dtype() == qrt::DType::F32 &&
            qrt::firstNonFinite(t) >= 0) {
          pool->endRun();
          return qrt::Status::error(qrt::ErrorCode::InvalidArgument,
                                    step.what +
                                        ": produced a non-finite value");
        }
    // Dead slots go back to the pool (if nothing else references them).
    for (unsigned slot : step.release)
      pool->give(std::move(frame[slot]));
  }
  std::vector<qrt::Tensor> outputs;
  for (unsigned slot : resultSlots)
    outputs.push_back(frame[slot]);
  pool->endRun();
  return outputs;
}
