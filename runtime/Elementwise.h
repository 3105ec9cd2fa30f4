//===- Elementwise.h - fp32 activations, broadcast math, BN, softmax -*- C++
//-*-===//
//
// qrt's own loops (no oneDNN): simple enough that the compiler vectorizes
// them at -O3, threaded over contiguous chunks. Every kernel accepts y == x
// (in place) and an undefined y (allocated). All are f32.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_ELEMENTWISE_H
#define QRT_ELEMENTWISE_H

#include "runtime/Tensor.h"

namespace qrt {

Status relu(const Tensor &x, Tensor &y);
/// y = x >= 0 ? x : alpha * x
Status leakyRelu(const Tensor &x, float alpha, Tensor &y);
/// ONNX PRelu: slope is unidirectionally broadcast to x (typically [C, 1, 1]
/// or [1]); a 1-D slope of size C with a rank >= 2 x applies per channel
/// (axis 1), as PyTorch's PReLU does.
Status prelu(const Tensor &x, const Tensor &slope, Tensor &y);
Status clip(const Tensor &x, float minValue, float maxValue, Tensor &y);
Status sigmoid(const Tensor &x, Tensor &y);
/// y = clamp(alpha * x + beta, 0, 1); ONNX defaults alpha = 0.2, beta = 0.5
/// (PyTorch's hardsigmoid is alpha = 1/6).
Status hardSigmoid(const Tensor &x, float alpha, float beta, Tensor &y);
/// y = x * clamp(x + 3, 0, 6) / 6
Status hardSwish(const Tensor &x, Tensor &y);
/// y = x sigmoid(x) (SiLU / Swish)
Status silu(const Tensor &x, Tensor &y);
/// y = x Phi(x): exact (erf), or PyTorch's tanh approximation with `tanh`.
Status gelu(const Tensor &x, bool tanh, Tensor &y);
/// y = erf(x)
Status erf(const Tensor &x, Tensor &y);
/// y = tanh(x)
Status hyperbolicTangent(const Tensor &x, Tensor &y);
/// y = sqrt(x) (IEEE: NaN below zero)
Status squareRoot(const Tensor &x, Tensor &y);
/// y = x ^ exponent: x * x for 2, sqrt(x) for 0.5, powf otherwise (ATen's
/// special cases, so that the common exponents are correctly rounded).
Status power(const Tensor &x, float exponent, Tensor &y);

/// Softmax along `axis` (negative counts from the end).
Status softmax(const Tensor &x, int64_t axis, Tensor &y);

/// numpy-broadcasting binary ops.
Status add(const Tensor &a, const Tensor &b, Tensor &y);
Status sub(const Tensor &a, const Tensor &b, Tensor &y);
Status mul(const Tensor &a, const Tensor &b, Tensor &y);
Status div(const Tensor &a, const Tensor &b, Tensor &y);
/// numpy broadcast of two shapes.
Expected<Shape> broadcastShapes(const Shape &a, const Shape &b);

/// Inference batch norm over axis 1 of x [N, C, ...]:
/// y = (x - mean) / sqrt(var + eps) * scale + bias. All params are [C].
Status batchNorm(const Tensor &x, const Tensor &scale, const Tensor &bias,
                 const Tensor &mean, const Tensor &var, float eps, Tensor &y);

/// Layer normalization over axes [axis, rank) of x: per leading index,
/// y = (x - mean) / sqrt(var + eps) * scale + bias with the mean and biased
/// variance accumulated in double; scale and bias have the trailing shape.
Status layerNorm(const Tensor &x, const Tensor &scale, const Tensor &bias,
                 int64_t axis, float eps, Tensor &y);

/// Group normalization of x [N, C, ...]: per sample and group of
/// C / groups consecutive channels, the mean and biased variance over the
/// group's channels and positions (accumulated in double), then per channel
/// y = x a + (bias - mean a) with a = scale / sqrt(var + eps), as ATen.
Status groupNorm(const Tensor &x, const Tensor &scale, const Tensor &bias,
                 int64_t groups, float eps, Tensor &y);

} // namespace qrt

#endif // QRT_ELEMENTWISE_H
