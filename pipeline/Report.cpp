//===- Report.cpp - the report of `qc quantize` ---------------------------===//

#include "pipeline/Pipeline.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace qopt;

/// The accuracy and timing table, as Markdown.
/// Columns without a value in any row (top-5 of a 5-class model is always
/// 100%, agreement needs the float row) still print, empty, so that the
/// table keeps one shape for scripts.
static void printStages(llvm::raw_ostream &os, const QuantizeReport &report) {
  os << "| stage | top-1 | top-5 | agrees with float | images/s | time (s) | "
        "output |\n"
     << "|---|---|---|---|---|---|---|\n";
  auto percent = [&](double v) {
    if (v >= 0)
      os << llvm::format("%.2f%%", v);
    os << " | ";
  };
  for (const StageRecord &s : report.stages) {
    os << "| " << s.name << " | ";
    percent(s.top1);
    percent(s.top5);
    percent(s.agreement);
    if (s.evaluation)
      os << llvm::format("%.0f", s.imagesPerSecond);
    os << " | " << llvm::format("%.2f", s.seconds) << " | " << s.artifact
       << " |\n";
  }
}

/// A detector's evaluation stages (--detector): COCO box mAP.
static void printMap(llvm::raw_ostream &os, const QuantizeOptions &options,
                     const QuantizeReport &report) {
  bool any = false;
  for (const StageRecord &s : report.stages)
    any |= s.ap >= 0 || (s.evaluation && !options.detector.empty());
  if (!any)
    return;
  os << "\n## COCO mAP\n\n"
     << "`--detector " << options.detector
     << "`: qrt's post-processing of the body's maps, COCO box AP as "
        "pycocotools' COCOeval (bbox, area all, 100 detections per image) "
        "on "
     << report.evalData << (options.evalLimit > 0 ? " (first " + std::to_string(options.evalLimit) + " images)" : "")
     << ".\n\n| stage | AP | AP50 | AP75 |\n|---|---|---|---|\n";
  for (const StageRecord &s : report.stages)
    if (s.evaluation && (s.ap >= 0 || !options.detector.empty()))
      os << "| " << s.name << " | " << llvm::format("%.4f", s.ap) << " | "
         << llvm::format("%.4f", s.ap50) << " | "
         << llvm::format("%.4f", s.ap75) << " |\n";
}

