//===- HalfReference.h - host emulation of the fp16 plans -------*- C++ -*-===//
//
// What the F16 plans (Precision.h; DnnConv.h, Gemm.h) compute, on the host
// with qrt's CPU plans: the operands the device casts (x, the weights, dy)
// are rounded to fp16 and back with runtime/HalfMath.h, the function the
// cast kernels run, then the fp32 CPU plan computes on the rounded values.
// Where the device's library writes an fp16 result (cuDNN: the convolution
// before its epilogue, dx and dw of the backward convolution) that result
// is rounded too; cuBLASLt writes fp32, so the linear results are not. Bias,
// sum and ReLU are fp32 in the device's order ((conv + b) + y, then ReLU),
// and bias gradients are summed from the unrounded dy, as on the device.
//
// The device differs from this only by its fp32 accumulation order, which
// can move a result across an fp16 rounding boundary: one fp16 ulp, at most
// 2^-10 of the result's magnitude, on top of the fp32 plans' own tolerance
// (docs/codegen.md, "fp16 plans"). Host code (no device needed).
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_HALFREFERENCE_H
#define QRT_CUDA_HALFREFERENCE_H

#include "runtime/Conv.h"

namespace qrt {
namespace cuda {
namespace halfref {

/// An f32 tensor with every element rounded to the nearest fp16 (ties to
/// even, beyond range to +-inf) and back.
Tensor roundToHalf(const Tensor &t);

/// cuda::ConvPlan with Precision::F16: y = relu?((fp16(conv(fp16(x),
/// fp16(w)))) + b) + y). x as stored (params' layouts); y holds the
/// addend with params.fuseSum, else is allocated.
Status conv(const Tensor &x, const Tensor &weight, const Tensor &bias,
            const Conv2dParams &params, Tensor &y);

/// cuda::ConvBackwardPlan::backwardData with F16: dx = fp16(conv_transpose(
/// fp16(dy), fp16(w))), x of `inputShape`.
Status convBackwardData(const Shape &inputShape, const Tensor &dy,
                        const Tensor &weight, const Conv2dParams &params,
                        Tensor &dx);
/// backwardWeights with F16: dw = fp16(dW(fp16(x), fp16(dy))) and, with
/// `withBias`, dbias = Σ_{N,H,W} dy.
Status convBackwardWeights(const Tensor &x, const Tensor &dy,
                           const Shape &weightShape, bool withBias,
                           const Conv2dParams &params, Tensor &dweight,
                           Tensor &dbias);

/// cuda::LinearPlan with F16: y = relu?(fp16(x) fp16(W)ᵀ + b), fp32 out.
Status linear(const Tensor &x, const Tensor &weight, const Tensor &bias,
              bool fuseRelu, Tensor &y);
/// cuda::LinearBackwardPlan with F16: dx = fp16(dy) fp16(W).
Status linearBackwardData(const Tensor &dy, const Tensor &weight, Tensor &dx);
/// dW = fp16(dy)ᵀ fp16(x) and, with `withBias`, db = Σ_N dy.
Status linearBackwardWeights(const Tensor &x, const Tensor &dy,
                             bool withBias, Tensor &dweight, Tensor &dbias);

} // namespace halfref
} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_HALFREFERENCE_H
