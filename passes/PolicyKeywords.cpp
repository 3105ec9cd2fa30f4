//===- PolicyKeywords.cpp - model-quantization's keyword string -----------===//
//
// Parses `lsq,fm_bit=4,wt_bit=4,wt_quant_group=C,real_skip,layer.3.wt_bit=2`
// into the policy data model. The grammar is in docs/policy.md.
//
//===----------------------------------------------------------------------===//

#include "passes/Policy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"

using namespace llvm;
using namespace qopt;
using namespace qopt::qnn;
using namespace qopt::policy;

static Error fail(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

static constexpr StringLiteral kMethodKeywords[] = {
    "lsq", "lsq_plus", "pact", "dorefa", "lq", "non-uniform", "xnor",
    "none", "uniform"};
static constexpr StringLiteral kStructureKeywords[] = {
    "gamma", "real_skip", "padding_after_quant", "quant_first", "quant_last",
    "sign_before_relu", "bireal", "PReLU", "NReLU"};
static constexpr StringLiteral kValueKeywords[] = {"first_bit", "last_bit",
                                                   "quant_scope"};
static constexpr StringLiteral kTagOptions[] = {
    "bit",       "enable", "quant_group", "adaptive",  "grad_type",
    "grad_scale", "boundary", "method",   "observer",  "symmetric",
    "narrow"};
// model-quantization keywords that choose how a PyTorch model is built
// (block order, skip style, normalization); an imported graph already has
// its structure, so they are accepted and reported as having no effect.
static constexpr StringLiteral kArchitectureKeywords[] = {
    "origin", "bacs", "cbas", "bcas", "cabs", "preBN", "singleconv",
    "fixup", "cifar10", "imagenet"};

StringRef policy::tagName(Tag tag) {
  return tag == Tag::Fm ? "fm" : tag == Tag::Wt ? "wt" : "ot";
}

const std::vector<std::string> &policy::knownKeywords() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> words;
    for (StringRef w : kMethodKeywords)
      words.push_back(w.str());
    for (StringRef w : kStructureKeywords)
      words.push_back(w.str());
    for (StringRef w : kValueKeywords)
      words.push_back(w.str());
    for (StringRef tag : {"fm_", "wt_", "ot_"})
      for (StringRef opt : kTagOptions)
        words.push_back((tag + opt).str());
    return words;
  }();
  return all;
}

/// " ; did you mean 'lsq'?" for a near miss, else "".
static std::string suggest(StringRef word) {
  StringRef best;
  unsigned bestDistance = 3; // at most two edits away
  for (const std::string &known : knownKeywords()) {
    unsigned d = word.edit_distance(known, /*AllowReplacements=*/true,
                                    bestDistance);
    if (d < bestDistance) {
      bestDistance = d;
      best = known;
    }
  }
  return best.empty() ? "" : ("; did you mean '" + best + "'?").str();
}

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

static Expected<bool> parseBool(StringRef key, StringRef value) {
  std::optional<bool> b = StringSwitch<std::optional<bool>>(value.lower())
                              .Cases({"", "true", "1", "yes", "on"}, true)
                              .Cases({"false", "0", "no", "off"}, false)
                              .Default(std::nullopt);
  if (!b)
    return fail(key + " takes true or false, got '" + value + "'");
  return *b;
}

static Expected<int64_t> parseBits(StringRef key, StringRef value) {
  int64_t bits;
  if (value.getAsInteger(10, bits))
    return fail(key + " takes an integer, got '" + value + "'");
  if (bits < 1 || bits > kMaxBits)
    return fail(formatv("{0} must be in [1, {1}], got {2}", key, kMaxBits,
                        bits));
  return bits;
}

std::optional<ObserverKind> policy::parseObserver(StringRef name) {
  // qnn's own names and QDrop / MQBench class names. MQBench's averaged
  // min-max is our moving-average min-max; its EMA-MSE averages per-batch
  // optima like avg_mse.
  return StringSwitch<std::optional<ObserverKind>>(name)
      .Cases({"min_max", "minmax", "MinMaxObserver"}, ObserverKind::MinMax)
      .Cases({"ema_min_max", "EMAMinMaxObserver", "AvgMinMaxObserver"},
             ObserverKind::EmaMinMax)
      .Cases({"percentile", "PercentileObserver"}, ObserverKind::Percentile)
      .Cases({"mse", "MSEObserver", "MSEFastObserver"}, ObserverKind::Mse)
      .Cases({"avg_mse", "AvgMSEObserver", "AvgMSEFastObserver",
              "EMAMSEObserver"},
             ObserverKind::AvgMse)
      .Cases({"entropy", "kl", "EntropyObserver", "KLObserver"},
             ObserverKind::Entropy)
      .Case("lsq_init", ObserverKind::LsqInit)
      .Default(std::nullopt);
}

