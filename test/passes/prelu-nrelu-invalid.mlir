// RUN: qopt %s -split-input-file -qnn-apply-policy -verify-diagnostics

// No binarized conv.
// expected-error @+1 {{policy keyword 'PReLU' changes the activations of binarized convs (wt and fm quantized to 1 bit), but the policy binarizes no conv2d here}}
func.func @no_binarized_conv(%x: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> attributes {qnn.policy = "lsq,fm_bit=2,wt_bit=2,quant_first,quant_last,PReLU"} {
  %w = arith.constant dense<0.5> : tensor<4x4x1x1xf32>
  %y = qnn.conv2d %x, %w : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %r = qnn.relu %y : tensor<?x4x8x8xf32>
  return %r : tensor<?x4x8x8xf32>
}

// -----

// No ReLU after the binarized conv.
// expected-error @+1 {{policy keyword 'NReLU' found no qnn.relu after a binarized conv (directly, after its batch norm or after a qnn.add)}}
func.func @no_relu(%x: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> attributes {qnn.policy = "xnor,quant_first,quant_last,NReLU"} {
  %w = arith.constant dense<0.5> : tensor<4x4x1x1xf32>
  %y = qnn.conv2d %x, %w : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  return %y : tensor<?x4x8x8xf32>
}

// -----

// Both.
// expected-error @+1 {{invalid policy: 'PReLU' replaces the ReLUs after binarized convs and 'NReLU' removes them; give one of them}}
func.func @both(%x: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> attributes {qnn.policy = "xnor,quant_first,quant_last,PReLU,NReLU"} {
  %w = arith.constant dense<0.5> : tensor<4x4x1x1xf32>
  %y = qnn.conv2d %x, %w : (tensor<?x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<?x4x8x8xf32>
  %r = qnn.relu %y : tensor<?x4x8x8xf32>
  return %r : tensor<?x4x8x8xf32>
}
