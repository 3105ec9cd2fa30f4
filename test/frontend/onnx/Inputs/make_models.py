"""Small hand-written ONNX models for the qimport lit tests.

    make_models.py OUTDIR NAME...   writes OUTDIR/NAME.onnx for each NAME
    make_models.py --list           prints the model names

Every model is built with onnx.helper (no exporter), with seeded weights, so
each test knows exactly which nodes and attributes it feeds the importer.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

MODELS = {}
RNG = np.random.RandomState(0)


def model(fn):
    MODELS[fn.__name__] = fn
    return fn


def w(name, *shape):
    return nh.from_array(RNG.randn(*shape).astype(np.float32), name)


def arr(name, values, dtype=np.float32):
    return nh.from_array(np.array(values, dtype=dtype), name)


def inp(name, shape, dtype=T.FLOAT):
    return h.make_tensor_value_info(name, dtype, shape)


def out(name, dtype=T.FLOAT):
    return h.make_tensor_value_info(name, dtype, None)


def make(nodes, inputs, outputs, inits=(), opset=13, ir=None):
    graph = h.make_graph(nodes, "test", inputs, outputs, list(inits))
    m = h.make_model(graph, opset_imports=[h.make_opsetid("", opset)])
    if ir is not None:
        m.ir_version = ir
    return m


def single(op, inputs, inits=(), opset=13, nin=None, **attrs):
    """One node named after its op, from graph inputs x (and more) to y."""
    names = [i.name for i in inputs] + [t.name for t in inits]
    if nin is not None:
        names = nin
    node = h.make_node(op, names, ["y"], name=op.lower(), **attrs)
    return make([node], inputs, [out("y")], inits, opset)


# --- Conv / BatchNormalization / pooling -------------------------------------
@model
def conv_basic():
    return single("Conv", [inp("x", ["N", 3, 8, 8])],
                  [w("w", 8, 3, 3, 3), w("b", 8)], pads=[1, 1, 1, 1])


@model
def conv_group_dilation():
    return single("Conv", [inp("x", [1, 8, 16, 16])], [w("w", 8, 2, 3, 3)],
                  group=4, dilations=[2, 2], strides=[2, 1])


@model
def conv_same_upper():
    return single("Conv", [inp("x", [1, 2, 7, 7])], [w("w", 4, 2, 4, 4)],
                  strides=[2, 2], auto_pad="SAME_UPPER")


@model
def conv_same_lower():
    return single("Conv", [inp("x", [1, 2, 7, 7])], [w("w", 4, 2, 4, 4)],
                  strides=[2, 2], auto_pad="SAME_LOWER")


@model
def conv_valid():
    return single("Conv", [inp("x", [1, 2, 7, 7])], [w("w", 4, 2, 3, 3)],
                  auto_pad="VALID")


@model
def batchnorm():
    c = 4
    inits = [w("scale", c), w("bias", c), w("mean", c),
             arr("var", np.abs(RNG.randn(c)) + 0.5)]
    return single("BatchNormalization", [inp("x", ["N", c, 5, 5])], inits,
                  epsilon=1e-3)


@model
def maxpool():
    return single("MaxPool", [inp("x", ["N", 4, 9, 9])], kernel_shape=[3, 3],
                  strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1)


@model
def avgpool():
    return single("AveragePool", [inp("x", ["N", 4, 8, 8])],
                  kernel_shape=[2, 2], strides=[2, 2], count_include_pad=1)


@model
def avgpool_same():
    return single("AveragePool", [inp("x", [1, 4, 5, 5])],
                  kernel_shape=[2, 2], auto_pad="SAME_UPPER")


@model
def global_avgpool():
    return single("GlobalAveragePool", [inp("x", ["N", 16, 7, 7])])


# --- activations -------------------------------------------------------------
@model
def activations():
    x = inp("x", ["N", 4, 3, 3])
    nodes = [
        h.make_node("Relu", ["x"], ["a"], name="relu"),
        h.make_node("PRelu", ["a", "slope"], ["b"], name="prelu"),
        h.make_node("LeakyRelu", ["b"], ["c"], name="leaky", alpha=0.2),
        h.make_node("Clip", ["c", "lo", "hi"], ["d"], name="relu6"),
        h.make_node("Clip", ["d", "", "hi2"], ["e"], name="clip_max"),
        h.make_node("Sigmoid", ["e"], ["f"], name="sigmoid"),
        h.make_node("HardSigmoid", ["f"], ["g"], name="hsig", alpha=0.25),
        h.make_node("HardSwish", ["g"], ["y"], name="hswish"),
    ]
    inits = [arr("slope", RNG.rand(4, 1, 1)), arr("lo", 0.0), arr("hi", 6.0),
             arr("hi2", 2.5)]
    return make(nodes, [x], [out("y")], inits, opset=14)


@model
def softmax13():
    return single("Softmax", [inp("x", ["N", 10])], axis=1)


@model
def softmax11_last():
    return single("Softmax", [inp("x", [2, 3, 10])], opset=11, axis=2)


@model
def softmax11_unit_tail():
    # Flattening [C, 1, 1] at axis 1 normalizes over C alone.
    return single("Softmax", [inp("x", ["N", 10, 1, 1])], opset=11)


@model
def softmax11_flatten():
    return single("Softmax", [inp("x", [2, 3, 4])], opset=11, axis=1)


# --- elementwise, concat -----------------------------------------------------
@model
def elementwise():
    x, z = inp("x", ["N", 4, 3, 3]), inp("z", ["N", 4, 3, 3])
    nodes = [
        h.make_node("Add", ["x", "z"], ["a"], name="add"),
        h.make_node("Mul", ["a", "k"], ["b"], name="mul"),
        h.make_node("Sub", ["b", "c"], ["c2"], name="sub"),
        h.make_node("Div", ["c2", "d"], ["e"], name="div"),
        h.make_node("Concat", ["e", "x"], ["y"], name="concat", axis=1),
    ]
    inits = [arr("k", 2.0), arr("c", RNG.randn(4, 1, 1)), arr("d", [3.0])]
    return make(nodes, [x, z], [out("y")], inits)


# --- Gemm / MatMul -----------------------------------------------------------
@model
def gemm_transb():
    return single("Gemm", [inp("x", ["N", 6])], [w("B", 3, 6), w("C", 3)],
                  transB=1)


@model
def gemm_alpha_beta():
    return single("Gemm", [inp("x", [2, 6])], [arr("B", np.ones((6, 3))),
                                               arr("C", [[1.0, 2.0, 3.0]])],
                  alpha=0.5, beta=2.0)


@model
def gemm_matrix_bias():
    return single("Gemm", [inp("x", [2, 6]), inp("B", [6, 3])],
                  [arr("C", np.ones((2, 3)))], transB=0)


@model
def matmul_const():
    return single("MatMul", [inp("x", ["N", 5, 6])], [w("B", 6, 4)])


@model
def matmul_values():
    return single("MatMul", [inp("a", [2, 3, 4]), inp("b", [2, 4, 5])])


# --- shapes and layout -------------------------------------------------------
@model
def flatten():
    return single("Flatten", [inp("x", ["N", 4, 2, 2])], axis=1)


@model
def reshape_const():
    return single("Reshape", [inp("x", [2, 3, 4])],
                  [arr("shape", [0, -1], np.int64)])


@model
def transpose():
    return single("Transpose", [inp("x", [1, 2, 3, 4])], perm=[0, 2, 3, 1])


@model
def squeeze_unsqueeze():
    x = inp("x", ["N", 1, 4, 1])
    nodes = [
        h.make_node("Squeeze", ["x", "axes"], ["s"], name="squeeze"),
        h.make_node("Unsqueeze", ["s", "axes2"], ["y"], name="unsqueeze"),
    ]
    inits = [arr("axes", [1, 3], np.int64), arr("axes2", [-1], np.int64)]
    return make(nodes, [x], [out("y")], inits)


@model
def squeeze_opset11():
    return single("Squeeze", [inp("x", [2, 1, 4])], opset=11, axes=[1])


@model
def shape_chain():
    """torch's x.view(x.size(0), -1): Shape -> Gather -> Unsqueeze -> Concat."""
    x = inp("x", ["N", 8, 2, 2])
    nodes = [
        h.make_node("Relu", ["x"], ["r"], name="relu"),
        h.make_node("Shape", ["r"], ["s"], name="shape"),
        h.make_node("Gather", ["s", "zero"], ["n"], name="gather", axis=0),
        h.make_node("Unsqueeze", ["n", "axes"], ["n1"], name="unsqueeze"),
        h.make_node("Cast", ["n1"], ["n2"], name="cast", to=T.INT64),
        h.make_node("Concat", ["n2", "minus1"], ["shp"], name="cat", axis=0),
        h.make_node("Reshape", ["r", "shp"], ["y"], name="view"),
    ]
    inits = [arr("zero", 0, np.int64), arr("axes", [0], np.int64),
             arr("minus1", [-1], np.int64)]
    return make(nodes, [x], [out("y")], inits)


