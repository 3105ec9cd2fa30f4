#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora under fuzz/corpus/<target>/.

Run with the project's .venv (numpy, onnx) after scripts/install-deps.sh
(the ONNX backend test data). The outputs are committed; rerun only to
change them. Every seed is small (libFuzzer's max_len follows the largest).
"""
import os
import shutil
import struct
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(ROOT)
NODE_TESTS = "/usr/share/libonnx-testdata/data/node"
CORPUS = os.path.join(ROOT, "corpus")


def out(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# --- ONNX models and TensorProto files -------------------------------------
NODE_MODELS = [
    "test_conv_with_strides_padding", "test_conv_with_autopad_same",
    "test_maxpool_2d_pads", "test_averagepool_2d_pads",
    "test_gemm_all_attributes", "test_gemm_default_single_elem_vector_bias",
    "test_relu", "test_add_bcast", "test_mul_bcast", "test_matmul_2d",
    "test_reshape_negative_dim", "test_concat_2d_axis_0", "test_flatten_axis1",
    "test_batchnorm_example", "test_globalaveragepool", "test_softmax_axis_1",
    "test_transpose_default", "test_slice", "test_resize_upsample_scales_nearest",
    "test_squeeze", "test_unsqueeze_axis_0", "test_sigmoid", "test_clip",
    "test_quantizelinear", "test_dequantizelinear", "test_qlinearconv",
    "test_convinteger_with_padding", "test_reduce_mean_keepdims_example",
    "test_erf", "test_leakyrelu", "test_hardsigmoid",
]


def node_models():
    for t in NODE_MODELS:
        src = os.path.join(NODE_TESTS, t)
        with open(os.path.join(src, "model.onnx"), "rb") as f:
            out("onnx", t + ".onnx", f.read())
        data = os.path.join(src, "test_data_set_0")
        for name in sorted(os.listdir(data)):
            path = os.path.join(data, name)
            if os.path.getsize(path) <= 1024:
                with open(path, "rb") as f:
                    out("tensorproto", t + "-" + name, f.read())


def small_cnn():
    """Conv (weights as raw_data and float_data initializers), BN, ReLU,
    pool, Gemm: the initializer paths the node tests lack."""
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((4, 1, 3, 3)).astype(np.float32), "w")
    b = helper.make_tensor("b", TensorProto.FLOAT, [4], [0.1, -0.1, 0.2, 0.0])
    scale = numpy_helper.from_array(np.ones(4, np.float32), "s")
    bias = numpy_helper.from_array(np.zeros(4, np.float32), "bb")
    mean = numpy_helper.from_array(np.zeros(4, np.float32), "m")
    var = numpy_helper.from_array(np.ones(4, np.float32), "v")
    fw = numpy_helper.from_array(rng.standard_normal((3, 4)).astype(np.float32), "fw")
    fb = numpy_helper.from_array(np.zeros(3, np.float32), "fb")
    shape = numpy_helper.from_array(np.array([-1, 4], np.int64), "shape")
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], "conv",
                         pads=[1, 1, 1, 1], strides=[1, 1], kernel_shape=[3, 3]),
        helper.make_node("BatchNormalization", ["c", "s", "bb", "m", "v"], ["n"], "bn"),
        helper.make_node("Relu", ["n"], ["r"], "relu"),
        helper.make_node("MaxPool", ["r"], ["p"], "pool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("GlobalAveragePool", ["p"], ["g"], "gap"),
        helper.make_node("Reshape", ["g", "shape"], ["f"], "flat"),
        helper.make_node("Gemm", ["f", "fw", "fb"], ["y"], "fc", transB=1),
    ]
    graph = helper.make_graph(
        nodes, "small_cnn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 6, 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])],
        [w, b, scale, bias, mean, var, fw, fb, shape])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    out("onnx", "small_cnn.onnx", m.SerializeToString())


def qdq_model():
    """onnxruntime's QDQ pattern around a Conv (the importer's QDQ path)."""
    w = numpy_helper.from_array(np.arange(8, dtype=np.int8).reshape(2, 1, 2, 2), "wq")
    inits = [
        w,
        numpy_helper.from_array(np.array(0.05, np.float32), "xs"),
        numpy_helper.from_array(np.array(0, np.uint8), "xz"),
        numpy_helper.from_array(np.array([0.01, 0.02], np.float32), "ws"),
        numpy_helper.from_array(np.array([0, 0], np.int8), "wz"),
    ]
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"], "q"),
        helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"], "dq"),
        helper.make_node("DequantizeLinear", ["wq", "ws", "wz"], ["wd"], "wdq", axis=0),
        helper.make_node("Conv", ["xd", "wd"], ["y"], "conv"),
    ]
    graph = helper.make_graph(
        nodes, "qdq",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 3, 3])], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    out("onnx", "qdq_conv.onnx", m.SerializeToString())
    for t in inits:
        out("tensorproto", "init-" + t.name + ".pb", t.SerializeToString())
    typed = helper.make_tensor("t", TensorProto.INT64, [2, 2], [1, -2, 3, 4])
    out("tensorproto", "int64-typed.pb", typed.SerializeToString())


# --- .npy, IDX, checkpoints -----------------------------------------------
def npy():
    def save(name, a):
        import io
        buf = io.BytesIO()
        np.save(buf, a, allow_pickle=False)
        out("npy", name, buf.getvalue())
    save("f4_2x3.npy", np.arange(6, dtype="<f4").reshape(2, 3))
    save("i1_5.npy", np.array([-2, -1, 0, 1, 2], dtype="i1"))
    save("u1_2x2.npy", np.array([[0, 255], [1, 2]], dtype="u1"))
    save("i4_3.npy", np.array([1, -1, 7], dtype="<i4"))
    save("i8_scalar.npy", np.array(7, dtype="<i8"))
    save("f4_empty.npy", np.zeros((0, 3), dtype="<f4"))
    for name in ["arange_f4_2x3.npy", "i8_vec5.npy"]:
        with open(os.path.join(REPO, "test/unit/runtime/data", name), "rb") as f:
            out("npy", "unit-" + name, f.read())


def idx():
    def header(dims):
        return struct.pack(">BBBB", 0, 0, 0x08, len(dims)) + b"".join(
            struct.pack(">I", d) for d in dims)
    out("idx", "images-2x4x4", header([2, 4, 4]) + bytes(range(32)))
    out("idx", "labels-5", header([5]) + bytes([0, 1, 9, 3, 4]))
    out("idx", "labels-5.gz", zlib_gzip(header([5]) + bytes([0, 1, 9, 3, 4])))


def zlib_gzip(data):
    import gzip
    return gzip.compress(data, mtime=0)


# runtime/Checkpoint.h, version 1; DType::F32 is 0 (runtime/Tensor.h).
F32 = 0


def checkpoint(meta, tensors):
    body = b"QRTCKPT\0" + struct.pack("<IIQQ", 1, 0, len(meta), len(tensors))
    for key, values in meta:
        k = key.encode()
        body += struct.pack("<I", len(k)) + k + struct.pack("<Q", len(values))
        body += b"".join(struct.pack("<Q", v) for v in values)
    for name, dtype, dims, raw in tensors:
        n = name.encode()
        body += struct.pack("<I", len(n)) + n + struct.pack("<II", dtype, len(dims))
        body += b"".join(struct.pack("<q", d) for d in dims)
        body += struct.pack("<Q", len(raw)) + raw
    return body + struct.pack("<I", zlib.crc32(body)) + b"QRTCEND\0"


def checkpoints():
    w = np.arange(6, dtype="<f4").tobytes()
    # The fuzzer's first byte chooses whether it fixes the CRC (even: yes).
    for tag in (b"\0", b"\1"):
        out("checkpoint", "step-weights-" + str(tag[0]),
            tag + checkpoint([("step", [3]), ("rng", [1, 2, 3, 4])],
                             [("conv.w", F32, [2, 3], w),
                              ("conv.b", F32, [2], w[:8])]))
    out("checkpoint", "empty", b"\0" + checkpoint([], []))
    out("checkpoint", "scalar", b"\0" + checkpoint([("epoch", [])],
                                                  [("s", F32, [], w[:4])]))


# --- policies -------------------------------------------------------------
POLICIES = [
    "", "wt_bit=8,fm_bit=8,wt_quant_group=C,first_bit=8,last_bit=8",
    "lsq,fm_bit=4,wt_bit=4,wt_quant_group=C,real_skip",
    "dorefa,fm_bit=2,wt_bit=2,padding_after_quant",
    "pact,fm_bit=3,wt_bit=3,fm_boundary=6.0",
    "xnor,gamma,sign_before_relu", "lqnet,fm_bit=2,wt_bit=2",
    "wt_method=adaround,wt_bit=4,fm_observer=mse,quant_first,quant_last",
    "layer.fc.wt_bit=6,layer.0.enable=false,layer.-1.fm_bit=4",
    "wt_quant_group=2,fm_asymmetric,wt_narrow", "origin,bacs",
]


def policies():
    for i, p in enumerate(POLICIES):
        out("policy", "policy-%02d" % i, p.encode())
    yaml_dir = os.path.join(REPO, "test/passes/Inputs")
    for name in sorted(os.listdir(yaml_dir)):
        if name.endswith(".yaml"):
            shutil.copy(os.path.join(yaml_dir, name),
                        os.path.join(CORPUS, "policy-yaml", name))


# --- .mlir ------------------------------------------------------------------
def mlir():
    """Test files cut at `// -----` into single modules, the small ones."""
    import glob
    n = 0
    for path in sorted(glob.glob(os.path.join(REPO, "test/dialect/*.mlir")) +
                       glob.glob(os.path.join(REPO, "test/passes/*.mlir")) +
                       glob.glob(os.path.join(REPO, "test/codegen/*.mlir"))):
        text = open(path).read()
        for part in text.split("// -----"):
            lines = [l for l in part.splitlines()
                     if not l.lstrip().startswith("//")]
            body = "\n".join(lines).strip() + "\n"
            if 40 < len(body) <= 2048 and "dense_resource" not in body:
                out("mlir", "%s-%03d.mlir" % (os.path.basename(path)[:-5], n),
                    body.encode())
                n += 1


# --- TorchScript archives ---------------------------------------------------
def torchscript():
    """Small scripted and traced modules (zip archives of code, pickles and
    tensor data); the weights are tiny so that the archives stay small."""
    import io
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    torch.manual_seed(0)

    class ConvBnRelu(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3, padding=1)
            self.bn = nn.BatchNorm2d(2)

        def forward(self, x):
            return F.relu(self.bn(self.conv(x)))

    class PoolLinear(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 3)

        def forward(self, x):
            x = F.max_pool2d(x, 2)
            x = F.adaptive_avg_pool2d(x, 1)
            return self.fc(torch.flatten(x, 1))

    class Residual(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Conv2d(2, 2, 1)

        def forward(self, x):
            y = self.a(x) + x
            return torch.cat([y, x], 1).view(x.size(0), -1)

    x1 = torch.randn(1, 1, 4, 4)
    x2 = torch.randn(1, 2, 4, 4)
    for name, m, x in [("conv_bn_relu", ConvBnRelu(), x1),
                       ("pool_linear", PoolLinear(), x2),
                       ("residual", Residual(), x2)]:
        m.eval()
        for kind, sm in [("script", torch.jit.script(m)),
                         ("trace", torch.jit.trace(m, x))]:
            buf = io.BytesIO()
            torch.jit.save(sm, buf)
            out("torchscript", "%s_%s.pt" % (name, kind), buf.getvalue())


# --- Images (qrt::decodeImage) and preprocessing specs ----------------------
def images():
    import io
    from PIL import Image
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)

    def save(name, img, fmt, **kw):
        buf = io.BytesIO()
        img.save(buf, fmt, **kw)
        out("image", name, buf.getvalue())
    save("rgb.png", Image.fromarray(rgb), "PNG")
    save("gray.png", Image.fromarray(rgb[..., 0]), "PNG")
    save("rgba.png", Image.fromarray(np.dstack([rgb, rgb[..., :1]])), "PNG")
    save("palette.png", Image.fromarray(rgb).convert("P"), "PNG")
    save("gray16.png", Image.fromarray(rgb[..., 0].astype(np.uint16) * 257), "PNG")
    save("interlaced.png", Image.fromarray(rgb), "PNG", interlace=1)
    save("rgb.jpg", Image.fromarray(rgb), "JPEG", quality=90)
    save("gray.jpg", Image.fromarray(rgb[..., 0]), "JPEG", quality=75)
    save("progressive.jpg", Image.fromarray(rgb), "JPEG", progressive=True)
    save("subsampled.jpg", Image.fromarray(rgb), "JPEG", subsampling=2)
    save("cmyk.jpg", Image.fromarray(rgb).convert("CMYK"), "JPEG")


def transforms():
    specs = [
        "ToTensor",
        "Resize(36),CenterCrop(32),ToTensor,Normalize([0.485,0.456,0.406],[0.229,0.224,0.225])",
        "Grayscale(1),CenterCrop(28),ToTensor,Normalize([0.2860],[0.3530])",
        "Resize([20, 24], interpolation=nearest),Grayscale(num_output_channels=3)",
        "Pad([1, 2, 3, 4], fill=7),RandomCrop(8, padding=2),RandomHorizontalFlip(p=0.5)",
        "CenterCrop([31, 50]),Pad(2),ToBGR,Scale(2)",
        "Normalize(mean=0.5, std=0.25)",
    ]
    for i, spec in enumerate(specs):
        out("transform", "spec%d.txt" % i, spec.encode())


def coco():
    """COCO annotation files whose one image is a.png (FuzzCoco.cpp)."""
    import json
    good = {"images": [{"id": 1, "file_name": "a.png", "width": 96,
                        "height": 64}],
            "categories": [{"id": 1, "name": "a"}, {"id": 3, "name": "b"}],
            "annotations": [
                {"id": 1, "image_id": 1, "category_id": 3,
                 "bbox": [1.5, 2, 30, 40.25], "area": 1207.5, "iscrowd": 0},
                {"id": 2, "image_id": 1, "category_id": 1,
                 "bbox": [0, 0, 96, 64], "iscrowd": 1}]}
    out("coco", "two-boxes.json", json.dumps(good).encode())
    out("coco", "no-annotations.json", json.dumps(
        {k: v for k, v in good.items() if k != "annotations"}).encode())
    bad = json.loads(json.dumps(good))
    bad["annotations"][0]["category_id"] = 2
    out("coco", "bad-category.json", json.dumps(bad).encode())


GENERATORS = ["node_models", "small_cnn", "qdq_model", "npy", "idx",
              "checkpoints", "policies", "mlir", "torchscript", "images",
              "transforms", "coco"]


def main():
    import sys
    if len(sys.argv) > 1:
        # Only the generators named (e.g. `make_seeds.py images`), over what
        # is there.
        for name in sys.argv[1:]:
            globals()[name]()
        return
    if os.path.isdir(CORPUS):
        shutil.rmtree(CORPUS)
    os.makedirs(os.path.join(CORPUS, "policy-yaml"))
    node_models()
    small_cnn()
    qdq_model()
    npy()
    idx()
    checkpoints()
    policies()
    mlir()
    torchscript()
    images()
    transforms()
    coco()


if __name__ == "__main__":
    main()
