//===- FuzzImage.cpp - libFuzzer target: PNG / JPEG decoding --------------===//
//
// qrt::decodeImage (libpng, libjpeg-turbo) on the input's bytes: what an
// image folder (qc --data folder:DIR) reads.
//
//===----------------------------------------------------------------------===//

#include "runtime/Dataset.h"

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  qrt::Image image;
  if (qrt::decodeImage(bytes, "input", image)) {
    // Every pixel read: a decoder that wrote fewer than it reports shows.
    volatile float sum = 0.f;
    for (float v : image.pixels)
      sum = sum + v;
    if (static_cast<int64_t>(image.pixels.size()) !=
        image.channels * image.height * image.width)
      __builtin_trap();
  }
  return 0;
}
