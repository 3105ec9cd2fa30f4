//===- OpUtils.cpp - helpers shared by the op handlers --------------------===//

#include "frontend/torchscript/OpUtils.h"

using namespace mlir;

namespace qopt::torch_import {

FailureOr<SmallVector<int64_t>> pair(Importer &im, unsigned i, StringRef what) {
  FailureOr<SmallVector<int64_t>> v = im.getInts(i, what);
  if (failed(v))
    return failure();
  if (v->size() == 1)
    v->push_back((*v)[0]);
  if (v->size() != 2)
    return im.error() << what << " must have 2 values for a 2-D op, got "
                      << v->size();
  return v;
}

} // namespace qopt::torch_import
