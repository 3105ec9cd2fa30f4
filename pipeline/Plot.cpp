//===- Plot.cpp - the report's per-layer charts (PLplot) ------------------===//
//
// Bar charts drawn by PLplot (Debian's libplplot, cairo PNG driver), one bar
// per layer named by its layer name (the report's layer table, in order),
// with a title and axis names:
// - sqnr.png: the output SQNR in dB. A layer whose fake-quantized output
//   equals the float one has an infinite SQNR: its bar is full height and
//   green, as the legend says.
// - ranges.png: the float [min, max] of each layer's input activation and
//   of its weight, two panels, floating bars.
//
//===----------------------------------------------------------------------===//

#include "pipeline/Analysis.h"

#include "llvm/Support/raw_ostream.h"

#include <plplot/plplot.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

using namespace mlir;

/// 90 dots per inch and 5 mm characters. PLplot scales text with the page
/// height, which is therefore fixed: the layer names (at 0.8 of the size)
/// take about 9.5 px a character, and the 480 px under the plot hold
/// kMaxName of them.
static constexpr double kDpi = 90, kCharMm = 5.0;
static constexpr size_t kMaxName = 44;
static constexpr int kNamesH = 480;

/// `name`, or its last kMaxName - 1 characters after an ellipsis (the
/// report's layer table has the whole name).
static std::string shortName(const std::string &name) {
  if (name.size() <= kMaxName)
    return name;
  return "..." + name.substr(name.size() - (kMaxName - 3));
}

/// Colour map entries both charts use: black text, light grid lines and
/// two bar colours.
enum { kBlack = 1, kFirst = 2, kGrid = 3, kSecond = 4 };

struct Rgb {
  int r, g, b;
};

/// Opens `path` as a white width x height PNG page with the colour map
/// (`first`, `second` for the bars) and absolute character sizes.
static LogicalResult beginPage(const std::string &path, int width, int height,
                               Rgb first, Rgb second) {
  // PLplot ends the process on a file it cannot open: check first.
  if (!std::ofstream(path)) {
    llvm::errs() << "qc: error: cannot write " << path << "\n";
    return failure();
  }
  plsdev("pngcairo");
  plsfnam(path.c_str());
  plspage(kDpi, kDpi, width, height, 0, 0);
  plscolbg(255, 255, 255);
  plscol0(kBlack, 0, 0, 0);
  plscol0(kFirst, first.r, first.g, first.b);
  plscol0(kGrid, 210, 210, 210);
  plscol0(kSecond, second.r, second.g, second.b);
  plinit();
  // Absolute character sizes (PLplot scales the default with the page).
  plschr(kCharMm, 1.0);
  pladv(0);
  return success();
}

/// The bar of layer `i` from `lo` to `hi`, in colour `color`.
static void fillBar(int i, double lo, double hi, int color) {
  PLFLT x[4] = {i - 0.35, i - 0.35, i + 0.35, i + 0.35};
  PLFLT y[4] = {lo, hi, hi, lo};
  plcol0(color);
  plfill(4, x, y);
}

/// The layer names under the last viewport, the x axis's name under them,
/// and the page written.
static void endPage(const std::vector<qopt::LayerRecord> &layers, int height) {
  int n = std::max<int>(1, layers.size());
  plschr(kCharMm, 0.8);
  for (int i = 0; i < (int)layers.size(); ++i)
    plmtex("bv", 0.5, (i + 0.5) / n, 1.0, shortName(layers[i].name).c_str());
  plschr(kCharMm, 1.0);
  plvpor(0, 1, 0, 1);
  plwind(0, 1, 0, 1);
  plptex(0.5, 15.0 / height, 1, 0, 0.5, "layer");
  plend();
}

