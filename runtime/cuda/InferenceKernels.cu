//===- InferenceKernels.cu - elementwise inference ops ---------------------===//
//
// InferenceKernels.h's elementwise kernels without libm calls (sigmoid and
// softmax are LibmKernelsInference.cu's): one thread per output element,
// each computed by the ElementMath.h function the CPU kernel calls. The
// element loop, shape arguments and checks are TrainCommon.cuh's.
//
//===----------------------------------------------------------------------===//

#include "runtime/ElementMath.h"
#include "runtime/Elementwise.h"
#include "runtime/cuda/InferenceKernels.h"
#include "runtime/cuda/TrainCommon.cuh"

#include <cstdint>

namespace qrt {
namespace cuda {

using namespace detail;

namespace {

//===-- Binary ops with broadcasting ---------------------------------------===//

template <BinaryOp Op> __device__ float apply(float a, float b) {
  if constexpr (Op == BinaryOp::Add)
    return emath::add(a, b);
  else if constexpr (Op == BinaryOp::Sub)
    return emath::sub(a, b);
  else if constexpr (Op == BinaryOp::Mul)
    return emath::mul(a, b);
  else if constexpr (Op == BinaryOp::Div)
    return emath::div(a, b);
  else
    return emath::leakyRelu(a, b);
}

template <BinaryOp Op> struct BroadcastOp {
  const float *a, *b;
  float *y;
  Dims out;
  int64_t aStr[kMaxRank], bStr[kMaxRank];
  __device__ void operator()(int64_t i) const {
    int64_t rem = i, oa = 0, ob = 0;
    for (int d = out.rank - 1; d >= 0; --d) {
      int64_t idx = rem % out.d[d];
      rem /= out.d[d];
      oa += idx * aStr[d];
      ob += idx * bStr[d];
    }
    y[i] = apply<Op>(a[oa], b[ob]);
  }
};

template <BinaryOp Op> struct SameShapeOp {
  const float *a, *b;
  float *y;
  __device__ void operator()(int64_t i) const { y[i] = apply<Op>(a[i], b[i]); }
};

template <BinaryOp Op>
Status launchBinary(const float *a, const Shape &aShape, const float *b,
                    const Shape &bShape, const Shape &shape, float *y,
                    Stream stream) {
  int64_t n = numElements(shape);
  if (aShape == bShape)
    return forEach(n, SameShapeOp<Op>{a, b, y}, stream, "binary op");
  BroadcastOp<Op> op;
  op.a = a;
  op.b = b;
  op.y = y;
  QRT_RETURN_IF_ERROR(dimsOf(shape, "cuda binary op", op.out));
  // Element strides of each operand in the output's index space, 0 along
  // its broadcast (or missing) dimensions.
  auto strides = [&](const Shape &s, int64_t *st) {
    size_t rank = shape.size();
    int64_t acc = 1;
    for (size_t i = rank; i-- > 0;) {
      int64_t dim = i < rank - s.size() ? 1 : s[i - (rank - s.size())];
      st[i] = dim == 1 ? 0 : acc;
      acc *= dim;
    }
  };
  strides(aShape, op.aStr);
  strides(bShape, op.bStr);
  return forEach(n, op, stream, "binary op");
}

const char *binaryName(BinaryOp op) {
  switch (op) {
  case BinaryOp::Add:
    return "add";
  case BinaryOp::Sub:
    return "sub";
  case BinaryOp::Mul:
    return "mul";
  case BinaryOp::Div:
    return "div";
  case BinaryOp::Prelu:
    return "prelu";
  }
  return "binary op";
}

//===-- Unary activations ---------------------------------------------------===//

template <UnaryOp Op> struct UnaryElement {
  const float *x;
  float *y;
  float alpha, beta;
  __device__ void operator()(int64_t i) const {
    float v = x[i];
    if constexpr (Op == UnaryOp::HardSwish)
      y[i] = emath::hardSwish(v);
    else if constexpr (Op == UnaryOp::HardSigmoid)
      y[i] = emath::hardSigmoid(v, alpha, beta);
    else
      y[i] = emath::leakyRelu(v, alpha);
  }
};

//===-- Batch norm ----------------------------------------------------------===//

struct BatchNormOp {
  const float *x, *scale, *bias, *mean, *var;
  float *y;
  float eps;
  int64_t channels, spatial;
  __device__ void operator()(int64_t i) const {
    int64_t c = (i / spatial) % channels;
    // The CPU's per-channel a, b (Elementwise.cpp's batchNorm), per element.
    float a = emath::batchNormScale(scale[c], var[c], eps);
    float b = emath::batchNormShift(bias[c], mean[c], a);
    y[i] = emath::affine(x[i], a, b);
  }
};

//===-- Integer -------------------------------------------------------------===//

template <typename TA, typename TB, typename TY> struct QAddOp {
  const TA *a;
  const TB *b;
  TY *y;
  float za, sa, zb, sb, zy, sy, qmin, qmax;
  bool relu;
  __device__ void operator()(int64_t i) const {
    y[i] = (TY)emath::qaddValue((float)a[i], za, sa, (float)b[i], zb, sb, zy,
                                sy, qmin, qmax, relu);
  }
};

template <typename TA, typename TB, typename TY>
Status launchQAdd(const void *a, const void *b, int64_t n, const QAddParams &p,
                  float qmin, float qmax, void *y, Stream stream) {
  QAddOp<TA, TB, TY> op{static_cast<const TA *>(a),
                        static_cast<const TB *>(b),
                        static_cast<TY *>(y),
                        (float)p.za,
                        p.sa,
                        (float)p.zb,
                        p.sb,
                        (float)p.zy,
                        p.sy,
                        qmin,
                        qmax,
                        p.relu};
  return forEach(n, op, stream, "qadd");
}

template <typename TA, typename TB>
Status qaddOut(const void *a, const void *b, int64_t n, const QAddParams &p,
               float qmin, float qmax, void *y, Stream stream) {
  if (p.outputDType == DType::U8)
    return launchQAdd<TA, TB, uint8_t>(a, b, n, p, qmin, qmax, y, stream);
  return launchQAdd<TA, TB, int8_t>(a, b, n, p, qmin, qmax, y, stream);
}

template <typename T> struct SubtractZeroPointOp {
  const T *q;
  int32_t *acc;
  int32_t z;
  __device__ void operator()(int64_t i) const {
    acc[i] = emath::centered(q[i], z);
  }
};

} // namespace

Status binary(BinaryOp op, const float *a, const Shape &aShape, const float *b,
              const Shape &bShape, float *y, Stream stream) {
  const char *name = binaryName(op);
  Expected<Shape> shape = broadcastShapes(aShape, bShape);
  if (!shape)
    return Status::error(ErrorCode::InvalidArgument,
                         std::string(name) + ": " + shape.status().message());
  QRT_RETURN_IF_ERROR(checkPtrs(numElements(*shape), name, {a, b, y}));
  switch (op) {
  case BinaryOp::Add:
    return launchBinary<BinaryOp::Add>(a, aShape, b, bShape, *shape, y,
                                       stream);
  case BinaryOp::Sub:
    return launchBinary<BinaryOp::Sub>(a, aShape, b, bShape, *shape, y,
                                       stream);
  case BinaryOp::Mul:
    return launchBinary<BinaryOp::Mul>(a, aShape, b, bShape, *shape, y,
                                       stream);
  case BinaryOp::Div:
    return launchBinary<BinaryOp::Div>(a, aShape, b, bShape, *shape, y,
                                       stream);
  case BinaryOp::Prelu:
    return launchBinary<BinaryOp::Prelu>(a, aShape, b, bShape, *shape, y,
                                         stream);
  }
  return invalidArgument("cuda binary: unknown op");
}

Status prelu(const float *x, const Shape &xShape, const float *slope,
             const Shape &slopeShape, float *y, Stream stream) {
  // qrt::prelu's shape rule: PyTorch's per-channel [C] slope is [C, 1, ...].
  Shape s = slopeShape;
  if (slopeShape.size() == 1 && xShape.size() >= 2 &&
      slopeShape[0] == xShape[1] && slopeShape[0] != 1) {
    s.assign(xShape.size() - 1, 1);
    s[0] = slopeShape[0];
  }
  Expected<Shape> shape = broadcastShapes(xShape, s);
  if (!shape || *shape != xShape)
    return invalidArgument("prelu: slope " + shapeToString(slopeShape) +
                           " does not broadcast to " + shapeToString(xShape));
  return binary(BinaryOp::Prelu, x, xShape, slope, s, y, stream);
}

Status unary(UnaryOp op, const float *x, int64_t numel, float alpha,
             float beta, float *y, Stream stream) {
  QRT_RETURN_IF_ERROR(checkPtrs(numel, "cuda activation", {x, y}));
  switch (op) {
  case UnaryOp::HardSwish:
    return forEach(numel, UnaryElement<UnaryOp::HardSwish>{x, y, alpha, beta},
                   stream, "hard_swish");
  case UnaryOp::HardSigmoid:
    return forEach(numel,
                   UnaryElement<UnaryOp::HardSigmoid>{x, y, alpha, beta},
                   stream, "hard_sigmoid");
  case UnaryOp::LeakyRelu:
    return forEach(numel, UnaryElement<UnaryOp::LeakyRelu>{x, y, alpha, beta},
                   stream, "leaky_relu");
  }
  return invalidArgument("cuda unary: unknown op");
}

Status batchNorm(const float *x, const Shape &xShape, const float *scale,
                 const float *bias, const float *mean, const float *var,
                 float eps, float *y, Stream stream) {
  if (xShape.size() < 2)
    return invalidArgument("batch_norm: input must have rank >= 2");
  int64_t n = numElements(xShape), c = xShape[1];
  int64_t spatial = n == 0 ? 1 : n / (xShape[0] * c);
  QRT_RETURN_IF_ERROR(
      checkPtrs(n, "cuda batch_norm", {x, scale, bias, mean, var, y}));
  return forEach(n, BatchNormOp{x, scale, bias, mean, var, y, eps, c, spatial},
                 stream, "batch_norm");
}

Status qadd(const void *a, DType aDType, const void *b, DType bDType,
            int64_t numel, const QAddParams &p, void *y, Stream stream) {
  for (DType t : {aDType, bDType})
    if (t != DType::U8 && t != DType::I8)
      return invalidArgument("qadd: operands must be u8 or i8");
  if (p.outputDType != DType::U8 && p.outputDType != DType::I8)
    return invalidArgument("qadd: output must be u8 or i8");
  QRT_RETURN_IF_ERROR(checkPtrs(numel, "cuda qadd", {a, b, y}));
  // qrt::qadd's bounds: the output dtype's range cut to [p.qmin, p.qmax].
  bool yu = p.outputDType == DType::U8;
  float qmin = (float)std::max(p.qmin, yu ? 0 : -128);
  float qmax = (float)std::min(p.qmax, yu ? 255 : 127);
  bool au = aDType == DType::U8, bu = bDType == DType::U8;
  if (au && bu)
    return qaddOut<uint8_t, uint8_t>(a, b, numel, p, qmin, qmax, y, stream);
  if (au)
    return qaddOut<uint8_t, int8_t>(a, b, numel, p, qmin, qmax, y, stream);
  if (bu)
    return qaddOut<int8_t, uint8_t>(a, b, numel, p, qmin, qmax, y, stream);
  return qaddOut<int8_t, int8_t>(a, b, numel, p, qmin, qmax, y, stream);
}

Status subtractZeroPoint(const void *q, DType dtype, int64_t numel,
                         int32_t zeroPoint, int32_t *acc, Stream stream) {
  if (dtype != DType::U8 && dtype != DType::I8)
    return invalidArgument("subtractZeroPoint: input must be u8 or i8");
  QRT_RETURN_IF_ERROR(checkPtrs(numel, "cuda subtractZeroPoint", {q, acc}));
  if (dtype == DType::U8)
    return forEach(numel,
                   SubtractZeroPointOp<uint8_t>{
                       static_cast<const uint8_t *>(q), acc, zeroPoint},
                   stream, "subtractZeroPoint");
  return forEach(
      numel,
      SubtractZeroPointOp<int8_t>{static_cast<const int8_t *>(q), acc,
                                  zeroPoint},
      stream, "subtractZeroPoint");
}

} // namespace cuda
} // namespace qrt
