# Every third-party library comes from the system (Debian packages, or a CUDA LibTorch passed with
# CMAKE_PREFIX_PATH). Nothing is downloaded at configure time.
find_package(Torch REQUIRED)
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.9 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
# utf8proc and sentencepiece ship pkg-config files on Debian. Where pkg-config is missing (a GPU machine
# with the Debian packages unpacked under a prefix), fall back to a plain header/library search along
# CMAKE_PREFIX_PATH and make targets with the same names.
find_package(PkgConfig QUIET)
function(earlybert_find_c_library var module header library)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(${var} QUIET IMPORTED_TARGET ${module})
    if(TARGET PkgConfig::${var})
      return()
    endif()
  endif()
  find_path(${var}_INCLUDE_DIR ${header})
  find_library(${var}_LIBRARY ${library})
  if(NOT ${var}_INCLUDE_DIR OR NOT ${var}_LIBRARY)
    message(FATAL_ERROR "earlybert: ${module} not found (install its Debian -dev package, see scripts/setup.sh)")
  endif()
  add_library(PkgConfig::${var} INTERFACE IMPORTED GLOBAL)
  set_target_properties(PkgConfig::${var} PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES ${${var}_INCLUDE_DIR} INTERFACE_LINK_LIBRARIES ${${var}_LIBRARY})
endfunction()
earlybert_find_c_library(SENTENCEPIECE sentencepiece sentencepiece_processor.h sentencepiece)
earlybert_find_c_library(UTF8PROC libutf8proc utf8proc.h utf8proc)

# yaml-cpp's exported target name changed between releases.
if(TARGET yaml-cpp::yaml-cpp)
  set(EARLYBERT_YAML_TARGET yaml-cpp::yaml-cpp)
else()
  set(EARLYBERT_YAML_TARGET yaml-cpp)
endif()

# Torch's CMake config exports compile flags (the C++11 ABI define) in TORCH_CXX_FLAGS.
separate_arguments(EARLYBERT_TORCH_FLAGS UNIX_COMMAND "${TORCH_CXX_FLAGS}")
# The other C++ dependencies (Debian's, or .devdeps) use the C++11 std::string ABI; an old-ABI LibTorch
# (older pip wheels) then fails only at link time, with undefined std::string symbols. Say why up front.
if(TORCH_CXX_FLAGS MATCHES "_GLIBCXX_USE_CXX11_ABI=0")
  message(WARNING "earlybert: this LibTorch is built with the pre-C++11 std::string ABI "
                  "(_GLIBCXX_USE_CXX11_ABI=0) but yaml-cpp, spdlog, sentencepiece and GoogleTest use the C++11 ABI: "
                  "the link will fail. Use a LibTorch with the C++11 ABI (PyTorch >= 2.7 wheels, or the cxx11-abi "
                  "LibTorch zip); see docs/GPU_BUILD.md.")
endif()

set(EARLYBERT_HAVE_CUDA OFF)
if(TARGET torch_cuda OR TORCH_CUDA_LIBRARIES)
  set(EARLYBERT_HAVE_CUDA ON)
endif()

# oneDNN (Debian: libdnnl-dev) for the CPU matrix products of include/earlybert/runtime/matmul.h. Optional:
# without it only the ATen path is built. Debian's LibTorch 1.13 links the same libdnnl.so.2, so the two
# share one library. A CUDA LibTorch from pip carries its own, newer oneDNN inside libtorch_cpu; linking
# Debian's 2.6 next to it would put two oneDNNs with the same C symbols into one process, so the default
# is off there (the GPU's products go through ATen anyway). The C API is located by hand rather than by
# dnnl-config.cmake, which demands OpenCL because Debian builds oneDNN with its OpenCL GPU runtime.
if(EARLYBERT_HAVE_CUDA)
  set(earlybert_onednn_default OFF)
else()
  set(earlybert_onednn_default ON)
endif()
option(EARLYBERT_WITH_ONEDNN "Use oneDNN (libdnnl-dev) for CPU matrix products when it is installed"
       ${earlybert_onednn_default})
set(EARLYBERT_HAVE_ONEDNN OFF)
if(EARLYBERT_WITH_ONEDNN)
  find_path(EARLYBERT_DNNL_INCLUDE_DIR oneapi/dnnl/dnnl.hpp)
  find_library(EARLYBERT_DNNL_LIBRARY dnnl)
  if(EARLYBERT_DNNL_INCLUDE_DIR AND EARLYBERT_DNNL_LIBRARY)
    set(EARLYBERT_HAVE_ONEDNN ON)
    add_library(earlybert_dnnl INTERFACE IMPORTED GLOBAL)
    set_target_properties(earlybert_dnnl PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${EARLYBERT_DNNL_INCLUDE_DIR}
                                                    INTERFACE_LINK_LIBRARIES ${EARLYBERT_DNNL_LIBRARY})
  else()
    message(STATUS "earlybert: oneDNN not found (install libdnnl-dev): CPU matrix products use ATen only")
  endif()
endif()
message(STATUS "earlybert: LibTorch ${Torch_VERSION} at ${TORCH_INSTALL_PREFIX}, CUDA=${EARLYBERT_HAVE_CUDA}, "
               "oneDNN=${EARLYBERT_HAVE_ONEDNN}")
