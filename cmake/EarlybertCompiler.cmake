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
  # Loading the 0.5 GB header costs a file that never includes LibTorch more than compiling it (about
  # 6 s against 1-2 s): such files (half of the CLI's) are compiled without it.
  get_target_property(sources ${target} SOURCES)
  foreach(src IN LISTS sources)
    if(NOT src MATCHES "\\.cpp$")
      continue()
    endif()
    get_filename_component(path "${src}" ABSOLUTE)
    earlybert_reaches_torch("${path}" uses_torch)
    if(NOT uses_torch)
      set_source_files_properties(${src} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
    endif()
  endforeach()
endfunction()

# earlybert_reaches_torch(<file> <out>): ON when <file>, or a project header it includes (recursively,
# quoted includes looked up next to the file, in include/ and in src/), includes a LibTorch header
# (<torch/...>, <ATen/...>, <c10/...>). A scan of the #include lines at configure time, remembered per
# file. A stale answer (a LibTorch include added later) only costs build time: every file includes
# what it uses, the precompiled header is an optimisation.
function(earlybert_reaches_torch file out)
  get_property(known GLOBAL PROPERTY "EARLYBERT_TORCH:${file}" SET)
  if(known)
    get_property(result GLOBAL PROPERTY "EARLYBERT_TORCH:${file}")
    set(${out} ${result} PARENT_SCOPE)
    return()
  endif()
  set_property(GLOBAL PROPERTY "EARLYBERT_TORCH:${file}" OFF)  # ends include cycles
  file(STRINGS "${file}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
  get_filename_component(dir "${file}" DIRECTORY)
  set(result OFF)
  foreach(line IN LISTS lines)
    if(line MATCHES "<(torch|ATen|c10)/")
      set(result ON)
    elseif(line MATCHES "\"([^\"]+)\"")
      set(inc "${CMAKE_MATCH_1}")
      foreach(base "${dir}" "${PROJECT_SOURCE_DIR}/include" "${PROJECT_SOURCE_DIR}/src")
        if(EXISTS "${base}/${inc}")
          earlybert_reaches_torch("${base}/${inc}" result)
          break()
        endif()
      endforeach()
    endif()
    if(result)
      break()
    endif()
  endforeach()
  set_property(GLOBAL PROPERTY "EARLYBERT_TORCH:${file}" ${result})
  set(${out} ${result} PARENT_SCOPE)
endfunction()
