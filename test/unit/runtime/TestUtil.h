//===- TestUtil.h - helpers for qrt tests without LibTorch ------*- C++ -*-===//

#ifndef QRT_TEST_TESTUTIL_H
#define QRT_TEST_TESTUTIL_H

#include "runtime/Tensor.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>

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

/// Forces the exact fallback of the int8 plans (QRT_INT8_EXACT_FALLBACK=1)
/// for plans created in this scope, on any CPU; restores the variable after.
class ScopedInt8Fallback {
public:
  ScopedInt8Fallback() {
    const char *old = std::getenv(kVar);
    hadOld_ = old != nullptr;
    if (hadOld_)
      old_ = old;
    setenv(kVar, "1", 1);
  }
  ~ScopedInt8Fallback() {
    if (hadOld_)
      setenv(kVar, old_.c_str(), 1);
    else
      unsetenv(kVar);
  }
  ScopedInt8Fallback(const ScopedInt8Fallback &) = delete;
  ScopedInt8Fallback &operator=(const ScopedInt8Fallback &) = delete;

private:
  static constexpr const char *kVar = "QRT_INT8_EXACT_FALLBACK";
  bool hadOld_ = false;
  std::string old_;
};

} // namespace qrt::test

#endif // QRT_TEST_TESTUTIL_H