@model
def shape_static_fold():
    """Static shapes: Shape/Slice/Mul arithmetic folds to a constant."""
    x = inp("x", [2, 3, 4])
    nodes = [
        h.make_node("Shape", ["x"], ["s"], name="shape"),
        h.make_node("Slice", ["s", "st", "en"], ["hw"], name="slice"),
        h.make_node("Mul", ["hw", "one"], ["p"], name="mul"),
        h.make_node("Concat", ["first", "p"], ["shp"], name="cat", axis=0),
        h.make_node("Reshape", ["x", "shp"], ["y"], name="reshape"),
    ]
    inits = [arr("st", [1], np.int64), arr("en", [2], np.int64),
             arr("one", [4], np.int64), arr("first", [2], np.int64)]
    return make(nodes, [x], [out("y")], inits)


@model
def pad():
    return single("Pad", [inp("x", ["N", 2, 4, 4])],
                  [arr("pads", [0, 0, 1, 2, 0, 0, 1, 2], np.int64),
                   arr("value", 0.5)])


@model
def resize_nearest_scales():
    return single("Resize", [inp("x", ["N", 2, 4, 4])],
                  [arr("roi", []), arr("scales", [1, 1, 2, 2])],
                  mode="nearest", coordinate_transformation_mode="asymmetric",
                  nearest_mode="floor")


