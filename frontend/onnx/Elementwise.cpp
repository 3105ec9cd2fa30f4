//===- Elementwise.cpp - Add, Sub, Mul, Div, Mod --------------------------===//
//
// With two import-time operands (shape arithmetic in torch exports, or
// constant subgraphs) the result is folded; otherwise it is a qnn op
// (x * Sigmoid(x) is qnn.silu). Mod is folded only (Swin's window padding).
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/OpUtils.h"

#include <cmath>
#include <type_traits>

using namespace mlir;

namespace qopt::onnx_import {

namespace {
// Broadcast: the first operand, broadcast to both shapes (Expand).
enum class BinaryKind { Add, Sub, Mul, Div, Mod, Equal, Broadcast };
} // namespace

template <typename T> static T apply(BinaryKind kind, T a, T b) {
  switch (kind) {
  case BinaryKind::Add:
    return a + b;
  case BinaryKind::Sub:
    return a - b;
  case BinaryKind::Mul:
    return a * b;
  case BinaryKind::Div:
    // Integer division by zero is undefined in ONNX; floats give inf / nan.
    if constexpr (std::is_integral_v<T>)
      return b == 0 ? 0 : a / b;
    return a / b;
  case BinaryKind::Mod:
    // ONNX Mod with fmod = 0 (integers): the sign of the divisor, as
    // Python's %; fmod = 1 (C's fmod) is the only form for floats.
    if constexpr (std::is_integral_v<T>) {
      if (b == 0)
        return 0;
      T m = a % b;
      return m != 0 && ((m < 0) != (b < 0)) ? m + b : m;
    } else {
      return std::fmod(a, b);
    }
  case BinaryKind::Equal:
    return a == b;
  case BinaryKind::Broadcast:
    return a;
  }
  return a;
}

/// numpy broadcasting of two constants; fails when the shapes do not
/// broadcast.
static FailureOr<ConstTensor> foldBinary(BinaryKind kind, const ConstTensor &a,
                                         const ConstTensor &b) {
  size_t rank = std::max(a.dims.size(), b.dims.size());
  std::vector<int64_t> out(rank);
  auto dimOf = [&](const ConstTensor &t, size_t d) -> int64_t {
    size_t off = rank - t.dims.size();
    return d < off ? 1 : t.dims[d - off];
  };
  for (size_t d = 0; d < rank; ++d) {
    int64_t x = dimOf(a, d), y = dimOf(b, d);
    if (x != y && x != 1 && y != 1)
      return failure();
    out[d] = x == 1 ? y : x;
  }
  ConstTensor r;
  r.type = kind == BinaryKind::Equal ? ElemType::Bool : a.type;
  r.dims = out;
  int64_t n = r.numElements();
  // Flat index of an output element in an operand, via strides with
  // broadcast dimensions zeroed.
  auto index = [&](const ConstTensor &t, int64_t flat) {
    int64_t idx = 0, stride = 1;
    for (size_t d = rank; d-- > 0;) {
      int64_t pos = flat % out[d];
      flat /= out[d];
      int64_t size = dimOf(t, d);
      idx += (size == 1 ? 0 : pos) * stride;
      stride *= size;
    }
    return idx;
  };
  for (int64_t i = 0; i < n; ++i) {
    int64_t ia = index(a, i), ib = index(b, i);
    if (kind == BinaryKind::Equal) {
      if (!a.isFloat() && (isUnknown(a.ints[ia]) || isUnknown(b.ints[ib])))
        return failure();
      r.ints.push_back(a.at(ia) == b.at(ib));
    } else if (r.isFloat()) {
      r.floats.push_back(apply<float>(kind, (float)a.at(ia), (float)b.at(ib)));
    } else if (isUnknown(a.ints[ia]) || isUnknown(b.ints[ib])) {
      r.ints.push_back(kUnknown);
    } else {
      r.ints.push_back(apply<int64_t>(kind, a.ints[ia], b.ints[ib]));
    }
  }
  return r;
}

FailureOr<ConstTensor> foldEqual(const ConstTensor &a, const ConstTensor &b) {
  if (a.isFloat() != b.isFloat())
    return failure();
  return foldBinary(BinaryKind::Equal, a, b);
}

FailureOr<ConstTensor> foldExpand(const ConstTensor &x,
                                  ArrayRef<int64_t> shape) {
  ConstTensor like = x;
  like.dims.assign(shape.begin(), shape.end());
  like.floats.assign(x.isFloat() ? like.numElements() : 0, 0.f);
  like.ints.assign(x.isFloat() ? 0 : like.numElements(), 0);
  return foldBinary(BinaryKind::Broadcast, x, like);
}

/// Mod of import-time values (fmod = 0 for integers, 1 for floats, as ONNX
/// requires); a run-time operand is an error.
static LogicalResult importMod(Importer &im) {
  const ConstTensor *a = im.constant(0), *b = im.constant(1);
  if (!a || !b || a->isFloat() != b->isFloat())
    return im.error() << "Mod is only supported on import-time values of one "
                         "type (shape arithmetic)";
  FailureOr<ConstTensor> folded = foldBinary(BinaryKind::Mod, *a, *b);
  if (failed(folded))
    return im.error() << "constant operand shapes do not broadcast";
  im.setConstant(0, std::move(*folded));
  return success();
}

/// x * Sigmoid(x), in either order (how torch.onnx writes SiLU / Swish):
/// qnn.silu, one activation for the quantization passes. The sigmoid goes
/// if nothing else reads it.
static Value fuseSilu(Importer &im, Value lhs, Value rhs) {
  for (auto [x, s] : {std::pair(lhs, rhs), std::pair(rhs, lhs)}) {
    auto sigmoid = s.getDefiningOp<qnn::SigmoidOp>();
    if (!sigmoid || sigmoid.getInput() != x)
      continue;
    im.eraseIfUnused(sigmoid);
    return qnn::SiluOp::create(im.builder(), im.loc(), x.getType(), x);
  }
  return {};
}

template <typename OpTy, BinaryKind kind>
static LogicalResult importBinary(Importer &im) {
  const ConstTensor *a = im.constant(0), *b = im.constant(1);
  if (a && b && a->isFloat() == b->isFloat()) {
    FailureOr<ConstTensor> folded = foldBinary(kind, *a, *b);
    if (failed(folded))
      return im.error() << "constant operand shapes do not broadcast";
    im.setConstant(0, std::move(*folded));
    return success();
  }
  FailureOr<Value> lhs = im.floatInput(0), rhs = im.floatInput(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  if constexpr (kind == BinaryKind::Mul)
    if (Value silu = fuseSilu(im, *lhs, *rhs))
      return im.bindResult(silu);
  FailureOr<Value> y = im.create<OpTy>(*lhs, *rhs);
  return im.bindResult(y);
}

void registerElementwiseOps(OpTable &table) {
  table["Add"] = importBinary<qnn::AddOp, BinaryKind::Add>;
  table["Sub"] = importBinary<qnn::SubOp, BinaryKind::Sub>;
  table["Mul"] = importBinary<qnn::MulOp, BinaryKind::Mul>;
  table["Div"] = importBinary<qnn::DivOp, BinaryKind::Div>;
  table["Mod"] = importMod;
}

} // namespace qopt::onnx_import
