//===- DnnKernels.cu - the kernels around cuDNN and cuBLASLt --------------===//
//
// Layout conversion, epilogues and int8 input preparation of the library
// plans (DnnLaunch.h). The index math is ConvIndex.h's, which the host tests
// also run; the float epilogue adds in oneDNN's order (bias, then the sum
// addend) so that it differs from the CPU only by the convolution's own
// summation order.
//
//===----------------------------------------------------------------------===//

#include "runtime/cuda/CudaStatus.h"
#include "runtime/cuda/DnnLaunchInternal.h"
#include "runtime/cuda/Grid.h"

namespace qrt {
namespace cuda {
namespace detail {
namespace {

__device__ inline int64_t firstIndex() {
  return (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
}
__device__ inline int64_t gridStep() { return (int64_t)gridDim.x * blockDim.x; }

__global__ void convEpilogueKernel(ConvEpilogueArgs a) {
  int64_t total = a.n * a.channels * a.pixels;
  for (int64_t i = firstIndex(); i < total; i += gridStep()) {
    // i walks y's layout.
    int64_t n, c, p;
    if (a.yChannelsLast) {
      c = i % a.channels;
      p = (i / a.channels) % a.pixels;
      n = i / (a.channels * a.pixels);
    } else {
      p = i % a.pixels;
      c = (i / a.pixels) % a.channels;
      n = i / (a.pixels * a.channels);
    }
    int64_t ci = a.convChannelsLast ? (n * a.pixels + p) * a.channels + c
                                    : (n * a.channels + c) * a.pixels + p;
    float v = a.conv[ci];
    if (a.bias)
      v = v + a.bias[c];
    if (a.sum)
      v = v + a.y[i];
    if (a.relu)
      v = v > 0.f ? v : v * 0.f; // oneDNN's eltwise_relu with alpha 0
    if (a.clip)
      v = emath::clip(v, a.clipMin, a.clipMax);
    a.y[i] = v;
  }
}

__global__ void nhwcToNchwKernel(const float *x, int64_t n, int64_t channels,
                                 int64_t pixels, float *y) {
  int64_t total = n * channels * pixels;
  for (int64_t i = firstIndex(); i < total; i += gridStep()) {
    int64_t p = i % pixels, c = (i / pixels) % channels,
            b = i / (pixels * channels);
    y[i] = x[(b * pixels + p) * channels + c];
  }
}

__global__ void im2colKernel(Int8InputArgs a, Im2colLayout l) {
  int64_t total = l.colsElements();
  for (int64_t i = firstIndex(); i < total; i += gridStep()) {
    int64_t kk = i % l.kPad, p = (i / l.kPad) % l.pPad,
            grp = i / (l.kPad * l.pPad);
    a.out[i] = im2colValue(a.geometry, l, a.x, a.inputU8, a.channelsLast,
                           a.shift, a.padValue, grp, p, kk);
  }
}

__global__ void padNhwcKernel(Int8InputArgs a, PaddedNhwc b) {
  int64_t total = b.elements();
  for (int64_t i = firstIndex(); i < total; i += gridStep()) {
    int64_t ch = i % b.c, x = (i / b.c) % b.w, y = (i / (b.c * b.w)) % b.h,
            n = i / (b.c * b.w * b.h);
    a.out[i] = paddedNhwcValue(a.geometry, b, a.x, a.inputU8, a.channelsLast,
                               a.shift, a.padValue, n, y, x, ch);
  }
}

__global__ void accEpilogueKernel(AccEpilogueArgs a) {
  int64_t total = a.n * a.oc * a.pixelsPerImage;
  for (int64_t i = firstIndex(); i < total; i += gridStep()) {
    int64_t n, oc, q; // q: pixel within the image
    if (a.channelsLast) {
      oc = i % a.oc;
      q = (i / a.oc) % a.pixelsPerImage;
      n = i / (a.oc * a.pixelsPerImage);
    } else {
      q = i % a.pixelsPerImage;
      oc = (i / a.pixelsPerImage) % a.oc;
      n = i / (a.pixelsPerImage * a.oc);
    }
    int32_t raw = a.raw[a.layout.offset(oc, n * a.pixelsPerImage + q)];
    a.acc[i] = wrapAdd(raw, a.terms[oc]);
  }
}

/// One block per channel; each thread sums a fixed strided subset in order,
/// then a fixed shared-memory tree: the same bits on every run.
__global__ void channelSumKernel(const float *x, int64_t outer,
                                 int64_t channels, int64_t inner, float *out) {
  __shared__ float partial[kThreads];
  int64_t c = blockIdx.x;
  int64_t count = outer * inner;
  float s = 0.f;
  for (int64_t j = threadIdx.x; j < count; j += blockDim.x) {
    int64_t o = j / inner, i = j % inner;
    s += x[(o * channels + c) * inner + i];
  }
  partial[threadIdx.x] = s;
  __syncthreads();
  for (int width = kThreads / 2; width > 0; width /= 2) {
    if (threadIdx.x < width)
      partial[threadIdx.x] += partial[threadIdx.x + width];
    __syncthreads();
  }
  if (threadIdx.x == 0)
    out[c] = partial[0];
}

cudaStream_t s(void *p) { return stream(p); }

} // namespace

Status launchConvEpilogue(const ConvEpilogueArgs &a, void *st) {
  int64_t total = a.n * a.channels * a.pixels;
  if (total == 0)
    return Status::ok();
  convEpilogueKernel<<<gridFor(total), kThreads, 0, s(st)>>>(a);
  return checkLaunch("convEpilogueKernel");
}

Status launchNhwcToNchw(const float *x, int64_t n, int64_t channels,
                        int64_t pixels, float *y, void *st) {
  int64_t total = n * channels * pixels;
  if (total == 0)
    return Status::ok();
  nhwcToNchwKernel<<<gridFor(total), kThreads, 0, s(st)>>>(x, n, channels,
                                                           pixels, y);
  return checkLaunch("nhwcToNchwKernel");
}

Status launchIm2col(const Int8InputArgs &a, const Im2colLayout &l, void *st) {
  if (l.colsElements() == 0)
    return Status::ok();
  im2colKernel<<<gridFor(l.colsElements()), kThreads, 0, s(st)>>>(a, l);
  return checkLaunch("im2colKernel");
}

Status launchPadNhwc(const Int8InputArgs &a, const PaddedNhwc &b, void *st) {
  if (b.elements() == 0)
    return Status::ok();
  padNhwcKernel<<<gridFor(b.elements()), kThreads, 0, s(st)>>>(a, b);
  return checkLaunch("padNhwcKernel");
}

Status launchAccEpilogue(const AccEpilogueArgs &a, void *st) {
  int64_t total = a.n * a.oc * a.pixelsPerImage;
  if (total == 0)
    return Status::ok();
  accEpilogueKernel<<<gridFor(total), kThreads, 0, s(st)>>>(a);
  return checkLaunch("accEpilogueKernel");
}

Status launchChannelSum(const float *x, int64_t outer, int64_t channels,
                        int64_t inner, float *out, void *st) {
  if (channels == 0)
    return Status::ok();
  if (channels > 2147483647)
    return invalidArgument("channel sum: too many channels");
  channelSumKernel<<<static_cast<unsigned>(channels), kThreads, 0, s(st)>>>(
      x, outer, channels, inner, out);
  return checkLaunch("channelSumKernel");
}

} // namespace detail
} // namespace cuda
} // namespace qrt
