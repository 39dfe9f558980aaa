// Tests for reading the user's own data files: CSV with RFC 4180 quoting (commas, line breaks and
// doubled quotes inside quotes), CRLF line ends, a byte-order mark, TSV without quoting, JSON Lines
// with typed cells and keys appearing late, column type inference, and the errors that name
// file:line (ragged rows, unterminated quotes, text after a closing quote, bad JSON lines, invalid
// UTF-8, duplicate column names, unknown extensions).
#include <gtest/gtest.h>

#include "earlybert/data/text_table.h"
#include "expect_error.h"

namespace earlybert {
namespace {

using test::expect_error;

std::vector<std::string> texts(const TextTable& t, size_t row) {
  std::vector<std::string> out;
  for (const auto& c : t.rows.at(row)) out.push_back(c.text);
  return out;
}

TEST(TextTable, CsvQuotingFollowsRfc4180) {
  const std::string csv =
      "sentence,label\n"
      "plain text,1\n"
      "\"with, a comma\",0\n"
      "\"she said \"\"hi\"\"\",1\n"
      "\"two\nlines\",0\n"
      "a \"quoted\" word,1\n"
      "\"\",0\n";
  const TextTable t = parse_text_table(csv, TableFormat::Csv, "train.csv");
  EXPECT_EQ(t.columns, (std::vector<std::string>{"sentence", "label"}));
  ASSERT_EQ(t.rows.size(), 6u);
  EXPECT_EQ(texts(t, 0), (std::vector<std::string>{"plain text", "1"}));
  EXPECT_EQ(texts(t, 1), (std::vector<std::string>{"with, a comma", "0"}));
  EXPECT_EQ(texts(t, 2), (std::vector<std::string>{"she said \"hi\"", "1"}));
  EXPECT_EQ(texts(t, 3), (std::vector<std::string>{"two\nlines", "0"}));
  EXPECT_EQ(texts(t, 4), (std::vector<std::string>{"a \"quoted\" word", "1"}));
  EXPECT_EQ(texts(t, 5), (std::vector<std::string>{"", "0"}));
  EXPECT_EQ(t.lines, (std::vector<size_t>{2, 3, 4, 5, 7, 8}));  // the two-line record starts at 5
  EXPECT_EQ(t.where(4), "train.csv:7");
  EXPECT_EQ(t.column("label"), 1);
  EXPECT_EQ(t.column("nope"), -1);
  EXPECT_EQ(t.column_type(1), ColumnType::Int);
  EXPECT_EQ(t.column_type(0), ColumnType::String);
}

TEST(TextTable, BomCrlfEmptyLinesAndTrailingEmptyField) {
  const std::string csv = "\xEF\xBB\xBFtext,score\r\n\"a\",0.5\r\n\r\nb,\r\nc,2\r\n";
  const TextTable t = parse_text_table(csv, TableFormat::Csv, "x.csv");
  EXPECT_EQ(t.columns, (std::vector<std::string>{"text", "score"}));
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(texts(t, 0), (std::vector<std::string>{"a", "0.5"}));
  EXPECT_EQ(texts(t, 1), (std::vector<std::string>{"b", ""}));
  EXPECT_EQ(t.lines, (std::vector<size_t>{2, 4, 5}));
  EXPECT_EQ(t.column_type(1), ColumnType::Float);  // empty cells are missing values
}

TEST(TextTable, TsvHasNoQuoting) {
  const TextTable t = parse_text_table("a\tb\n\"x\ty \"z\r\n", TableFormat::Tsv, "x.tsv");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(texts(t, 0), (std::vector<std::string>{"\"x", "y \"z"}));
}

TEST(TextTable, JsonLinesKeepTypesAndKeyOrder) {
  const std::string jsonl =
      "{\"text\": \"good\", \"label\": 1}\n"
      "\n"
      "{\"label\": 0, \"text\": \"bad\", \"extra\": [1, 2]}\r\n"
      "{\"text\": \"ok\", \"label\": 2.5, \"flag\": true}\n";
  const TextTable t = parse_text_table(jsonl, TableFormat::JsonLines, "d.jsonl");
  EXPECT_EQ(t.columns, (std::vector<std::string>{"text", "label", "extra", "flag"}));
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.lines, (std::vector<size_t>{1, 3, 4}));
  EXPECT_EQ(t.rows[0][2].type, CellType::Null);  // back-filled
  EXPECT_EQ(t.rows[1][2].type, CellType::Other);
  EXPECT_EQ(t.rows[1][1].type, CellType::Integer);
  EXPECT_EQ(t.rows[2][1].type, CellType::Float);
  EXPECT_EQ(t.rows[2][1].text, "2.5");
  EXPECT_EQ(t.rows[2][3].type, CellType::Bool);
  EXPECT_EQ(t.column_type(1), ColumnType::Float);
  EXPECT_EQ(t.column_type(3), ColumnType::Bool);
  EXPECT_EQ(parse_text_table("{\"l\": 1}\n{\"l\": 2}\n", TableFormat::JsonLines, "i.jsonl").column_type(0),
            ColumnType::Int);
  EXPECT_EQ(parse_text_table("{\"l\": 1.0}\n", TableFormat::JsonLines, "f.jsonl").column_type(0), ColumnType::Float);
}

TEST(TextTable, MalformedInputNamesFileAndLine) {
  expect_error([] { parse_text_table("a,b\n1,2\n3\n", TableFormat::Csv, "r.csv"); },
               {"r.csv:3", "has 1 fields, the header has 2"});
  expect_error([] { parse_text_table("a,b\n1,2,3\n", TableFormat::Csv, "r.csv"); }, {"r.csv:2", "has 3 fields"});
  expect_error([] { parse_text_table("a\tb\nx\n", TableFormat::Tsv, "r.tsv"); }, {"r.tsv:2", "has 1 fields"});
  expect_error([] { parse_text_table("a,b\n1,2\n\"open,2\nmore\n", TableFormat::Csv, "q.csv"); },
               {"q.csv:3", "never closed"});
  expect_error([] { parse_text_table("a,b\n\"x\"y,2\n", TableFormat::Csv, "q.csv"); },
               {"q.csv:2", "after the closing quote"});
  expect_error([] { parse_text_table("{\"a\": 1}\n{\"a\": \n", TableFormat::JsonLines, "j.jsonl"); },
               {"j.jsonl:2", "malformed JSON"});
  expect_error([] { parse_text_table("{\"a\": 1}\n[1, 2]\n", TableFormat::JsonLines, "j.jsonl"); },
               {"j.jsonl:2", "expected a JSON object"});
  expect_error([] { parse_text_table("a,b\nok,1\nbad\xff,2\n", TableFormat::Csv, "u.csv"); },
               {"u.csv:3", "invalid UTF-8"});
  expect_error([] { parse_text_table("a,a\n1,2\n", TableFormat::Csv, "h.csv"); }, {"h.csv:1", "'a' appears twice"});
  expect_error([] { parse_text_table("a,\n1,2\n", TableFormat::Csv, "h.csv"); }, {"h.csv:1", "empty name"});
  expect_error([] { parse_text_table("", TableFormat::Csv, "e.csv"); }, {"e.csv", "is empty"});
  expect_error([] { parse_text_table("\n\n", TableFormat::JsonLines, "e.jsonl"); }, {"e.jsonl", "no JSON lines"});
  expect_error([] { table_format_for("data/train.parquet"); }, {"train.parquet", "unknown data file format"});
  EXPECT_EQ(table_format_for("a/b.CSV"), TableFormat::Csv);
  EXPECT_EQ(table_format_for("b.jsonl"), TableFormat::JsonLines);
  EXPECT_EQ(table_format_for("b.json"), TableFormat::JsonLines);
  EXPECT_EQ(table_format_for("b.tsv"), TableFormat::Tsv);
}

}  // namespace
}  // namespace earlybert
