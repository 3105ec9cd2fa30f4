//===- TestUtil.h - helpers for qrt tests without LibTorch ------*- C++ -*-===//

#ifndef QRT_TEST_TESTUTIL_H
#define QRT_TEST_TESTUTIL_H

#include "runtime/Tensor.h"

#include <gtest/gtest.h>

#include <random>

namespace qrt::test {

#ifndef ASSERT_OK
#define ASSERT_OK(expr)                                                        \
  do {                                                                         \
    ::qrt::Status s_ = (expr);                                                 \
    ASSERT_TRUE(s_.isOk()) << s_.toString();                                   \
  } while (0)
#endif

/// Uniform random f32 tensor from a seeded generator.
inline Tensor randomUniform(const Shape &shape, float lo, float hi,
                            std::mt19937 &rng) {
  Tensor t = Tensor::empty(shape, DType::F32);
  std::uniform_real_distribution<float> dist(lo, hi);
  float *p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i)
    p[i] = dist(rng);
  return t;
}

template <typename T>
inline Tensor randomInt(const Shape &shape, int lo, int hi, std::mt19937 &rng) {
  Tensor t = Tensor::empty(shape, DTypeOf<T>::value);
  std::uniform_int_distribution<int> dist(lo, hi);
  T *p = t.data<T>();
  for (int64_t i = 0; i < t.numel(); ++i)
    p[i] = static_cast<T>(dist(rng));
  return t;
}

} // namespace qrt::test

#endif // QRT_TEST_TESTUTIL_H
