# The remaining inference kernels of runtime/Kernels.def on the device
# (InferenceKernels.h; the exec kernels of ExecElementwise.cpp,
# ExecRequant.cpp and ExecTensorOps.cpp); the .cu files also in the PTX the
# exactness test reads. Included by CMakeLists.txt after both targets and
# LibraryLayers.cmake (Matmul.cpp uses cuBLASLt) exist.
set(QRT_CUDA_INFERENCE_KERNELS
  ${CMAKE_CURRENT_SOURCE_DIR}/InferenceKernels.cu
  ${CMAKE_CURRENT_SOURCE_DIR}/LayoutKernels.cu
  ${CMAKE_CURRENT_SOURCE_DIR}/LibmKernelsInference.cu
)
target_sources(qrt_cuda PRIVATE
  ${QRT_CUDA_INFERENCE_KERNELS}
  ${CMAKE_CURRENT_SOURCE_DIR}/ExecElementwise.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/ExecRequant.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/ExecTensorOps.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/Matmul.cpp
)
target_sources(qrt_cuda_ptx PRIVATE ${QRT_CUDA_INFERENCE_KERNELS})
