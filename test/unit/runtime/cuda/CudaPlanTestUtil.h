//===- CudaPlanTestUtil.h - helpers for the library plans' tests -*- C++ -*-=//

#ifndef QRT_TEST_CUDAPLANTESTUTIL_H
#define QRT_TEST_CUDAPLANTESTUTIL_H

#include "CudaTestUtil.h"
#include "runtime/ShapeOps.h"

#include <algorithm>
#include <cmath>

namespace qrt::test {

/// A device workspace of `bytes` (null when 0).
inline cuda::CudaBuffer workspace(size_t bytes) {
  Expected<cuda::CudaBuffer> b = cuda::CudaBuffer::allocate(bytes);
  EXPECT_TRUE(b.hasValue()) << b.status().toString();
  return b ? std::move(*b) : cuda::CudaBuffer();
}

/// max_i |actual_i - expected_i| <= rtol * max_i |expected_i|: the error of
/// a different summation order, relative to the tensor's scale (an
/// element-wise relative error is meaningless where terms cancel).
inline ::testing::AssertionResult
closeInMaxNorm(const Tensor &expected, const Tensor &actual, double rtol) {
  if (expected.shape() != actual.shape() || expected.dtype() != DType::F32 ||
      actual.dtype() != DType::F32)
    return ::testing::AssertionFailure() << "shape or dtype differs";
  double scale = 0, worst = 0;
  int64_t at = 0;
  const float *e = expected.data<float>(), *a = actual.data<float>();
  for (int64_t i = 0; i < expected.numel(); ++i) {
    scale = std::max(scale, std::fabs((double)e[i]));
    double d = std::fabs((double)a[i] - (double)e[i]);
    if (!(d <= worst)) { // NaN counts as worst
      worst = d;
      at = i;
    }
  }
  if (worst <= rtol * scale)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "max error " << worst << " at " << at << " (CPU " << e[at]
         << ", CUDA " << a[at] << ") > " << rtol << " * " << scale;
}

/// NCHW -> NHWC (data).
inline Tensor toNhwc(const Tensor &nchw) {
  Tensor out;
  Status s = transpose(nchw, {0, 2, 3, 1}, out);
  EXPECT_TRUE(s.isOk()) << s.toString();
  return out;
}

} // namespace qrt::test

#endif // QRT_TEST_CUDAPLANTESTUTIL_H
