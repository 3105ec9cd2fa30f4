//===- Linear.cpp - Gemm and MatMul ---------------------------------------===//
//
// A constant right-hand side becomes qnn.linear's N x K weight (transposed
// and scaled at import time), so that passes see an ordinary dense layer; a
// computed one stays a qnn.matmul.
//
//===----------------------------------------------------------------------===//

#include "frontend/onnx/OpUtils.h"

using namespace mlir;

namespace qopt::onnx_import {

/// An N x K weight from a constant 2-D B (K x N unless `isNK`), times alpha.
static std::vector<float> linearWeight(const ConstTensor &b, bool isNK,
                                       float alpha) {
  int64_t rows = b.dims[0], cols = b.dims[1];
  std::vector<float> w(rows * cols);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      w[isNK ? r * cols + c : c * rows + r] = alpha * b.floats[r * cols + c];
  return w;
}

static FailureOr<Value> scalarMul(Importer &im, Value x, float factor) {
  if (factor == 1.0f)
    return x;
  Value k = im.constantF32({}, {factor}, "");
  return im.create<qnn::MulOp>(x, k);
}

static LogicalResult importGemm(Importer &im) {
  FailureOr<Value> a = im.floatInput(0);
  if (failed(a))
    return failure();
  if (shapeOf(*a).size() != 2)
    return im.error() << "A must be a matrix, got " << a->getType();
  OpBuilder &b = im.builder();
  if (im.getInt("transA", 0)) {
    a = im.create<qnn::TransposeOp>(*a, b.getDenseI64ArrayAttr({1, 0}));
    if (failed(a))
      return failure();
  }
  bool transB = im.getInt("transB", 0) != 0;
  float alpha = im.getFloat("alpha", 1.0f), beta = im.getFloat("beta", 1.0f);
  const ConstTensor *bConst = im.constant(1);
  const ConstTensor *cConst = im.constant(2);
  FailureOr<Value> y;
  bool biasDone = !im.hasInput(2) || beta == 0.0f;
  if (bConst && bConst->isFloat() && bConst->dims.size() == 2) {
    int64_t n = transB ? bConst->dims[0] : bConst->dims[1];
    Value weight = im.constantF32(
        {n, transB ? bConst->dims[1] : bConst->dims[0]},
        linearWeight(*bConst, transB, alpha), im.node().inputs[1]);
    Value bias;
    // A bias that is one value per output column folds into qnn.linear.
    if (!biasDone && cConst && cConst->isFloat() &&
        (cConst->numElements() == n || cConst->numElements() == 1) &&
        (cConst->dims.size() <= 1 ||
         (cConst->dims.size() == 2 && cConst->dims[0] == 1))) {
      std::vector<float> values(n);
      for (int64_t i = 0; i < n; ++i)
        values[i] = beta * cConst->floats[cConst->numElements() == 1 ? 0 : i];
      bias = im.constantF32({n}, values, im.node().inputs[2]);
      biasDone = true;
    }
    y = im.create<qnn::LinearOp>(*a, weight, bias);
  } else {
    FailureOr<Value> rhs = im.floatInput(1);
    if (failed(rhs))
      return failure();
    // A QDQ model's weight (DequantizeLinear of an int8 initializer) is
    // still a fully connected layer's: qnn.linear over B as N x K, with C
    // as its bias, so that qnn-lower-to-integer takes the layer to
    // qnn.qlinear as it does for a float B. Other computed Bs stay a
    // matrix product.
    Value bias;
    if (rhs->getDefiningOp<qnn::DequantizeOp>() &&
        shapeOf(*rhs).size() == 2) {
      int64_t n = shapeOf(*rhs)[transB ? 0 : 1];
      if (!biasDone && alpha == 1.0f && beta == 1.0f &&
          n != ShapedType::kDynamic) {
        FailureOr<Value> c = im.floatInput(2);
        if (failed(c))
          return failure();
        if (shapeOf(*c).size() == 1 && shapeOf(*c)[0] == n) {
          bias = *c;
          biasDone = true;
        }
      }
      if (!transB)
        rhs = im.create<qnn::TransposeOp>(*rhs, b.getDenseI64ArrayAttr({1, 0}));
      if (failed(rhs))
        return failure();
      y = im.create<qnn::LinearOp>(*a, *rhs, bias);
    } else {
      if (transB)
        rhs = im.create<qnn::TransposeOp>(*rhs, b.getDenseI64ArrayAttr({1, 0}));
      if (failed(rhs))
        return failure();
      y = im.create<qnn::MatmulOp>(*a, *rhs);
    }
    if (succeeded(y))
      y = scalarMul(im, *y, alpha);
  }
  if (failed(y))
    return failure();
  if (!biasDone) {
    FailureOr<Value> c = im.floatInput(2);
    if (failed(c) || failed(c = scalarMul(im, *c, beta)))
      return failure();
    y = im.create<qnn::AddOp>(*y, *c);
    if (failed(y))
      return failure();
  }
  im.setResult(0, *y);
  return success();
}

static LogicalResult importMatMul(Importer &im) {
  FailureOr<Value> a = im.floatInput(0);
  if (failed(a))
    return failure();
  const ConstTensor *bConst = im.constant(1);
  FailureOr<Value> y;
  if (bConst && bConst->isFloat() && bConst->dims.size() == 2) {
    Value weight =
        im.constantF32({bConst->dims[1], bConst->dims[0]},
                       linearWeight(*bConst, false, 1.0f), im.node().inputs[1]);
    y = frontend::buildLinear(im, *a, weight, Value());
  } else {
    FailureOr<Value> rhs = im.floatInput(1);
    if (failed(rhs))
      return failure();
    y = im.create<qnn::MatmulOp>(*a, *rhs);
  }
  return im.bindResult(y);
}

/// Einsum of two operands that is a batched matrix product.
static LogicalResult importEinsum(Importer &im) {
  if (im.node().inputs.size() != 2)
    return im.error() << "only an einsum of two operands is supported";
  FailureOr<Value> a = im.floatInput(0), b = im.floatInput(1);
  if (failed(a) || failed(b))
    return failure();
  return im.bindResult(
      frontend::buildEinsum(im, im.getString("equation", ""), *a, *b));
}

void registerLinearOps(OpTable &table) {
  table["Einsum"] = importEinsum;
  table["Gemm"] = importGemm;
  table["MatMul"] = importMatMul;
}

} // namespace qopt::onnx_import