@model
def resize_linear_sizes():
    return single("Resize", [inp("x", [1, 2, 4, 4])], nin=["x", "", "", "sizes"],
                  inits=[arr("sizes", [1, 2, 7, 9], np.int64)], mode="linear")


@model
def upsample():
    # Upsample is deprecated since opset 10; the schema still exists.
    return single("Upsample", [inp("x", [1, 2, 3, 3])],
                  [arr("scales", [1, 1, 2, 2])], opset=11, mode="nearest")


@model
def misc_passthrough():
    x = inp("x", ["N", 4])
    nodes = [
        h.make_node("Identity", ["x"], ["a"], name="identity"),
        h.make_node("Dropout", ["a"], ["b"], name="dropout"),
        h.make_node("Constant", [], ["k"], name="const",
                    value=nh.from_array(np.full((1, 4), 0.5, np.float32))),
        h.make_node("Constant", [], ["s"], name="const_f", value_float=3.0),
        h.make_node("Add", ["b", "k"], ["c"], name="add"),
        h.make_node("Mul", ["c", "s"], ["y"], name="mul"),
    ]
    return make(nodes, [x], [out("y")])


# --- QDQ ---------------------------------------------------------------------
@model
def qdq():
    x = inp("x", ["N", 3, 4, 4])
    wq = nh.from_array(RNG.randint(-127, 128, (4, 3, 1, 1)).astype(np.int8),
                       "w_q")
    nodes = [
        h.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"], name="q_in"),
        h.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"],
                    name="dq_in"),
        h.make_node("DequantizeLinear", ["w_q", "ws", "wz"], ["wd"],
                    name="dq_w", axis=0),
        h.make_node("Conv", ["xd", "wd"], ["y"], name="conv"),
    ]
    inits = [arr("xs", 0.05), arr("xz", 128, np.uint8), wq,
             arr("ws", [0.01, 0.02, 0.03, 0.04]),
             arr("wz", [0, 0, 0, 0], np.int8)]
    return make(nodes, [x], [out("y")], inits)


@model
def qdq_gemm():
    """A classifier as onnxruntime's quantize_static writes it: Gemm (transB)
    of a dequantized input, an int8 weight dequantized per row and an int32
    bias dequantized with s_x * s_w."""
    x = inp("x", ["N", 6])
    ws = np.array([0.01, 0.02, 0.03], np.float32)
    nodes = [
        h.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"], name="q_in"),
        h.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"],
                    name="dq_in"),
        h.make_node("DequantizeLinear", ["w_q", "ws", "wz"], ["wd"],
                    name="dq_w", axis=0),
        h.make_node("DequantizeLinear", ["b_q", "bs", "bz"], ["bd"],
                    name="dq_b", axis=0),
        h.make_node("Gemm", ["xd", "wd", "bd"], ["y"], name="fc", transB=1),
    ]
    inits = [arr("xs", 0.05), arr("xz", 128, np.uint8),
             nh.from_array(RNG.randint(-127, 128, (3, 6)).astype(np.int8),
                           "w_q"),
             arr("ws", ws), arr("wz", [0, 0, 0], np.int8),
             nh.from_array(RNG.randint(-500, 500, (3,)).astype(np.int32), "b_q"),
             arr("bs", ws * np.float32(0.05)), arr("bz", [0, 0, 0], np.int32)]
    return make(nodes, [x], [out("y")], inits)


# --- resources ---------------------------------------------------------------
@model
def big_weight():
    return single("MatMul", [inp("x", [1, 8])], [w("fc.weight", 8, 4)])


