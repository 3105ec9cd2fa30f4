//===- FuzzTransform.cpp - libFuzzer target: --transform specs ------------===//
//
// qrt::Preprocess::parse on the input as a spec, then the transforms
// applied to an 8-bit 3 x 7 x 9 image, as a training batch (random
// transforms drawn) and as an evaluation one.
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
