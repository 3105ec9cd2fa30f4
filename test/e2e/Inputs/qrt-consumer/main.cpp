// Calls qrt through its installed headers and libqrt.so
// (test/e2e/qrt-install.test): an elementwise kernel, .npy write + read, and
// a oneDNN matmul (oneDNN reached only through libqrt).
#include "runtime/Conv.h"
#include "runtime/Data.h"
#include "runtime/Elementwise.h"
#include "runtime/Threading.h"

#include <cstdio>
#include <cstdlib>

namespace {

void check(const qrt::Status &s) {
  if (!s) {
    std::fprintf(stderr, "error: %s\n", s.toString().c_str());
    std::exit(1);
  }
}

void print(const char *what, const qrt::Tensor &t) {
  std::printf("%s: %s %s", what, qrt::shapeToString(t.shape()).c_str(),
              qrt::dtypeName(t.dtype()));
  for (int64_t i = 0; i < t.numel(); ++i)
    std::printf(" %g", t.data<float>()[i]);
  std::printf("\n");
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: qrt-consumer OUT.npy\n");
    return 2;
  }
  qrt::setNumThreads(1);
  qrt::Tensor x = qrt::Tensor::fromVector<float>(
      {2, 3}, {-1.5f, 0.0f, 2.0f, 3.0f, -4.0f, 0.5f});
  qrt::Tensor y;
  check(qrt::relu(x, y));
  print("relu", y);

  check(qrt::writeNpy(argv[1], y));
  qrt::Expected<qrt::Tensor> back = qrt::readNpy(argv[1]);
  check(back.status());
  print("npy", *back);

  qrt::Tensor w =
      qrt::Tensor::fromVector<float>({3, 2}, {1.0f, 0.0f, 0.0f, 1.0f, 1.0f, 1.0f});
  qrt::Tensor z;
  check(qrt::matmul(*back, w, z));
  print("matmul", z);
  return 0;
}
