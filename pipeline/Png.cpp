//===- Png.cpp - a dependency-free PNG bar chart of per-layer SQNR --------===//
//
// The system python has no matplotlib, so the report's plot is drawn here:
// an RGB image, zlib "stored" (uncompressed) deflate blocks, CRC-32 and
// Adler-32 by hand. Labels use a 3x5 pixel digit font: y-axis ticks every
// 10 dB, and each bar's layer index (the row number of the report's layer
// table) under it.
//
//===----------------------------------------------------------------------===//

#include "pipeline/Analysis.h"

#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

using namespace mlir;

namespace {
struct Image {
  int w, h;
  std::vector<uint8_t> rgb;
  Image(int w, int h) : w(w), h(h), rgb(size_t(w) * h * 3, 255) {}
  void set(int x, int y, std::array<uint8_t, 3> c) {
    if (x < 0 || y < 0 || x >= w || y >= h)
      return;
    std::copy(c.begin(), c.end(), rgb.begin() + (size_t(y) * w + x) * 3);
  }
  void fill(int x0, int y0, int x1, int y1, std::array<uint8_t, 3> c) {
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x)
        set(x, y, c);
  }
  /// Digits and '-' in a 3x5 font, scaled by `s`, top-left at (x, y).
  void text(int x, int y, const std::string &str, int s,
            std::array<uint8_t, 3> c) {
    static const char *glyphs[11] = {
        "111101101101111", "010110010010111", "111001111100111",
        "111001111001111", "101101111001001", "111100111001111",
        "111100111101111", "111001001001001", "111101111101111",
        "111101111001111", "000000111000000"};
    for (char ch : str) {
      int g = ch == '-' ? 10 : ch - '0';
      if (g < 0 || g > 10)
        continue;
      for (int r = 0; r < 5; ++r)
        for (int k = 0; k < 3; ++k)
          if (glyphs[g][r * 3 + k] == '1')
            fill(x + k * s, y + r * s, x + (k + 1) * s, y + (r + 1) * s, c);
      x += 4 * s;
    }
  }
};

uint32_t crc32(const uint8_t *p, size_t n, uint32_t crc = 0) {
  crc = ~crc;
  for (size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int k = 0; k < 8; ++k)
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void put32(std::string &s, uint32_t v) {
  for (int i = 3; i >= 0; --i)
    s.push_back(char((v >> (8 * i)) & 0xff));
}

void chunk(std::string &png, const char *type, const std::string &data) {
  put32(png, uint32_t(data.size()));
  std::string body = std::string(type, 4) + data;
  png += body;
  put32(png, crc32(reinterpret_cast<const uint8_t *>(body.data()),
                   body.size()));
}

std::string encodePng(const Image &img) {
  std::string raw;
  for (int y = 0; y < img.h; ++y) {
    raw.push_back(0); // filter: none
    raw.append(reinterpret_cast<const char *>(&img.rgb[size_t(y) * img.w * 3]),
               size_t(img.w) * 3);
  }
  std::string z = "\x78\x01";
  for (size_t off = 0; off < raw.size() || off == 0; off += 65535) {
    size_t n = std::min<size_t>(65535, raw.size() - off);
    z.push_back(off + n >= raw.size() ? 1 : 0);
    z.push_back(char(n & 0xff));
    z.push_back(char(n >> 8));
    z.push_back(char(~n & 0xff));
    z.push_back(char((~n >> 8) & 0xff));
    z.append(raw, off, n);
    if (raw.empty())
      break;
  }
  uint32_t a = 1, b = 0;
  for (unsigned char c : raw) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  put32(z, (b << 16) | a);
  std::string ihdr;
  put32(ihdr, uint32_t(img.w));
  put32(ihdr, uint32_t(img.h));
  ihdr += std::string("\x08\x02\x00\x00\x00", 5); // 8-bit RGB
  std::string png = "\x89PNG\r\n\x1a\n";
  chunk(png, "IHDR", ihdr);
  chunk(png, "IDAT", z);
  chunk(png, "IEND", "");
  return png;
}
} // namespace

LogicalResult qopt::writeSqnrPng(const std::string &path,
                                 const std::vector<LayerRecord> &layers) {
  double top = 10.0;
  for (const LayerRecord &l : layers)
    if (std::isfinite(l.sqnrDb))
      top = std::max(top, std::ceil(l.sqnrDb / 10.0) * 10.0);
  const int left = 50, right = 20, topPad = 20, bottom = 40, plotH = 300;
  int n = std::max<int>(1, layers.size());
  int barW = 36, gap = 12;
  int plotW = n * (barW + gap) + gap;
  Image img(left + plotW + right, topPad + plotH + bottom);
  std::array<uint8_t, 3> grid = {220, 220, 220}, axis = {0, 0, 0},
                          bar = {31, 119, 180}, inf = {44, 160, 44};
  int y0 = topPad + plotH; // the 0 dB line
  for (int t = 0; t <= int(top); t += 10) {
    int y = y0 - int(std::lround(t / top * plotH));
    img.fill(left, y, left + plotW, y + 1, t ? grid : axis);
    std::string label = std::to_string(t);
    img.text(left - 6 - int(label.size()) * 8, y - 5, label, 2, axis);
  }
  img.fill(left, topPad, left + 1, y0 + 1, axis);
  for (int i = 0; i < int(layers.size()); ++i) {
    double v = layers[i].sqnrDb;
    bool finite = std::isfinite(v);
    double h = finite ? std::clamp(v, 0.0, top) : top;
    int x = left + gap + i * (barW + gap);
    img.fill(x, y0 - int(std::lround(h / top * plotH)), x + barW, y0,
             finite ? bar : inf);
    std::string label = std::to_string(i);
    img.text(x + barW / 2 - int(label.size()) * 4, y0 + 10, label, 2, axis);
  }
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec) {
    llvm::errs() << "qc: error: cannot write " << path << ": " << ec.message()
                 << "\n";
    return failure();
  }
  os << encodePng(img);
  return success();
}