LogicalResult qopt::writeReport(const QuantizeOptions &options,
                                const QuantizeReport &report) {
  std::string path = options.outDir + "/report.md";
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Text);
  if (ec) {
    llvm::errs() << "qc: error: cannot write " << path << ": " << ec.message()
                 << "\n";
    return failure();
  }
  os << "# qc quantize report\n\n"
     << "- model: `" << options.model << "`\n"
     << "- policy: `" << options.policy << "`"
     << (options.policyFile.empty() ? "" : " + `" + options.policyFile + "`")
     << "\n- mode: " << options.mode << ", observer: " << options.observer
     << ", calibration images: " << options.calibImages << "\n"
     << "- training data: " << report.trainData << "\n"
     << "- calibration data: " << report.calibData << "\n"
     << "- evaluation data: " << report.evalData << "\n"
     << "- preprocessing (`--transform`): `"
     << (options.transform.empty() ? std::string("(default)")
                                   : options.transform)
     << "`\n\n";
  printStages(os, report);
  printMap(os, options, report);
  os << "\n## Quantizers\n\n"
     << "| name | role | method | bits | groups | scale min | scale max |\n"
     << "|---|---|---|---|---|---|---|\n";
  for (const QuantizerRecord &q : report.quantizers)
    os << "| " << q.name << " | " << q.role << " | " << q.method << " | "
       << q.bits << " | " << q.groups << " | " << llvm::format("%.6g", q.minScale)
       << " | " << llvm::format("%.6g", q.maxScale) << " |\n";
  if (!report.notes.empty()) {
    os << "\n## Notes\n\n";
    for (const std::string &n : report.notes)
      os << "- " << n << "\n";
  }
  if (!report.layers.empty()) {
    os << "\n## Layers\n\n"
       << "Output SQNR = 10 log10(sum y^2 / sum (y - y_q)^2), y the layer's "
          "output in the float graph and y_q in the fake-quant graph (test "
          "mode, errors of earlier layers included), on the first "
          "calibration batch ("
       << options.batchSize
       << " images). Ranges are float: the layer's input "
          "activation on that batch, and its (BN-folded) weight.\n\n"
       << "| # | layer | op | wt bits | fm bits | SQNR (dB) | input min | "
          "input max | weight min | weight max |\n"
       << "|---|---|---|---|---|---|---|---|---|---|\n";
    for (size_t i = 0; i < report.layers.size(); ++i) {
      const LayerRecord &l = report.layers[i];
      auto bits = [](int64_t b) {
        return b ? std::to_string(b) : std::string("float");
      };
      os << "| " << i << " | " << l.name << " | " << l.kind << " | "
         << bits(l.weightBits) << " | " << bits(l.actBits) << " | "
         << llvm::format("%.2f", l.sqnrDb) << " | "
         << llvm::format("%.4g", l.inMin) << " | "
         << llvm::format("%.4g", l.inMax) << " | "
         << llvm::format("%.4g", l.wMin) << " | "
         << llvm::format("%.4g", l.wMax) << " |\n";
    }
    if (!report.sqnrPlot.empty())
      os << "\n![per-layer output SQNR (dB), bars by layer #](" << report.sqnrPlot
         << ")\n";
    if (!report.rangesPlot.empty())
      os << "\n![per-layer float ranges of the input activation and the "
            "weight](" << report.rangesPlot << ")\n";
  }
  if (!report.biasCorrections.empty()) {
    os << "\n## Bias correction\n\n"
       << "Per output channel, the mean of the fake-quant layer output minus "
          "the float one over the calibration images, subtracted from the "
          "bias (layer by layer, earlier layers already corrected).\n\n"
       << "| # | layer | mean abs shift | max abs shift |\n|---|---|---|---|\n";
    for (const BiasCorrectionRecord &b : report.biasCorrections)
      os << "| " << b.layer << " | "
         << (b.layer < report.layers.size() ? report.layers[b.layer].name
                                            : std::string())
         << " | " << llvm::format("%.4g", b.meanAbsShift) << " | "
         << llvm::format("%.4g", b.maxAbsShift) << " |\n";
  }
  if (!report.reconstruction.empty()) {
    os << "\n## AdaRound reconstruction\n\n"
       << "Layer by layer, the rounding of each weight (up or down) chosen to "
          "minimize the layer's output error on the calibration images "
          "(docs/reconstruction.md). Output loss: C x mean squared error "
          "against the float layer, mean over the last tenth of the "
          "iterations; rounding loss: the regularizer at the end (0 when "
          "every rounding is decided).\n\n"
       << "| layer | iterations | output loss | rounding loss | seconds | "
          "iterations/s |\n|---|---|---|---|---|---|\n";
    for (const ReconstructionRecord &r : report.reconstruction)
      os << "| " << r.layer << " | " << r.iterations << " | "
         << llvm::format("%.5g", r.recLoss) << " | "
         << llvm::format("%.4g", r.regLoss) << " | "
         << llvm::format("%.1f", r.seconds) << " | "
         << llvm::format("%.0f", r.iterationsPerSecond) << " |\n";
  }
  if (!report.learnedActivations.empty()) {
    os << "\n### Activation quantizers learned during reconstruction\n\n"
       << "LSQ steps (and other learnable activation parameters) learned by "
          "Adam with the unit that reads them (mean over their elements).\n\n"
       << "| parameter | calibrated | learned | change |\n|---|---|---|---|\n";
    for (const LearnedParamRecord &r : report.learnedActivations)
      os << "| " << r.name << " | " << llvm::format("%.5g", r.calibrated)
         << " | " << llvm::format("%.5g", r.learned) << " | "
         << llvm::format("%+.2f%%", r.calibrated != 0
                                        ? 100 * (r.learned / r.calibrated - 1)
                                        : 0.0)
         << " |\n";
  }
  printStages(llvm::outs(), report);
  printMap(llvm::outs(), options, report);
  llvm::outs() << "report: " << path << "\n";
  return success();
}
