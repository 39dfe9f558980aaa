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
message(STATUS "earlybert: LibTorch ${Torch_VERSION} at ${TORCH_INSTALL_PREFIX}, CUDA=${EARLYBERT_HAVE_CUDA}")
