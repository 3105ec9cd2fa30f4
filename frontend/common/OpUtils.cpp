//===- OpUtils.cpp - shape helpers shared by both importers ---------------===//

#include "frontend/common/OpUtils.h"

using namespace mlir;

namespace qopt::frontend {

int64_t product(ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (ShapedType::isDynamic(d))
      return ShapedType::kDynamic;
    n *= d;
  }
  return n;
}

SmallVector<int64_t> toMlirShape(ArrayRef<int64_t> dims) {
  SmallVector<int64_t> shape;
  for (int64_t d : dims)
    shape.push_back(d < 0 ? ShapedType::kDynamic : d);
  return shape;
}

LogicalResult normalizeAxis(GraphBuilder &im, int64_t &axis, int64_t rank,
                            StringRef what, bool allowEnd) {
  int64_t hi = allowEnd ? rank : rank - 1;
  if (axis < -rank || axis > hi)
    return im.error() << what << " " << axis << " is out of range for rank "
                      << rank;
  if (axis < 0)
    axis += rank;
  return success();
}

} // namespace qopt::frontend
