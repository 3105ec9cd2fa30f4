//===- Constants.cpp - reading constant tensors ---------------------------===//

#include "dialect/Constants.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

std::optional<SmallVector<float>> qopt::readF32Constant(Value v) {
  ElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    auto values = dense.tryGetValues<float>();
    if (failed(values))
      return std::nullopt;
    return SmallVector<float>(values->begin(), values->end());
  }
  if (auto blob = dyn_cast<DenseF32ResourceElementsAttr>(attr))
    if (std::optional<ArrayRef<float>> data = blob.tryGetAsArrayRef())
      return SmallVector<float>(*data);
  return std::nullopt;
}
