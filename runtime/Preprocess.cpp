//===- Preprocess.cpp - declared image preprocessing ----------------------===//

#include "runtime/Preprocess.h"

#include <algorithm>
#include <cctype>
#include <cfenv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <utility>

namespace qrt {

namespace {

//===----------------------------------------------------------------------===//
// Parsing
//===----------------------------------------------------------------------===//

std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos)
    return "";
  size_t e = s.find_last_not_of(" \t\n");
  return s.substr(b, e - b + 1);
}

/// Splits `s` at the commas outside brackets and parentheses; fails on
/// unbalanced brackets.
bool splitTopLevel(const std::string &s, std::vector<std::string> &parts) {
  int depth = 0;
  std::string cur;
  for (char c : s) {
    if (c == '(' || c == '[')
      ++depth;
    else if (c == ')' || c == ']')
      --depth;
    if (depth < 0)
      return false;
    if (c == ',' && depth == 0) {
      parts.push_back(trim(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (depth != 0)
    return false;
  parts.push_back(trim(cur));
  return true;
}

/// One argument: numbers (a scalar or a [list] / (tuple)) or a word.
struct Value {
  std::vector<double> numbers;
  std::string word;
  bool list = false;
};

bool parseNumber(const std::string &text, double &v) {
  std::string t = trim(text);
  if (t.empty())
    return false;
  char *end = nullptr;
  v = std::strtod(t.c_str(), &end);
  return *end == '\0' && std::isfinite(v);
}

bool parseValue(const std::string &text, Value &v) {
  std::string t = trim(text);
  if (t.empty())
    return false;
  if ((t.front() == '[' && t.back() == ']') ||
      (t.front() == '(' && t.back() == ')')) {
    v.list = true;
    std::vector<std::string> items;
    if (!splitTopLevel(t.substr(1, t.size() - 2), items))
      return false;
    for (const std::string &item : items) {
      if (item.empty())
        continue; // (3,) and trailing commas
      double d;
      if (!parseNumber(item, d))
        return false;
      v.numbers.push_back(d);
    }
    return !v.numbers.empty();
  }
  double d;
  if (parseNumber(t, d)) {
    v.numbers.push_back(d);
    return true;
  }
  for (char c : t)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.')
      return false;
  v.word = t;
  return true;
}

struct KindInfo {
  const char *name;
  Preprocess::Kind kind;
  std::vector<const char *> params; // positional order
};

const std::vector<KindInfo> &kinds() {
  using K = Preprocess::Kind;
  static const std::vector<KindInfo> table = {
      {"Resize", K::Resize, {"size", "interpolation", "antialias"}},
      {"CenterCrop", K::CenterCrop, {"size"}},
      {"RandomCrop", K::RandomCrop, {"size", "padding"}},
      {"RandomHorizontalFlip", K::RandomHorizontalFlip, {"p"}},
      {"Pad", K::Pad, {"padding", "fill"}},
      {"Grayscale", K::Grayscale, {"num_output_channels"}},
      {"ToTensor", K::ToTensor, {}},
      {"Normalize", K::Normalize, {"mean", "std"}},
      {"ToBGR", K::ToBGR, {}},
      {"Scale", K::Scale, {"factor"}},
  };
  return table;
}

std::string knownNames() {
  std::string s;
  for (const KindInfo &k : kinds())
    s += (s.empty() ? "" : ", ") + std::string(k.name);
  return s;
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

/// Binds a transform's arguments to its parameter names and checks them.
class Binder {
public:
  Binder(const KindInfo &info, const std::string &text)
      : info(info), text(text) {}

  Status bind(const std::vector<std::string> &args) {
    size_t positional = 0;
    for (const std::string &arg : args) {
      if (arg.empty())
        return error("an empty argument");
      std::string key, valueText = arg;
      size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        key = trim(arg.substr(0, eq));
        valueText = arg.substr(eq + 1);
        if (std::find_if(info.params.begin(), info.params.end(),
                         [&](const char *p) { return key == p; }) ==
            info.params.end())
          return error("no argument '" + key + "'" + paramList());
      } else {
        if (!values.empty() && positionalDone)
          return error("a positional argument after a keyword argument");
        if (positional >= info.params.size())
          return error("too many arguments" + paramList());
        key = info.params[positional++];
      }
      if (eq != std::string::npos)
        positionalDone = true;
      if (values.count(key))
        return error("'" + key + "' given twice");
      Value v;
      if (!parseValue(valueText, v))
        return error("'" + key + "': cannot read '" + trim(valueText) +
                     "' (a number, a [list] of numbers, or a word)");
      values[key] = v;
    }
    return Status::ok();
  }

  bool has(const std::string &key) const { return values.count(key) != 0; }
  const Value &get(const std::string &key) const { return values.at(key); }

  Status error(const std::string &what) const {
    return invalidArgument("--transform: " + std::string(info.name) + " in '" +
                           text + "': " + what);
  }

  /// A list of 1 (both) or 2 (h, w) positive integers.
  Status size(const std::string &key, std::vector<float> &hw) const {
    if (!has(key))
      return error("needs '" + key + "'");
    const Value &v = get(key);
    if (v.numbers.empty() || v.numbers.size() > 2)
      return error("'" + key + "' must be one size or [height, width]");
    for (double d : v.numbers)
      if (d < 1 || d != std::floor(d) || d > 1 << 16)
        return error("'" + key + "' must be positive integers, not " +
                     fmt(d));
    hw.assign(v.numbers.begin(), v.numbers.end());
    return Status::ok();
  }

  Status scalar(const std::string &key, double lo, double hi, double dflt,
                double &out, bool integer = false) const {
    out = dflt;
    if (!has(key))
      return Status::ok();
    const Value &v = get(key);
    if (v.numbers.size() != 1 || v.list)
      return error("'" + key + "' must be one number");
    out = v.numbers[0];
    if (out < lo || out > hi || (integer && out != std::floor(out)))
      return error("'" + key + "' = " + fmt(out) + " is out of range [" +
                   fmt(lo) + ", " + fmt(hi) + "]" +
                   (integer ? " or not an integer" : ""));
    return Status::ok();
  }

  Status list(const std::string &key, std::vector<float> &out) const {
    if (!has(key))
      return error("needs '" + key + "'");
    const Value &v = get(key);
    if (v.numbers.empty())
      return error("'" + key + "' must be numbers");
    out.assign(v.numbers.begin(), v.numbers.end());
    return Status::ok();
  }

private:
  std::string paramList() const {
    if (info.params.empty())
      return " (it takes none)";
    std::string s = " (it takes ";
    for (size_t i = 0; i < info.params.size(); ++i)
      s += (i ? ", " : "") + std::string(info.params[i]);
    return s + ")";
  }

  const KindInfo &info;
  std::string text;
  std::map<std::string, Value> values;
  bool positionalDone = false;
};

Status buildStep(const KindInfo &info, const Binder &b, Preprocess::Step &s) {
  using K = Preprocess::Kind;
  s.kind = info.kind;
  switch (info.kind) {
  case K::Resize: {
    QRT_RETURN_IF_ERROR(b.size("size", s.args));
    if (b.has("interpolation")) {
      std::string w = b.get("interpolation").word;
      std::transform(w.begin(), w.end(), w.begin(), ::tolower);
      if (w.rfind("interpolationmode.", 0) == 0)
        w = w.substr(18);
      if (w != "bilinear" && w != "nearest")
        return b.error("interpolation must be bilinear or nearest");
      s.nearest = w == "nearest";
    }
    if (b.has("antialias")) {
      std::string w = b.get("antialias").word;
      if (w != "False" && w != "false")
        return b.error("antialias=True is not supported (qopt resizes as "
                       "torchvision's tensor Resize with antialias=False)");
    }
    return Status::ok();
  }
  case K::CenterCrop:
    return b.size("size", s.args);
  case K::RandomCrop: {
    QRT_RETURN_IF_ERROR(b.size("size", s.args));
    if (s.args.size() == 1)
      s.args.push_back(s.args[0]);
    double pad;
    QRT_RETURN_IF_ERROR(b.scalar("padding", 0, 4096, 0, pad, true));
    s.args.push_back(static_cast<float>(pad));
    return Status::ok();
  }
  case K::RandomHorizontalFlip: {
    double p;
    QRT_RETURN_IF_ERROR(b.scalar("p", 0, 1, 0.5, p));
    s.args = {static_cast<float>(p)};
    return Status::ok();
  }
  case K::Pad: {
    std::vector<float> p;
    QRT_RETURN_IF_ERROR(b.list("padding", p));
    for (float v : p)
      if (v < 0 || v != std::floor(v) || v > 4096)
        return b.error("padding must be non-negative integers");
    if (p.size() == 1)
      s.args = {p[0], p[0], p[0], p[0]};
    else if (p.size() == 2)
      s.args = {p[0], p[1], p[0], p[1]};
    else if (p.size() == 4)
      s.args = p;
    else
      return b.error("padding must be 1, 2 ([left/right, top/bottom]) or 4 "
                     "([left, top, right, bottom]) values");
    double fill;
    QRT_RETURN_IF_ERROR(b.scalar("fill", -1e30, 1e30, 0, fill));
    s.fill = static_cast<float>(fill);
    return Status::ok();
  }
  case K::Grayscale: {
    double c;
    QRT_RETURN_IF_ERROR(b.scalar("num_output_channels", 1, 3, 1, c, true));
    if (c == 2)
      return b.error("num_output_channels must be 1 or 3");
    s.args = {static_cast<float>(c)};
    return Status::ok();
  }
  case K::Normalize: {
    QRT_RETURN_IF_ERROR(b.list("mean", s.mean));
    QRT_RETURN_IF_ERROR(b.list("std", s.std));
    if (s.mean.size() != s.std.size() && s.mean.size() != 1 &&
        s.std.size() != 1)
      return b.error("mean has " + std::to_string(s.mean.size()) +
                     " values and std " + std::to_string(s.std.size()));
    for (float v : s.std)
      if (!(v > 0))
        return b.error("std must be > 0, not " + fmt(v));
    return Status::ok();
  }
  case K::Scale: {
    double f;
    QRT_RETURN_IF_ERROR(b.scalar("factor", -1e30, 1e30, 1, f));
    if (!b.has("factor"))
      return b.error("needs 'factor'");
    s.args = {static_cast<float>(f)};
    return Status::ok();
  }
  case K::ToTensor:
  case K::ToBGR:
    return Status::ok();
  }
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Application
//===----------------------------------------------------------------------===//

/// splitmix64: the random transforms' generator (one per sample).
struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double uniform() { return (next() >> 11) * 0x1.0p-53; }
  int64_t below(int64_t n) { return n <= 1 ? 0 : int64_t(next() % uint64_t(n)); }
};

/// The most values one transformed image may hold: 2^26 floats (256 MiB; a
/// 3 x 4096 x 4096 image fits). A larger Resize / Pad / CenterCrop is an
/// error, not an allocation failure.
constexpr int64_t kMaxValues = int64_t(1) << 26;

Status checkSize(const char *what, int64_t c, int64_t h, int64_t w) {
  if (h > 0 && w > 0 && c > 0 && h <= kMaxValues / w &&
      c <= kMaxValues / (h * w))
    return Status::ok();
  return invalidArgument(std::string(what) + " to " + std::to_string(c) +
                         "x" + std::to_string(h) + "x" + std::to_string(w) +
                         ": more than 2^26 values (or an empty image)");
}

void pad(Image &img, int64_t left, int64_t top, int64_t right, int64_t bottom,
         float fill) {
  if (!left && !top && !right && !bottom)
    return;
  Image out;
  out.eightBit = img.eightBit;
  out.resize(img.channels, img.height + top + bottom,
             img.width + left + right);
  std::fill(out.pixels.begin(), out.pixels.end(), fill);
  for (int64_t c = 0; c < img.channels; ++c)
    for (int64_t y = 0; y < img.height; ++y)
      std::copy_n(&img.at(c, y, 0), img.width, &out.at(c, y + top, left));
  img = std::move(out);
}

void crop(Image &img, int64_t top, int64_t left, int64_t h, int64_t w) {
  if (top == 0 && left == 0 && h == img.height && w == img.width)
    return;
  Image out;
  out.eightBit = img.eightBit;
  out.resize(img.channels, h, w);
  for (int64_t c = 0; c < img.channels; ++c)
    for (int64_t y = 0; y < h; ++y)
      std::copy_n(&img.at(c, y + top, left), w, &out.at(c, y, 0));
  img = std::move(out);
}

/// torchvision's center_crop: pads (with zeros) a smaller image first, then
/// crops at round((size - crop) / 2), Python's round (half to even).
void centerCrop(Image &img, int64_t h, int64_t w) {
  if (h > img.height || w > img.width) {
    int64_t dh = std::max<int64_t>(h - img.height, 0);
    int64_t dw = std::max<int64_t>(w - img.width, 0);
    pad(img, dw / 2, dh / 2, (dw + 1) / 2, (dh + 1) / 2, 0.f);
  }
  int64_t top = static_cast<int64_t>(std::nearbyint((img.height - h) / 2.0));
  int64_t left = static_cast<int64_t>(std::nearbyint((img.width - w) / 2.0));
  crop(img, top, left, h, w);
}

/// Source coordinate and weights of torch's upsample_bilinear2d
/// (align_corners=False, antialias=False) for one output index.
struct Tap {
  int64_t i0, i1;
  float w0, w1;
};

std::vector<Tap> bilinearTaps(int64_t in, int64_t out) {
  std::vector<Tap> taps(out);
  float scale = static_cast<float>(in) / static_cast<float>(out);
  for (int64_t o = 0; o < out; ++o) {
    float src = scale * (o + 0.5f) - 0.5f;
    if (src < 0)
      src = 0;
    int64_t i0 = static_cast<int64_t>(src);
    int64_t i1 = i0 + (i0 < in - 1 ? 1 : 0);
    float l1 = src - i0;
    taps[o] = {i0, i1, 1.f - l1, l1};
  }
  return taps;
}

void resize(Image &img, int64_t h, int64_t w, bool nearest) {
  if (h == img.height && w == img.width)
    return;
  Image out;
  out.eightBit = img.eightBit;
  out.resize(img.channels, h, w);
  if (nearest) {
    // torch's 'nearest': floor(dst * in / out).
    float sy = static_cast<float>(img.height) / h;
    float sx = static_cast<float>(img.width) / w;
    for (int64_t c = 0; c < img.channels; ++c)
      for (int64_t y = 0; y < h; ++y) {
        int64_t iy = std::min<int64_t>(int64_t(std::floor(y * sy)),
                                       img.height - 1);
        for (int64_t x = 0; x < w; ++x) {
          int64_t ix = std::min<int64_t>(int64_t(std::floor(x * sx)),
                                         img.width - 1);
          out.at(c, y, x) = img.at(c, iy, ix);
        }
      }
  } else {
    std::vector<Tap> ty = bilinearTaps(img.height, h);
    std::vector<Tap> tx = bilinearTaps(img.width, w);
    for (int64_t c = 0; c < img.channels; ++c)
      for (int64_t y = 0; y < h; ++y) {
        const Tap &a = ty[y];
        for (int64_t x = 0; x < w; ++x) {
          const Tap &b = tx[x];
          out.at(c, y, x) =
              a.w0 * (b.w0 * img.at(c, a.i0, b.i0) +
                      b.w1 * img.at(c, a.i0, b.i1)) +
              a.w1 * (b.w0 * img.at(c, a.i1, b.i0) +
                      b.w1 * img.at(c, a.i1, b.i1));
        }
      }
  }
  img = std::move(out);
}

std::string shapeOf(const Image &img) {
  return std::to_string(img.channels) + "x" + std::to_string(img.height) +
         "x" + std::to_string(img.width);
}

} // namespace

Expected<Preprocess> Preprocess::parse(const std::string &spec) {
  Preprocess p;
  std::vector<std::string> items;
  if (!splitTopLevel(spec, items))
    return invalidArgument("--transform '" + spec +
                           "': unbalanced brackets or parentheses");
  for (const std::string &item : items) {
    if (item.empty()) {
      if (items.size() == 1)
        break; // the empty spec: no transforms
      return invalidArgument("--transform '" + spec + "': an empty transform");
    }
    size_t open = item.find('(');
    std::string name = trim(item.substr(0, open));
    auto it = std::find_if(kinds().begin(), kinds().end(),
                           [&](const KindInfo &k) { return name == k.name; });
    if (it == kinds().end())
      return invalidArgument("--transform: unknown transform '" + name +
                             "' (known: " + knownNames() + ")");
    std::vector<std::string> args;
    if (open != std::string::npos) {
      if (item.back() != ')')
        return invalidArgument("--transform: '" + item +
                               "' does not end with ')'");
      std::string inner = trim(item.substr(open + 1, item.size() - open - 2));
      if (!inner.empty() && !splitTopLevel(inner, args))
        return invalidArgument("--transform: unbalanced brackets in '" + item +
                               "'");
    }
    Binder b(*it, item);
    QRT_RETURN_IF_ERROR(b.bind(args));
    Step s;
    QRT_RETURN_IF_ERROR(buildStep(*it, b, s));
    p.steps_.push_back(std::move(s));
  }
  return p;
}

Preprocess Preprocess::normalize(float mean, float std) {
  Preprocess p;
  p.steps_.push_back({Kind::ToTensor, {}, {}, {}});
  Step n{Kind::Normalize, {}, {mean}, {std}};
  p.steps_.push_back(n);
  return p;
}

bool Preprocess::hasRandom() const {
  return std::any_of(steps_.begin(), steps_.end(), [](const Step &s) {
    return s.kind == Kind::RandomCrop || s.kind == Kind::RandomHorizontalFlip;
  });
}

Status Preprocess::apply(Image &img, bool train, uint64_t seed) const {
  Rng rng{seed};
  for (const Step &s : steps_) {
    switch (s.kind) {
    case Kind::Resize: {
      int64_t h, w;
      if (s.args.size() == 2) {
        h = int64_t(s.args[0]);
        w = int64_t(s.args[1]);
      } else {
        // The smaller edge becomes `size`; the other keeps the aspect
        // ratio, truncated (torchvision's _compute_resized_output_size).
        int64_t size = int64_t(s.args[0]);
        if (img.height <= img.width) {
          h = size;
          w = int64_t(double(size) * img.width / img.height);
        } else {
          w = size;
          h = int64_t(double(size) * img.height / img.width);
        }
      }
      QRT_RETURN_IF_ERROR(checkSize("Resize", img.channels, h, w));
      resize(img, h, w, s.nearest);
      break;
    }
    case Kind::CenterCrop: {
      int64_t h = int64_t(s.args[0]);
      int64_t w = int64_t(s.args.size() == 2 ? s.args[1] : s.args[0]);
      QRT_RETURN_IF_ERROR(checkSize("CenterCrop", img.channels,
                                    std::max(h, img.height),
                                    std::max(w, img.width)));
      centerCrop(img, h, w);
      break;
    }
    case Kind::RandomCrop: {
      int64_t h = int64_t(s.args[0]), w = int64_t(s.args[1]);
      int64_t p = int64_t(s.args[2]);
      QRT_RETURN_IF_ERROR(checkSize("RandomCrop's padding", img.channels,
                                    img.height + 2 * p, img.width + 2 * p));
      pad(img, p, p, p, p, 0.f);
      if (h > img.height || w > img.width)
        return invalidArgument("RandomCrop(" + std::to_string(h) + ", " +
                               std::to_string(w) + ") of a " + shapeOf(img) +
                               " image (after padding): crop smaller or "
                               "Resize first");
      if (train)
        crop(img, rng.below(img.height - h + 1), rng.below(img.width - w + 1),
             h, w);
      else
        centerCrop(img, h, w);
      break;
    }
    case Kind::RandomHorizontalFlip:
      if (train && rng.uniform() < s.args[0])
        for (int64_t c = 0; c < img.channels; ++c)
          for (int64_t y = 0; y < img.height; ++y)
            std::reverse(&img.at(c, y, 0), &img.at(c, y, 0) + img.width);
      break;
    case Kind::Pad:
      QRT_RETURN_IF_ERROR(checkSize(
          "Pad", img.channels,
          img.height + int64_t(s.args[1]) + int64_t(s.args[3]),
          img.width + int64_t(s.args[0]) + int64_t(s.args[2])));
      pad(img, int64_t(s.args[0]), int64_t(s.args[1]), int64_t(s.args[2]),
          int64_t(s.args[3]), s.fill);
      break;
    case Kind::Grayscale: {
      int64_t outC = int64_t(s.args[0]);
      if (img.channels != 1 && img.channels != 3)
        return invalidArgument("Grayscale of a " + shapeOf(img) +
                               " image: it needs 1 or 3 channels");
      Image out;
      out.eightBit = img.eightBit;
      out.resize(outC, img.height, img.width);
      int64_t plane = img.height * img.width;
      for (int64_t i = 0; i < plane; ++i) {
        float y = img.pixels[i];
        if (img.channels == 3)
          // PIL's convert('L') weights (ITU-R 601-2), in float: a gray
          // image stored as RGB comes back unchanged.
          y = (img.pixels[i] * 299.f + img.pixels[plane + i] * 587.f +
               img.pixels[2 * plane + i] * 114.f) /
              1000.f;
        for (int64_t c = 0; c < outC; ++c)
          out.pixels[c * plane + i] = y;
      }
      img = std::move(out);
      break;
    }
    case Kind::ToTensor:
      if (img.eightBit)
        for (float &v : img.pixels)
          v = v / 255.f;
      img.eightBit = false;
      break;
    case Kind::Normalize: {
      size_t n = std::max(s.mean.size(), s.std.size());
      if (n != 1 && int64_t(n) != img.channels)
        return invalidArgument("Normalize with " + std::to_string(n) +
                               " channel values on a " + shapeOf(img) +
                               " image");
      int64_t plane = img.height * img.width;
      for (int64_t c = 0; c < img.channels; ++c) {
        float m = s.mean[s.mean.size() == 1 ? 0 : c];
        float inv = 1.f / s.std[s.std.size() == 1 ? 0 : c];
        float *p = img.pixels.data() + c * plane;
        for (int64_t i = 0; i < plane; ++i)
          p[i] = (p[i] - m) * inv;
      }
      break;
    }
    case Kind::ToBGR: {
      if (img.channels != 3)
        return invalidArgument("ToBGR of a " + shapeOf(img) +
                               " image: it needs 3 channels");
      int64_t plane = img.height * img.width;
      std::swap_ranges(img.pixels.begin(), img.pixels.begin() + plane,
                       img.pixels.begin() + 2 * plane);
      break;
    }
    case Kind::Scale:
      for (float &v : img.pixels)
        v *= s.args[0];
      break;
    }
  }
  return Status::ok();
}

std::string Preprocess::str() const {
  std::string out;
  auto list = [](const std::vector<float> &v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i)
      s += (i ? ", " : "") + fmt(v[i]);
    return s + "]";
  };
  auto size = [&](const std::vector<float> &v, size_t n) {
    return n == 1 ? fmt(v[0]) : "[" + fmt(v[0]) + ", " + fmt(v[1]) + "]";
  };
  for (const Step &s : steps_) {
    std::string t;
    switch (s.kind) {
    case Kind::Resize:
      t = "Resize(" + size(s.args, s.args.size()) +
          (s.nearest ? ", interpolation=nearest" : "") + ")";
      break;
    case Kind::CenterCrop:
      t = "CenterCrop(" + size(s.args, s.args.size()) + ")";
      break;
    case Kind::RandomCrop:
      t = "RandomCrop([" + fmt(s.args[0]) + ", " + fmt(s.args[1]) +
          "], padding=" + fmt(s.args[2]) + ")";
      break;
    case Kind::RandomHorizontalFlip:
      t = "RandomHorizontalFlip(p=" + fmt(s.args[0]) + ")";
      break;
    case Kind::Pad:
      t = "Pad(" + list(s.args) + ", fill=" + fmt(s.fill) + ")";
      break;
    case Kind::Grayscale:
      t = "Grayscale(" + fmt(s.args[0]) + ")";
      break;
    case Kind::ToTensor:
      t = "ToTensor";
      break;
    case Kind::Normalize:
      t = "Normalize(mean=" + list(s.mean) + ", std=" + list(s.std) + ")";
      break;
    case Kind::ToBGR:
      t = "ToBGR";
      break;
    case Kind::Scale:
      t = "Scale(" + fmt(s.args[0]) + ")";
      break;
    }
    out += (out.empty() ? "" : ", ") + t;
  }
  return out.empty() ? "(none)" : out;
}

} // namespace qrt
