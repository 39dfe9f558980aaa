// Logging facade — see include/earlybert/base/log.h. This file (and no file that includes LibTorch)
// sees fmt and spdlog.
#include "earlybert/base/log.h"

#include <fmt/args.h>
#include <spdlog/fmt/fmt.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "earlybert/base/error.h"

namespace earlybert::logging {

namespace {

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::debug:
      return spdlog::level::debug;
    case Level::info:
      return spdlog::level::info;
    case Level::warn:
      return spdlog::level::warn;
    case Level::error:
      return spdlog::level::err;
    case Level::off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

}  // namespace

std::string vformat(std::string_view format, std::initializer_list<Arg> args) {
  fmt::dynamic_format_arg_store<fmt::format_context> store;
  for (const auto& a : args) {
    std::visit([&store](const auto& v) { store.push_back(v); }, a.value());
  }
  try {
    return fmt::vformat(fmt::string_view(format.data(), format.size()), store);
  } catch (const fmt::format_error& e) {
    // A wrong format string is a programming error, but a log line is no reason to stop a run.
    return std::string(format) + " [bad log format: " + e.what() + "]";
  }
}

/// The logger messages go to: spdlog's default one, except that spdlog's built-in default (unnamed,
/// on stdout) is replaced by the console logger on first use — a library must not write its log into
/// the standard output a command prints its results on (e.g. `earlybert predict --input`).
namespace {
spdlog::logger* target() {
  static const bool replaced = [] {
    if (spdlog::default_logger_raw()->name().empty()) use_console();
    return true;
  }();
  (void)replaced;
  return spdlog::default_logger_raw();
}
}  // namespace

void write(Level level, std::string_view message) { target()->log(to_spdlog(level), "{}", message); }

bool enabled(Level level) { return target()->should_log(to_spdlog(level)); }

void set_level(Level level) { spdlog::set_level(to_spdlog(level)); }

Level parse_level(std::string_view name, const std::string& where) {
  std::string s(name);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (s == "debug" || s == "trace") return Level::debug;
  if (s == "info") return Level::info;
  if (s == "warn" || s == "warning") return Level::warn;
  if (s == "error" || s == "err" || s == "critical") return Level::error;
  if (s == "off") return Level::off;
  fail(where, "unknown log level '" + std::string(name) + "' (expected debug, info, warn, error or off)");
}

void use_console() {
  auto logger = spdlog::get("earlybert");
  if (!logger) logger = spdlog::stderr_color_mt("earlybert");
  logger->set_pattern("[%H:%M:%S] %^%v%$");
  spdlog::set_default_logger(logger);
  if (const char* level = std::getenv("EARLYBERT_LOG_LEVEL")) set_level(parse_level(level, "EARLYBERT_LOG_LEVEL"));
}

}  // namespace earlybert::logging
