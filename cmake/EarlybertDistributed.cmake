# The c10d backends of the dist area (src/distributed/c10d/): which ones this build has, and what they
# compile and link with. Everything that includes a c10d header lives in that directory; the rest of
# the area (launch, the gradient reducer, sharding) builds everywhere.
#
#   gloo   LibTorch's c10d ProcessGroupGloo + the gloo headers (Debian: libgloo-dev, see
#          scripts/setup.sh; a LibTorch that ships them under its include directory works too), and
#          libgloo when gloo is a library of its own (Debian) rather than inside libtorch_cpu.
#   nccl   a CUDA LibTorch with c10d NCCL (pip LibTorch 2.x) + nccl.h (pip: site-packages/nvidia/nccl,
#          next to torch/; else NCCL_ROOT, the CUDA toolkit, or EARLYBERT_NCCL_INCLUDE_DIR by hand).
# A backend that is not found is left out with a message; asking for it at run time is then an Error.

option(EARLYBERT_WITH_GLOO "Build the Gloo communicator when c10d Gloo is found" ON)
option(EARLYBERT_WITH_NCCL "Build the NCCL communicator when LibTorch has CUDA and c10d NCCL" ON)

set(EARLYBERT_HAVE_GLOO OFF)
set(EARLYBERT_HAVE_NCCL OFF)
find_path(EARLYBERT_C10D_INCLUDE_DIR torch/csrc/distributed/c10d/TCPStore.hpp HINTS ${TORCH_INCLUDE_DIRS})
if(EARLYBERT_C10D_INCLUDE_DIR)
  if(EARLYBERT_WITH_GLOO)
    find_path(EARLYBERT_GLOO_INCLUDE_DIR gloo/algorithm.h HINTS ${TORCH_INCLUDE_DIRS})
    find_library(EARLYBERT_GLOO_LIBRARY gloo)
    if(EARLYBERT_GLOO_INCLUDE_DIR
       AND EXISTS ${EARLYBERT_C10D_INCLUDE_DIR}/torch/csrc/distributed/c10d/ProcessGroupGloo.hpp)
      set(EARLYBERT_HAVE_GLOO ON)
    endif()
  endif()
  if(EARLYBERT_WITH_NCCL AND EARLYBERT_HAVE_CUDA
     AND EXISTS ${EARLYBERT_C10D_INCLUDE_DIR}/torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp)
    find_path(EARLYBERT_NCCL_INCLUDE_DIR nccl.h
              HINTS ${TORCH_INSTALL_PREFIX}/../nvidia/nccl/include $ENV{NCCL_ROOT}/include ${TORCH_INCLUDE_DIRS}
                    ${CUDAToolkit_INCLUDE_DIRS} ${CUDA_INCLUDE_DIRS})
    find_library(EARLYBERT_NCCL_LIBRARY NAMES nccl libnccl.so.2
                 HINTS ${TORCH_INSTALL_PREFIX}/../nvidia/nccl/lib $ENV{NCCL_ROOT}/lib)
    if(EARLYBERT_NCCL_INCLUDE_DIR)
      set(EARLYBERT_HAVE_NCCL ON)
    endif()
  endif()
endif()
message(STATUS "earlybert: c10d backends gloo=${EARLYBERT_HAVE_GLOO} nccl=${EARLYBERT_HAVE_NCCL}")

# earlybert_add_c10d_backends(<object library of the dist area> <shared library>)
function(earlybert_add_c10d_backends dist_lib shared_lib)
  set(dir ${PROJECT_SOURCE_DIR}/src/distributed/c10d)
  if(NOT EARLYBERT_HAVE_GLOO AND NOT EARLYBERT_HAVE_NCCL)
    return()
  endif()
  target_sources(${dist_lib} PRIVATE ${dir}/c10d_group.cpp)
  if(EARLYBERT_HAVE_GLOO)
    target_sources(${dist_lib} PRIVATE ${dir}/gloo_communicator.cpp)
    target_compile_definitions(${dist_lib} PRIVATE EARLYBERT_HAVE_GLOO=1)
    target_include_directories(${dist_lib} SYSTEM PRIVATE ${EARLYBERT_GLOO_INCLUDE_DIR})
    if(EARLYBERT_GLOO_LIBRARY)
      # PUBLIC: the object library's users (libearlybert, the dist tests) link it too.
      target_link_libraries(${dist_lib} PUBLIC ${EARLYBERT_GLOO_LIBRARY})
      target_link_libraries(${shared_lib} PRIVATE ${EARLYBERT_GLOO_LIBRARY})
    endif()
  endif()
  if(EARLYBERT_HAVE_NCCL)
    target_sources(${dist_lib} PRIVATE ${dir}/nccl_communicator.cpp)
    target_compile_definitions(${dist_lib} PRIVATE EARLYBERT_HAVE_NCCL=1)
    target_include_directories(${dist_lib} SYSTEM PRIVATE ${EARLYBERT_NCCL_INCLUDE_DIR})
    if(EARLYBERT_NCCL_LIBRARY)
      target_link_libraries(${dist_lib} PUBLIC ${EARLYBERT_NCCL_LIBRARY})
      target_link_libraries(${shared_lib} PRIVATE ${EARLYBERT_NCCL_LIBRARY})
    endif()
  endif()
endfunction()
