//===- Ranges.cpp - calibration results as a file --------------------------===//

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
      return invalidArgument("observer '" + name + "': " +
                             p.status().message());
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
        r.name + kScale,
        Tensor::fromVector<float>({(int64_t)r.params.scale.size()},
                                  r.params.scale));
    ckpt.tensors.emplace_back(
        r.name + kZeroPoint,
        Tensor::fromVector<float>({(int64_t)r.params.zeroPoint.size()},
                                  r.params.zeroPoint));
  }
  return saveCheckpoint(path, ckpt);
}

Expected<std::vector<ObservedRange>>
qrt::readRanges(const std::string &path) {
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
  for (const auto &[key, t] : ckpt->tensors) {
    bool isScale = key.size() > sizeof(kScale) - 1 &&
                   key.compare(key.size() - (sizeof(kScale) - 1),
                               std::string::npos, kScale) == 0;
    bool isZero = key.size() > sizeof(kZeroPoint) - 1 &&
                  key.compare(key.size() - (sizeof(kZeroPoint) - 1),
                              std::string::npos, kZeroPoint) == 0;
    if ((!isScale && !isZero) || t.dtype() != DType::F32 || t.rank() != 1)
      return formatError(path + ": unexpected tensor '" + key +
                         "' (want <observer>/scale or /zero_point, f32 [n])");
    std::string name =
        key.substr(0, key.size() - (isScale ? sizeof(kScale)
                                            : sizeof(kZeroPoint)) + 1);
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
