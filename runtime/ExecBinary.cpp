//===- ExecBinary.cpp - the packed binary conv kernel of a plan -----------===//

#include "runtime/BinaryConv.h"
#include "runtime/ExecKernel.h"

using namespace qrt;
using namespace qrt::exec;

/// The weights' sign bits, packed once.
namespace {
struct BinaryConvState {
  bool packed = false;
  xnor::PackedBinaryWeights weights;
};
} // namespace

QRT_DEFINE_KERNEL(binary_conv2d, BinaryConvParams) {
  const Tensor &x = ctx[io.in[0]];
  auto &state = ctx.state<BinaryConvState>(io);
  if (!state.packed) {
    Expected<xnor::PackedBinaryWeights> w =
        xnor::packBinaryWeights(ctx[io.in[1]], p.conv.groups);
    if (!w)
      return w.status();
    state.weights = std::move(*w);
    state.packed = true;
  }
  const Tensor &bias = ctx.operand(optionalIn(io, 2));
  Tensor out;
  if (x.defined() && x.rank() == 4) {
    Expected<Shape> shape =
        conv2dOutputShape(x.shape(),
                          {state.weights.outChannels, state.weights.inChannels,
                           state.weights.kernelH, state.weights.kernelW},
                          p.conv);
    if (!shape)
      return shape.status();
    out = ctx.output(io.out[0], *shape, DType::F32);
  }
  Status s =
      xnor::binaryConv2d(x, state.weights, p.scale, bias, p.conv, p.pad, out);
  ctx[io.out[0]] = std::move(out);
  return s;
}
