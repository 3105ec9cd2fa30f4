//===- PolicyYaml.cpp - QDrop / MQBench YAML policies ---------------------===//
//
// Reads QDrop's config.yaml (`quant: {a_qconfig, w_qconfig, calibrate,
// recon}`, or the same keys at the top level as in QDrop's detection
// branch) with LLVM's YAML I/O into the policy data model.
//
//===----------------------------------------------------------------------===//

#include "passes/Policy.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLTraits.h"

using namespace llvm;
using namespace qopt;
using namespace qopt::qnn;
using namespace qopt::policy;

namespace {
/// One of QDrop's `a_qconfig` / `w_qconfig` sections as written.
struct YamlQConfig {
  std::string quantizer = "FixedFakeQuantize";
  std::string observer = "MinMaxObserver";
  int64_t bit = 8;
  bool symmetric = false;
  int64_t chAxis = -1;
  // qopt extensions (not in QDrop): narrow signed range, clip init value.
  bool narrow = false;
  std::optional<double> boundary;
};

struct YamlQuant {
  std::optional<YamlQConfig> aQconfig, wQconfig;
  std::optional<int64_t> calibrate;
  std::optional<ReconConfig> recon;
  // qopt extension: a keyword string applied after the YAML sections.
  std::optional<std::string> keyword;
};

/// The whole file: QDrop's classification configs nest the sections under
/// `quant:`, its detection branch writes them at the top level.
struct YamlDoc {
  std::optional<YamlQuant> quant;
  YamlQuant top;
};

std::optional<QuantMethod> methodForQuantizer(StringRef name) {
  return StringSwitch<std::optional<QuantMethod>>(name)
      .Case("FixedFakeQuantize", QuantMethod::Uniform)
      .Case("LSQFakeQuantize", QuantMethod::Lsq)
      .Case("LSQPlusFakeQuantize", QuantMethod::LsqPlus)
      .Case("AdaRoundFakeQuantize", QuantMethod::Adaround)
      .Default(std::nullopt);
}
} // namespace

namespace {
/// A number in a YAML flow list (`b_range: [20, 2]`); LLVM's YAML I/O only
/// lets a sequence be declared for a type we own.
struct YamlNumber {
  double value = 0;
};
} // namespace

LLVM_YAML_IS_FLOW_SEQUENCE_VECTOR(YamlNumber)

namespace llvm::yaml {
template <> struct MappingTraits<YamlQConfig> {
  static void mapping(IO &io, YamlQConfig &c) {
    io.mapOptional("quantizer", c.quantizer);
    io.mapOptional("observer", c.observer);
    io.mapOptional("bit", c.bit);
    io.mapOptional("symmetric", c.symmetric);
    io.mapOptional("ch_axis", c.chAxis);
    io.mapOptional("narrow", c.narrow);
    io.mapOptional("boundary", c.boundary);
  }
  // Reported by YAML I/O at the section's line and column.
  static std::string validate(IO &, YamlQConfig &c) {
    if (!methodForQuantizer(c.quantizer))
      return "unknown quantizer '" + c.quantizer +
             "' (expected FixedFakeQuantize, LSQFakeQuantize, "
             "LSQPlusFakeQuantize or AdaRoundFakeQuantize)";
    if (!parseObserver(c.observer))
      return "unknown observer '" + c.observer +
             "' (expected MinMaxObserver, EMAMinMaxObserver, "
             "AvgMinMaxObserver, MSEObserver, MSEFastObserver, "
             "EMAMSEObserver, AvgMSEObserver, AvgMSEFastObserver, "
             "PercentileObserver or EntropyObserver)";
    if (c.bit < 1 || c.bit > kMaxBits)
      return formatv("bit must be in [1, {0}], got {1}", kMaxBits, c.bit);
    if (c.chAxis < -1)
      return formatv("ch_axis must be -1 (per tensor) or a channel axis, "
                     "got {0}",
                     c.chAxis);
    if (c.boundary && !(*c.boundary > 0.0))
      return "boundary must be positive";
    return "";
  }
};

template <> struct ScalarTraits<YamlNumber> {
  static void output(const YamlNumber &n, void *ctx, raw_ostream &os) {
    ScalarTraits<double>::output(n.value, ctx, os);
  }
  static StringRef input(StringRef text, void *ctx, YamlNumber &n) {
    return ScalarTraits<double>::input(text, ctx, n.value);
  }
  static QuotingType mustQuote(StringRef) { return QuotingType::None; }
};

template <> struct MappingTraits<ReconConfig> {
  static void mapping(IO &io, ReconConfig &r) {
    std::vector<YamlNumber> bRange;
    for (double v : r.bRange)
      bRange.push_back({v});
    io.mapOptional("batch_size", r.batchSize);
    io.mapOptional("iters", r.iters);
    io.mapOptional("scale_lr", r.scaleLr);
    io.mapOptional("warm_up", r.warmUp);
    io.mapOptional("weight", r.weight);
    io.mapOptional("drop_prob", r.dropProb);
    io.mapOptional("b_range", bRange);
    r.bRange.clear();
    for (YamlNumber n : bRange)
      r.bRange.push_back(n.value);
    io.mapOptional("keep_gpu", r.keepGpu);
    io.mapOptional("round_mode", r.roundMode);
  }
  static std::string validate(IO &, ReconConfig &r) {
    if (r.dropProb && !(*r.dropProb >= 0.0 && *r.dropProb <= 1.0))
      return "drop_prob must be in [0, 1]";
    if (!r.bRange.empty() && r.bRange.size() != 2)
      return "b_range must be [start, end]";
    return "";
  }
};

static void mapQuant(IO &io, YamlQuant &q) {
  io.mapOptional("a_qconfig", q.aQconfig);
  io.mapOptional("w_qconfig", q.wQconfig);
  io.mapOptional("calibrate", q.calibrate);
  io.mapOptional("recon", q.recon);
  io.mapOptional("keyword", q.keyword);
}

template <> struct MappingTraits<YamlQuant> {
  static void mapping(IO &io, YamlQuant &q) { mapQuant(io, q); }
};

template <> struct MappingTraits<YamlDoc> {
  static void mapping(IO &io, YamlDoc &d) {
    io.mapOptional("quant", d.quant);
    mapQuant(io, d.top);
  }
};
} // namespace llvm::yaml

