// earlybert::logging — the library's console log, behind a facade that keeps fmt and spdlog out of
// every translation unit that includes LibTorch.
//
// Why a facade: LibTorch 2.x ships its own fmt headers (fmt 11) on its include path, while Debian's
// spdlog is built against Debian's fmt 9; a file that sees both include paths picks up the wrong fmt
// and does not compile. So formatting and writing happen in src/base/log.cpp, which never sees
// LibTorch, and callers pass their arguments as plain values (numbers, booleans, strings).
//
//   logging::info("step {}/{} | loss {:.4f}", step, total, loss);
//   std::string s = logging::format("{:.1f}s", seconds);
//
// Format strings use fmt's syntax ({}, {:.4f}, {:>8}, …) and are checked when they are used: a bad
// one is logged as written, followed by the reason, rather than thrown.
#pragma once

#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace earlybert::logging {

enum class Level { debug, info, warn, error, off };

/// One argument of a log line, reduced to a type fmt formats the same everywhere.
class Arg {
 public:
  using Value = std::variant<long long, unsigned long long, double, bool, std::string>;

  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char>,
                                      int> = 0>
  Arg(T v) {  // NOLINT(google-explicit-constructor): arguments convert implicitly, as in fmt
    if constexpr (std::is_signed_v<T>) {
      value_ = static_cast<long long>(v);
    } else {
      value_ = static_cast<unsigned long long>(v);
    }
  }
  template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  Arg(T v) : value_(static_cast<double>(v)) {}                   // NOLINT(google-explicit-constructor)
  Arg(bool v) : value_(v) {}                                     // NOLINT(google-explicit-constructor)
  Arg(char v) : value_(std::string(1, v)) {}                     // NOLINT(google-explicit-constructor)
  Arg(const char* v) : value_(std::string(v ? v : "(null)")) {}  // NOLINT(google-explicit-constructor)
  Arg(std::string_view v) : value_(std::string(v)) {}            // NOLINT(google-explicit-constructor)
  Arg(const std::string& v) : value_(v) {}                       // NOLINT(google-explicit-constructor)
  Arg(const std::filesystem::path& v) : value_(v.string()) {}    // NOLINT(google-explicit-constructor)

  const Value& value() const { return value_; }

 private:
  Value value_;
};

/// fmt-style formatting of already-reduced arguments (the non-template core of format()).
std::string vformat(std::string_view format, std::initializer_list<Arg> args);

/// Writes one line at `level` to the current logger (stderr unless use_console() changed it).
void write(Level level, std::string_view message);

/// Whether a line at `level` would be written (so that callers skip formatting otherwise).
bool enabled(Level level);

/// Sets the lowest level written.
void set_level(Level level);

/// "debug", "info", "warn"/"warning", "error", "off" (any case); Error naming `where` otherwise.
Level parse_level(std::string_view name, const std::string& where);

/// The CLI's console: "[HH:MM:SS] message" on stderr, coloured on a terminal; the level comes from
/// EARLYBERT_LOG_LEVEL when it is set (an unknown value is an Error naming the variable).
void use_console();

template <class... A>
std::string format(std::string_view fmt, const A&... args) {
  return vformat(fmt, {Arg(args)...});
}

template <class... A>
void log(Level level, std::string_view fmt, const A&... args) {
  if (enabled(level)) write(level, vformat(fmt, {Arg(args)...}));
}

template <class... A>
void debug(std::string_view fmt, const A&... args) {
  log(Level::debug, fmt, args...);
}
template <class... A>
void info(std::string_view fmt, const A&... args) {
  log(Level::info, fmt, args...);
}
template <class... A>
void warn(std::string_view fmt, const A&... args) {
  log(Level::warn, fmt, args...);
}
template <class... A>
void error(std::string_view fmt, const A&... args) {
  log(Level::error, fmt, args...);
}

}  // namespace earlybert::logging
