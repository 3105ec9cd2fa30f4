//===- ExportOps.cpp - float qnn network ops to ONNX operators ------------===//

#include "export/onnx/ExportContext.h"

#include "dialect/QnnOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace qopt::qnn;

namespace qopt::onnx_export {
namespace {

/// Names of `op`'s operands (initializers emitted on first use) and of its
/// one result; fails when an operand has none.
struct Io {
  std::vector<std::string> in;
  std::string out;
};

FailureOr<Io> io(ExportContext &ctx, Operation *op) {
  Io r;
  for (Value v : op->getOperands()) {
    FailureOr<std::string> n = ctx.name(v);
    if (failed(n))
      return failure();
    r.in.push_back(*n);
  }
  r.out = ctx.define(op->getResult(0));
  return r;
}

/// One node with the op's operands and result.
FailureOr<OnnxNode *> simple(ExportContext &ctx, Operation *op,
                             StringRef opType) {
  FailureOr<Io> r = io(ctx, op);
  if (failed(r))
    return failure();
  return &ctx.addNode(opType, r->in, {r->out}, op);
}

LogicalResult simpleOp(ExportContext &ctx, Operation *op, StringRef opType) {
  return success(succeeded(simple(ctx, op, opType)));
}

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

LogicalResult exportConv(ExportContext &ctx, Conv2dOp op) {
  FailureOr<OnnxNode *> n = simple(ctx, op, "Conv");
  if (failed(n))
    return failure();
  ArrayRef<int64_t> w = shapeOf(op.getWeight());
  (*n)->attributes["kernel_shape"] = intsAttr(w.drop_front(2));
  (*n)->attributes["strides"] = intsAttr(op.getStrides());
  (*n)->attributes["pads"] = intsAttr(op.getPads());
  (*n)->attributes["dilations"] = intsAttr(op.getDilations());
  (*n)->attributes["group"] = intAttr(op.getGroups());
  return success();
}

/// linear: Gemm(transB=1) on a matrix; MatMul with the transposed weight
/// (+ Add of the bias) on higher ranks, where Gemm does not apply.
LogicalResult exportLinear(ExportContext &ctx, LinearOp op) {
  if (shapeOf(op.getInput()).size() == 2) {
    FailureOr<OnnxNode *> n = simple(ctx, op, "Gemm");
    if (failed(n))
      return failure();
    (*n)->attributes["transB"] = intAttr(1);
    return success();
  }
  FailureOr<Io> r = io(ctx, op);
  if (failed(r))
    return failure();
  std::string wt = ctx.fresh(r->in[1] + "_t");
  ctx.addNode("Transpose", {r->in[1]}, {wt}, op).attributes["perm"] =
      intsAttr({1, 0});
  if (r->in.size() == 2) {
    ctx.addNode("MatMul", {r->in[0], wt}, {r->out}, op);
    return success();
  }
  std::string mm = ctx.fresh(r->out + "_mm");
  ctx.addNode("MatMul", {r->in[0], wt}, {mm}, op);
  ctx.addNode("Add", {mm, r->in[2]}, {r->out}, op);
  return success();
}

/// PRelu broadcasts its slope from the right (unidirectionally); a
/// per-channel slope of C values is reshaped to C x 1 x ... x 1.
LogicalResult exportPrelu(ExportContext &ctx, PreluOp op) {
  FailureOr<Io> r = io(ctx, op);
  if (failed(r))
    return failure();
  int64_t rank = shapeOf(op.getInput()).size();
  int64_t count = cast<RankedTensorType>(op.getSlope().getType())
                      .getNumElements();
  std::string slope = r->in[1];
  if (count > 1 && rank > 2) {
    std::vector<int64_t> shape(rank - 1, 1);
    shape[0] = count;
    std::string s = ctx.addInt64s(slope + "_shape", {(int64_t)shape.size()},
                                  shape);
    slope = ctx.fresh(slope + "_c11");
    ctx.addNode("Reshape", {r->in[1], s}, {slope}, op);
  }
  ctx.addNode("PRelu", {r->in[0], slope}, {r->out}, op);
  return success();
}

LogicalResult exportClip(ExportContext &ctx, ClipOp op) {
  FailureOr<Io> r = io(ctx, op);
  if (failed(r))
    return failure();
  float lo = op.getMin().convertToDouble(), hi = op.getMax().convertToDouble();
  std::string mn = ctx.addFloats("clip_min", {}, {lo});
  std::string mx = ctx.addFloats("clip_max", {}, {hi});
  ctx.addNode("Clip", {r->in[0], mn, mx}, {r->out}, op);
  return success();
}

/// hard_swish: HardSwish is opset 14; x * HardSigmoid(x, 1/6, 1/2) is the
/// same function in opset 13.
LogicalResult exportHardSwish(ExportContext &ctx, HardSwishOp op) {
  FailureOr<Io> r = io(ctx, op);
  if (failed(r))
    return failure();
  std::string hs = ctx.fresh(r->out + "_hsig");
  OnnxNode &n = ctx.addNode("HardSigmoid", {r->in[0]}, {hs}, op);
  n.attributes["alpha"] = floatAttr(1.0 / 6.0);
  n.attributes["beta"] = floatAttr(0.5);
  ctx.addNode("Mul", {r->in[0], hs}, {r->out}, op);
  return success();
}

/// silu: x * Sigmoid(x), the form torch.onnx writes and the importer fuses.
LogicalResult exportSilu(ExportContext &ctx, SiluOp op) {
  FailureOr<Io> r = io(ctx, op);
  if (failed(r))
    return failure();
  std::string sig = ctx.fresh(r->out + "_sigmoid");
  ctx.addNode("Sigmoid", {r->in[0]}, {sig}, op);
  ctx.addNode("Mul", {r->in[0], sig}, {r->out}, op);
  return success();
}

/// gelu: Gelu is opset 20; opset 13 spells the exact form as torch.onnx
/// does, x * (Erf(x / sqrt(2)) + 1) * 0.5. The tanh form is not exported.
LogicalResult exportGelu(ExportContext &ctx, GeluOp op) {
  if (op.getApproximate() != "none")
    return op.emitError("qexport: gelu with approximate = \"")
           << op.getApproximate() << "\" has no opset-13 form here";
  FailureOr<Io> r = io(ctx, op);
  if (failed(r))
    return failure();
  std::string x = r->in[0];
  std::string sqrt2 = ctx.addFloats("gelu_sqrt2", {}, {1.41421356237f});
  std::string one = ctx.addFloats("gelu_one", {}, {1.f});
  std::string half = ctx.addFloats("gelu_half", {}, {0.5f});
  std::string d = ctx.fresh(r->out + "_div"), e = ctx.fresh(r->out + "_erf"),
              a = ctx.fresh(r->out + "_add"), m = ctx.fresh(r->out + "_mul");
  ctx.addNode("Div", {x, sqrt2}, {d}, op);
  ctx.addNode("Erf", {d}, {e}, op);
  ctx.addNode("Add", {e, one}, {a}, op);
  ctx.addNode("Mul", {x, a}, {m}, op);
  ctx.addNode("Mul", {m, half}, {r->out}, op);
  return success();
}

/// group_norm: InstanceNormalization when every channel is its own group,
/// else torch.onnx's GroupNorm form (the importer folds it back): Reshape
/// to [N, G, -1], InstanceNormalization with unit scale and zero bias,
/// Reshape to the input's shape, Mul by scale and Add of bias as [C, 1, ...].
LogicalResult exportGroupNorm(ExportContext &ctx, GroupNormOp op) {
  FailureOr<Io> r = io(ctx, op);
  if (failed(r))
    return failure();
  ArrayRef<int64_t> in = shapeOf(op.getInput());
  int64_t c = in[1], g = op.getNumGroups();
  float eps = (float)op.getEpsilon().convertToDouble();
  if (g == c) {
    ctx.addNode("InstanceNormalization", r->in, {r->out}, op)
        .attributes["epsilon"] = floatAttr(eps);
    return success();
  }
  std::string x = r->in[0];
  std::string rows = ctx.addInt64s(r->out + "_rows", {3}, {0, g, -1});
  std::string ones = ctx.addFloats(r->out + "_ones", {g},
                                   std::vector<float>(g, 1.f));
  std::string zeros = ctx.addFloats(r->out + "_zeros", {g},
                                    std::vector<float>(g, 0.f));
  std::vector<int64_t> perChannel(in.size() - 1, 1);
  perChannel[0] = c;
  std::string pcShape = ctx.addInt64s(r->out + "_per_channel",
                                      {(int64_t)perChannel.size()}, perChannel);
  std::string split = ctx.fresh(r->out + "_split"),
              norm = ctx.fresh(r->out + "_norm"),
              shape = ctx.fresh(r->out + "_shape"),
              merged = ctx.fresh(r->out + "_merged"),
              scale = ctx.fresh(r->out + "_scale"),
              bias = ctx.fresh(r->out + "_bias"),
              scaled = ctx.fresh(r->out + "_scaled");
  ctx.addNode("Reshape", {x, rows}, {split}, op);
  ctx.addNode("InstanceNormalization", {split, ones, zeros}, {norm}, op)
      .attributes["epsilon"] = floatAttr(eps);
  ctx.addNode("Shape", {x}, {shape}, op);
  ctx.addNode("Reshape", {norm, shape}, {merged}, op);
  ctx.addNode("Reshape", {r->in[1], pcShape}, {scale}, op);
  ctx.addNode("Reshape", {r->in[2], pcShape}, {bias}, op);
  ctx.addNode("Mul", {merged, scale}, {scaled}, op);
  ctx.addNode("Add", {scaled, bias}, {r->out}, op);
  return success();
}

/// slice: Slice with constant starts, ends and axes (opset 10+ inputs).
LogicalResult exportSlice(ExportContext &ctx, SliceOp op) {
  FailureOr<Io> r = io(ctx, op);
  if (failed(r))
    return failure();
  int64_t axis = op.getAxis(), start = op.getStart();
  int64_t size = cast<RankedTensorType>(op.getType()).getDimSize(axis);
  if (ShapedType::isDynamic(size))
    return op.emitError("qexport: slice along dynamic axis ")
           << axis << " has no constant end";
  std::string starts = ctx.addInt64s("slice_starts", {1}, {start});
  std::string ends = ctx.addInt64s("slice_ends", {1}, {start + size});
  std::string axes = ctx.addInt64s("slice_axes", {1}, {axis});
  ctx.addNode("Slice", {r->in[0], starts, ends, axes}, {r->out}, op);
  return success();
}

template <typename PoolOp>
FailureOr<OnnxNode *> exportPool(ExportContext &ctx, PoolOp op,
                                 StringRef opType) {
  FailureOr<OnnxNode *> n = simple(ctx, op, opType);
  if (failed(n))
    return failure();
  (*n)->attributes["kernel_shape"] = intsAttr(op.getKernel());
  (*n)->attributes["strides"] = intsAttr(op.getStrides());
  (*n)->attributes["pads"] = intsAttr(op.getPads());
  (*n)->attributes["ceil_mode"] = intAttr(op.getCeilMode() ? 1 : 0);
  return n;
}

LogicalResult exportPad(ExportContext &ctx, PadOp op) {
  FailureOr<Io> r = io(ctx, op);
  if (failed(r))
    return failure();
  std::string pads = ctx.addInt64s(r->out + "_pads",
                                   {(int64_t)op.getPads().size()},
                                   op.getPads());
  std::string value = ctx.addFloats(r->out + "_value", {},
                                    {(float)op.getValue().convertToDouble()});
  ctx.addNode("Pad", {r->in[0], pads, value}, {r->out}, op)
      .attributes["mode"] = stringAttr("constant");
  return success();
}

/// reshape: the target shape from the result type, -1 for its (at most one)
/// dynamic dimension.
LogicalResult exportReshape(ExportContext &ctx, ReshapeOp op) {
  FailureOr<Io> r = io(ctx, op);
  if (failed(r))
    return failure();
  std::vector<int64_t> shape;
  for (int64_t d : shapeOf(op.getResult()))
    shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
  std::string s =
      ctx.addInt64s(r->out + "_shape", {(int64_t)shape.size()}, shape);
  ctx.addNode("Reshape", {r->in[0], s}, {r->out}, op);
  return success();
}

/// resize: scales out / in of the spatial dimensions (the batch may be
/// dynamic, so not sizes); ONNX then computes floor(in * scale) = out.
LogicalResult exportResize(ExportContext &ctx, ResizeOp op) {
  ArrayRef<int64_t> in = shapeOf(op.getInput()), out = shapeOf(op.getResult());
  std::vector<float> scales = {1.0f, 1.0f};
  for (int d = 2; d < 4; ++d) {
    if (ShapedType::isDynamic(in[d]) || ShapedType::isDynamic(out[d]))
      return op.emitError("'qnn.resize' needs static spatial "
                          "dimensions to compute ONNX scales");
    float s = (float)out[d] / (float)in[d];
    // floor(in * s) must give `out` back in float arithmetic.
    while ((int64_t)std::floor((float)in[d] * s) < out[d])
      s = std::nextafter(s, 2.0f * s);
    scales.push_back(s);
  }
  FailureOr<Io> r = io(ctx, op);
  if (failed(r))
    return failure();
  std::string sc = ctx.addFloats(r->out + "_scales", {4}, scales);
  OnnxNode &n = ctx.addNode("Resize", {r->in[0], "", sc}, {r->out}, op);
  n.attributes["mode"] = stringAttr(stringifyResizeMode(op.getMode()));
  n.attributes["coordinate_transformation_mode"] =
      stringAttr(stringifyCoordinateMode(op.getCoordinateMode()));
  n.attributes["nearest_mode"] =
      stringAttr(stringifyNearestMode(op.getNearestMode()));
  return success();
}

} // namespace

LogicalResult exportNetworkOp(ExportContext &ctx, Operation *op,
                              bool &handled) {
  handled = true;
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](Conv2dOp o) { return exportConv(ctx, o); })
      .Case([&](BatchNormOp o) {
        FailureOr<OnnxNode *> n = simple(ctx, o, "BatchNormalization");
        if (failed(n))
          return failure();
        (*n)->attributes["epsilon"] = floatAttr(o.getEpsilon().convertToDouble());
        (*n)->attributes["momentum"] =
            floatAttr(o.getMomentum().convertToDouble());
        return success();
      })
      .Case([&](LinearOp o) { return exportLinear(ctx, o); })
      .Case([&](MatmulOp o) { return simpleOp(ctx, o, "MatMul"); })
      .Case([&](ReluOp o) { return simpleOp(ctx, o, "Relu"); })
      .Case([&](SigmoidOp o) { return simpleOp(ctx, o, "Sigmoid"); })
      .Case([&](PreluOp o) { return exportPrelu(ctx, o); })
      .Case([&](ClipOp o) { return exportClip(ctx, o); })
      .Case([&](LeakyReluOp o) {
        FailureOr<OnnxNode *> n = simple(ctx, o, "LeakyRelu");
        if (succeeded(n))
          (*n)->attributes["alpha"] = floatAttr(o.getAlpha().convertToDouble());
        return success(succeeded(n));
      })
      .Case([&](HardSigmoidOp o) {
        FailureOr<OnnxNode *> n = simple(ctx, o, "HardSigmoid");
        if (succeeded(n)) {
          (*n)->attributes["alpha"] = floatAttr(o.getAlpha().convertToDouble());
          (*n)->attributes["beta"] = floatAttr(o.getBeta().convertToDouble());
        }
        return success(succeeded(n));
      })
      .Case([&](HardSwishOp o) { return exportHardSwish(ctx, o); })
      .Case([&](SiluOp o) { return exportSilu(ctx, o); })
      .Case([&](GeluOp o) { return exportGelu(ctx, o); })
      .Case([&](ErfOp o) { return simpleOp(ctx, o, "Erf"); })
      .Case([&](GroupNormOp o) { return exportGroupNorm(ctx, o); })
      .Case([&](SoftmaxOp o) {
        FailureOr<OnnxNode *> n = simple(ctx, o, "Softmax");
        if (succeeded(n))
          (*n)->attributes["axis"] = intAttr(o.getAxis());
        return success(succeeded(n));
      })
      .Case([&](AddOp o) { return simpleOp(ctx, o, "Add"); })
      .Case([&](SubOp o) { return simpleOp(ctx, o, "Sub"); })
      .Case([&](MulOp o) { return simpleOp(ctx, o, "Mul"); })
      .Case([&](DivOp o) { return simpleOp(ctx, o, "Div"); })
      .Case([&](ConcatOp o) {
        FailureOr<OnnxNode *> n = simple(ctx, o, "Concat");
        if (succeeded(n))
          (*n)->attributes["axis"] = intAttr(o.getAxis());
        return success(succeeded(n));
      })
      .Case([&](MaxPoolOp o) {
        FailureOr<OnnxNode *> n = exportPool(ctx, o, "MaxPool");
        if (succeeded(n))
          (*n)->attributes["dilations"] = intsAttr(o.getDilations());
        return success(succeeded(n));
      })
      .Case([&](AvgPoolOp o) {
        FailureOr<OnnxNode *> n = exportPool(ctx, o, "AveragePool");
        if (succeeded(n))
          (*n)->attributes["count_include_pad"] =
              intAttr(o.getCountIncludePad() ? 1 : 0);
        return success(succeeded(n));
      })
      .Case([&](GlobalAvgPoolOp o) {
        return simpleOp(ctx, o, "GlobalAveragePool");
      })
      .Case([&](ReduceMeanOp o) {
        FailureOr<OnnxNode *> n = simple(ctx, o, "ReduceMean");
        if (succeeded(n)) {
          (*n)->attributes["axes"] = intsAttr(o.getAxes());
          (*n)->attributes["keepdims"] = intAttr(o.getKeepdims() ? 1 : 0);
        }
        return success(succeeded(n));
      })
      .Case([&](PadOp o) { return exportPad(ctx, o); })
      .Case([&](ReshapeOp o) { return exportReshape(ctx, o); })
      .Case([&](FlattenOp o) {
        FailureOr<OnnxNode *> n = simple(ctx, o, "Flatten");
        if (succeeded(n))
          (*n)->attributes["axis"] = intAttr(o.getAxis());
        return success(succeeded(n));
      })
      .Case([&](SliceOp o) { return exportSlice(ctx, o); })
      .Case([&](TransposeOp o) {
        FailureOr<OnnxNode *> n = simple(ctx, o, "Transpose");
        if (succeeded(n))
          (*n)->attributes["perm"] = intsAttr(o.getPerm());
        return success(succeeded(n));
      })
      .Case([&](ResizeOp o) { return exportResize(ctx, o); })
      .Default([&](Operation *) {
        handled = false;
        return success();
      });
}

} // namespace qopt::onnx_export
