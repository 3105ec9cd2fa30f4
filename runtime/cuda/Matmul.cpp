//===- Matmul.cpp - MatmulPlan: a 2-D f32 matmul on cuBLASLt ---------------===//
//
// Row-major y [M, N] = a [M, K] b [K, N] is, column-major, yᵀ [N, M] =
// bᵀ [N, K] aᵀ [K, M]: b's storage is bᵀ with leading dimension N and a's
// is aᵀ with leading dimension K, so no operand is transposed.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/ConvPrepInternal.h"
#include "runtime/cuda/InferenceKernels.h"
#include "runtime/cuda/LtMatmulInternal.h"

namespace qrt {
namespace cuda {

struct MatmulPlan::Impl {
  Shape outputShape;
  detail::LtHandle handle;
  detail::LtMatmul matmul;
};

Expected<MatmulPlan> MatmulPlan::create(const Shape &aShape,
                                        const Shape &bShape) {
  if (aShape.size() != 2 || bShape.size() != 2)
    return Status::error(ErrorCode::Unsupported,
                         "matmul: the CUDA kernel takes 2-D operands, got " +
                             shapeToString(aShape) + " x " +
                             shapeToString(bShape));
  if (aShape[1] != bShape[0])
    return invalidArgument("matmul: inner dims differ: " +
                           shapeToString(aShape) + " x " +
                           shapeToString(bShape));
  int64_t m = aShape[0], k = aShape[1], n = bShape[1];
  std::string name =
      "matmul " + shapeToString(aShape) + " x " + shapeToString(bShape);
  auto impl = std::make_shared<Impl>();
  impl->outputShape = {m, n};
  if (m > 0 && n > 0) {
    Expected<detail::LtHandle> h = detail::createLtHandle(name);
    if (!h)
      return h.status();
    impl->handle = *h;
    detail::MatmulSpec sp;
    sp.m = n;
    sp.n = m;
    sp.k = k;
    sp.lda = n;
    sp.ldb = k;
    sp.ldc = n;
    sp.alignment = 4; // any float pointer
    Expected<detail::LtMatmul> mm =
        detail::LtMatmul::create(impl->handle, sp, name);
    if (!mm)
      return mm.status();
    impl->matmul = *mm;
  }
  MatmulPlan plan;
  plan.impl_ = std::move(impl);
  return plan;
}

Status MatmulPlan::run(const float *a, const float *b, float *y,
                       void *workspace, Stream stream) const {
  QRT_CHECK(impl_ != nullptr, "cuda::MatmulPlan::run on an empty plan");
  const Shape &o = impl_->outputShape;
  size_t bytes = (size_t)(o[0] * o[1]) * sizeof(float);
  if (bytes == 0)
    return Status::ok();
  QRT_RETURN_IF_ERROR(detail::checkPointers("matmul", {a, b, y}, bytes,
                                            workspace, workspaceBytes()));
  // D = A B with A = bᵀ, B = aᵀ (see the file comment).
  return impl_->matmul.run(b, a, y, workspace, stream);
}

size_t MatmulPlan::workspaceBytes() const {
  return impl_ && impl_->handle ? impl_->matmul.workspaceBytes() : 0;
}
const Shape &MatmulPlan::outputShape() const { return impl_->outputShape; }
std::string MatmulPlan::implName() const {
  return impl_ && impl_->handle ? impl_->matmul.name() : "empty matmul";
}

} // namespace cuda
} // namespace qrt
