//===- Report.cpp - the report of `qc quantize` ---------------------------===//

#include "tools/qc/Pipeline.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace qopt;

/// The accuracy and timing table, as Markdown.
static void printStages(llvm::raw_ostream &os, const QuantizeReport &report) {
  os << "| stage | top-1 | images/s | time (s) | output |\n"
     << "|---|---|---|---|---|\n";
  for (const StageRecord &s : report.stages) {
    os << "| " << s.name << " | ";
    if (s.top1 >= 0)
      os << llvm::format("%.2f%%", s.top1) << " | "
         << llvm::format("%.0f", s.imagesPerSecond);
    else
      os << " | ";
    os << " | " << llvm::format("%.2f", s.seconds) << " | " << s.artifact
       << " |\n";
  }
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
     << ", calibration images: " << options.calibImages << "\n\n";
  printStages(os, report);
  os << "\n## Quantizers\n\n"
     << "| name | role | method | bits | groups | scale min | scale max |\n"
     << "|---|---|---|---|---|---|---|\n";
  for (const QuantizerRecord &q : report.quantizers)
    os << "| " << q.name << " | " << q.role << " | " << q.method << " | "
       << q.bits << " | " << q.groups << " | " << llvm::format("%.6g", q.minScale)
       << " | " << llvm::format("%.6g", q.maxScale) << " |\n";
  printStages(llvm::outs(), report);
  llvm::outs() << "report: " << path << "\n";
  return success();
}
