//===- InferenceKernels.h - the other inference ops on a GPU -*- C++ -*-===//
//
// The device mirrors of the inference kernels of runtime/Kernels.def that
// CudaKernels.h and TrainKernels.h do not cover (issue #14;
// docs/codegen.md, "CUDA"): the quantized add, the broadcasting binary ops,
// the activations, softmax, inference batch norm, transpose, concat and the
// f32 matmul. Conventions as CudaKernels.h: plain C++, device pointers, a
// `Stream`, a Status for bad arguments (the CPU kernel's message) and
// launch errors, no allocation.
//
// Exactness. Every element is computed by the QRT_HD function the CPU
// kernel calls (ElementMath.h), built with --fmad=false and IEEE division
// and square root: qadd, the binary ops, prelu, leaky_relu, hard_sigmoid,
// hard_swish, batch_norm, transpose and concat equal the CPU's bit for bit.
// sigmoid and softmax call the device's expf (within a few ulps of the
// host's; softmax sums each row in the CPU's order): within 1e-5 relative.
// The matmul runs on cuBLASLt with CUBLAS_COMPUTE_32F (no TF32), so only
// its summation order differs from oneDNN's: within 1e-5 relative of the
// row's magnitude.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_INFERENCEKERNELS_H
#define QRT_CUDA_INFERENCEKERNELS_H

#include "runtime/IntKernels.h"
#include "runtime/cuda/CudaBuffer.h"

#include <memory>
#include <string>
#include <vector>

namespace qrt {
namespace cuda {

//===-- Elementwise (Elementwise.h, IntKernels.h) -------------------------===//

/// The broadcasting binary ops of Elementwise.h, and prelu's select (b the
/// slope): y[i] = emath::add / sub / mul / div / leakyRelu (a, b).
enum class BinaryOp { Add, Sub, Mul, Div, Prelu };

/// y = op(a, b) with numpy broadcasting: y has broadcastShapes(aShape,
/// bShape) (rank <= 8). y may be a or b when that operand has y's shape.
Status binary(BinaryOp op, const float *a, const Shape &aShape, const float *b,
              const Shape &bShape, float *y, Stream stream = nullptr);

/// qrt::prelu: the slope unidirectionally broadcast to x, a [C] slope on a
/// rank >= 2 x applying along axis 1. y has x's shape.
Status prelu(const float *x, const Shape &xShape, const float *slope,
             const Shape &slopeShape, float *y, Stream stream = nullptr);

/// The unary activations of Elementwise.h: hard_swish, hard_sigmoid
/// (alpha, beta) and leaky_relu (alpha). y may be x.
enum class UnaryOp { HardSwish, HardSigmoid, LeakyRelu };
Status unary(UnaryOp op, const float *x, int64_t numel, float alpha,
             float beta, float *y, Stream stream = nullptr);
/// qrt::silu, qrt::gelu (exact or tanh form), qrt::erf: the element
/// functions of ElementMath.h over the device's libm (within 1e-5 of the
/// CPU). y may be x.
enum class LibmUnary { Silu, Gelu, GeluTanh, Erf };
Status libmUnary(LibmUnary op, const float *x, int64_t numel, float *y,
                 Stream stream = nullptr);
/// qrt::sigmoid (the device's expf). y may be x.
Status sigmoid(const float *x, int64_t numel, float *y,
               Stream stream = nullptr);

/// qrt::softmax along `axis` (negative counts from the end): one thread per
/// row, the row's maximum, exponentials and sum in the CPU's order.
Status softmax(const float *x, const Shape &shape, int64_t axis, float *y,
               Stream stream = nullptr);

/// qrt::batchNorm over axis 1 of x [N, C, ...]; the parameters are f32 [C]
/// on the device (their shapes are the caller's to check).
Status batchNorm(const float *x, const Shape &xShape, const float *scale,
                 const float *bias, const float *mean, const float *var,
                 float eps, float *y, Stream stream = nullptr);

/// qrt::qadd: a (aDType) and b (bDType) u8 / i8 of `numel` elements, y of
/// p.outputDType.
Status qadd(const void *a, DType aDType, const void *b, DType bDType,
            int64_t numel, const QAddParams &p, void *y,
            Stream stream = nullptr);

/// subtractZeroPoint: acc = q - zeroPoint as i32 (q u8 / i8), the
/// accumulator form requantize takes.
Status subtractZeroPoint(const void *q, DType dtype, int64_t numel,
                         int32_t zeroPoint, int32_t *acc,
                         Stream stream = nullptr);

//===-- Data movement (ShapeOps.h) ----------------------------------------===//

/// qrt::transpose: y.shape[i] = xShape[perm[i]] (rank <= 8), any dtype.
Status transpose(const void *x, const Shape &xShape, DType dtype,
                 const std::vector<int64_t> &perm, void *y,
                 Stream stream = nullptr);

/// qrt::concat of `inputs` (of `shapes`, one dtype) along `axis` into y:
/// one strided copy per input.
Status concat(const std::vector<const void *> &inputs,
              const std::vector<Shape> &shapes, DType dtype, int64_t axis,
              void *y, Stream stream = nullptr);

//===-- Matmul (Conv.h's qrt::matmul, 2-D) --------------------------------===//

/// y [M, N] = a [M, K] b [K, N], f32 row-major, through cuBLASLt with
/// CUBLAS_COMPUTE_32F. Both operands are device tensors of the call (not
/// uploaded weights). create() needs a device.
class MatmulPlan {
public:
  static Expected<MatmulPlan> create(const Shape &aShape, const Shape &bShape);
  Status run(const float *a, const float *b, float *y, void *workspace,
             Stream stream = nullptr) const;
  size_t workspaceBytes() const;
  const Shape &outputShape() const;
  std::string implName() const;

  struct Impl;

private:
  std::shared_ptr<Impl> impl_;
};

} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_INFERENCEKERNELS_H
