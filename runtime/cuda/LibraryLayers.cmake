# The library-backed layers of qrt_cuda (Gemm.h, DnnConv.h; docs/codegen.md,
# "CUDA"): cuBLASLt GEMMs and cuDNN convolutions with the kernels around
# them. Included by CMakeLists.txt once qrt_cuda exists. cuBLASLt comes with
# the toolkit; cuDNN 9 (its graph API) is looked for, and without it
# qrt_cuda is built without the convolutions: qrt_cuda's QRT_CUDA_CUDNN
# property says which (the tests read it).
target_sources(qrt_cuda PRIVATE
  ConvPrep.cpp
  DnnKernels.cu
  Gemm.cpp
  HalfKernels.cu
  HalfReference.cpp
  Int8Gemm.cpp
  LtMatmul.cpp
)
target_link_libraries(qrt_cuda PRIVATE CUDA::cublasLt)
# The toolkit's headers, for tests that check runtime/HalfMath.h against
# cuda_fp16.h's host conversions (qrt_cuda's public headers need none).
set_target_properties(qrt_cuda PROPERTIES
  QRT_CUDA_TOOLKIT_INCLUDE_DIRS "${CUDAToolkit_INCLUDE_DIRS}")

find_path(QRT_CUDNN_INCLUDE_DIR cudnn.h
  HINTS ${CUDAToolkit_INCLUDE_DIRS} ENV CUDNN_ROOT
  PATH_SUFFIXES include)
find_library(QRT_CUDNN_LIBRARY cudnn
  HINTS ${CUDAToolkit_LIBRARY_DIR} ${CUDAToolkit_LIBRARY_ROOT} ENV CUDNN_ROOT
  PATH_SUFFIXES lib64 lib lib/x86_64-linux-gnu)
set(qrt_cudnn_major 0)
if(QRT_CUDNN_INCLUDE_DIR AND EXISTS "${QRT_CUDNN_INCLUDE_DIR}/cudnn_version.h")
  file(STRINGS "${QRT_CUDNN_INCLUDE_DIR}/cudnn_version.h" qrt_cudnn_major
    REGEX "^#define CUDNN_MAJOR [0-9]+")
  string(REGEX REPLACE ".* ([0-9]+)$" "\\1" qrt_cudnn_major "${qrt_cudnn_major}")
endif()
if(QRT_CUDNN_LIBRARY AND qrt_cudnn_major GREATER_EQUAL 9)
  message(STATUS "qrt_cuda: cuDNN ${qrt_cudnn_major} (${QRT_CUDNN_LIBRARY})")
  target_sources(qrt_cuda PRIVATE CudnnGraph.cpp DnnConv.cpp)
  target_include_directories(qrt_cuda SYSTEM PRIVATE ${QRT_CUDNN_INCLUDE_DIR})
  target_link_libraries(qrt_cuda PRIVATE ${QRT_CUDNN_LIBRARY})
  set_target_properties(qrt_cuda PROPERTIES QRT_CUDA_CUDNN ON)
else()
  message(STATUS "qrt_cuda: no cuDNN 9 found (QRT_CUDNN_INCLUDE_DIR, "
                 "QRT_CUDNN_LIBRARY): built without the convolutions "
                 "(DnnConv.h)")
  set_target_properties(qrt_cuda PROPERTIES QRT_CUDA_CUDNN OFF)
endif()

# The helper kernels' PTX is checked with the others' (CheckPtx.cmake).
if(TARGET qrt_cuda_ptx)
  target_sources(qrt_cuda_ptx PRIVATE DnnKernels.cu HalfKernels.cu)
endif()