static std::optional<QuantMethod> parseMethodName(StringRef name) {
  return StringSwitch<std::optional<QuantMethod>>(name)
      .Cases({"uniform", "none", "minmax"}, QuantMethod::Uniform)
      .Case("lsq", QuantMethod::Lsq)
      .Cases({"lsq_plus", "lsq+"}, QuantMethod::LsqPlus)
      .Case("pact", QuantMethod::Pact)
      .Case("dorefa", QuantMethod::Dorefa)
      .Cases({"lq", "lqnet"}, QuantMethod::Lqnet)
      .Case("xnor", QuantMethod::Xnor)
      .Cases({"xnor_plus_plus", "xnor++"}, QuantMethod::XnorPlusPlus)
      .Cases({"non-uniform", "non_uniform"}, QuantMethod::NonUniform)
      .Case("adaround", QuantMethod::Adaround)
      .Default(std::nullopt);
}

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

/// Sets one option of one tensor; `key` is the full spelling for messages.
static Error applyTensorOption(TensorPolicy &t, StringRef key, StringRef opt,
                               StringRef value) {
  if (opt == "bit") {
    Expected<int64_t> bits = parseBits(key, value);
    if (!bits)
      return bits.takeError();
    t.bits = *bits;
    return Error::success();
  }
  if (opt == "enable" || opt == "symmetric" || opt == "narrow") {
    Expected<bool> b = parseBool(key, value);
    if (!b)
      return b.takeError();
    (opt == "enable" ? t.enable : opt == "symmetric" ? t.symmetric : t.narrow) =
        *b;
    return Error::success();
  }
  if (opt == "quant_group") {
    int64_t groups;
    if (value == "C" || value == "c")
      t.quantGroup = kPerChannel;
    else if (!value.getAsInteger(10, groups) && groups >= 1)
      t.quantGroup = groups;
    else
      return fail(key + " takes a positive integer or C (per channel), got '" +
                  value + "'");
    return Error::success();
  }
  if (opt == "adaptive") {
    std::optional<Adaptive> a = StringSwitch<std::optional<Adaptive>>(value)
                                    .Case("none", Adaptive::None)
                                    .Case("mean", Adaptive::Mean)
                                    .Cases({"var-mean", "var_mean"},
                                           Adaptive::VarMean)
                                    .Default(std::nullopt);
    if (!a)
      return fail(key + " takes var-mean, mean or none, got '" + value + "'");
    t.adaptive = *a;
    return Error::success();
  }
  if (opt == "grad_type") {
    std::optional<GradType> g =
        StringSwitch<std::optional<GradType>>(value)
            .Case("ste", GradType::Ste)
            .Cases({"ste_scale", "ste-scale"}, GradType::SteScale)
            .Case("triangle", GradType::Triangle)
            .Cases({"clipped_ste", "clipped-ste"}, GradType::ClippedSte)
            .Default(std::nullopt);
    if (!g)
      return fail(key + " takes ste, ste_scale, triangle or clipped_ste, got '" +
                  value + "'");
    t.grad = *g;
    return Error::success();
  }
  if (opt == "grad_scale") {
    std::optional<GradScale> g =
        StringSwitch<std::optional<GradScale>>(value)
            .Case("none", GradScale::None)
            .Cases({"fan-scale", "fan_scale"}, GradScale::FanScale)
            .Cases({"scale-fan", "scale_fan"}, GradScale::ScaleFan)
            .Cases({"element-scale", "element_scale"}, GradScale::ElementScale)
            .Cases({"scale-element", "scale_element"}, GradScale::ScaleElement)
            .Default(std::nullopt);
    if (!g)
      return fail(key + " takes fan-scale, scale-fan, element-scale, "
                        "scale-element or none, got '" +
                  value + "'");
    t.gradScale = *g;
    return Error::success();
  }
  if (opt == "boundary") {
    double b;
    if (value.getAsDouble(b) || !(b > 0.0))
      return fail(key + " takes a positive number, got '" + value + "'");
    t.boundary = b;
    return Error::success();
  }
  if (opt == "method") {
    std::optional<QuantMethod> m = parseMethodName(value);
    if (!m)
      return fail(key + ": unknown method '" + value + "'");
    t.method = *m;
    return Error::success();
  }
  if (opt == "observer") {
    std::optional<ObserverKind> o = parseObserver(value);
    if (!o)
      return fail(key + ": unknown observer '" + value + "'");
    t.observer = *o;
    return Error::success();
  }
  return fail("unknown policy keyword '" + key + "'" + suggest(key));
}

