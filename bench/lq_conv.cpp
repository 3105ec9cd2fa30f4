//===- lq_conv.cpp - LQ-Nets conv layers vs int8 and fp32, per layer ------===//
//
// One conv layer at a time, on the same shape: the LQ-Nets layer as the
// lq_conv2d step runs it (runtime/LqLayer.h: the f32 input encoded into
// K_a code planes per call, one oneDNN int8 conv of the stacked planes
// against the K_w weight planes, the double combination, f32 out; the
// weights' planes and the int8 plan made once), at W2A2 (unsigned input
// codes) and W8A8 (signed, the 8-bit first / last layers' form); qrt's int8
// conv on the same shape (Int8ConvPlan::runAccumulate, u8 x s8 -> s32, a
// qconv2d's accumulation); and the fp32 conv (ConvPlan), what an LQ-Nets
// layer ran as before (its fake_quant steps not counted). Interleaved
// repetitions, medians of the per-call mean, ratios from this one run.
// Built and run by bench/lq_vs_int8.py; prints a markdown table.
//
//===----------------------------------------------------------------------===//

#include "runtime/Conv.h"
#include "runtime/IntKernels.h"
#include "runtime/LqLayer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <vector>

using namespace qrt;

namespace {
struct Layer {
  const char *name;
  int64_t n, c, h, w, o, k;
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

Tensor basis(int k, float c) {
  Tensor b = Tensor::empty({1, k}, DType::F32);
  for (int i = 0; i < k; ++i)
    b.data<float>()[i] = c * (float)(1 << i);
  return b;
}

/// The lq_conv2d step's work on a prepared layer.
struct LqConv {
  lq::LqWeights w;
  lq::Codebook a;
  Int8ConvPlan plan;
  Tensor planes, acc, y;
};

LqConv makeLq(const Tensor &x, const Tensor &w, int bits, bool signedInput,
              const Conv2dParams &p) {
  Expected<lq::LqWeights> lw =
      lq::encodeWeights(w, basis(bits, 0.02f), true, Granularity::perTensor());
  Expected<lq::Codebook> cb =
      lq::makeCodebook(basis(bits, signedInput ? 0.01f : 0.05f), signedInput);
  if (!lw || !cb) {
    std::fprintf(stderr, "lq-nets layer: bad operands\n");
    std::exit(1);
  }
  LqConv l{std::move(*lw), std::move(*cb), Int8ConvPlan(), {}, {}, {}};
  check(lq::encodeActivations(x, l.a, l.planes));
  Expected<Int8ConvPlan> plan = Int8ConvPlan::create(
      l.planes.shape(), l.planes.dtype(), l.w.planes, Tensor(), p, 0);
  if (!plan) {
    std::fprintf(stderr, "%s\n", plan.status().toString().c_str());
    std::exit(1);
  }
  l.plan = std::move(*plan);
  return l;
}

void runLq(const Tensor &x, const Tensor &bias, LqConv &l) {
  check(lq::encodeActivations(x, l.a, l.planes));
  check(l.plan.runAccumulate(l.planes, l.acc));
  check(lq::combine(l.acc, l.w, l.a, bias, l.y));
}
} // namespace

int main(int argc, char **argv) {
  int reps = argc > 1 ? std::atoi(argv[1]) : 5;
  const Layer layers[] = {
      {"ResNet-8 stage 1 (b32)", 32, 16, 28, 28, 16, 3},
      {"ResNet-8 stage 2 (b32)", 32, 32, 14, 14, 32, 3},
      {"ResNet-8 stage 3 (b32)", 32, 64, 7, 7, 64, 3},
      {"ResNet-18 conv3_x (b1)", 1, 128, 28, 28, 128, 3},
      {"ResNet-18 conv5_x (b1)", 1, 512, 7, 7, 512, 3},
  };
  std::printf("| layer (N, C, H, W -> O, 3x3) | LQ W2A2 ms | LQ W8A8 ms | "
              "int8 ms | fp32 ms | LQ W2A2 / int8 | LQ W8A8 / int8 | "
              "LQ W2A2 / fp32 |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> uf(-1.f, 1.f);
  std::uniform_int_distribution<int> ui(0, 255), si(-128, 127);
  for (const Layer &l : layers) {
    Conv2dParams p;
    p.padTop = p.padLeft = p.padBottom = p.padRight = l.k / 2;
    Shape xs = {l.n, l.c, l.h, l.w}, ws = {l.o, l.c, l.k, l.k};
    Tensor x = Tensor::empty(xs, DType::F32), xq = Tensor::empty(xs, DType::U8);
    for (int64_t i = 0; i < x.numel(); ++i) {
      x.data<float>()[i] = uf(rng);
      xq.data<uint8_t>()[i] = static_cast<uint8_t>(ui(rng));
    }
    Tensor w = Tensor::empty(ws, DType::F32), wq = Tensor::empty(ws, DType::I8);
    for (int64_t i = 0; i < w.numel(); ++i) {
      w.data<float>()[i] = 0.1f * uf(rng);
      wq.data<int8_t>()[i] = static_cast<int8_t>(si(rng));
    }
    Tensor bias = Tensor::zeros({l.o}, DType::F32);
    LqConv lq2 = makeLq(x, w, 2, false, p), lq8 = makeLq(x, w, 8, true, p);
    Expected<Int8ConvPlan> i8 =
        Int8ConvPlan::create(xs, DType::U8, wq, Tensor(), p, 0);
    Expected<ConvPlan> f32 = ConvPlan::create(xs, w, bias, p);
    if (!i8 || !f32) {
      std::fprintf(stderr, "%s: plan creation failed\n", l.name);
      return 1;
    }
    Tensor yi, yf;
    auto w2a2 = [&] { runLq(x, bias, lq2); };
    auto w8a8 = [&] { runLq(x, bias, lq8); };
    auto int8 = [&] { check(i8->runAccumulate(xq, yi)); };
    auto fp32 = [&] { check(f32->run(x, yf)); };
    std::vector<std::function<void()>> fs = {w2a2, w8a8, int8, fp32};
    std::vector<std::vector<double>> times(fs.size());
    for (auto &f : fs)
      f(); // warm-up (oneDNN primitives, buffers)
    double once = secondsPerCall(w2a2, 1);
    int calls = std::max(1, static_cast<int>(0.05 / std::max(once, 1e-6)));
    for (int r = 0; r < reps; ++r)
      for (size_t i = 0; i < fs.size(); ++i)
        times[i].push_back(secondsPerCall(fs[i], calls));
    double t2 = median(times[0]), t8 = median(times[1]),
           ti = median(times[2]), tf = median(times[3]);
    std::printf("| %s: %lld, %lld, %lld, %lld -> %lld | %.3f | %.3f | %.3f | "
                "%.3f | %.2f | %.2f | %.2f |\n",
                l.name, (long long)l.n, (long long)l.c, (long long)l.h,
                (long long)l.w, (long long)l.o, t2 * 1e3, t8 * 1e3, ti * 1e3,
                tf * 1e3, t2 / ti, t8 / ti, t2 / tf);
    std::fflush(stdout);
  }
  return 0;
}
