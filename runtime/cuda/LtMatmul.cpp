//===- LtMatmul.cpp -------------------------------------------------------===//

#include "runtime/cuda/CudaStatus.h"
#include "runtime/cuda/LtMatmulInternal.h"

#include <utility>

namespace qrt {
namespace cuda {
namespace detail {

Status checkCublas(cublasStatus_t s, const std::string &what) {
  if (s == CUBLAS_STATUS_SUCCESS)
    return Status::ok();
  bool unsupportedCode =
      s == CUBLAS_STATUS_NOT_SUPPORTED || s == CUBLAS_STATUS_ARCH_MISMATCH;
  return Status::error(unsupportedCode ? ErrorCode::Unsupported
                                       : ErrorCode::Internal,
                       "cublasLt: " + what + ": " + cublasLtGetStatusName(s) +
                           ": " + cublasLtGetStatusString(s));
}

Expected<LtHandle> createLtHandle(const std::string &what) {
  int devices = 0;
  QRT_RETURN_IF_ERROR(
      check(cudaGetDeviceCount(&devices), what + ": cudaGetDeviceCount"));
  if (devices == 0)
    return Status::error(ErrorCode::Unsupported, what + ": no CUDA device");
  cublasLtHandle_t h = nullptr;
  QRT_RETURN_IF_ERROR(
      checkCublas(cublasLtCreate(&h), what + ": cublasLtCreate"));
  return LtHandle(h, [](cublasLtHandle_t p) { (void)cublasLtDestroy(p); });
}

struct LtMatmul::State {
  LtHandle handle;
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  cublasLtMatmulAlgo_t algo{};
  size_t workspace = 0;
  bool int8 = false;
  std::string name, layer;

  ~State() {
    if (a)
      (void)cublasLtMatrixLayoutDestroy(a);
    if (b)
      (void)cublasLtMatrixLayoutDestroy(b);
    if (c)
      (void)cublasLtMatrixLayoutDestroy(c);
    if (desc)
      (void)cublasLtMatmulDescDestroy(desc);
  }
};

namespace {

Status layout(cublasLtMatrixLayout_t &out, cudaDataType type, int64_t rows,
              int64_t cols, int64_t ld, int64_t batch, int64_t stride,
              const std::string &what) {
  QRT_RETURN_IF_ERROR(
      checkCublas(cublasLtMatrixLayoutCreate(&out, type, rows, cols, ld),
                  "cublasLtMatrixLayoutCreate (" + what + ")"));
  if (batch > 1) {
    int32_t count = static_cast<int32_t>(batch);
    QRT_RETURN_IF_ERROR(checkCublas(
        cublasLtMatrixLayoutSetAttribute(
            out, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof(count)),
        "batch count (" + what + ")"));
    QRT_RETURN_IF_ERROR(
        checkCublas(cublasLtMatrixLayoutSetAttribute(
                        out, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET,
                        &stride, sizeof(stride)),
                    "batch stride (" + what + ")"));
  }
  return Status::ok();
}

} // namespace

Expected<LtMatmul> LtMatmul::create(const LtHandle &handle,
                                    const MatmulSpec &sp,
                                    const std::string &layer) {
  if (sp.int8 && (sp.bias || sp.relu))
    return invalidArgument("cublasLt: " + layer +
                           ": int8 GEMMs take no epilogue here");
  if (sp.int8 && sp.halfInputs)
    return invalidArgument("cublasLt: " + layer + ": int8 or fp16, not both");
  auto s = std::make_shared<State>();
  s->handle = handle;
  s->int8 = sp.int8;
  s->layer = layer;
  cublasComputeType_t compute =
      sp.int8 ? CUBLAS_COMPUTE_32I : CUBLAS_COMPUTE_32F;
  cudaDataType scale = sp.int8 ? CUDA_R_32I : CUDA_R_32F;
  cudaDataType ab =
      sp.int8 ? CUDA_R_8I : (sp.halfInputs ? CUDA_R_16F : CUDA_R_32F);
  cudaDataType cd = sp.int8 ? CUDA_R_32I : CUDA_R_32F;
  QRT_RETURN_IF_ERROR(
      checkCublas(cublasLtMatmulDescCreate(&s->desc, compute, scale),
                  "cublasLtMatmulDescCreate (" + layer + ")"));
  cublasOperation_t ta = sp.transA ? CUBLAS_OP_T : CUBLAS_OP_N;
  cublasOperation_t tb = sp.transB ? CUBLAS_OP_T : CUBLAS_OP_N;
  QRT_RETURN_IF_ERROR(
      checkCublas(cublasLtMatmulDescSetAttribute(
                      s->desc, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof(ta)),
                  "transa (" + layer + ")"));
  QRT_RETURN_IF_ERROR(
      checkCublas(cublasLtMatmulDescSetAttribute(
                      s->desc, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof(tb)),
                  "transb (" + layer + ")"));
  if (sp.bias || sp.relu) {
    cublasLtEpilogue_t epi = sp.bias ? (sp.relu ? CUBLASLT_EPILOGUE_RELU_BIAS
                                                : CUBLASLT_EPILOGUE_BIAS)
                                     : CUBLASLT_EPILOGUE_RELU;
    QRT_RETURN_IF_ERROR(checkCublas(
        cublasLtMatmulDescSetAttribute(s->desc, CUBLASLT_MATMUL_DESC_EPILOGUE,
                                       &epi, sizeof(epi)),
        "epilogue (" + layer + ")"));
    if (sp.bias) {
      const void *bias = sp.bias;
      QRT_RETURN_IF_ERROR(checkCublas(
          cublasLtMatmulDescSetAttribute(
              s->desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias)),
          "bias pointer (" + layer + ")"));
    }
  }
  QRT_RETURN_IF_ERROR(layout(s->a, ab, sp.transA ? sp.k : sp.m,
                             sp.transA ? sp.m : sp.k, sp.lda, sp.batch,
                             sp.strideA, layer));
  QRT_RETURN_IF_ERROR(layout(s->b, ab, sp.transB ? sp.n : sp.k,
                             sp.transB ? sp.k : sp.n, sp.ldb, sp.batch,
                             sp.strideB, layer));
  QRT_RETURN_IF_ERROR(
      layout(s->c, cd, sp.m, sp.n, sp.ldc, sp.batch, sp.strideC, layer));

