//===- FuzzCoco.cpp - libFuzzer target: qrt::readCocoAnnotations ----------===//
//
// The input is the json; its images resolve against a directory holding one
// file, `a.png` (the seeds name it), so that the checks past the image list
// (categories, annotations, boxes) are reached.
//
//===----------------------------------------------------------------------===//

#include "fuzz/FuzzUtil.h"
#include "runtime/Coco.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

static const std::string &imagesDir() {
  static const std::string dir = [] {
    std::string d = (std::filesystem::temp_directory_path() /
                     ("qopt-fuzz-coco-" + std::to_string(::getpid())))
                        .string();
    std::filesystem::create_directories(d);
    FILE *f = std::fopen((d + "/a.png").c_str(), "wb");
    if (!f)
      std::abort();
    std::fclose(f);
    return d;
  }();
  return dir;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  qrt::Expected<qrt::CocoAnnotations> a = qrt::readCocoAnnotations(
      qopt::fuzz::writeScratch(data, size, ".json"), imagesDir());
  if (a) {
    // Every box names an image and a category of the file.
    for (const qrt::CocoBox &b : a->boxes)
      if (b.image < 0 || b.image >= int64_t(a->images.size()) ||
          b.category < 0 || b.category >= int64_t(a->categories.size()))
        std::abort();
  }
  return 0;
}
