// Tests for reading pre-training text: the Lines and WikiText layouts, and invalid input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/data/pretraining_corpus.h"
#include "test_pretraining_util.h"

namespace earlybert {
namespace {

using Docs = std::vector<std::vector<std::string>>;

std::string fixture(const std::string& name) { return test::pretraining_fixture(name); }

Docs read_all(const std::string& path, TextFormat format, TextFormat* used = nullptr,
              TextCorpusStats* stats = nullptr) {
  Docs docs;
  const TextFormat f = read_text_documents(
      path, format, [&](std::vector<std::string>&& d) { docs.push_back(d); }, stats);
  if (used) *used = f;
  return docs;
}

TEST(PretrainingCorpus, LinesLayout) {
  TextFormat used{};
  TextCorpusStats stats;
  const Docs docs = read_all(fixture("lines.txt"), TextFormat::Auto, &used, &stats);
  EXPECT_EQ(used, TextFormat::Lines);
  const Docs expected = {{"The cat sat on the mat.", "A dog ran in the house."},
                         {"She was playing.", "They played in the house.", "It is a dog."},
                         {"He ran."}};
  EXPECT_EQ(docs, expected);
  EXPECT_EQ(stats.documents, 3u);
  EXPECT_EQ(stats.sentences, 6u);
  EXPECT_EQ(stats.files, 1u);
}

TEST(PretrainingCorpus, WikiTextLayout) {
  TextFormat used{};
  TextCorpusStats stats;
  const Docs docs = read_all(fixture("wikitext.txt"), TextFormat::Auto, &used, &stats);
  EXPECT_EQ(used, TextFormat::WikiText);
  const Docs expected = {{"Cats are small .", "They sat on the mat .", "The cat-dog was 3.5 or 1,000 [UNK] .",
                          "A cat plays .", "Mr .", "Smith is not a cat ?", "Yes !"},
                         {"Dogs ran in the house .", "It is a dog ."}};
  EXPECT_EQ(docs, expected);
  EXPECT_EQ(stats.headings, 4u);
  // Forcing the Lines layout treats every paragraph as a document and keeps the headings as text.
  const Docs as_lines = read_all(fixture("wikitext.txt"), TextFormat::Lines);
  EXPECT_EQ(as_lines.size(), 8u);
  EXPECT_EQ(as_lines[0][0], "= Cats =");
}

TEST(PretrainingCorpus, WikiTextHelpers) {
  EXPECT_TRUE(is_wikitext_title(" = Robert Boulter = "));
  EXPECT_FALSE(is_wikitext_title(" = = Career = = "));
  EXPECT_TRUE(is_wikitext_heading(" = = Career = = "));
  EXPECT_TRUE(is_wikitext_heading(" = = = 2000 – 2005 = = = "));
  EXPECT_FALSE(is_wikitext_heading(" The = sign = "));
  EXPECT_FALSE(is_wikitext_heading(" x = y "));
  EXPECT_EQ(clean_wikitext("  a @-@ b @,@ c @.@ d <unk>  "), "a-b,c.d [UNK]");
  EXPECT_EQ(split_wikitext_sentences("It fell . 2 rose . then stopped . \" Yes \" ."),
            (std::vector<std::string>{"It fell .", "2 rose . then stopped .", "\" Yes \" ."}));
  EXPECT_EQ(split_wikitext_sentences("   "), std::vector<std::string>{});
}

class CorpusFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() / ("eb_corpus_" + std::to_string(::getpid()))).string();
    make_directories(dir_);
  }
  void TearDown() override { remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const std::string p = join_path(dir_, name);
    write_file_atomic(p, text);
    return p;
  }
  std::string dir_;
};

TEST_F(CorpusFiles, InvalidUtf8NamesFileAndLine) {
  const std::string p = write("bad.txt", "fine line\nsecond \xC3\x28 line\n");
  try {
    read_all(p, TextFormat::Auto);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(p + ":2: invalid UTF-8"), std::string::npos) << e.what();
  }
}

TEST_F(CorpusFiles, MissingFileAndUnknownFormat) {
  EXPECT_THROW(read_all(join_path(dir_, "absent.txt"), TextFormat::Auto), Error);
  EXPECT_THROW(parse_text_format("xml", "--format"), Error);
  EXPECT_EQ(parse_text_format("wikitext", "--format"), TextFormat::WikiText);
}

TEST_F(CorpusFiles, EmptyAndBlankFilesGiveNoDocuments) {
  EXPECT_TRUE(read_all(write("empty.txt", ""), TextFormat::Auto).empty());
  EXPECT_TRUE(read_all(write("blank.txt", "\n  \n\t\n"), TextFormat::Auto).empty());
  // No final newline: the last line still counts.
  EXPECT_EQ(read_all(write("nonl.txt", "a\n\nb"), TextFormat::Auto), (Docs{{"a"}, {"b"}}));
}

}  // namespace
}  // namespace earlybert
