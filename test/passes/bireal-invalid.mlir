// RUN: qopt %s -split-input-file -qnn-apply-policy -verify-diagnostics

// `bireal` combinations that cannot be built fail the pass with an error
// naming the keyword, and the function is left unchanged.

// No binarized conv: 4-bit LSQ everywhere.
// expected-error @+1 {{policy keyword 'bireal' adds a real-valued shortcut around each binarized conv (wt and fm quantized to 1 bit), but the policy binarizes no conv2d here}}
func.func @no_binarized_conv(%x: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> attributes {qnn.policy = "lsq,fm_bit=4,wt_bit=4,quant_first,quant_last,bireal"} {
  %w = arith.constant dense<0.5> : tensor<4x4x1x1xf32>
  %y = qnn.conv2d %x, %w : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  return %y : tensor<?x4x8x8xf32>
}

// -----

// Binary weights but an 8-bit input is not a binarized conv.
// expected-error @+1 {{policy keyword 'bireal' adds a real-valued shortcut}}
func.func @binary_weights_only(%x: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> attributes {qnn.policy = "xnor,fm_method=lsq,fm_bit=8,quant_first,quant_last,bireal"} {
  %w = arith.constant dense<0.5> : tensor<4x4x1x1xf32>
  %y = qnn.conv2d %x, %w : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  return %y : tensor<?x4x8x8xf32>
}

// -----

// Fewer output channels than input channels: no parameter-free shortcut.
func.func @narrowing(%x: tensor<?x8x8x8xf32>) -> tensor<?x4x8x8xf32> attributes {qnn.policy = "xnor,quant_first,quant_last,bireal"} {
  %w = arith.constant dense<0.5> : tensor<4x8x1x1xf32>
  // expected-error @+1 {{policy keyword 'bireal': binarized conv 'conv1' maps 'tensor<?x8x8x8xf32>' to 'tensor<?x4x8x8xf32>'; the output channels must be a multiple of the input channels for a parameter-free shortcut}}
  %y = qnn.conv2d %x, %w {qnn.name = "conv1"} : (tensor<?x8x8x8xf32>, tensor<4x8x1x1xf32>) -> tensor<?x4x8x8xf32>
  return %y : tensor<?x4x8x8xf32>
}
