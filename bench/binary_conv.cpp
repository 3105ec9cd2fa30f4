//===- binary_conv.cpp - packed binary conv vs int8 and fp32, per layer ---===//
//
// One conv layer at a time, on the same shape: the packed binary kernel
// (qrt::xnor::binaryConv2d: f32 in, signs packed per call, XNOR +
// popcount, f32 out; AVX-512 VPOPCNTDQ where the CPU has it, and the
// portable popcount), qrt's int8 conv (Int8ConvPlan::runAccumulate, u8 x s8
// -> s32 on oneDNN, what a qconv2d runs) and the fp32 conv over +-1 values
// (ConvPlan, how binary convs ran before). Interleaved repetitions, medians
// of the per-call mean, ratios from this one run. Built and run by
// bench/binary_vs_int8.py; prints a markdown table.
//
//===----------------------------------------------------------------------===//

#include "runtime/BinaryConv.h"
#include "runtime/Conv.h"
#include "runtime/IntKernels.h"
#include "runtime/Threading.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

using namespace qrt;

namespace {
struct Layer {
  const char *name;
  int64_t n, c, h, w, o, k, stride;
};

double secondsPerCall(const std::function<void()> &f, int calls) {
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < calls; ++i)
    f();
  std::chrono::duration<double> d = std::chrono::steady_clock::now() - t0;
  return d.count() / calls;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void check(const Status &s) {
  if (!s) {
    std::fprintf(stderr, "%s\n", s.toString().c_str());
    std::exit(1);
  }
}
} // namespace

int main(int argc, char **argv) {
  int reps = argc > 1 ? std::atoi(argv[1]) : 5;
  const Layer layers[] = {
      {"ResNet-8 stage 1 (b32)", 32, 16, 28, 28, 16, 3, 1},
      {"ResNet-8 stage 2 (b32)", 32, 32, 14, 14, 32, 3, 1},
      {"ResNet-8 stage 3 (b32)", 32, 64, 7, 7, 64, 3, 1},
      {"ResNet-18 conv2_x (b1)", 1, 64, 56, 56, 64, 3, 1},
      {"ResNet-18 conv3_x (b1)", 1, 128, 28, 28, 128, 3, 1},
      {"ResNet-18 conv4_x (b1)", 1, 256, 14, 14, 256, 3, 1},
      {"ResNet-18 conv5_x (b1)", 1, 512, 7, 7, 512, 3, 1},
  };
  bool avx = xnor::hasAvx512Popcount();
  std::printf("| layer (N, C, H, W -> O, 3x3) | binary ms | int8 ms | fp32 "
              "ms | int8 / binary | fp32 / binary | portable / %s |\n",
              avx ? "AVX-512" : "portable");
  std::printf("|---|---|---|---|---|---|---|\n");
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> uf(-1.f, 1.f);
  std::uniform_int_distribution<int> ui(0, 255), sw(0, 1);
  for (const Layer &l : layers) {
    Conv2dParams p;
    p.strideH = p.strideW = l.stride;
    p.padTop = p.padLeft = p.padBottom = p.padRight = l.k / 2;
    Shape xs = {l.n, l.c, l.h, l.w}, ws = {l.o, l.c, l.k, l.k};
    Tensor x = Tensor::empty(xs, DType::F32),
           xpm = Tensor::empty(xs, DType::F32);
    Tensor xq = Tensor::empty(xs, DType::U8);
    for (int64_t i = 0; i < x.numel(); ++i) {
      x.data<float>()[i] = uf(rng);
      xpm.data<float>()[i] = x.data<float>()[i] >= 0.f ? 1.f : -1.f;
      xq.data<uint8_t>()[i] = static_cast<uint8_t>(ui(rng));
    }
    Tensor w = Tensor::empty(ws, DType::F32), wq = Tensor::empty(ws, DType::I8);
    for (int64_t i = 0; i < w.numel(); ++i) {
      int s = sw(rng) ? 1 : -1;
      w.data<float>()[i] = 0.05f * s;
      wq.data<int8_t>()[i] = static_cast<int8_t>(s);
    }
    Tensor scale = Tensor::empty({l.o}, DType::F32),
           bias = Tensor::zeros({l.o}, DType::F32);
    for (int64_t i = 0; i < l.o; ++i)
      scale.data<float>()[i] = 0.05f;
    Expected<xnor::PackedBinaryWeights> packed = xnor::packBinaryWeights(w);
    Expected<Int8ConvPlan> i8 =
        Int8ConvPlan::create(xs, DType::U8, wq, Tensor(), p, 0);
    Expected<ConvPlan> f32 = ConvPlan::create(xs, w, bias, p);
    if (!packed || !i8 || !f32) {
      std::fprintf(stderr, "%s: plan creation failed\n", l.name);
      return 1;
    }
    Tensor yb, yp, yi, yf;
    auto bin = [&] {
      check(xnor::binaryConv2d(x, *packed, scale, bias, p,
                               xnor::BinaryPad::PlusOne, yb,
                               xnor::PopcountImpl::Auto));
    };
    auto portable = [&] {
      check(xnor::binaryConv2d(x, *packed, scale, bias, p,
                               xnor::BinaryPad::PlusOne, yp,
                               xnor::PopcountImpl::Portable));
    };
    auto int8 = [&] { check(i8->runAccumulate(xq, yi)); };
    auto fp32 = [&] { check(f32->run(xpm, yf)); };
    std::vector<std::function<void()>> fs = {bin, int8, fp32, portable};
    std::vector<std::vector<double>> times(fs.size());
    // Calls per timing: about 50 ms of the binary kernel.
    for (auto &f : fs)
      f(); // warm-up (oneDNN primitives, buffers)
    double once = secondsPerCall(bin, 1);
    int calls = std::max(1, static_cast<int>(0.05 / std::max(once, 1e-6)));
    for (int r = 0; r < reps; ++r)
      for (size_t i = 0; i < fs.size(); ++i)
        times[i].push_back(secondsPerCall(fs[i], calls));
    double tb = median(times[0]), ti = median(times[1]), tf = median(times[2]),
           tp = median(times[3]);
    std::printf("| %s: %lld, %lld, %lld, %lld -> %lld | %.3f | %.3f | %.3f | "
                "%.2f | %.2f | %.2f |\n",
                l.name, (long long)l.n, (long long)l.c, (long long)l.h,
                (long long)l.w, (long long)l.o, tb * 1e3, ti * 1e3, tf * 1e3,
                ti / tb, tf / tb, tp / tb);
    std::fflush(stdout);
  }
  return 0;
}
