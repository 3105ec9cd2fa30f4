"""detection_invalid.py OUTDIR : ONNX models the detection-body import must
reject with a diagnostic naming the node.

  bad_instancenorm.onnx  InstanceNormalization of an input whose channel
                         count is only known at run time
  bad_resize_batch.onnx  Resize to cat(Shape(y)[:2], [8, 8]) where y's batch
                         (dim_param M) is not the resized input's (N)
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save(out, name, nodes, inputs, outputs, inits=()):
    g = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(m, os.path.join(out, name + ".onnx"))


def main(out):
    os.makedirs(out, exist_ok=True)
    f = TensorProto.FLOAT
    save(out, "bad_instancenorm",
         [helper.make_node("InstanceNormalization", ["x", "s", "b"], ["y"],
                           name="norm")],
         [helper.make_tensor_value_info("x", f, ["N", "C", 4, 4])],
         [helper.make_tensor_value_info("y", f, ["N", "C", 4, 4])],
         [numpy_helper.from_array(np.ones(4, np.float32), "s"),
          numpy_helper.from_array(np.zeros(4, np.float32), "b")])
    save(out, "bad_resize_batch",
         [helper.make_node("Shape", ["y"], ["ys"], name="shape"),
          helper.make_node("Slice", ["ys", "zero", "two"], ["nc"],
                           name="slice"),
          helper.make_node("Concat", ["nc", "hw"], ["sizes"], axis=0,
                           name="concat"),
          helper.make_node("Resize", ["x", "", "", "sizes"], ["z"],
                           mode="nearest", name="resize")],
         [helper.make_tensor_value_info("x", f, ["N", 2, 4, 4]),
          helper.make_tensor_value_info("y", f, ["M", 2, 4, 4])],
         [helper.make_tensor_value_info("z", f, None)],
         [numpy_helper.from_array(np.array([0], np.int64), "zero"),
          numpy_helper.from_array(np.array([2], np.int64), "two"),
          numpy_helper.from_array(np.array([8, 8], np.int64), "hw")])


if __name__ == "__main__":
    main(sys.argv[1])
