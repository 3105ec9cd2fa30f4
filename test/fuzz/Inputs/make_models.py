"""make_models.py OUTDIR: the ONNX models of the fuzz regression tests,
each the smallest form of an input a fuzz target found (test/fuzz/*.test)."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper


def save(out, name, nodes, inputs, outputs, inits=(), opset=13):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 7
    with open(os.path.join(out, name + ".onnx"), "wb") as f:
        f.write(m.SerializeToString())


def main(out):
    os.makedirs(out, exist_ok=True)
    w = numpy_helper.from_array(np.ones((2, 1, 2, 2), np.float32), "w")
    # fuzz-onnx: a Conv whose input has rank 3 and weight rank 4 (the
    # fuzzer's came from a Gather of a scalar index): ONNX's
    # convPoolShapeInference read past its per-axis vectors (SEGV).
    save(out, "conv-rank-mismatch",
         [helper.make_node("Conv", ["x", "w"], ["y"], "conv")],
         [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 4])],
         [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [w])
    save(out, "conv-rank-mismatch-computed",
         [helper.make_node("Gather", ["x", "i"], ["g"], "gather"),
          helper.make_node("Conv", ["g", "w"], ["y"], "conv")],
         [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4, 4])],
         [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
         [w, numpy_helper.from_array(np.array(0, np.int64), "i")])
    # fuzz-onnx: a Reshape whose int64 shape initializer has 29 bytes of
    # raw_data for dims [2]: ONNX's ParseData copied all 29 into 16 bytes
    # during shape inference (heap-buffer-overflow inside libonnx).
    shape = TensorProto(name="shape", data_type=TensorProto.INT64, dims=[2],
                        raw_data=b"\x01" + b"\0" * 7 + b"\xff" * 8 + b"\0" * 13)
    save(out, "reshape-raw-data-size",
         [helper.make_node("Reshape", ["x", "shape"], ["y"], "reshape")],
         [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4])],
         [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [shape])
    # fuzz-onnx: Shape of a value without a type: ONNX's Shape inference
    # dereferenced the missing type (SEGV in libonnx). The input was
    # undefined in the fuzzer's model; an op ONNX does not know, or a node
    # whose inference failed, leaves its output without a type too.
    x = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 4, 4])]
    y = [helper.make_tensor_value_info("y", TensorProto.INT64, None)]
    save(out, "shape-of-undefined",
         [helper.make_node("Shape", ["z"], ["y"], "shape")], x, y, opset=15)
    save(out, "shape-of-custom-op",
         [helper.make_node("MyOp", ["x"], ["r"], "custom"),
          helper.make_node("Shape", ["r"], ["y"], "shape")], x, y, opset=15)
    save(out, "shape-of-failed-inference",
         [helper.make_node("Concat", ["x", "x"], ["r"], "cat", axis=7),
          helper.make_node("Shape", ["r"], ["y"], "shape")], x, y, opset=15)
    # fuzz-onnx: a Reshape with a -1 whose input declares a batch of
    # 2^63 - 1: solving the -1 multiplied the unmatched dims past int64
    # (UBSan, frontend/onnx/Shape.cpp).
    save(out, "reshape-dims-overflow",
         [helper.make_node("Reshape", ["x", "shape"], ["y"], "reshape")],
         [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                        [2**63 - 1, 4, 2, 2])],
         [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
         [numpy_helper.from_array(np.array([-1, 4], np.int64), "shape")])


if __name__ == "__main__":
    main(sys.argv[1])
