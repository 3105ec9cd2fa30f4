//===- CudaFakeQuantTest.cpp - CUDA quantizers vs runtime/FakeQuant -------===//
//
// Every CUDA fake-quant forward against the CPU kernel of the same method on
// seeded random data with ties, signed zeros, infinities and denormals, per
// tensor, per channel (activations and weights) and per group of channels:
// the bytes must be equal.
//
//===----------------------------------------------------------------------===//

#include "CudaTestUtil.h"
#include "runtime/Elementwise.h"

using namespace qrt;
using namespace qrt::test;
using cuda::CudaBuffer;
using cuda::GroupShape;

namespace {

struct Layout {
  const char *name;
  Shape shape;
  Granularity g;
};

std::vector<Layout> layouts() {
  return {
      {"per tensor", {2, 8, 5, 7}, Granularity::perTensor()},
      {"per tensor, odd length", {100003}, Granularity::perTensor()},
      {"per channel, axis 1", {3, 16, 4, 5}, Granularity::perChannel(1, 16)},
      {"per channel, weights", {16, 3, 3, 3}, Granularity::perChannel(0, 16)},
      {"per channel, last axis", {5, 33}, Granularity::perChannel(1, 33)},
      {"4 groups of 3 channels", {2, 12, 3, 3}, Granularity{1, 4}},
  };
}

/// Positive scales, the first a power of two (exact ties in the input).
Tensor scales(int64_t n, std::mt19937 &rng) {
  Tensor s = params(n, 0.01f, 0.3f, rng);
  s.data<float>()[0] = 0.25f;
  return s;
}

/// Integer zero points in [lo, hi], as f32.
Tensor zeroPoints(int64_t n, int lo, int hi, std::mt19937 &rng) {
  Tensor z = Tensor::empty({n}, DType::F32);
  std::uniform_int_distribution<int> d(lo, hi);
  for (int64_t i = 0; i < n; ++i)
    z.data<float>()[i] = float(d(rng));
  return z;
}

GroupShape groupsOf(const Layout &l) {
  Expected<GroupShape> g = cuda::groupShapeOf(l.shape, l.g);
  EXPECT_TRUE(g.hasValue()) << g.status().toString();
  return g ? *g : GroupShape();
}

/// Runs `cpu(expected)` and `gpu(xDevice, yDevice)` on x; the CUDA result
/// must have the CPU result's bytes.
template <typename Cpu, typename Gpu>
void expectSame(const char *what, const Tensor &x, Cpu cpu, Gpu gpu) {
  SCOPED_TRACE(what);
  Tensor expected;
  ASSERT_OK(cpu(expected));
  CudaBuffer dx = toDevice(x), dy = deviceLike(x);
  ASSERT_OK(gpu(dx.as<const float>(), dy.as<float>()));
  EXPECT_TRUE(bitEqual(expected, toHost(dy, x.shape(), DType::F32)));
}

TEST(CudaFakeQuant, AffineMatchesCpu) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(1401);
  struct Grid {
    QuantRange range;
    int zlo, zhi;
  };
  for (Grid grid : {Grid{QuantRange::fromBits(8, true), -5, 5},
                    Grid{QuantRange::fromBits(8, false), 0, 255},
                    Grid{QuantRange::fromBits(4, true, true), 0, 0}})
    for (const Layout &l : layouts()) {
      Tensor x = quantizerInput(l.shape, 40.f, 0.25f, rng);
      Tensor s = scales(l.g.numGroups, rng);
      Tensor z = zeroPoints(l.g.numGroups, grid.zlo, grid.zhi, rng);
      CudaBuffer ds = toDevice(s), dz = toDevice(z);
      GroupShape gs = groupsOf(l);
      expectSame(
          l.name, x,
          [&](Tensor &y) {
            return fakeQuantAffine(x, s, z, grid.range, l.g, y);
          },
          [&](const float *dx, float *dy) {
            return cuda::fakeQuantAffine(dx, ds.as<const float>(),
                                         dz.as<const float>(), grid.range, gs,
                                         dy);
          });
    }
}

TEST(CudaFakeQuant, LsqMatchesCpu) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(1402);
  // 8-bit signed and unsigned (the CPU's vectorized rows) and a grid too
  // wide for them (its scalar qmath::lsqForward path).
  struct Grid {
    float qn, qp;
  };
  for (Grid grid :
       {Grid{128.f, 127.f}, Grid{0.f, 255.f}, Grid{16777216.f, 16777215.f}})
    for (const Layout &l : layouts()) {
      Tensor x = quantizerInput(l.shape, 40.f, 0.25f, rng);
      Tensor s = scales(l.g.numGroups, rng);
      CudaBuffer ds = toDevice(s);
      GroupShape gs = groupsOf(l);
      expectSame(
          l.name, x,
          [&](Tensor &y) { return lsqForward(x, s, grid.qn, grid.qp, l.g, y); },
          [&](const float *dx, float *dy) {
            return cuda::lsqForward(dx, ds.as<const float>(), grid.qn, grid.qp,
                                    gs, dy);
          });
    }
}

