//===- OnnxMutator.h - structure-aware mutation of ONNX models --*- C++ -*-===//
//
// libFuzzer's byte mutations rarely keep a protobuf parseable, so most of
// fuzz-onnx's inputs would stop at "not an ONNX model". This mutator parses
// the input as an onnx.ModelProto and changes it through protobuf's
// reflection (libprotobuf-mutator is not in Debian): any scalar field
// (dims, data types, attribute values, opset versions), any string (names,
// op types, raw_data), repeated fields grown, shrunk or reordered, and
// ONNX-aware moves that keep a model close to importable: a node's input
// or output rewired to another value of the graph, an op type swapped for
// another supported one, an initializer's raw_data cut or extended.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_FUZZ_ONNXMUTATOR_H
#define QOPT_FUZZ_ONNXMUTATOR_H

#include <cstddef>
#include <cstdint>

namespace qopt::fuzz {

/// Mutates the serialized model in data[0, size) in place; returns the new
/// size (<= maxSize). Falls back to libFuzzer's byte mutation
/// (LLVMFuzzerMutate) when the input does not parse or the result would
/// not fit.
size_t mutateOnnxModel(uint8_t *data, size_t size, size_t maxSize,
                       unsigned seed);

} // namespace qopt::fuzz

#endif // QOPT_FUZZ_ONNXMUTATOR_H