Error policy::applyOption(LayerPolicy &layer, StringRef key, StringRef value) {
  if (key == "enable") {
    Expected<bool> b = parseBool(key, value);
    if (!b)
      return b.takeError();
    layer.enable = *b;
    return Error::success();
  }
  if (key == "bit") {
    if (Error e = applyTensorOption(layer.fm, key, "bit", value))
      return e;
    return applyTensorOption(layer.wt, key, "bit", value);
  }
  for (Tag tag : {Tag::Fm, Tag::Wt, Tag::Ot}) {
    std::string prefix = (tagName(tag) + "_").str();
    if (key.starts_with(prefix))
      return applyTensorOption(layer.get(tag), key, key.drop_front(3), value);
  }
  return fail("unknown policy keyword '" + key + "'" + suggest(key));
}

//===----------------------------------------------------------------------===//
// The keyword string
//===----------------------------------------------------------------------===//

static bool isOneOf(StringRef word, ArrayRef<StringLiteral> words) {
  return llvm::is_contained(words, word);
}

/// `layer.<selector>.<key>[=<value>]`. The key is the text after the last
/// dot, so names may contain dots (`layer.layer1.0.conv1.wt_bit=2`).
static Error parseOverride(Policy &policy, StringRef item, StringRef key,
                           StringRef value) {
  StringRef rest = key.drop_front(strlen("layer."));
  size_t dot = rest.rfind('.');
  if (dot == StringRef::npos || dot == 0 || dot + 1 == rest.size())
    return fail("per-layer option '" + item +
                "' must read layer.<index or name>.<option>=<value>");
  Override o{rest.take_front(dot).str(), rest.drop_front(dot + 1).str(),
             value.str(), item.str()};
  if (Error e = checkSelector(o.selector))
    return e;
  // Check the option now, on a scratch layer, so errors come early.
  LayerPolicy scratch;
  if (Error e = applyOption(scratch, o.key, o.value))
    return e;
  policy.overrides.push_back(std::move(o));
  return Error::success();
}

