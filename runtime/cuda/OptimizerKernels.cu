//===- OptimizerKernels.cu - SGD and Adam steps ---------------------------===//
//
// sgd_update / adam_update on the device: one thread per element running
// TrainMath.h's sgdPlain / sgdMomentum / adamElement, the functions
// Optimizer.cpp runs, so a step equals the CPU's bit for bit (Adam: given
// the same bias corrections; they are computed per thread from the device
// step and lr operands with the device's pow, which agrees with glibc's to
// the last bit in all but rare cases of a double rounding).
//
//===----------------------------------------------------------------------===//

#include "runtime/TrainMath.h"
#include "runtime/cuda/TrainCommon.cuh"

namespace qrt {
namespace cuda {

using namespace detail;

namespace {

struct SgdOp {
  const float *pIn, *g, *bufIn, *lr;
  float *pOut, *bufOut;
  float wd, momentum, keep;
  bool nesterov, first;
  __device__ void operator()(int64_t i) const {
    float rate = *lr;
    if (momentum == 0.f) {
      pOut[i] = tmath::sgdPlain(pIn[i], g[i], rate, wd);
      return;
    }
    float p = pIn[i], b = first ? 0.f : bufIn[i];
    tmath::sgdMomentum(&p, g[i], &b, first, rate, wd, momentum, keep,
                       nesterov);
    pOut[i] = p;
    bufOut[i] = b;
  }
};


} // namespace

Status sgdUpdate(const float *paramIn, const float *grad,
                 const float *bufferIn, const float *lr, int64_t numel,
                 const SgdOptions &o, bool firstStep, float *paramOut,
                 float *bufferOut, Stream stream) {
  if (o.nesterov && (o.momentum <= 0.f || o.dampening != 0.f))
    return invalidArgument(
        "sgd: nesterov requires momentum > 0 and zero dampening");
  QRT_RETURN_IF_ERROR(
      checkPtrs(numel, "cuda sgd", {paramIn, grad, lr, paramOut}));
  if (o.momentum != 0.f)
    QRT_RETURN_IF_ERROR(checkPtrs(numel, "cuda sgd momentum buffer",
                                  {firstStep ? bufferOut : bufferIn,
                                   bufferOut}));
  SgdOp op{paramIn,       grad,       bufferIn,   lr,         paramOut,
           bufferOut,     o.weightDecay, o.momentum, 1.f - o.dampening,
           o.nesterov,    firstStep};
  return forEach(numel, op, stream, "sgd_update");
}

} // namespace cuda
} // namespace qrt