# --- ReduceMean, SiLU, GELU (#19) ---------------------------------------------
@model
def reduce_mean():
    """ShuffleNet's x.mean([2, 3]) (keepdims 0), the SE pool of MobileNet v3
    (keepdims 1), a mean over channels and one over every axis."""
    x = inp("x", ["N", 4, 5, 6])
    nodes = [
        h.make_node("ReduceMean", ["x"], ["a"], name="spatial", axes=[2, 3],
                    keepdims=0),
        h.make_node("ReduceMean", ["x"], ["b"], name="spatial_keep",
                    axes=[-1, -2]),
        h.make_node("ReduceMean", ["x"], ["c"], name="channels", axes=[1]),
        h.make_node("ReduceMean", ["x"], ["d"], name="all", keepdims=0),
    ]
    return make(nodes, [x], [out("a"), out("b"), out("c"), out("d")])


@model
def silu():
    """torch.onnx's SiLU, x * Sigmoid(x) (either order), and a Sigmoid that
    a later node reads too, which stays."""
    x = inp("x", ["N", 4, 3, 3])
    nodes = [
        h.make_node("Sigmoid", ["x"], ["s"], name="sig1"),
        h.make_node("Mul", ["x", "s"], ["a"], name="silu1"),
        h.make_node("Sigmoid", ["a"], ["t"], name="sig2"),
        h.make_node("Mul", ["t", "a"], ["b"], name="silu2"),
        h.make_node("Add", ["b", "t"], ["y"], name="add"),
    ]
    return make(nodes, [x], [out("y")])


@model
def gelu_erf():
    """torch.onnx's GELU at opset 13: x * (Erf(x / sqrt 2) + 1) * 0.5."""
    x = inp("x", ["N", 8])
    nodes = [
        h.make_node("Div", ["x", "sqrt2"], ["a"], name="div"),
        h.make_node("Erf", ["a"], ["b"], name="erf"),
        h.make_node("Add", ["b", "one"], ["c"], name="add"),
        h.make_node("Mul", ["x", "c"], ["d"], name="mul"),
        h.make_node("Mul", ["d", "half"], ["y"], name="mul_half"),
    ]
    inits = [arr("sqrt2", 1.4142135), arr("one", 1.0), arr("half", 0.5)]
    return make(nodes, [x], [out("y")], inits)


@model
def bad_reduce_mean():
    return single("ReduceMean", [inp("x", [1, 4, 5])], axes=[1, -2])


# --- Slice of computed tensors, channel shuffle (#19) ------------------------
@model
def slice_tensor():
    """Slice of a computed tensor: two axes at once with a negative start
    and an end past the dimension (clamped), the dynamic batch taken whole
    (torch's INT64_MAX end), and a Slice that keeps everything."""
    x = inp("x", ["N", 8, 5, 6])
    nodes = [
        h.make_node("Relu", ["x"], ["r"], name="relu"),
        h.make_node("Slice", ["r", "st", "en", "ax", "one"], ["a"],
                    name="two_axes"),
        h.make_node("Slice", ["r", "zero", "big", "zero"], ["b"],
                    name="whole_batch"),
        h.make_node("Slice", ["r", "st2", "en2", "ax2"], ["c"],
                    name="last_rows"),
    ]
    big = np.iinfo(np.int64).max
    inits = [arr("st", [2, -4], np.int64), arr("en", [6, 100], np.int64),
             arr("ax", [1, -1], np.int64), arr("one", [1, 1], np.int64),
             arr("zero", [0], np.int64), arr("big", [big], np.int64),
             arr("st2", [-2], np.int64), arr("en2", [big], np.int64),
             arr("ax2", [2], np.int64)]
    return make(nodes, [x], [out("a"), out("b"), out("c")], inits)


