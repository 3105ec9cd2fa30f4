//===- Policy.h - the quantization policy data model ------------*- C++ -*-===//
//
// One declarative description of which tensors of which layers are
// fake-quantized and how, filled from either of its two spellings:
// model-quantization's keyword string (PolicyKeywords.cpp) and a QDrop /
// MQBench YAML file (PolicyYaml.cpp). qnn-apply-policy reads it; the grammar
// and every keyword are documented in docs/policy.md.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_PASSES_POLICY_H
#define QOPT_PASSES_POLICY_H

#include "dialect/QnnOps.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace qopt::policy {

/// model-quantization's tensor tags: a layer's input feature map, its
/// weight, its output.
enum class Tag { Fm, Wt, Ot };

/// `quant_group=C`: one parameter set per channel.
constexpr int64_t kPerChannel = -1;
constexpr int64_t kMaxBits = 16;

/// How one tensor of a layer is quantized.
struct TensorPolicy {
  bool enable = true;
  /// Set by `<tag>_method=` or a YAML quantizer; otherwise the method
  /// keyword decides (resolveTensor).
  std::optional<qnn::QuantMethod> method;
  /// Unset: 1 for the binary methods, 8 otherwise.
  std::optional<int64_t> bits;
  /// 1 = per tensor, kPerChannel, or N contiguous groups of channels.
  /// Unset: per channel for the weights of uniform, adaround and the xnor
  /// methods, per tensor otherwise.
  std::optional<int64_t> quantGroup;
  qnn::Adaptive adaptive = qnn::Adaptive::None;
  qnn::GradType grad = qnn::GradType::Ste;
  qnn::GradScale gradScale = qnn::GradScale::None;
  /// Clip initial value (PACT's alpha, DoReFa's / LQ-Nets' range).
  std::optional<double> boundary;
  /// Calibration observer, written as the `qnn.observer` attribute.
  std::optional<qnn::ObserverKind> observer;
  /// Uniform methods: symmetric signed range (false: asymmetric, half_range
  /// with a zero point); `narrow` drops the lowest signed level.
  bool symmetric = true;
  bool narrow = false;
};

/// The three quantizers of one layer, and whether the layer is quantized
/// at all.
struct LayerPolicy {
  bool enable = true;
  TensorPolicy fm, wt, ot;
  LayerPolicy() { ot.enable = false; }
  TensorPolicy &get(Tag tag) {
    return tag == Tag::Fm ? fm : tag == Tag::Wt ? wt : ot;
  }
};

/// `layer.<selector>.<key>=<value>`: a per-layer option. The selector is
/// one or several alternatives separated by `|`, each a layer index
/// (negative counts from the end), an index range `A:B`, a layer name or a
/// glob over the names (PolicySelector.cpp).
struct Override {
  std::string selector;
  std::string key;
  std::string value;
  std::string text; // as written, for diagnostics
};

/// QDrop's `recon` section, recorded for the reconstruction pass.
struct ReconConfig {
  std::optional<int64_t> batchSize, iters;
  std::optional<double> scaleLr, warmUp, weight, dropProb;
  std::vector<double> bRange;
  std::optional<bool> keepGpu;
  std::string roundMode;
};

struct Policy {
  /// Applies to every layer before first/last/real_skip/overrides.
  LayerPolicy base;
  /// Method keywords in the order written (`lsq`, `pact`, ...); `gamma`
  /// is kept apart as it modifies `xnor`.
  llvm::SmallVector<std::string> methodKeywords;
  bool gamma = false;
  bool realSkip = false;
  bool paddingAfterQuant = false;
  /// A binarized (xnor) layer input reads the value before the ReLU that
  /// produced it: sign(ReLU(x)) is always +1 (docs/policy.md).
  bool signBeforeRelu = false;
  /// Bi-Real: a real-valued shortcut around every binarized conv
  /// (passes/BiReal.h, docs/policy.md).
  bool bireal = false;
  /// `PReLU` / `NReLU`: the ReLUs after binarized convs become PReLUs / are
  /// removed (passes/BiReal.h, docs/policy.md).
  bool prelu = false, nrelu = false;
  bool quantFirst = false, quantLast = false;
  std::optional<int64_t> firstBit, lastBit;
  std::vector<Override> overrides;
  /// `quant_scope=<selector>`: only the layers it selects are quantized,
  /// the others stay float (a detector's backbone only); overrides still
  /// apply on top.
  std::optional<std::string> quantScope;
  /// QDrop's `calibrate` (number of calibration images) and `recon`.
  std::optional<int64_t> calibrate;
  std::optional<ReconConfig> recon;
  /// model-quantization keywords that build a PyTorch model (`origin`,
  /// `bacs`, ...) and mean nothing for an imported graph.
  std::vector<std::string> ignoredKeywords;
};

/// Parses a keyword string and merges it into `policy` (later items win).
llvm::Error parseKeywords(Policy &policy, llvm::StringRef text);

/// Reads a QDrop / MQBench YAML file into `policy`. Errors carry
/// `path:line:column`.
llvm::Error parseYamlFile(Policy &policy, llvm::StringRef path);

/// Parses YAML text (`bufferName` names it in errors).
llvm::Error parseYaml(Policy &policy, llvm::StringRef text,
                      llvm::StringRef bufferName);

/// Applies one `<tag>_<option>=<value>` (or `bit`, `enable`) to a layer
/// policy. Shared by the global options and per-layer overrides.
llvm::Error applyOption(LayerPolicy &layer, llvm::StringRef key,
                        llvm::StringRef value);

/// Checks a layer selector's syntax (empty alternatives, bad globs).
llvm::Error checkSelector(llvm::StringRef selector);

/// The `|`-separated alternatives of a selector.
llvm::SmallVector<llvm::StringRef>
selectorAlternatives(llvm::StringRef selector);

/// Whether one alternative selects the layer `index` (of `numLayers`)
/// named `name` (may be empty): an exact name, an index, a range `A:B`
/// (half open, either end optional, negative ends from the end) or a glob
/// (`*`, `?`, `[...]`) over the name.
bool alternativeMatches(llvm::StringRef alt, int64_t index,
                        llvm::StringRef name, int64_t numLayers);

/// Checks the policy as a whole (conflicting method keywords, `gamma`
/// without `xnor`, ...) after all spellings are merged.
llvm::Error validate(const Policy &policy);

/// The method for a tensor: its own, else the method keyword's (PACT and
/// non-learned methods mapped per role), else uniform.
qnn::QuantMethod resolveMethod(const Policy &policy, const TensorPolicy &t,
                               qnn::QuantRole role);

/// Bits for a tensor once its method is known.
int64_t resolveBits(const TensorPolicy &t, qnn::QuantMethod method);

/// Checks that a tensor's method, bits and options fit together; `tag`
/// names it in the message ("wt").
llvm::Error checkTensor(const TensorPolicy &t, Tag tag, qnn::QuantMethod method,
                        int64_t bits);

/// The spelling of a tag: "fm", "wt", "ot".
llvm::StringRef tagName(Tag tag);

/// Keyword spellings, for "did you mean" suggestions.
const std::vector<std::string> &knownKeywords();

/// Parsers for enum spellings shared by both front ends.
std::optional<qnn::ObserverKind> parseObserver(llvm::StringRef name);

} // namespace qopt::policy

#endif // QOPT_PASSES_POLICY_H
