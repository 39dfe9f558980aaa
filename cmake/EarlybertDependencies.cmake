# Every third-party library comes from the system (Debian packages, or a CUDA LibTorch passed with
# CMAKE_PREFIX_PATH). Nothing is downloaded at configure time.
find_package(Torch REQUIRED)
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.9 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)

# yaml-cpp's exported target name changed between releases.
if(TARGET yaml-cpp::yaml-cpp)
  set(EARLYBERT_YAML_TARGET yaml-cpp::yaml-cpp)
else()
  set(EARLYBERT_YAML_TARGET yaml-cpp)
endif()

# Torch's CMake config exports compile flags (the C++11 ABI define) in TORCH_CXX_FLAGS.
separate_arguments(EARLYBERT_TORCH_FLAGS UNIX_COMMAND "${TORCH_CXX_FLAGS}")

set(EARLYBERT_HAVE_CUDA OFF)
if(TARGET torch_cuda OR TORCH_CUDA_LIBRARIES)
  set(EARLYBERT_HAVE_CUDA ON)
endif()
message(STATUS "earlybert: LibTorch ${Torch_VERSION} at ${TORCH_INSTALL_PREFIX}, CUDA=${EARLYBERT_HAVE_CUDA}")
