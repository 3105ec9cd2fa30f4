//===- QnnOps.td - qnn operations --------------------------*- tablegen -*-===//

#ifndef QNN_OPS_TD
#define QNN_OPS_TD

include "dialect/QnnDialect.td"
include "dialect/QnnAttrs.td"
include "dialect/QnnTypes.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

include "dialect/QnnNetworkOps.td"
include "dialect/QnnQuantOps.td"
include "dialect/QnnIntegerOps.td"
include "dialect/QnnTrainingOps.td"

#endif // QNN_OPS_TD
