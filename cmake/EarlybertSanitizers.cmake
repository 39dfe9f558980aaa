# EARLYBERT_SANITIZE: a comma-separated list of sanitizers (e.g. "address,undefined") to build the library,
# the command and the tests with. Meant for a separate build directory (build-asan): LibTorch itself stays
# uninstrumented, so ASan sees our heap use and UBSan our arithmetic, not LibTorch's internals.
#   cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEARLYBERT_SANITIZE=address,undefined
# UBSan findings abort (-fno-sanitize-recover) so that a test cannot pass with a report in its log.
set(EARLYBERT_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address,undefined (empty: none)")

if(EARLYBERT_SANITIZE)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    message(FATAL_ERROR "earlybert: EARLYBERT_SANITIZE needs GCC or Clang")
  endif()
  set(EARLYBERT_SANITIZE_FLAGS -fsanitize=${EARLYBERT_SANITIZE} -fno-omit-frame-pointer)
  if(EARLYBERT_SANITIZE MATCHES "undefined")
    list(APPEND EARLYBERT_SANITIZE_FLAGS -fno-sanitize-recover=undefined)
  endif()
  add_compile_options(${EARLYBERT_SANITIZE_FLAGS})
  add_link_options(${EARLYBERT_SANITIZE_FLAGS})
  message(STATUS "earlybert: sanitizers ${EARLYBERT_SANITIZE}")
endif()
