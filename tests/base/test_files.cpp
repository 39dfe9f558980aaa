// Tests for the file helpers: atomic writes, directory commits and path-naming errors.
#include <gtest/gtest.h>

#include <filesystem>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"

namespace fs = std::filesystem;
using namespace earlybert;

namespace {
std::string scratch(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("earlybert_test_files_" + name);
  earlybert::remove_all(dir.string());
  fs::create_directories(dir);
  return dir.string();
}
}  // namespace

TEST(Files, AtomicWriteThenRead) {
  const auto dir = scratch("rw");
  const auto path = join_path(dir, "sub/a.bin");
  write_file_atomic(path, std::string("a\0b", 3));
  EXPECT_EQ(read_file(path), std::string("a\0b", 3));
  write_file_atomic(path, "second");
  EXPECT_EQ(read_file(path), "second");
  // No temp file is left behind.
  int n = 0;
  for (auto& e : fs::directory_iterator(join_path(dir, "sub"))) n += e.is_regular_file();
  EXPECT_EQ(n, 1);
}

TEST(Files, MissingFileErrorNamesPath) {
  try {
    read_file("/nonexistent/earlybert/x.txt");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/earlybert/x.txt"), std::string::npos);
  }
}

TEST(Files, ReadLinesKeepsLastLineWithoutNewline) {
  const auto dir = scratch("lines");
  const auto path = join_path(dir, "t.txt");
  write_file_atomic(path, "a\nb\n\nc");
  const auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[2], "");
  EXPECT_EQ(lines[3], "c");
}

TEST(Files, CommitDirectoryReplacesWhole) {
  const auto dir = scratch("commit");
  const auto final_dir = join_path(dir, "checkpoint-1");
  const auto tmp1 = join_path(dir, "tmp1");
  write_file_atomic(join_path(tmp1, "old.txt"), "x");
  commit_directory(tmp1, final_dir);
  EXPECT_TRUE(path_exists(join_path(final_dir, "old.txt")));
  const auto tmp2 = join_path(dir, "tmp2");
  write_file_atomic(join_path(tmp2, "new.txt"), "y");
  commit_directory(tmp2, final_dir);
  EXPECT_TRUE(path_exists(join_path(final_dir, "new.txt")));
  EXPECT_FALSE(path_exists(join_path(final_dir, "old.txt")));
  EXPECT_FALSE(path_exists(tmp2));
}
