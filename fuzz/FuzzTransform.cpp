//===- FuzzTransform.cpp - libFuzzer target: --transform specs ------------===//
//
// qrt::Preprocess::parse on the input as a spec, then the transforms
// applied to an 8-bit 3 x 7 x 9 image, as a training batch (random
// transforms drawn) and as an evaluation one. Specs whose sizes exceed
// 256 are parsed but not applied: a Resize(3632) of a 7 x 9 image is a
// legitimate 3 x 3632 x 4669 image (qrt refuses only beyond 3 x 4096 x 4096,
// PreprocessTest) whose bilinear pass under ASan took > 25 s on a loaded
// machine, a libFuzzer timeout that is not a hang; small sizes keep the
// target on the transforms' logic.
//
//===----------------------------------------------------------------------===//

#include "runtime/Preprocess.h"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string spec(reinterpret_cast<const char *>(data), size);
  qrt::Expected<qrt::Preprocess> p = qrt::Preprocess::parse(spec);
  if (!p)
    return 0;
  (void)p->str();
  for (const qrt::Preprocess::Step &step : p->steps())
    if (step.kind != qrt::Preprocess::Kind::Normalize)
      for (float a : step.args)
        if (!(a <= 256.f))
          return 0;
  for (bool train : {false, true}) {
    qrt::Image image;
    image.resize(3, 7, 9);
    image.eightBit = true;
    for (size_t i = 0; i < image.pixels.size(); ++i)
      image.pixels[i] = static_cast<float>(i % 256);
    if (p->apply(image, train, size)) {
      if (static_cast<int64_t>(image.pixels.size()) !=
          image.channels * image.height * image.width)
        __builtin_trap();
    }
  }
  return 0;
}
