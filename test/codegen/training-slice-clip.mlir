// qrun lowerings of qnn.clip_grad (ReLU6's backward: dy where min < x < max)
// and qnn.slice (concat's backward), against numpy.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.array([[-1, 0, 3, 6, 7, 5.5]], np.float32)); np.save('%t/dy.npy', np.arange(1, 7, dtype=np.float32).reshape(1, 6))"
// RUN: qrun %s --function clip --input %t/dy.npy --input %t/x.npy --output %t/clip.npy
// RUN: qrun %s --function slice --input %t/x.npy --output %t/slice.npy
// RUN: %python -c "import numpy as np; print(np.load('%t/clip.npy').tolist(), np.load('%t/slice.npy').tolist())" | FileCheck %s
// CHECK: {{\[\[}}0.0, 0.0, 3.0, 0.0, 0.0, 6.0]] {{\[\[}}3.0, 6.0, 7.0]]

func.func @clip(%dy: tensor<1x6xf32>, %x: tensor<1x6xf32>) -> tensor<1x6xf32> {
  %dx = qnn.clip_grad %dy, %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<1x6xf32>
  return %dx : tensor<1x6xf32>
}

func.func @slice(%x: tensor<1x6xf32>) -> tensor<1x3xf32> {
  %s = qnn.slice %x {axis = 1 : i64, start = 2 : i64} : (tensor<1x6xf32>) -> tensor<1x3xf32>
  return %s : tensor<1x3xf32>
}
