// ml_program globals in the interpreter: loads read the current value, a
// store rebinds the global for later loads (in the same run and in later
// runs of any plan of the module) without touching tensors already loaded.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.array([1, 2, 3, 4], np.float32))"
// RUN: qrun %s --function main --input %t/x.npy --output %t/main.npy
// RUN: %python -c "import numpy as np; print(np.load('%t/main.npy').tolist())" | FileCheck %s --check-prefix=MAIN
// MAIN: [1.5, 4.0, 7.5, 12.0]
// RUN: qrun %s --function store_then_load --input %t/x.npy --output %t/a.npy --output %t/b.npy
// RUN: %python -c "import numpy as np; print(np.load('%t/a.npy').tolist(), np.load('%t/b.npy').tolist())" | FileCheck %s --check-prefix=STORE
// STORE: [0.5, 1.0, 1.5, 2.0] [1.0, 2.0, 3.0, 4.0]

module {
  ml_program.global private mutable @scale(dense<[0.5, 1.0, 1.5, 2.0]> : tensor<4xf32>) : tensor<4xf32>

  func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
    %s = ml_program.global_load @scale : tensor<4xf32>
    %y = qnn.mul %x, %s : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %z = qnn.add %y, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    return %z : tensor<4xf32>
  }

  // Returns the old value (loaded before the store) and the new one.
  func.func @store_then_load(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
    %old = ml_program.global_load @scale : tensor<4xf32>
    ml_program.global_store @scale = %x : tensor<4xf32>
    %new = ml_program.global_load @scale : tensor<4xf32>
    return %old, %new : tensor<4xf32>, tensor<4xf32>
  }
}
