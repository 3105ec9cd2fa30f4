# TrainKernels.h's kernels (elementwise, data movement, storage, pooling,
# batch norm, losses, optimizers, fake-quant backward) in qrt_cuda, and in
# the PTX the exactness test reads; included by CMakeLists.txt after both
# targets exist.
set(QRT_CUDA_TRAIN_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/ElementwiseKernels.cu
  ${CMAKE_CURRENT_SOURCE_DIR}/FakeQuantGradKernels.cu
  ${CMAKE_CURRENT_SOURCE_DIR}/LibmKernels.cu
  ${CMAKE_CURRENT_SOURCE_DIR}/OptimizerKernels.cu
  ${CMAKE_CURRENT_SOURCE_DIR}/PoolKernels.cu
  ${CMAKE_CURRENT_SOURCE_DIR}/TrainReduceKernels.cu
)
target_sources(qrt_cuda PRIVATE ${QRT_CUDA_TRAIN_SOURCES})
target_sources(qrt_cuda_ptx PRIVATE ${QRT_CUDA_TRAIN_SOURCES})