LogicalResult qopt::writeSqnrPlot(const std::string &path,
                                  const std::vector<LayerRecord> &layers) {
  double top = 10.0;
  bool anyExact = false;
  for (const LayerRecord &l : layers) {
    if (std::isfinite(l.sqnrDb))
      top = std::max(top, std::ceil(l.sqnrDb / 10.0) * 10.0);
    else
      anyExact = true;
  }
  int n = std::max<int>(1, layers.size());
  // Pixels: the plot 440 high, under it the names and the axis name; 60 px
  // a bar.
  int namesH = kNamesH, width = std::max(900, 200 + 60 * n), height = 1040;
  // Bars blue; green for the layers identical to float.
  if (failed(beginPage(path, width, height, {31, 119, 180}, {44, 160, 44})))
    return failure();
  plvpor(170.0 / width, 1.0 - 30.0 / width, (double)namesH / height,
         1.0 - 100.0 / height);
  plwind(-0.5, n - 0.5, 0, top);
  plcol0(kGrid);
  plbox("", 0, 0, "g", 10, 0);
  for (int i = 0; i < (int)layers.size(); ++i) {
    double v = layers[i].sqnrDb;
    bool finite = std::isfinite(v);
    fillBar(i, 0, finite ? std::clamp(v, 0.0, top) : top,
            finite ? kFirst : kSecond);
  }
  plcol0(kBlack);
  plbox("bc", 0, 0, "bcnstv", 10, 0);
  pllab("", "SQNR (dB, higher is better)",
        "Per-layer SQNR, fake-quant vs float");
  if (anyExact)
    plmtex("t", 0.5, 1.0, 1.0, "green: identical to float");
  endPage(layers, height);
  return success();
}

namespace {

/// The y interval of a panel showing [lo, hi]: zero included, 5% margins.
std::pair<double, double> panelRange(double lo, double hi) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  if (!(hi > lo))
    hi = lo + 1;
  double pad = 0.05 * (hi - lo);
  return {lo - pad, hi + pad};
}

} // namespace

LogicalResult qopt::writeRangesPlot(const std::string &path,
                                    const std::vector<LayerRecord> &layers) {
  int n = std::max<int>(1, layers.size());
  // Text scales with the page height: 1300 px make it 1.25 times the
  // SQNR chart's, and the names' room with it.
  int height = 1300, namesH = kNamesH * height / 1040, panelH = 320,
      width = std::max(900, 200 + 60 * n);
  // Activation ranges blue, weight ranges orange.
  if (failed(beginPage(path, width, height, {31, 119, 180}, {255, 127, 14})))
    return failure();
  struct Panel {
    const char *title, *axis;
    int color;
    float LayerRecord::*lo, LayerRecord::*hi;
  };
  const Panel panels[2] = {
      {"Input activation range per layer (float, first calibration batch)",
       "activation", kFirst, &LayerRecord::inMin, &LayerRecord::inMax},
      {"Weight range per layer (float, batch norm folded)", "weight", kSecond,
       &LayerRecord::wMin, &LayerRecord::wMax}};
  for (int p = 0; p < 2; ++p) {
    const Panel &panel = panels[p];
    double lo = 0, hi = 0;
    for (const LayerRecord &l : layers)
      if (std::isfinite(l.*panel.lo) && std::isfinite(l.*panel.hi)) {
        lo = std::min<double>(lo, l.*panel.lo);
        hi = std::max<double>(hi, l.*panel.hi);
      }
    auto [ylo, yhi] = panelRange(lo, hi);
    // Top panel first; pixel rows counted from the bottom of the page.
    double bottom = namesH + (1 - p) * (panelH + 30);
    plvpor(170.0 / width, 1.0 - 30.0 / width, bottom / height,
           (bottom + panelH - 90) / height);
    plwind(-0.5, n - 0.5, ylo, yhi);
    plcol0(kGrid);
    plbox("", 0, 0, "g", 0, 0);
    for (int i = 0; i < (int)layers.size(); ++i) {
      double a = layers[i].*panel.lo, b = layers[i].*panel.hi;
      if (std::isfinite(a) && std::isfinite(b))
        fillBar(i, a, b, panel.color);
    }
    plcol0(kBlack);
    PLFLT zx[2] = {-0.5, n - 0.5}, zy[2] = {0, 0};
    plline(2, zx, zy);
    plbox("bc", 0, 0, "bcnstv", 0, 0);
    pllab("", panel.axis, panel.title);
  }
  endPage(layers, height);
  return success();
}
