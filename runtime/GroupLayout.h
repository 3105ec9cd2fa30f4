//===- GroupLayout.h - internal: elements grouped by granularity -*- C++
//-*-===//
//
// Internal to qrt. How a Granularity partitions a contiguous tensor: `rows`
// runs of `inner` contiguous elements, row r using parameter group(r).
//
//===----------------------------------------------------------------------===//

#ifndef QRT_GROUPLAYOUT_H
#define QRT_GROUPLAYOUT_H

#include "runtime/FakeQuant.h"

#include <algorithm>
#include <string>

namespace qrt {
namespace detail {

/// The element layout seen by a granularity: `rows` runs of `inner`
/// contiguous elements, row r using parameter group(r).
struct GroupLayout {
  int64_t rows = 0, inner = 0, channels = 1, perGroup = 1;
  int64_t group(int64_t row) const { return (row % channels) / perGroup; }
};

/// The layout of a tensor of `shape` (any dtype).
inline Status layoutFor(const Shape &shape, Granularity g, const char *name,
                        GroupLayout &l) {
  int64_t n = numElements(shape);
  int64_t rank = static_cast<int64_t>(shape.size());
  if (g.numGroups == 1) {
    // Per tensor: chunk the flat range so the work still spreads.
    l.inner = std::min<int64_t>(std::max<int64_t>(n, 1), 4096);
    l.rows = (n + l.inner - 1) / l.inner;
    l.channels = 1;
    l.perGroup = 1;
    return Status::ok();
  }
  int64_t axis = g.axis < 0 ? g.axis + rank : g.axis;
  if (axis < 0 || axis >= rank)
    return invalidArgument(std::string(name) + ": axis " +
                           std::to_string(g.axis) + " out of range");
  int64_t c = shape[axis];
  if (g.numGroups < 1 || c % g.numGroups != 0)
    return invalidArgument(std::string(name) + ": " + std::to_string(c) +
                           " channels cannot form " +
                           std::to_string(g.numGroups) + " groups");
  l.inner = 1;
  for (int64_t d = axis + 1; d < rank; ++d)
    l.inner *= shape[d];
  l.channels = c;
  l.perGroup = c / g.numGroups;
  l.rows = l.inner == 0 ? 0 : n / l.inner;
  return Status::ok();
}

/// The layout of an f32 tensor.
inline Status layoutFor(const Tensor &x, Granularity g, const char *name,
                        GroupLayout &l) {
  QRT_RETURN_IF_ERROR(checkDType(x, DType::F32, name));
  return layoutFor(x.shape(), g, name, l);
}

} // namespace detail
} // namespace qrt

#endif // QRT_GROUPLAYOUT_H
