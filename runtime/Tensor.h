//===- Tensor.h - qrt dense tensors -----------------------------*- C++ -*-===//
//
// A Tensor is a shape, a dtype and a reference to 64-byte aligned storage.
// Tensors are always contiguous, row-major (NCHW for 4-D activations): the
// kernels, oneDNN descriptors and emitted programs all assume it, so there are
// no strides to get wrong. Copies of a Tensor share storage (like a
// shared_ptr); reshape() and slice() return views of the same storage;
// clone() makes a deep copy.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_TENSOR_H
#define QRT_TENSOR_H

#include "runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace qrt {

enum class DType : uint8_t { F32, I8, U8, I32, I64 };

size_t dtypeSize(DType dtype);
const char *dtypeName(DType dtype);

template <typename T> struct DTypeOf;
template <> struct DTypeOf<float> {
  static constexpr DType value = DType::F32;
};
template <> struct DTypeOf<int8_t> {
  static constexpr DType value = DType::I8;
};
template <> struct DTypeOf<uint8_t> {
  static constexpr DType value = DType::U8;
};
template <> struct DTypeOf<int32_t> {
  static constexpr DType value = DType::I32;
};
template <> struct DTypeOf<int64_t> {
  static constexpr DType value = DType::I64;
};

using Shape = std::vector<int64_t>;

/// Number of elements of a shape (1 for a scalar shape {}); saturates at
/// the int64 limits when the product overflows.
int64_t numElements(const Shape &shape);
/// `newShape` with its one -1 inferred, checked to hold as many elements as
/// `from` (Tensor::reshape's rule, for tensors that are not host tensors).
Expected<Shape> reshapedShape(const Shape &from, const Shape &newShape);
/// "[2, 3, 4]" for messages.
std::string shapeToString(const Shape &shape);

/// Alignment of every allocation: one cache line, and what AVX-512 loads and
/// oneDNN prefer.
constexpr size_t kTensorAlignment = 64;

class Tensor {
public:
  /// An undefined tensor (no storage). Kernels treat an undefined output as
  /// "allocate it for me".
  Tensor() = default;

  /// Allocates uninitialized storage. Dims must be >= 0 (checked, aborts).
  static Tensor empty(const Shape &shape, DType dtype);
  static Tensor zeros(const Shape &shape, DType dtype);
  /// Allocates a tensor after validating the shape; the checked variant for
  /// shapes that come from files or users.
  static Expected<Tensor> create(const Shape &shape, DType dtype);
  /// Copies `values` into a new f32 (or T) tensor of `shape`.
  template <typename T>
  static Tensor fromVector(const Shape &shape, const std::vector<T> &values);
  /// Non-owning view of caller memory (e.g. a planned arena). The caller keeps
  /// it alive; alignment is whatever the caller gives.
  static Tensor wrap(void *data, const Shape &shape, DType dtype);

  bool defined() const { return storage_ != nullptr; }
  const Shape &shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  /// Size of dimension `d`; negative `d` counts from the end.
  int64_t dim(int64_t d) const;
  DType dtype() const { return dtype_; }
  int64_t numel() const { return numElements(shape_); }
  size_t nbytes() const {
    return static_cast<size_t>(numel()) * dtypeSize(dtype_);
  }

  void *rawData() { return static_cast<char *>(storage_.get()) + offset_; }
  const void *rawData() const {
    return static_cast<const char *>(storage_.get()) + offset_;
  }
  /// Typed access; T must match dtype() (checked, aborts on mismatch).
  template <typename T> T *data() {
    QRT_CHECK(DTypeOf<T>::value == dtype_, "Tensor::data<T>: dtype mismatch");
    return static_cast<T *>(rawData());
  }
  template <typename T> const T *data() const {
    QRT_CHECK(DTypeOf<T>::value == dtype_, "Tensor::data<T>: dtype mismatch");
    return static_cast<const T *>(rawData());
  }

  /// A view with a new shape and the same number of elements. One dim may be
  /// -1 (inferred).
  Expected<Tensor> reshape(const Shape &newShape) const;
  /// A view of rows [begin, end) of dimension 0 (a batch slice).
  Expected<Tensor> slice(int64_t begin, int64_t end) const;
  /// Deep copy into fresh aligned storage.
  Tensor clone() const;
  /// True when both tensors view the same bytes of the same storage.
  bool sharesStorageWith(const Tensor &other) const {
    return storage_ == other.storage_;
  }
  /// True when this tensor is the only reference to storage that qrt
  /// allocated (no other Tensor, view or copy shares it, and it is not a
  /// wrap() of caller memory): a memory plan may then recycle the buffer.
  bool uniquelyOwned() const {
    return storage_ && !external_ && storage_.use_count() == 1;
  }

private:
  std::shared_ptr<void> storage_;
  size_t offset_ = 0; // bytes
  Shape shape_;
  DType dtype_ = DType::F32;
  bool external_ = false; // wrap(): caller memory, never recycled
};

template <typename T>
Tensor Tensor::fromVector(const Shape &shape, const std::vector<T> &values) {
  QRT_CHECK(numElements(shape) == static_cast<int64_t>(values.size()),
            "Tensor::fromVector: shape and value count differ");
  Tensor t = empty(shape, DTypeOf<T>::value);
  T *out = t.data<T>();
  for (size_t i = 0; i < values.size(); ++i)
    out[i] = values[i];
  return t;
}

/// Checks that `t` is defined with the given dtype; `what` names it in the
/// message ("conv2d input").
Status checkDType(const Tensor &t, DType dtype, const char *what);
/// Makes `out` a tensor of `shape`/`dtype`: allocates it when undefined,
/// otherwise checks that it already matches (outputs may be preallocated by a
/// memory plan).
Status prepareOutput(Tensor &out, const Shape &shape, DType dtype,
                     const char *what);

} // namespace qrt

#endif // QRT_TENSOR_H
