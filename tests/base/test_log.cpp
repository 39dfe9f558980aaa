// The logging facade: fmt-style formatting of plain values, levels, and its error handling.
#include "earlybert/base/log.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "earlybert/base/error.h"

namespace earlybert {
namespace {

TEST(Log, FormatsEveryArgumentKindLikeFmt) {
  const int64_t step = -3;
  const size_t total = 40;
  EXPECT_EQ(logging::format("step {}/{}", step, total), "step -3/40");
  EXPECT_EQ(logging::format("loss {:.4f} lr {:.3e}", 0.693147, 5e-5), "loss 0.6931 lr 5.000e-05");
  EXPECT_EQ(logging::format("{:02d}m {}", 7, true), "07m true");
  EXPECT_EQ(logging::format("{} {} {}", std::string("a"), "b", std::string_view("c")), "a b c");
  EXPECT_EQ(logging::format("{}", std::filesystem::path("/tmp/x")), "/tmp/x");
  EXPECT_EQ(logging::format("[{}]", 'q'), "[q]");
  EXPECT_EQ(logging::format("{:>5}|", "ab"), "   ab|");
  EXPECT_EQ(logging::format("no arguments"), "no arguments");
}

TEST(Log, BadFormatIsReportedInTheLineNotThrown) {
  const std::string s = logging::format("value {:d}", "text");  // a string with an integer spec
  EXPECT_NE(s.find("value {:d}"), std::string::npos);
  EXPECT_NE(s.find("bad log format"), std::string::npos);
  EXPECT_NE(logging::format("{} {}", 1).find("bad log format"), std::string::npos);  // too few arguments
}

TEST(Log, LevelsParseAndFilter) {
  EXPECT_EQ(logging::parse_level("DEBUG", "x"), logging::Level::debug);
  EXPECT_EQ(logging::parse_level("warning", "x"), logging::Level::warn);
  EXPECT_EQ(logging::parse_level("off", "x"), logging::Level::off);
  try {
    logging::parse_level("loud", "EARLYBERT_LOG_LEVEL");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("EARLYBERT_LOG_LEVEL"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("loud"), std::string::npos) << e.what();
  }
  logging::set_level(logging::Level::warn);
  EXPECT_FALSE(logging::enabled(logging::Level::info));
  EXPECT_TRUE(logging::enabled(logging::Level::error));
  logging::set_level(logging::Level::info);
  EXPECT_TRUE(logging::enabled(logging::Level::info));
  EXPECT_FALSE(logging::enabled(logging::Level::debug));
}

}  // namespace
}  // namespace earlybert