def _shuffle(nodes, inits, x, y, c, hw, tag):
    """torch.onnx's channel_shuffle(x, 2) on [N, c, hw, hw], batch read by
    Shape -> Gather: view(b, 2, c/2, h, w) -> transpose(1, 2) -> view(b, -1,
    h, w)."""
    nodes += [
        h.make_node("Shape", [x], [tag + "s"], name=tag + "shape"),
        h.make_node("Gather", [tag + "s", "i0"], [tag + "b"], name=tag + "gb",
                    axis=0),
        h.make_node("Unsqueeze", [tag + "b", "ax0"], [tag + "b1"],
                    name=tag + "ub"),
        h.make_node("Concat", [tag + "b1", tag + "grp"], [tag + "t5"],
                    name=tag + "cat5", axis=0),
        h.make_node("Reshape", [x, tag + "t5"], [tag + "v5"],
                    name=tag + "view5"),
        h.make_node("Transpose", [tag + "v5"], [tag + "tr"],
                    name=tag + "transpose", perm=[0, 2, 1, 3, 4]),
        h.make_node("Concat", [tag + "b1", tag + "rest"], [tag + "t4"],
                    name=tag + "cat4", axis=0),
        h.make_node("Reshape", [tag + "tr", tag + "t4"], [y],
                    name=tag + "view4"),
    ]
    inits += [arr(tag + "grp", [2, c // 2, hw, hw], np.int64),
              arr(tag + "rest", [-1, hw, hw], np.int64)]


@model
def channel_shuffle():
    """Two ShuffleNet v2 units with a dynamic batch: chunk(2, dim=1) as two
    Slices, a Conv + Relu branch, Concat, channel shuffle. The second
    shuffle's batch is read from a tensor that ONNX's shape inference knows
    nothing of (after the first Reshape to a computed shape)."""
    x = inp("x", ["N", 8, 4, 4])
    nodes, inits = [], [arr("i0", 0, np.int64), arr("ax0", [0], np.int64),
                        arr("s0", [0], np.int64), arr("s4", [4], np.int64),
                        arr("s8", [8], np.int64), arr("a1", [1], np.int64),
                        w("conv.weight", 4, 4, 1, 1), w("conv.bias", 4)]
    _shuffle(nodes, inits, "x", "u", 8, 4, "a_")
    nodes += [
        h.make_node("Slice", ["u", "s0", "s4", "a1"], ["keep"], name="split0"),
        h.make_node("Slice", ["u", "s4", "s8", "a1"], ["work"], name="split1"),
        h.make_node("Conv", ["work", "conv.weight", "conv.bias"], ["cv"],
                    name="conv"),
        h.make_node("Relu", ["cv"], ["rl"], name="relu"),
        h.make_node("Concat", ["rl", "keep"], ["cat"], name="cat", axis=1),
    ]
    _shuffle(nodes, inits, "cat", "y", 8, 4, "b_")
    return make(nodes, [x], [out("y")], inits)


@model
def bad_slice_step():
    """A reversed Slice of a computed tensor, to torch.onnx's end of
    -2^63 + 1."""
    return single("Slice", [inp("x", ["N", 8])],
                  [arr("st", [-1], np.int64),
                   arr("en", [-np.iinfo(np.int64).max], np.int64),
                   arr("ax", [1], np.int64), arr("stp", [-1], np.int64)])


@model
def swin_mask():
    """What torch.onnx writes for Swin's shifted windows, all folded at
    import time but the strided slices: the padding (H % w) from the
    input's shape by Mod; a mask written by a slice assignment (Range,
    ScatterND into ConstantOfShape, an Expand of a constant), its pairwise
    differences != 0 (Equal of floats, Not) as -100 (Where); a constant
    reversed by a Slice to -2^63 + 1; and patch merging's x[:, 1::2] and
    x[:, :, 0::2] of a computed tensor."""
    x = inp("x", ["N", 6, 4])
    big = np.iinfo(np.int64).max
    nodes = [
        h.make_node("Shape", ["x"], ["shape"], name="shape"),
        h.make_node("Gather", ["shape", "i1"], ["h"], name="h", axis=0),
        h.make_node("Mod", ["h", "four"], ["hm"], name="mod", fmod=0),
        h.make_node("Sub", ["four", "hm"], ["d"], name="sub"),
        h.make_node("Mod", ["d", "four"], ["pad"], name="mod_pad", fmod=0),
        h.make_node("Unsqueeze", ["pad", "ax0"], ["pad1"], name="pad1"),
        h.make_node("Slice", ["x", "pad1", "bigv", "ax1"], ["y"],
                    name="drop_pad"),
        h.make_node("Range", ["two", "four", "one"], ["r"], name="range"),
        h.make_node("Reshape", ["r", "col"], ["idx"], name="idx"),
        h.make_node("ConstantOfShape", ["four1"], ["zeros"], name="zeros"),
        h.make_node("Expand", ["onef", "two1"], ["upd"], name="upd"),
        h.make_node("ScatterND", ["zeros", "idx", "upd"], ["m"],
                    name="scatter"),
        h.make_node("Unsqueeze", ["m", "ax0"], ["mr"], name="mr"),
        h.make_node("Unsqueeze", ["m", "ax1"], ["mc"], name="mc"),
        h.make_node("Sub", ["mr", "mc"], ["diff"], name="diff"),
        h.make_node("Equal", ["diff", "zerof"], ["same"], name="equal"),
        h.make_node("Not", ["same"], ["differ"], name="not"),
        h.make_node("Where", ["differ", "minus100", "zerof"], ["mask"],
                    name="where"),
        h.make_node("Slice", ["vec", "last", "minusbig", "ax0", "back"],
                    ["rev"], name="reverse"),
        h.make_node("Add", ["y", "mask"], ["ym"], name="add_mask"),
        h.make_node("Add", ["ym", "rev"], ["a"], name="add_rev"),
        h.make_node("Slice", ["x", "one1", "bigv", "ax1", "two1"], ["b"],
                    name="odd_rows"),
        h.make_node("Slice", ["x", "zero1", "bigv", "ax2", "two1"], ["c"],
                    name="even_cols"),
    ]
    inits = [arr("i1", 1, np.int64), arr("four", 4, np.int64),
             arr("ax0", [0], np.int64), arr("ax1", [1], np.int64),
             arr("ax2", [2], np.int64), arr("bigv", [big], np.int64),
             arr("two", 2, np.int64), arr("one", 1, np.int64),
             arr("col", [2, 1], np.int64), arr("four1", [4], np.int64),
             arr("onef", 1.0), arr("two1", [2], np.int64),
             arr("zerof", 0.0), arr("minus100", -100.0),
             arr("vec", [0.5, 1.5, 2.5, 3.5]), arr("last", [-1], np.int64),
             arr("minusbig", [-big], np.int64), arr("back", [-1], np.int64),
             arr("one1", [1], np.int64), arr("zero1", [0], np.int64)]
    return make(nodes, [x], [out("a"), out("b"), out("c")], inits)


@model
def bad_slice_dynamic_start():
    return single("Slice", [inp("x", ["N", 8]), inp("st", [1], T.INT64)],
                  [arr("en", [8], np.int64), arr("ax", [1], np.int64)])


# --- LayerNorm, Pow, Sqrt, linear over tokens (#19) -----------------------------
@model
def layer_norm():
    """LayerNormalization (opset 17): over the last axis with a bias, over
    the last two (axis=-2) without one."""
    x = inp("x", ["N", 5, 6])
    rng = np.random.default_rng(4)
    nodes = [
        h.make_node("LayerNormalization", ["x", "g6", "b6"], ["a"], name="ln_last",
                    epsilon=1e-6),
        h.make_node("LayerNormalization", ["x", "g56"], ["b"], name="ln_two",
                    axis=-2),
    ]
    inits = [arr("g6", rng.uniform(0.5, 1.5, 6)), arr("b6", rng.normal(0, 0.1, 6)),
             arr("g56", rng.uniform(0.5, 1.5, (5, 6)))]
    return make(nodes, [x], [out("a"), out("b")], inits, opset=17)


@model
def layer_norm_decomposed():
    """torch.onnx's layer_norm before opset 17: ReduceMean, Sub, Pow 2,
    ReduceMean, Add eps, Sqrt, Div, then the affine Mul and Add; and a
    MatMul by a constant over the tokens (a linear of a rank-3 input)."""
    x = inp("x", ["N", 5, 6])
    rng = np.random.default_rng(5)
    nodes = [
        h.make_node("ReduceMean", ["x"], ["m"], name="mean", axes=[-1]),
        h.make_node("Sub", ["x", "m"], ["d"], name="sub"),
        h.make_node("Pow", ["d", "two"], ["d2"], name="pow"),
        h.make_node("ReduceMean", ["d2"], ["v"], name="var", axes=[-1]),
        h.make_node("Add", ["v", "eps"], ["ve"], name="add_eps"),
        h.make_node("Sqrt", ["ve"], ["s"], name="sqrt"),
        h.make_node("Div", ["d", "s"], ["n"], name="div"),
        h.make_node("Mul", ["n", "g"], ["a"], name="scale"),
        h.make_node("Add", ["a", "b"], ["c"], name="shift"),
        h.make_node("MatMul", ["c", "w"], ["y"], name="fc"),
        h.make_node("Pow", ["x", "half"], ["z"], name="pow_half"),
    ]
    inits = [arr("two", 2.0), arr("eps", 1e-5), arr("half", 0.5),
             arr("g", rng.uniform(0.5, 1.5, 6)), arr("b", rng.normal(0, 0.1, 6)),
             arr("w", rng.normal(0, 0.5, (6, 3)))]
    return make(nodes, [x], [out("y"), out("z")], inits)


@model
def gather_tokens():
    """A vision transformer's x[:, 0] (Gather of a computed tensor, scalar
    index) and x[:, -1:] as a one-element index list."""
    x = inp("x", ["N", 5, 6])
    nodes = [
        h.make_node("Relu", ["x"], ["r"], name="relu"),
        h.make_node("Gather", ["r", "zero"], ["a"], name="cls", axis=1),
        h.make_node("Gather", ["r", "last"], ["b"], name="last", axis=1),
    ]
    inits = [arr("zero", 0, np.int64), arr("last", [-1], np.int64)]
    return make(nodes, [x], [out("a"), out("b")], inits)


@model
def einsum_attention():
    """MaxViT's attention as torch.onnx writes it: Einsum for q k^T (the
    right operand transposed) and for p v, Tanh; and an einsum that is not
    a matrix product."""
    q = inp("q", ["N", 2, 5, 4])
    k = inp("k", ["N", 2, 5, 4])
    nodes = [
        h.make_node("Einsum", ["q", "k"], ["s"], name="qk",
                    equation="b h i d, b h j d -> b h i j"),
        h.make_node("Tanh", ["s"], ["t"], name="tanh"),
        h.make_node("Einsum", ["t", "k"], ["y"], name="pv",
                    equation="bhij,bhjd->bhid"),
    ]
    return make(nodes, [q, k], [out("y")], opset=13)


@model
def bad_einsum():
    """An elementwise product written as an einsum: not a matrix product."""
    return single("Einsum", [inp("a", [2, 3]), inp("b", [2, 3])],
                  equation="ij,ij->ij")


@model
def bad_expand():
    """Expand of a size-1 dimension to a static size."""
    x = inp("x", ["N", 1, 6])
    return single("Expand", [x], [arr("shape", [1, 4, 6], np.int64)])


@model
def bad_pow():
    """Pow by a computed exponent."""
    return single("Pow", [inp("x", [2, 3]), inp("e", [2, 3])])


# --- invalid inputs ----------------------------------------------------------
@model
def bad_unsupported():
    x = inp("x", [1, 4])
    nodes = [
        h.make_node("Cos", ["x"], ["a"], name="cos1"),
        h.make_node("Relu", ["a"], ["b"], name="relu"),
        h.make_node("TopK", ["b", "k"], ["c", "idx"], name="topk"),
        h.make_node("Cos", ["c"], ["y"], name="cos2"),
    ]
    return make(nodes, [x], [out("y")], [arr("k", [2], np.int64)])


@model
def bad_attr():
    return single("Pad", [inp("x", [1, 2, 4, 4])],
                  [arr("pads", [0, 0, 1, 1, 0, 0, 1, 1], np.int64)],
                  mode="reflect")


@model
def bad_resize_mode():
    return single("Resize", [inp("x", [1, 2, 4, 4])],
                  [arr("roi", []), arr("scales", [1, 1, 2, 2])], mode="cubic")


@model
def bad_resize_scale():
    # 4 * 0.6 = 2.4: ONNX maps coordinates with 0.6, qnn.resize with 2 / 4.
    return single("Resize", [inp("x", [1, 2, 4, 4])],
                  [arr("roi", []), arr("scales", [1, 1, 0.6, 0.6])],
                  mode="linear")


@model
def bad_training_dropout():
    return single("Dropout", [inp("x", [1, 4])],
                  [arr("ratio", 0.5), arr("training_mode", True, np.bool_)],
                  opset=13)


@model
def bad_undefined_input():
    return make([h.make_node("Add", ["x", "missing"], ["y"], name="add")],
                [inp("x", [1, 4])], [out("y")])


@model
def bad_missing_initializer():
    # Conv's weight is neither an input nor an initializer.
    return make([h.make_node("Conv", ["x", "w"], ["y"], name="conv")],
                [inp("x", [1, 2, 4, 4])], [out("y")])


@model
def bad_opset():
    return single("Relu", [inp("x", [1, 4])], opset=9)


@model
def bad_nonconst_shape():
    return single("Reshape", [inp("x", [2, 4]), inp("s", [2], T.INT64)])


@model
def bad_training_bn():
    c = 2
    return single("BatchNormalization", [inp("x", [1, c, 3, 3])],
                  [w("s", c), w("b", c), w("m", c), arr("v", [1.0, 1.0])],
                  opset=15, training_mode=1)


@model
def bad_pool_pads():
    # ONNX accepts it; qnn's verifier does not, and says which node.
    return single("MaxPool", [inp("x", [1, 2, 4, 4])], kernel_shape=[2, 2],
                  pads=[2, 2, 2, 2])


# --- attributes and shapes against the operator specifications ---------------
# (invalid-attributes.test) ONNX's checker and shape inference accept or crash
# on some of these; the importer names the node.
def _x():
    return inp("x", [1, 4, 8, 8])


@model
def bad_conv_stride0():
    # ONNX's shape inference divides by it (SIGFPE before the check).
    return single("Conv", [_x()], [w("w", 4, 4, 3, 3)], strides=[0, 1])


@model
def bad_lppool_stride0():
    # Not an op qimport supports, but shape inference runs over it first.
    return single("LpPool", [_x()], kernel_shape=[2, 2], strides=[1, 0])


@model
def bad_conv_dilation0():
    return single("Conv", [_x()], [w("w", 4, 4, 3, 3)], dilations=[0, 1],
                  auto_pad="SAME_UPPER")


@model
def bad_conv_group_in():
    return single("Conv", [inp("x", [1, 6, 8, 8])], [w("w", 4, 2, 3, 3)],
                  group=4)


@model
def bad_conv_group_out():
    return single("Conv", [_x()], [w("w", 5, 2, 3, 3)], group=2)


@model
def bad_conv_pads_len():
    return single("Conv", [_x()], [w("w", 4, 4, 3, 3)], pads=[1, 1])


@model
def bad_conv_pads_neg():
    return single("Conv", [_x()], [w("w", 4, 4, 3, 3)], pads=[-1, 0, 0, 0])


@model
def bad_conv_kernel_shape():
    return single("Conv", [_x()], [w("w", 4, 4, 3, 3)], kernel_shape=[5, 5])


@model
def bad_conv_auto_pad():
    return single("Conv", [_x()], [w("w", 4, 4, 3, 3)], auto_pad="SAME")


@model
def bad_conv_auto_pad_pads():
    return single("Conv", [_x()], [w("w", 4, 4, 3, 3)], auto_pad="VALID",
                  pads=[1, 1, 1, 1])


@model
def bad_pool_kernel0():
    return single("MaxPool", [_x()], kernel_shape=[0, 2])


@model
def bad_pool_stride0():
    return single("AveragePool", [_x()], kernel_shape=[2, 2], strides=[0, 2],
                  auto_pad="SAME_UPPER")


@model
def bad_pool_pads_neg():
    return single("AveragePool", [_x()], kernel_shape=[2, 2],
                  pads=[0, -1, 0, 0])


@model
def bad_gemm_k():
    return single("Gemm", [inp("x", [2, 4])], [w("b", 5, 3)])


@model
def bad_gemm_inputs():
    """A Gemm with five inputs (ONNX allows 2-3): the extra ones were
    ignored."""
    return single("Gemm", [inp("x", [2, 4])], [w("b", 4, 3), w("c", 3)],
                  nin=["x", "b", "c", "c", "c"])


@model
def bad_gemm_attr_type():
    """alpha as a string: read as absent (1.0) before."""
    return single("Gemm", [inp("x", [2, 4])], [w("b", 4, 3)], alpha="two")


@model
def bad_duplicate_opset():
    """The default domain imported three times (fuzz-onnx's model had 13, 1,
    6; libonnx's shape inference crashed on it)."""
    m = single("Relu", [inp("x", [2, 4])])
    del m.opset_import[:]
    m.opset_import.extend([h.make_opsetid("", v) for v in (13, 1, 6)])
    return m


@model
def bad_gemm_trans_k():
    # transA makes A 2 x 4; transB makes B's K 5.
    return single("Gemm", [inp("x", [4, 2])], [w("b", 3, 5)], transA=1,
                  transB=1)


@model
def bad_reshape():
    return single("Reshape", [inp("x", [2, 4])], [arr("s", [3, 3], np.int64)])


@model
def bad_concat_axis():
    return make([h.make_node("Concat", ["x", "x"], ["y"], name="cat", axis=2)],
                [inp("x", [2, 4])], [out("y")])


@model
def bad_resize_zero():
    return single("Resize", [_x()], [arr("roi", []), arr("scales", [1, 1, 0, 0])],
                  mode="nearest")


@model
def bad_no_outputs():
    return make([h.make_node("Relu", ["x"], ["y"], name="relu")],
                [inp("x", [2, 4])], [])


@model
def bad_raw_data_size():
    m = single("Conv", [_x()], [w("w", 4, 4, 3, 3)])
    t = m.graph.initializer[0]
    t.raw_data = t.raw_data[:-4]
    return m


@model
def bad_raw_data_overflow():
    # 2^62 * 2^2 elements: the byte count overflows int64.
    m = single("Conv", [_x()], [w("w", 4, 4, 3, 3)])
    t = m.graph.initializer[0]
    del t.dims[:]
    t.dims.extend([1 << 62, 4])
    return m


def main(argv):
    if argv[1:] == ["--list"]:
        print("\n".join(sorted(MODELS)))
        return 0
    outdir, names = argv[1], argv[2:] or sorted(MODELS)
    os.makedirs(outdir, exist_ok=True)
    for name in names:
        onnx.save(MODELS[name](), os.path.join(outdir, name + ".onnx"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
