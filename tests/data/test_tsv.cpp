// TsvReader: QUOTE_NONE fields, BOM, last line without newline, CRLF, UTF-8 validation with file:line.
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/data/tsv.h"

namespace earlybert {
namespace {

std::vector<std::vector<std::string>> read_all(TsvReader& r) {
  std::vector<std::vector<std::string>> rows;
  while (r.next()) rows.emplace_back(r.fields().begin(), r.fields().end());
  return rows;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(TsvReader, SplitsOnTabsOnlyAndKeepsQuotes) {
  auto r = TsvReader::from_string("a\t\"b\tc\"\n\"unbalanced\t'x'\n", "mem.tsv");
  const auto rows = read_all(r);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"a", "\"b", "c\""}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"\"unbalanced", "'x'"}));
}

TEST(TsvReader, EmptyFieldsAndTrailingSpacesSurvive) {
  auto r = TsvReader::from_string("gj04\t1\t\tA sentence. \n\t\n", "mem.tsv");
  const auto rows = read_all(r);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"gj04", "1", "", "A sentence. "}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"", ""}));
}

TEST(TsvReader, SkipsByteOrderMark) {
  auto r = TsvReader::from_string("\xEF\xBB\xBFQuality\t#1 ID\n1\t2\n", "mrpc.tsv");
  ASSERT_TRUE(r.next());
  EXPECT_TRUE(r.had_bom());
  EXPECT_EQ(r.fields()[0], "Quality");
  ASSERT_TRUE(r.next());
  EXPECT_EQ(r.line(), 2u);
  EXPECT_FALSE(r.next());
}

TEST(TsvReader, LastLineWithoutNewlineAndNoPhantomLine) {
  auto with = TsvReader::from_string("a\tb\nc\td\n", "x.tsv");
  auto without = TsvReader::from_string("a\tb\nc\td", "x.tsv");
  EXPECT_EQ(read_all(with), read_all(without));
  EXPECT_EQ(without.line(), 2u);
  auto empty = TsvReader::from_string("", "x.tsv");
  EXPECT_FALSE(empty.next());
}

TEST(TsvReader, EmptyLineInsideIsOneEmptyField) {
  auto r = TsvReader::from_string("a\n\nb\n", "x.tsv");
  const auto rows = read_all(r);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1], std::vector<std::string>{""});
}

TEST(TsvReader, StripsCarriageReturnOfCrlf) {
  auto r = TsvReader::from_string("a\tb\r\nc\td\r\n", "x.tsv");
  const auto rows = read_all(r);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][1], "b");
  EXPECT_EQ(rows[1][1], "d");
}

TEST(TsvReader, InvalidUtf8NamesFileAndLine) {
  for (const std::string& bad :
       {std::string("\xC3\x28"), std::string("\xED\xA0\x80") /* surrogate */, std::string("\xC0\xAF") /* overlong */,
        std::string("\xF4\x90\x80\x80"), std::string("\xE2\x82") /* truncated */}) {
    auto r = TsvReader::from_string("ok\tfine\nx\t" + bad + "\n", "bad.tsv");
    ASSERT_TRUE(r.next());
    const std::string msg = error_of([&] { r.next(); });
    EXPECT_NE(msg.find("bad.tsv:2: invalid UTF-8"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos);
  }
  auto ok = TsvReader::from_string("caf\xC3\xA9\t\xE4\xB8\xAD\t\xF0\x9F\x98\x80\n", "ok.tsv");
  ASSERT_TRUE(ok.next());
  EXPECT_EQ(ok.fields()[1], "\xE4\xB8\xAD");
}

TEST(TsvReader, MissingFileNamesPath) {
  const std::string msg = error_of([] { TsvReader r("/nonexistent/dir/train.tsv"); });
  EXPECT_NE(msg.find("/nonexistent/dir/train.tsv"), std::string::npos) << msg;
}

TEST(TsvWriter, RoundTripsAndRejectsTabsInFields) {
  const std::string path = testing::TempDir() + "/tsv_writer_test.tsv";
  write_tsv_atomic(path, {{"index", "prediction"}, {"0", "entailment"}});
  EXPECT_EQ(read_file(path), "index\tprediction\n0\tentailment\n");
  const std::string msg = error_of([&] { write_tsv_atomic(path, {{"a\tb"}}); });
  EXPECT_NE(msg.find("row 1 field 1"), std::string::npos) << msg;
  std::remove(path.c_str());
}

}  // namespace
}  // namespace earlybert
