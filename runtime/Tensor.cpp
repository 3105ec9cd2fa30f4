//===- Tensor.cpp ---------------------------------------------------------===//

#include "runtime/Tensor.h"

#include <cstdlib>
#include <cstring>
#include <limits>

namespace qrt {

size_t dtypeSize(DType dtype) {
  switch (dtype) {
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::I8:
  case DType::U8:
    return 1;
  case DType::I64:
    return 8;
  }
  return 0;
}

const char *dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "f32";
  case DType::I8:
    return "i8";
  case DType::U8:
    return "u8";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  }
  return "?";
}

int64_t numElements(const Shape &shape) {
  // A header read from a file can promise more elements than an int64
  // holds (IDX: four u32 dims). Saturate instead of overflowing, which is
  // undefined; a reader then finds too few bytes for the count.
  int64_t n = 1;
  bool overflow = false, negative = false;
  for (int64_t d : shape) {
    if (d == 0)
      return 0;
    negative ^= d < 0;
    overflow = overflow || __builtin_mul_overflow(n, d, &n);
  }
  if (overflow)
    return negative ? std::numeric_limits<int64_t>::min()
                    : std::numeric_limits<int64_t>::max();
  return n;
}

std::string shapeToString(const Shape &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

static Status validateShape(const Shape &shape, DType dtype) {
  // Reject negative dims and sizes whose byte count would overflow. A zero
  // dim makes any shape empty, however large its other dims.
  for (int64_t d : shape)
    if (d < 0)
      return invalidArgument("negative dimension in shape " +
                             shapeToString(shape));
  if (numElements(shape) == 0)
    return Status::ok();
  int64_t n = 1;
  const int64_t limit = std::numeric_limits<int64_t>::max() /
                        static_cast<int64_t>(dtypeSize(dtype));
  for (int64_t d : shape) {
    if (n > limit / d)
      return invalidArgument("shape " + shapeToString(shape) + " too large");
    n *= d;
  }
  return Status::ok();
}

static std::shared_ptr<void> allocate(size_t bytes) {
  // aligned_alloc needs a multiple of the alignment; never ask for 0 bytes so
  // that an empty tensor is still "defined".
  size_t rounded =
      (bytes + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
  if (rounded == 0)
    rounded = kTensorAlignment;
  void *p = std::aligned_alloc(kTensorAlignment, rounded);
  QRT_CHECK(p != nullptr, "qrt: out of memory allocating a tensor");
  return std::shared_ptr<void>(p, [](void *q) { std::free(q); });
}

Tensor Tensor::empty(const Shape &shape, DType dtype) {
  Status s = validateShape(shape, dtype);
  QRT_CHECK(s.isOk(), s.message().c_str());
  Tensor t;
  t.shape_ = shape;
  t.dtype_ = dtype;
  t.storage_ = allocate(t.nbytes());
  return t;
}

Tensor Tensor::zeros(const Shape &shape, DType dtype) {
  Tensor t = empty(shape, dtype);
  std::memset(t.rawData(), 0, t.nbytes());
  return t;
}

Expected<Tensor> Tensor::create(const Shape &shape, DType dtype) {
  Status s = validateShape(shape, dtype);
  if (!s.isOk())
    return s;
  return empty(shape, dtype);
}

Tensor Tensor::wrap(void *data, const Shape &shape, DType dtype) {
  Status s = validateShape(shape, dtype);
  QRT_CHECK(s.isOk(), s.message().c_str());
  QRT_CHECK(data != nullptr, "Tensor::wrap: null data");
  Tensor t;
  t.shape_ = shape;
  t.dtype_ = dtype;
  t.storage_ = std::shared_ptr<void>(data, [](void *) {});
  t.external_ = true;
  return t;
}

int64_t Tensor::dim(int64_t d) const {
  if (d < 0)
    d += rank();
  QRT_CHECK(d >= 0 && d < rank(), "Tensor::dim: index out of range");
  return shape_[d];
}

Expected<Shape> reshapedShape(const Shape &from, const Shape &newShape) {
  Shape shape = newShape;
  int64_t known = 1, inferred = -1, numel = numElements(from);
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (inferred >= 0)
        return invalidArgument("reshape: more than one -1 in " +
                               shapeToString(newShape));
      inferred = static_cast<int64_t>(i);
    } else if (shape[i] < 0) {
      return invalidArgument("reshape: negative dimension in " +
                             shapeToString(newShape));
    } else {
      known *= shape[i];
    }
  }
  if (inferred >= 0) {
    if (known == 0 || numel % known != 0)
      return invalidArgument("reshape: cannot infer -1 in " +
                             shapeToString(newShape) + " from " +
                             shapeToString(from));
    shape[inferred] = numel / known;
  }
  if (numElements(shape) != numel)
    return invalidArgument("reshape: " + shapeToString(from) + " has " +
                           std::to_string(numel) + " elements, " +
                           shapeToString(shape) + " has " +
                           std::to_string(numElements(shape)));
  return shape;
}

Expected<Tensor> Tensor::reshape(const Shape &newShape) const {
  if (!defined())
    return invalidArgument("reshape of an undefined tensor");
  Expected<Shape> reshaped = reshapedShape(shape_, newShape);
  if (!reshaped)
    return reshaped.status();
  Shape shape = std::move(*reshaped);
  Tensor t = *this;
  t.shape_ = shape;
  return t;
}

Expected<Tensor> Tensor::slice(int64_t begin, int64_t end) const {
  if (!defined() || rank() == 0)
    return invalidArgument("slice needs a defined tensor of rank >= 1");
  if (begin < 0 || end < begin || end > shape_[0])
    return invalidArgument("slice [" + std::to_string(begin) + ", " +
                           std::to_string(end) + ") out of range for " +
                           shapeToString(shape_));
  int64_t rowElems = shape_[0] == 0 ? 0 : numel() / shape_[0];
  Tensor t = *this;
  t.shape_[0] = end - begin;
  t.offset_ += static_cast<size_t>(begin * rowElems) * dtypeSize(dtype_);
  return t;
}

Tensor Tensor::clone() const {
  if (!defined())
    return Tensor();
  Tensor t = empty(shape_, dtype_);
  std::memcpy(t.rawData(), rawData(), nbytes());
  return t;
}

Status checkDType(const Tensor &t, DType dtype, const char *what) {
  if (!t.defined())
    return invalidArgument(std::string(what) + " is undefined");
  if (t.dtype() != dtype)
    return invalidArgument(std::string(what) + " must be " + dtypeName(dtype) +
                           ", got " + dtypeName(t.dtype()));
  return Status::ok();
}

Status prepareOutput(Tensor &out, const Shape &shape, DType dtype,
                     const char *what) {
  if (!out.defined()) {
    Expected<Tensor> t = Tensor::create(shape, dtype);
    if (!t)
      return t.status();
    out = std::move(t).value();
    return Status::ok();
  }
  if (out.shape() != shape || out.dtype() != dtype)
    return invalidArgument(std::string(what) + ": preallocated output is " +
                           dtypeName(out.dtype()) + shapeToString(out.shape()) +
                           ", expected " + dtypeName(dtype) +
                           shapeToString(shape));
  return Status::ok();
}

} // namespace qrt
