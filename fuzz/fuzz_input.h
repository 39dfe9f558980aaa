// What every fuzz target (fuzz/fuzz_<parser>.cpp) shares: the contract a parser is held to, and a file
// to put the input in for parsers that only read files.
//
// The contract, from earlybert/base/error.h: bad input is answered with an earlybert::Error whose
// message is one line. So a target runs its parser inside parse_or_reject(), which swallows exactly
// that; anything else — a crash, a sanitizer report, another exception type (std::out_of_range from a
// JSON library, YAML::Exception, std::bad_alloc from a length read off the input), a multi-line or
// empty message — ends the run as a finding. Targets add properties of their own with FUZZ_REQUIRE
// (e.g. what a parser accepted, written out again, parses to the same value).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "earlybert/base/error.h"

namespace earlybert::fuzz {

[[noreturn]] inline void report(const char* file, int line, const std::string& what) {
  std::fprintf(stderr, "%s:%d: fuzz property violated: %s\n", file, line, what.c_str());
  std::abort();
}

#define FUZZ_REQUIRE(condition, message)                                                                       \
  do {                                                                                                         \
    if (!(condition)) ::earlybert::fuzz::report(__FILE__, __LINE__, std::string(#condition ": ") + (message)); \
  } while (0)

/// Runs `parse`; returns true when it finished, false when it rejected the input with a well-formed
/// earlybert::Error (non-empty, one line).
template <typename Parse>
bool parse_or_reject(Parse&& parse) {
  try {
    parse();
    return true;
  } catch (const Error& e) {
    const std::string_view message = e.what();
    FUZZ_REQUIRE(!message.empty(), "empty error message");
    FUZZ_REQUIRE(message.find('\n') == std::string_view::npos && message.find('\r') == std::string_view::npos,
                 "error message is not one line: " + std::string(message));
    return false;
  }
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// tests/fixtures/<relative>: $EARLYBERT_FIXTURES when set, else the source tree's (compiled in).
inline std::string fixture(const std::string& relative) {
  const char* dir = std::getenv("EARLYBERT_FIXTURES");
  return std::string(dir && *dir ? dir : EARLYBERT_FUZZ_FIXTURES) + "/" + relative;
}

/// A file under $TMPDIR (or /tmp) private to this process, rewritten with each input, removed at exit.
/// Its name ends in `file_name`, so parsers that look at the name (".json") see a real one.
class InputFile {
 public:
  explicit InputFile(const std::string& file_name) {
    const char* tmp = std::getenv("TMPDIR");
    static int instances = 0;
    dir_ = std::filesystem::path(tmp && *tmp ? tmp : "/tmp") /
           ("earlybert-fuzz-" + std::to_string(::getpid()) + "-" + std::to_string(instances++));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / file_name).string();
  }
  ~InputFile() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  const std::string& write(const uint8_t* data, size_t size) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) report(__FILE__, __LINE__, "cannot write " + path_);
    return path_;
  }
  const std::string& path() const { return path_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::string path_;
};

}  // namespace earlybert::fuzz