TEST(CudaFakeQuant, LsqPlusMatchesCpu) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(1403);
  for (const Layout &l : layouts()) {
    Tensor x = quantizerInput(l.shape, 40.f, 0.25f, rng);
    Tensor s = scales(l.g.numGroups, rng);
    Tensor beta = params(l.g.numGroups, -0.5f, 0.5f, rng);
    CudaBuffer ds = toDevice(s), db = toDevice(beta);
    GroupShape gs = groupsOf(l);
    expectSame(
        l.name, x,
        [&](Tensor &y) {
          return lsqPlusForward(x, s, beta, 128.f, 127.f, l.g, y);
        },
        [&](const float *dx, float *dy) {
          return cuda::lsqPlusForward(dx, ds.as<const float>(),
                                      db.as<const float>(), 128.f, 127.f, gs,
                                      dy);
        });
  }
}

TEST(CudaFakeQuant, PactMatchesCpu) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(1404);
  for (int bits : {2, 4, 8})
    for (const Layout &l : layouts()) {
      Tensor x = quantizerInput(l.shape, 4.f, 0.25f, rng);
      Tensor alpha = params(l.g.numGroups, 0.5f, 3.f, rng);
      CudaBuffer da = toDevice(alpha);
      GroupShape gs = groupsOf(l);
      expectSame(
          l.name, x,
          [&](Tensor &y) { return pactForward(x, alpha, bits, l.g, y); },
          [&](const float *dx, float *dy) {
            return cuda::pactForward(dx, da.as<const float>(), bits, gs, dy);
          });
    }
}

TEST(CudaFakeQuant, XnorPlusPlusMatchesCpu) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(1405);
  for (const Layout &l : layouts()) {
    Tensor w = quantizerInput(l.shape, 2.f, 0.25f, rng);
    Tensor s = params(l.g.numGroups, 0.1f, 1.f, rng);
    CudaBuffer ds = toDevice(s);
    GroupShape gs = groupsOf(l);
    expectSame(
        l.name, w, [&](Tensor &y) { return xnorWeightScaled(w, s, l.g, y); },
        [&](const float *dx, float *dy) {
          return cuda::xnorWeightScaled(dx, ds.as<const float>(), gs, dy);
        });
  }
}

TEST(CudaFakeQuant, PerTensorMethodsMatchCpu) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(1406);
  Tensor x = quantizerInput({4, 16, 9, 11}, 3.f, 0.125f, rng);
  int64_t n = x.numel();
  for (float clip : {1.f, 2.5f})
    for (int bits : {1, 2, 8})
      expectSame(
          "dorefa activation", x,
          [&](Tensor &y) { return dorefaActivation(x, clip, bits, y); },
          [&](const float *dx, float *dy) {
            return cuda::dorefaActivation(dx, clip, bits, n, dy);
          });
  expectSame(
      "sign", x, [&](Tensor &y) { return signActivation(x, y); },
      [&](const float *dx, float *dy) {
        return cuda::signActivation(dx, n, dy);
      });
  Tensor alpha = params(5, 1.f, 5.f, rng);
  CudaBuffer da = toDevice(alpha);
  expectSame(
      "non-uniform", x,
      [&](Tensor &y) { return nonUniformForward(x, alpha, y); },
      [&](const float *dx, float *dy) {
        return cuda::nonUniformForward(dx, da.as<const float>(), 5, n, dy);
      });
  expectSame(
      "relu", x, [&](Tensor &y) { return relu(x, y); },
      [&](const float *dx, float *dy) { return cuda::relu(dx, n, dy); });
}

TEST(CudaFakeQuant, LqNetsMatchesCpu) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(1407);
  for (int k : {1, 2, 3})
    for (bool signedCodes : {true, false})
      for (const Layout &l : layouts()) {
        Tensor x = quantizerInput(l.shape, 3.f, 0.25f, rng);
        Tensor basis = randomUniform({l.g.numGroups, k}, 0.1f, 1.5f, rng);
        CudaBuffer db = toDevice(basis);
        GroupShape gs = groupsOf(l);
        size_t bytes = cuda::lqnetWorkspaceBytes(gs.numGroups, k);
        Expected<CudaBuffer> work = CudaBuffer::allocate(bytes);
        ASSERT_TRUE(work.hasValue()) << work.status().toString();
        expectSame(
            l.name, x,
            [&](Tensor &y) {
              return lqnetForward(x, basis, signedCodes, l.g, y);
            },
            [&](const float *dx, float *dy) {
              return cuda::lqnetForward(dx, db.as<const float>(), k,
                                        signedCodes, gs, work->data(), bytes,
                                        dy);
            });
      }
}

TEST(CudaFakeQuant, InPlace) {
  QRT_SKIP_WITHOUT_GPU();
  std::mt19937 rng(1408);
  Tensor x = quantizerInput({3, 16, 4, 5}, 40.f, 0.25f, rng);
  Tensor s = scales(16, rng);
  Granularity g = Granularity::perChannel(1, 16);
  Tensor expected;
  ASSERT_OK(lsqForward(x, s, 128.f, 127.f, g, expected));
  CudaBuffer dx = toDevice(x), ds = toDevice(s);
  Expected<GroupShape> gs = cuda::groupShapeOf(x.shape(), g);
  ASSERT_TRUE(gs.hasValue());
  ASSERT_OK(cuda::lsqForward(dx.as<const float>(), ds.as<const float>(), 128.f,
                             127.f, *gs, dx.as<float>()));
  EXPECT_TRUE(bitEqual(expected, toHost(dx, x.shape(), DType::F32)));
}

} // namespace
