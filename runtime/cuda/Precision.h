//===- Precision.h - the arithmetic of the float library plans --*- C++ -*-===//
//
// Which arithmetic the fp32 convolution and linear plans (DnnConv.h,
// Gemm.h) run, for mixed-precision training (docs/codegen.md, "CUDA",
// "fp16 plans"). Plain C++, no CUDA type.
//
//===----------------------------------------------------------------------===//

#ifndef QRT_CUDA_PRECISION_H
#define QRT_CUDA_PRECISION_H

namespace qrt {
namespace cuda {

enum class Precision {
  /// fp32 throughout: no TF32, no reduced-precision engine.
  F32,
  /// fp32 in and out; inside, x, the weights and dy are rounded to fp16
  /// (runtime/HalfMath.h, round to nearest even) and the library multiplies
  /// them with fp32 accumulation (tensor cores allowed); bias, sum and ReLU
  /// stay fp32. Values beyond fp16's range become +-inf, which a dynamic
  /// loss scale detects.
  F16,
};

/// "fp32" / "fp16" (null for a value outside the enum).
inline const char *precisionName(Precision p) {
  switch (p) {
  case Precision::F32:
    return "fp32";
  case Precision::F16:
    return "fp16";
  }
  return nullptr;
}

} // namespace cuda
} // namespace qrt

#endif // QRT_CUDA_PRECISION_H
