# Data-parallel training across GPUs (NcclCollective.h; docs/codegen.md,
# "CUDA"): NCCL, looked for beside the CUDA toolkit (it ships with it in
# /usr/local/cuda/{include,lib64}) or under NCCL_ROOT, linked privately.
# Optional: without it qrt_cuda is built with NcclCollective.cpp's stubs, and
# a run of more than one rank fails saying so. qrt_cuda's QRT_CUDA_NCCL
# property says which (the tests read it). Included by CMakeLists.txt once
# qrt_cuda exists.
find_path(QRT_NCCL_INCLUDE_DIR nccl.h
  HINTS ${CUDAToolkit_INCLUDE_DIRS} ENV NCCL_ROOT
  PATH_SUFFIXES include)
find_library(QRT_NCCL_LIBRARY nccl
  HINTS ${CUDAToolkit_LIBRARY_DIR} ${CUDAToolkit_LIBRARY_ROOT} ENV NCCL_ROOT
  PATH_SUFFIXES lib64 lib lib/x86_64-linux-gnu)
target_sources(qrt_cuda PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/CollectiveKernels.cu
  ${CMAKE_CURRENT_SOURCE_DIR}/ExecCollective.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/NcclCollective.cpp)
if(TARGET qrt_cuda_ptx)
  target_sources(qrt_cuda_ptx PRIVATE
    ${CMAKE_CURRENT_SOURCE_DIR}/CollectiveKernels.cu)
endif()
if(QRT_NCCL_INCLUDE_DIR AND QRT_NCCL_LIBRARY)
  message(STATUS "qrt_cuda: NCCL (${QRT_NCCL_LIBRARY})")
  set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/NcclCollective.cpp
    PROPERTIES COMPILE_DEFINITIONS QRT_CUDA_NCCL=1)
  target_include_directories(qrt_cuda SYSTEM PRIVATE ${QRT_NCCL_INCLUDE_DIR})
  target_link_libraries(qrt_cuda PRIVATE ${QRT_NCCL_LIBRARY})
  set_target_properties(qrt_cuda PROPERTIES QRT_CUDA_NCCL ON)
else()
  message(STATUS "qrt_cuda: no NCCL found (QRT_NCCL_INCLUDE_DIR, "
                 "QRT_NCCL_LIBRARY): data-parallel runs on GPUs refused")
  set_target_properties(qrt_cuda PROPERTIES QRT_CUDA_NCCL OFF)
endif()
