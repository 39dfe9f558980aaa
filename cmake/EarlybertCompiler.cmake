# Compiler settings shared by every target: C++17, PIC (the objects go into a shared library and into
# test executables alike), ccache when present, and a precompiled LibTorch header.
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)

find_program(EARLYBERT_CCACHE ccache)
if(EARLYBERT_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  # pch_defines/time_macros let ccache cache translation units that use the precompiled header.
  set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
      ${EARLYBERT_CCACHE})
endif()

if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  add_compile_options(-Wall -Wextra -Wno-unused-parameter)
endif()

# earlybert_use_torch_pch(<target>): the first target of each kind that asks builds the precompiled
# header, the others reuse it. REUSE_FROM needs identical flags, so libraries (-fPIC) and executables
# (-fPIE) each get their own.
function(earlybert_use_torch_pch target)
  if(NOT EARLYBERT_USE_PCH)
    return()
  endif()
  get_target_property(kind ${target} TYPE)
  if(kind STREQUAL "EXECUTABLE")
    set(slot EARLYBERT_PCH_OWNER_EXE)
  else()
    set(slot EARLYBERT_PCH_OWNER_LIB)
  endif()
  get_property(owner GLOBAL PROPERTY ${slot})
  if(NOT owner)
    target_precompile_headers(${target} PRIVATE <torch/torch.h>)
    set_property(GLOBAL PROPERTY ${slot} ${target})
  else()
    target_precompile_headers(${target} REUSE_FROM ${owner})
  endif()
endfunction()