/// Sections of a QDrop config that describe the model, data and training
/// schedule rather than quantization: skipped silently. Any other unknown
/// key is an error (a misspelt `bitt: 4` must not quietly become 8 bits).
static bool isForeignSection(StringRef key) {
  return StringSwitch<bool>(key)
      .Cases({"model", "data", "process", "extra_prepare_dict", "training",
              "evaluate", "pattern", "prob"},
             true)
      .Default(false);
}

static void applyQConfig(const YamlQConfig &c, TensorPolicy &t) {
  t.enable = true;
  t.method = *methodForQuantizer(c.quantizer);
  t.observer = *parseObserver(c.observer);
  t.bits = c.bit;
  t.symmetric = c.symmetric;
  t.narrow = c.narrow;
  t.quantGroup = c.chAxis < 0 ? 1 : kPerChannel;
  if (c.boundary)
    t.boundary = *c.boundary;
}

/// LLVM's YAML reader recurses once per nesting level (yaml::Input's
/// createHNodes), so a file of 24,000 `[` overflowed the stack (found by
/// fuzz-policy-yaml). Every level needs an indicator that opens it (`[`,
/// `{`, a block sequence's `- `, a complex key's `? `); a policy file has a
/// few dozen, so counting them bounds the depth without parsing.
static constexpr size_t kMaxYamlIndicators = 2000;

static Error checkYamlSize(StringRef text, StringRef bufferName) {
  size_t indicators = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool blockIndicator =
        (c == '-' || c == '?') &&
        (i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\t' ||
         text[i + 1] == '\n' || text[i + 1] == '\r');
    if (c == '[' || c == '{' || blockIndicator)
      ++indicators;
  }
  if (indicators <= kMaxYamlIndicators)
    return Error::success();
  return createStringError(
      inconvertibleErrorCode(),
      formatv("{0}: {1} collection indicators ('[', '{{', '- ', '? '); a "
              "policy file may have at most {2} (its nesting would exhaust "
              "the YAML reader's stack)",
              bufferName, indicators, kMaxYamlIndicators));
}

Error policy::parseYaml(Policy &policy, StringRef text, StringRef bufferName) {
  if (Error e = checkYamlSize(text, bufferName))
    return e;
  std::string errors;
  auto handler = [](const SMDiagnostic &diag, void *ctx) {
    std::string &out = *static_cast<std::string *>(ctx);
    StringRef message = diag.getMessage();
    if (diag.getKind() == SourceMgr::DK_Warning &&
        message.consume_front("unknown key '") &&
        isForeignSection(message.drop_back()))
      return;
    if (!out.empty())
      return; // the first error is the useful one
    out = formatv("{0}:{1}:{2}: {3}", diag.getFilename(), diag.getLineNo(),
                  diag.getColumnNo() + 1, diag.getMessage())
              .str();
  };
  std::unique_ptr<MemoryBuffer> buffer =
      MemoryBuffer::getMemBuffer(text, bufferName, false);
  yaml::Input in(buffer->getMemBufferRef(), nullptr, handler, &errors);
  in.setAllowUnknownKeys(true);
  YamlDoc doc;
  in >> doc;
  if (in.error() || !errors.empty())
    return createStringError(inconvertibleErrorCode(),
                             errors.empty() ? bufferName + ": invalid YAML"
                                            : errors);

  const YamlQuant &q = doc.quant ? *doc.quant : doc.top;
  if (q.aQconfig) {
    if (*methodForQuantizer(q.aQconfig->quantizer) == QuantMethod::Adaround)
      return createStringError(inconvertibleErrorCode(),
                               bufferName + ": a_qconfig: "
                               "AdaRoundFakeQuantize rounds weights; it "
                               "cannot quantize activations");
    applyQConfig(*q.aQconfig, policy.base.fm);
  }
  if (q.wQconfig) {
    if (q.wQconfig->chAxis > 0)
      return createStringError(
          inconvertibleErrorCode(),
          formatv("{0}: w_qconfig: ch_axis must be -1 or 0 (output "
                  "channels), got {1}",
                  bufferName, q.wQconfig->chAxis));
    applyQConfig(*q.wQconfig, policy.base.wt);
  }
  // QDrop keeps the first and last layers at 8 bits.
  policy.firstBit = 8;
  policy.lastBit = 8;
  policy.calibrate = q.calibrate;
  policy.recon = q.recon;
  if (q.keyword)
    if (Error e = parseKeywords(policy, *q.keyword))
      return createStringError(inconvertibleErrorCode(),
                               bufferName + ": keyword: " +
                                   toString(std::move(e)));
  return Error::success();
}

Error policy::parseYamlFile(Policy &policy, StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> file = MemoryBuffer::getFile(path);
  if (!file)
    return createStringError(file.getError(),
                             "cannot read policy file '" + path +
                                 "': " + file.getError().message());
  return parseYaml(policy, (*file)->getBuffer(), path);
}