Error policy::parseKeywords(Policy &policy, StringRef text) {
  SmallVector<StringRef> items;
  text.split(items, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (StringRef item : items) {
    item = item.trim();
    if (item.empty())
      continue;
    auto [key, value] = item.split('=');
    key = key.trim();
    value = value.trim();
    bool hasValue = item.contains('=');

    if (key.starts_with("layer.")) {
      if (Error e = parseOverride(policy, item, key, value))
        return e;
      continue;
    }
    if (!hasValue) {
      if (isOneOf(key, kMethodKeywords)) {
        policy.methodKeywords.push_back(key.str());
        continue;
      }
      if (isOneOf(key, kArchitectureKeywords)) {
        policy.ignoredKeywords.push_back(key.str());
        continue;
      }
      if (key == "gamma")
        policy.gamma = true;
      else if (key == "real_skip")
        policy.realSkip = true;
      else if (key == "padding_after_quant")
        policy.paddingAfterQuant = true;
      else if (key == "sign_before_relu")
        policy.signBeforeRelu = true;
      else if (key == "bireal")
        policy.bireal = true;
      else if (key == "PReLU")
        policy.prelu = true;
      else if (key == "NReLU")
        policy.nrelu = true;
      else if (key == "quant_first")
        policy.quantFirst = true;
      else if (key == "quant_last")
        policy.quantLast = true;
      else if (key.ends_with("_enable") || key.ends_with("_symmetric") ||
               key.ends_with("_narrow")) {
        if (Error e = applyOption(policy.base, key, "true"))
          return e;
      } else if (key.contains('_') && !isOneOf(key, kStructureKeywords) &&
                 !isOneOf(key, kValueKeywords) &&
                 (key.starts_with("fm_") || key.starts_with("wt_") ||
                  key.starts_with("ot_")))
        return fail("policy keyword '" + key + "' needs a value (" + key +
                    "=...)");
      else if (isOneOf(key, kValueKeywords))
        return fail("policy keyword '" + key + "' needs a value (" + key +
                    "=...)");
      else
        return fail("unknown policy keyword '" + key + "'" + suggest(key));
      continue;
    }
    if (key == "first_bit" || key == "last_bit") {
      Expected<int64_t> bits = parseBits(key, value);
      if (!bits)
        return bits.takeError();
      (key == "first_bit" ? policy.firstBit : policy.lastBit) = *bits;
      continue;
    }
    if (key == "quant_scope") {
      if (Error e = checkSelector(value))
        return e;
      policy.quantScope = value.str();
      continue;
    }
    if (isOneOf(key, kMethodKeywords) || isOneOf(key, kStructureKeywords))
      return fail("policy keyword '" + key + "' takes no value");
    if (Error e = applyOption(policy.base, key, value))
      return e;
  }
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Resolution and checks
//===----------------------------------------------------------------------===//

QuantMethod policy::resolveMethod(const Policy &policy, const TensorPolicy &t,
                                  QuantRole role) {
  if (t.method)
    return *t.method;
  if (policy.methodKeywords.empty())
    return QuantMethod::Uniform;
  bool weight = role == QuantRole::Weight;
  return StringSwitch<QuantMethod>(policy.methodKeywords.front())
      .Case("lsq", QuantMethod::Lsq)
      .Case("lsq_plus", QuantMethod::LsqPlus)
      // PACT clips activations; its weights are DoReFa's (Choi et al. 2018,
      // and model-quantization's pact keyword).
      .Case("pact", weight ? QuantMethod::Dorefa : QuantMethod::Pact)
      .Case("dorefa", QuantMethod::Dorefa)
      .Case("lq", QuantMethod::Lqnet)
      .Case("non-uniform", QuantMethod::NonUniform)
      .Case("xnor", weight && policy.gamma ? QuantMethod::XnorPlusPlus
                                           : QuantMethod::Xnor)
      .Default(QuantMethod::Uniform);
}

int64_t policy::resolveBits(const TensorPolicy &t, QuantMethod method) {
  if (t.bits)
    return *t.bits;
  return method == QuantMethod::Xnor || method == QuantMethod::XnorPlusPlus
             ? 1
             : 8;
}

Error policy::checkTensor(const TensorPolicy &t, Tag tag, QuantMethod method,
                          int64_t bits) {
  StringRef name = tagName(tag);
  StringRef methodName = stringifyQuantMethod(method);
  bool weight = tag == Tag::Wt;
  if ((method == QuantMethod::Xnor || method == QuantMethod::XnorPlusPlus) &&
      bits != 1)
    return fail(formatv("{0} is binary: {1}_bit must be 1, got {2}",
                        methodName, name, bits));
  if (method == QuantMethod::Pact && weight)
    return fail("pact clips activations; wt_method cannot be pact");
  // model-quantization's non-uniform weights are ternary (its
  // `num_levels == 3` assertion), one ramp below 0 and one above.
  if (method == QuantMethod::NonUniform && weight && bits != 2)
    return fail(formatv("non_uniform weights are ternary (levels -1, 0, 1): "
                        "wt_bit must be 2, got {0} (first_bit / last_bit "
                        "set it too: give the edge layers another method, "
                        "e.g. layer.0.wt_method=lsq)",
                        bits));
  if (method == QuantMethod::NonUniform && t.quantGroup &&
      *t.quantGroup != 1)
    return fail(formatv("non_uniform slopes are per tensor; {0}_quant_group "
                        "must be 1",
                        name));
  if (method == QuantMethod::Adaround && !weight)
    return fail(formatv("adaround rounds weights; {0}_method cannot be "
                        "adaround",
                        name));
  if (t.gradScale != GradScale::None && method != QuantMethod::Lsq &&
      method != QuantMethod::LsqPlus)
    return fail(formatv("{0}_grad_scale scales a learned step size and needs "
                        "lsq or lsq_plus, not {1}",
                        name, methodName));
  if (t.adaptive != Adaptive::None && !weight)
    return fail(formatv("{0}_adaptive normalizes weights; only wt_adaptive "
                        "is supported",
                        name));
  if ((method == QuantMethod::Lqnet || method == QuantMethod::NonUniform) &&
      bits > 8)
    return fail(formatv("{0} with {1}_bit={2}: at most 8 bits (its levels "
                        "are enumerated)",
                        methodName, name, bits));
  return Error::success();
}

Error policy::validate(const Policy &policy) {
  for (size_t i = 1; i < policy.methodKeywords.size(); ++i)
    if (policy.methodKeywords[i] != policy.methodKeywords[0])
      return fail("conflicting method keywords '" + policy.methodKeywords[0] +
                  "' and '" + policy.methodKeywords[i] + "'");
  if (policy.gamma && (policy.methodKeywords.empty() ||
                       policy.methodKeywords[0] != "xnor"))
    return fail("'gamma' adds XNOR++'s learned scale and needs 'xnor'");
  if (policy.prelu && policy.nrelu)
    return fail("'PReLU' replaces the ReLUs after binarized convs and "
                "'NReLU' removes them; give one of them");
  for (Tag tag : {Tag::Fm, Tag::Wt, Tag::Ot}) {
    const TensorPolicy &t =
        const_cast<LayerPolicy &>(policy.base).get(tag);
    if (!t.enable)
      continue;
    QuantMethod m = resolveMethod(
        policy, t, tag == Tag::Wt ? QuantRole::Weight : QuantRole::Activation);
    if (Error e = checkTensor(t, tag, m, resolveBits(t, m)))
      return e;
  }
  return Error::success();
}
