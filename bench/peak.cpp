// The machine's measured fp32 and int8 peak, for bench/speed.py's "fraction
// of peak" columns: oneDNN matmuls large enough to run at the best kernel's
// rate (M = N = K = 1024; f32 x f32 -> f32 and u8 x s8 -> s32), at the
// threads OpenMP is given. Prints one line per type:
//   peak f32 <GFLOP/s> <implementation>
//   peak int8 <GOP/s> <implementation>
// counting a multiply-add as 2 operations. The best of 5 timings of 10 runs.
//
//   c++ -O2 -fopenmp bench/peak.cpp -ldnnl -o peak && OMP_NUM_THREADS=1 ./peak
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

using namespace dnnl;

static void peak(const char *name, memory::data_type src, memory::data_type wei,
                 memory::data_type dst) {
  const memory::dim n = 1024;
  engine eng(engine::kind::cpu, 0);
  stream s(eng);
  memory::desc a({n, n}, src, memory::format_tag::ab);
  memory::desc b({n, n}, wei, memory::format_tag::any);
  memory::desc c({n, n}, dst, memory::format_tag::ab);
  matmul::primitive_desc pd(matmul::desc(a, b, c), eng);
  memory ma(a, eng), mb(pd.weights_desc(), eng), mc(c, eng);
  std::memset(ma.get_data_handle(), 1, a.get_size());
  std::memset(mb.get_data_handle(), 1, pd.weights_desc().get_size());
  matmul prim(pd);
  auto once = [&] {
    prim.execute(s, {{DNNL_ARG_SRC, ma}, {DNNL_ARG_WEIGHTS, mb},
                     {DNNL_ARG_DST, mc}});
    s.wait();
  };
  once();
  double best = 1e30;
  for (int t = 0; t < 5; ++t) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 10; ++i)
      once();
    double sec = std::chrono::duration<double>(
                     std::chrono::steady_clock::now() - t0).count() / 10;
    best = std::min(best, sec);
  }
  std::printf("peak %s %.1f %s\n", name, 2.0 * n * n * n / best / 1e9,
              pd.impl_info_str());
}

int main() {
  peak("f32", memory::data_type::f32, memory::data_type::f32,
       memory::data_type::f32);
  peak("int8", memory::data_type::u8, memory::data_type::s8,
       memory::data_type::s32);
  return 0;
}
