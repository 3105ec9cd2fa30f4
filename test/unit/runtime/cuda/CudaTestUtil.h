//===- CudaTestUtil.h - helpers for the CUDA-vs-CPU tests -------*- C++ -*-===//

#ifndef QRT_TEST_CUDATESTUTIL_H
#define QRT_TEST_CUDATESTUTIL_H

#include "TestUtil.h"
#include "runtime/cuda/CudaKernels.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

namespace qrt::test {

/// Skips the test on a machine without a CUDA device (cudaGetDeviceCount).
#define QRT_SKIP_WITHOUT_GPU()                                                 \
  do {                                                                         \
    if (::qrt::cuda::deviceCount() == 0)                                       \
      GTEST_SKIP() << ::qrt::cuda::deviceSummary();                            \
  } while (0)

/// A device copy of `t` (the test fails on an error).
inline cuda::CudaBuffer toDevice(const Tensor &t) {
  Expected<cuda::CudaBuffer> b = cuda::CudaBuffer::fromTensor(t);
  EXPECT_TRUE(b.hasValue()) << b.status().toString();
  return b ? std::move(*b) : cuda::CudaBuffer();
}
/// A device buffer for a result like `like` (same bytes).
inline cuda::CudaBuffer deviceLike(const Tensor &like) {
  Expected<cuda::CudaBuffer> b = cuda::CudaBuffer::allocate(like.nbytes());
  EXPECT_TRUE(b.hasValue()) << b.status().toString();
  return b ? std::move(*b) : cuda::CudaBuffer();
}
/// The device result in a host tensor of `shape` and `dtype`.
inline Tensor toHost(const cuda::CudaBuffer &b, const Shape &shape,
                     DType dtype) {
  Tensor t = Tensor::empty(shape, dtype);
  Status s = cuda::synchronize();
  EXPECT_TRUE(s.isOk()) << s.toString();
  s = b.copyToTensor(t);
  EXPECT_TRUE(s.isOk()) << s.toString();
  return t;
}

/// Equal bytes element by element; names the first differing element.
inline ::testing::AssertionResult bitEqual(const Tensor &expected,
                                           const Tensor &actual) {
  if (expected.dtype() != actual.dtype() || expected.shape() != actual.shape())
    return ::testing::AssertionFailure() << "shape or dtype differs";
  size_t es = dtypeSize(expected.dtype());
  const char *a = static_cast<const char *>(expected.rawData());
  const char *b = static_cast<const char *>(actual.rawData());
  int64_t bad = 0, first = -1;
  for (int64_t i = 0; i < expected.numel(); ++i)
    if (std::memcmp(a + i * es, b + i * es, es) != 0 && bad++ == 0)
      first = i;
  if (bad == 0)
    return ::testing::AssertionSuccess();
  auto show = [&](const char *p) {
    if (expected.dtype() == DType::F32) {
      float v;
      std::memcpy(&v, p + first * es, 4);
      return std::to_string(v);
    }
    int32_t v = 0;
    if (expected.dtype() == DType::I8)
      v = reinterpret_cast<const int8_t *>(p)[first];
    else if (expected.dtype() == DType::U8)
      v = reinterpret_cast<const uint8_t *>(p)[first];
    else
      std::memcpy(&v, p + first * es, 4);
    return std::to_string(v);
  };
  return ::testing::AssertionFailure()
         << bad << " of " << expected.numel() << " elements differ; first at "
         << first << ": CPU " << show(a) << ", CUDA " << show(b);
}

/// f32 values that exercise a quantizer: uniform in [-range, range], with
/// exact zeros of both signs, infinities, denormals, large values and
/// multiples of `tieStep` / 2 (rounding ties for a power-of-two scale).
/// No NaN: its bits are not specified across devices.
inline Tensor quantizerInput(const Shape &shape, float range, float tieStep,
                             std::mt19937 &rng) {
  Tensor t = randomUniform(shape, -range, range, rng);
  float *p = t.data<float>();
  std::uniform_int_distribution<int> pick(0, 15), tie(-600, 600);
  for (int64_t i = 0; i < t.numel(); ++i) {
    switch (pick(rng)) {
    case 0:
      p[i] = 0.f;
      break;
    case 1:
      p[i] = -0.f;
      break;
    case 2:
      p[i] = (i & 1) ? std::numeric_limits<float>::infinity()
                     : -std::numeric_limits<float>::infinity();
      break;
    case 3:
      p[i] = (i & 1 ? 1.f : -1.f) * std::numeric_limits<float>::denorm_min() *
             float(1 + (i % 1000));
      break;
    case 4:
      p[i] *= 1e6f;
      break;
    case 5:
    case 6:
      p[i] = 0.5f * tieStep * float(tie(rng));
      break;
    default:
      break;
    }
  }
  return t;
}

/// n f32 values uniform in [lo, hi].
inline Tensor params(int64_t n, float lo, float hi, std::mt19937 &rng) {
  return randomUniform({n}, lo, hi, rng);
}

} // namespace qrt::test

#endif // QRT_TEST_CUDATESTUTIL_H
