//===- TorchUtil.h - qrt <-> ATen conversions for tests ---------*- C++ -*-===//

#ifndef QRT_TEST_TORCHUTIL_H
#define QRT_TEST_TORCHUTIL_H

#include "runtime/Tensor.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace qrt::test {

inline at::ScalarType toTorch(DType d) {
  switch (d) {
  case DType::F32:
    return at::kFloat;
  case DType::I8:
    return at::kChar;
  case DType::U8:
    return at::kByte;
  case DType::I32:
    return at::kInt;
  case DType::I64:
    return at::kLong;
  }
  return at::kFloat;
}

/// Deep copy of an ATen tensor into a qrt tensor.
inline Tensor fromTorch(const at::Tensor &t) {
  at::Tensor c = t.contiguous();
  DType d = DType::F32;
  if (c.scalar_type() == at::kChar)
    d = DType::I8;
  else if (c.scalar_type() == at::kByte)
    d = DType::U8;
  else if (c.scalar_type() == at::kInt)
    d = DType::I32;
  else if (c.scalar_type() == at::kLong)
    d = DType::I64;
  Shape shape(c.sizes().begin(), c.sizes().end());
  Tensor q = Tensor::empty(shape, d);
  std::memcpy(q.rawData(), c.data_ptr(), q.nbytes());
  return q;
}

/// Deep copy of a qrt tensor into an ATen tensor.
inline at::Tensor toTorch(const Tensor &t) {
  std::vector<int64_t> sizes(t.shape().begin(), t.shape().end());
  return at::from_blob(const_cast<void *>(t.rawData()), sizes,
                       at::TensorOptions().dtype(toTorch(t.dtype())))
      .clone();
}

/// Max |a - b| / (|b| + 1): a relative error that stays meaningful near 0.
inline double maxRelError(const Tensor &a, const at::Tensor &b) {
  at::Tensor ta = toTorch(a).to(at::kDouble);
  at::Tensor tb = b.to(at::kDouble);
  EXPECT_EQ(ta.sizes(), tb.sizes());
  if (ta.sizes() != tb.sizes())
    return 1e30;
  return ((ta - tb).abs() / (tb.abs() + 1.0)).max().item<double>();
}

#define ASSERT_OK(expr)                                                        \
  do {                                                                         \
    ::qrt::Status s_ = (expr);                                                 \
    ASSERT_TRUE(s_.isOk()) << s_.toString();                                   \
  } while (0)

} // namespace qrt::test

#endif // QRT_TEST_TORCHUTIL_H