  cublasLtMatmulPreference_t pref = nullptr;
  QRT_RETURN_IF_ERROR(checkCublas(cublasLtMatmulPreferenceCreate(&pref),
                                  "cublasLtMatmulPreferenceCreate"));
  std::shared_ptr<void> prefOwner(pref, [](void *p) {
    (void)cublasLtMatmulPreferenceDestroy(
        static_cast<cublasLtMatmulPreference_t>(p));
  });
  uint64_t limit = kLtWorkspaceLimit;
  uint32_t align = static_cast<uint32_t>(sp.alignment);
  uint32_t abAlign = static_cast<uint32_t>(
      sp.abAlignment > sp.alignment ? sp.abAlignment : sp.alignment);
  Status ps = checkCublas(cublasLtMatmulPreferenceSetAttribute(
                              pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                              &limit, sizeof(limit)),
                          "workspace preference (" + layer + ")");
  for (auto [attr, value] :
       {std::pair{CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, abAlign},
        std::pair{CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, abAlign},
        std::pair{CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, align},
        std::pair{CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, align}})
    if (ps)
      ps = checkCublas(cublasLtMatmulPreferenceSetAttribute(pref, attr, &value,
                                                            sizeof(value)),
                       "alignment preference (" + layer + ")");
  QRT_RETURN_IF_ERROR(ps);
  cublasLtMatmulHeuristicResult_t result{};
  int returned = 0;
  QRT_RETURN_IF_ERROR(checkCublas(
      cublasLtMatmulAlgoGetHeuristic(handle.get(), s->desc, s->a, s->b, s->c,
                                     s->c, pref, 1, &result, &returned),
      "cublasLtMatmulAlgoGetHeuristic (" + layer + ")"));
  if (returned == 0 || result.state != CUBLAS_STATUS_SUCCESS)
    return Status::error(ErrorCode::Unsupported,
                         "cublasLt: no algorithm for " + layer);
  s->algo = result.algo;
  s->workspace = result.workspaceSize;
  int id = -1;
  size_t written = 0;
  (void)cublasLtMatmulAlgoConfigGetAttribute(&s->algo, CUBLASLT_ALGO_CONFIG_ID,
                                             &id, sizeof(id), &written);
  s->name = "cublasLt algo " + std::to_string(id) +
            (sp.int8         ? " (int8, COMPUTE_32I)"
             : sp.halfInputs ? " (fp16 A/B, fp32 D, COMPUTE_32F)"
                             : " (fp32, COMPUTE_32F)");
  LtMatmul out;
  out.s_ = std::move(s);
  return out;
}

Status LtMatmul::run(const void *a, const void *b, void *d, void *workspace,
                     void *stream) const {
  float fOne = 1.f, fZero = 0.f;
  int32_t iOne = 1, iZero = 0;
  const void *alpha = s_->int8 ? static_cast<const void *>(&iOne) : &fOne;
  const void *beta = s_->int8 ? static_cast<const void *>(&iZero) : &fZero;
  return checkCublas(cublasLtMatmul(s_->handle.get(), s_->desc, alpha, a, s_->a,
                                    b, s_->b, beta, d, s_->c, d, s_->c,
                                    &s_->algo, workspace, s_->workspace,
                                    detail::stream(stream)),
                     "cublasLtMatmul (" + s_->layer + ", " + s_->name + ")");
}

size_t LtMatmul::workspaceBytes() const { return s_->workspace; }
const std::string &LtMatmul::name() const { return s_->name; }

} // namespace detail
} // namespace cuda
} // namespace qrt
