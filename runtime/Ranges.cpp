//===- Ranges.cpp - calibration results as a file
//--------------------------===//

#include "runtime/Ranges.h"
#include "runtime/Checkpoint.h"

#include <map>

using namespace qrt;

static const char kScale[] = "/scale", kZeroPoint[] = "/zero_point";

Expected<std::vector<ObservedRange>> qrt::computeRanges(
    const std::vector<std::pair<std::string, std::unique_ptr<Observer>>>
        &observers) {
  std::vector<ObservedRange> ranges;
  for (const auto &[name, observer] : observers) {
    if (!observer)
      return invalidArgument("observer '" + name + "' saw no data");
    Expected<QuantParams> p = observer->compute();
    if (!p)
      return invalidArgument("observer '" + name +
                             "': " + p.status().message());
    ranges.push_back({name, std::move(*p)});
  }
  return ranges;
}

Status qrt::writeRanges(const std::string &path,
                        const std::vector<ObservedRange> &ranges) {
  Checkpoint ckpt;
  ckpt.meta["ranges_format"] = {1};
  for (const ObservedRange &r : ranges) {
    ckpt.tensors.emplace_back(
        r.name + kScale, Tensor::fromVector<float>(
                             {(int64_t)r.params.scale.size()}, r.params.scale));
    ckpt.tensors.emplace_back(
        r.name + kZeroPoint,
        Tensor::fromVector<float>({(int64_t)r.params.zeroPoint.size()},
                                  r.params.zeroPoint));
  }
  return saveCheckpoint(path, ckpt);
}

Expected<std::vector<ObservedRange>> qrt::readRanges(const std::string &path) {
  Expected<Checkpoint> ckpt = loadCheckpoint(path);
  if (!ckpt)
    return ckpt.status();
  if (!ckpt->meta.count("ranges_format"))
    return formatError(path + ": not a ranges file (no ranges_format)");
  std::vector<ObservedRange> ranges;
  std::map<std::string, size_t> index;
  auto floats = [](const Tensor &t) {
    return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
  };
  // "<observer>/scale" -> true and "<observer>" in `name`.
  auto strip = [](const std::string &key, const std::string &suffix,
                  std::string &name) {
    if (key.size() <= suffix.size() ||
        key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0)
      return false;
    name = key.substr(0, key.size() - suffix.size());
    return true;
  };
  for (const auto &[key, t] : ckpt->tensors) {
    std::string name;
    bool isScale = strip(key, kScale, name);
    if ((!isScale && !strip(key, kZeroPoint, name)) ||
        t.dtype() != DType::F32 || t.rank() != 1)
      return formatError(path + ": unexpected tensor '" + key +
                         "' (want <observer>/scale or /zero_point, f32 [n])");
    auto [it, inserted] = index.try_emplace(name, ranges.size());
    if (inserted)
      ranges.push_back({name, {}});
    (isScale ? ranges[it->second].params.scale
             : ranges[it->second].params.zeroPoint) = floats(t);
  }
  for (const ObservedRange &r : ranges)
    if (r.params.scale.size() != r.params.zeroPoint.size())
      return formatError(path + ": observer '" + r.name +
                         "' needs a scale and a zero point of one size");
  return ranges;
}
