//===- Plot.cpp - the report's per-layer SQNR chart (PLplot) --------------===//
//
// A bar chart drawn by PLplot (Debian's libplplot, cairo PNG driver): a
// title, the y axis in dB, one bar per quantized layer named by its layer
// name (the report's layer table, in order). A layer whose fake-quantized
// output equals the float one has an infinite SQNR: its bar is full height
// and green, as the legend says.
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

LogicalResult qopt::writeSqnrPlot(const std::string &path,
                                  const std::vector<LayerRecord> &layers) {
  // PLplot ends the process on a file it cannot open: check first.
  if (!std::ofstream(path)) {
    llvm::errs() << "qc: error: cannot write " << path << "\n";
    return failure();
  }
  double top = 10.0;
  bool anyExact = false;
  for (const LayerRecord &l : layers) {
    if (std::isfinite(l.sqnrDb))
      top = std::max(top, std::ceil(l.sqnrDb / 10.0) * 10.0);
    else
      anyExact = true;
  }
  int n = std::max<int>(1, layers.size());
  size_t longest = 0;
  for (const LayerRecord &l : layers)
    longest = std::max(longest, l.name.size());
  // Pixels: the plot 420 high, under it the names (about 9 px a
  // character at the labels' size) and the axis name; 60 px a bar.
  int namesH = 9 * (int)longest + 60, width = std::max(900, 160 + 60 * n),
      height = 480 + namesH;
  enum { kBlack = 1, kBar = 2, kGrid = 3, kExact = 4 };
  plsdev("pngcairo");
  plsfnam(path.c_str());
  plspage(0, 0, width, height, 0, 0);
  plscolbg(255, 255, 255);
  plscol0(kBlack, 0, 0, 0);
  plscol0(kBar, 31, 119, 180);
  plscol0(kGrid, 210, 210, 210);
  plscol0(kExact, 44, 160, 44);
  plinit();
  pladv(0);
  plvpor(120.0 / width, 1.0 - 30.0 / width, (double)namesH / height,
         1.0 - 60.0 / height);
  plwind(-0.5, n - 0.5, 0, top);
  plcol0(kGrid);
  plbox("", 0, 0, "g", 10, 0);
  for (int i = 0; i < (int)layers.size(); ++i) {
    double v = layers[i].sqnrDb;
    bool finite = std::isfinite(v);
    double h = finite ? std::clamp(v, 0.0, top) : top;
    PLFLT x[4] = {i - 0.35, i - 0.35, i + 0.35, i + 0.35};
    PLFLT y[4] = {0, h, h, 0};
    plcol0(finite ? kBar : kExact);
    plfill(4, x, y);
  }
  plcol0(kBlack);
  plbox("bc", 0, 0, "bcnstv", 10, 0);
  pllab("", "SQNR (dB, higher is better)",
        "Per-layer SQNR, fake-quant vs float");
  if (anyExact)
    plmtex("t", 0.5, 1.0, 1.0, "green: identical to float");
  plschr(0, 0.75);
  for (int i = 0; i < (int)layers.size(); ++i)
    plmtex("bv", 0.5, (i + 0.5) / n, 1.0, layers[i].name.c_str());
  // The x axis's name, under the layer names.
  plschr(0, 1.0);
  plvpor(0, 1, 0, 1);
  plwind(0, 1, 0, 1);
  plptex(0.5, 15.0 / height, 1, 0, 0.5, "layer");
  plend();
  return success();
}
