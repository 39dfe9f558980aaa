// Tests for run_glue-style custom data: text columns named or inferred (sentence1/sentence2, else
// the first one or two non-label columns), classification over the sorted training labels with the
// validation labels mapped through them, regression for a float label column, unlabelled test rows,
// and the errors that name file:line (unknown label, missing column, empty text or label).
#include <gtest/gtest.h>

#include <fstream>

#include "earlybert/data/text_classification_files.h"
#include "expect_error.h"
#include "scratch_dir.h"

namespace earlybert {
namespace {

using test::expect_error;

std::string write(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(TextClassificationFiles, ColumnsAreNamedOrInferredLikeRunGlue) {
  auto table = [](const std::string& csv) { return parse_text_table(csv, TableFormat::Csv, "t.csv"); };
  auto c = infer_text_columns(table("id,sentence2,label,sentence1\n1,b,x,a\n"));
  EXPECT_EQ(c.text_a, "sentence1");
  EXPECT_EQ(*c.text_b, "sentence2");
  c = infer_text_columns(table("label,premise,hypothesis,extra\nx,a,b,c\n"));
  EXPECT_EQ(c.text_a, "premise");
  EXPECT_EQ(*c.text_b, "hypothesis");
  c = infer_text_columns(table("review,label\na,x\n"));
  EXPECT_EQ(c.text_a, "review");
  EXPECT_FALSE(c.text_b.has_value());
  TextColumnOptions named;
  named.text_column = "extra";
  named.label_column = "premise";
  c = infer_text_columns(table("label,premise,hypothesis,extra\nx,a,b,c\n"), named);
  EXPECT_EQ(c.text_a, "extra");
  EXPECT_FALSE(c.text_b.has_value());
  EXPECT_EQ(c.label, "premise");
  named.text_column = "missing";
  expect_error([&] { infer_text_columns(table("a,label\nx,y\n"), named); }, {"t.csv", "no text column 'missing'"});
  expect_error([&] { infer_text_columns(table("label\nx\n")); }, {"t.csv", "no text column besides"});
}

TEST(TextClassificationFiles, ClassificationMapsValidationLabelsThroughTheTrainingList) {
  const auto dir = test::scratch_dir("text_files_cls");
  const auto train = write(dir, "train.csv", "text,label\nfine,pos\nawful,neg\n\"meh, ok\",neutral\ngreat,pos\n");
  const auto dev =
      write(dir, "dev.jsonl", "{\"text\": \"bad\", \"label\": \"neg\"}\n{\"text\": \"yes\", \"label\": \"pos\"}\n");
  const auto test_file = write(dir, "test.tsv", "text\nsomething\n");
  const auto f = read_text_classification_files(train, dev, test_file);
  EXPECT_FALSE(f.labels.regression);
  EXPECT_EQ(f.labels.labels, (std::vector<std::string>{"neg", "neutral", "pos"}));
  ASSERT_EQ(f.train.examples.size(), 4u);
  EXPECT_EQ(f.train.examples[2].text_a, "meh, ok");
  EXPECT_EQ(f.train.examples[2].label_id, 1);
  EXPECT_EQ(f.train.examples[3].line, 5u);
  EXPECT_EQ(f.train.examples[3].guid, "train-3");
  EXPECT_EQ(f.validation.examples[0].label_id, 0);
  EXPECT_EQ(f.validation.examples[1].label_id, 2);
  EXPECT_EQ(f.validation.split, Split::Dev);
  ASSERT_EQ(f.test.examples.size(), 1u);
  EXPECT_FALSE(f.test.examples[0].has_label());

  // A validation label the training file does not have: file:line and the known labels.
  const auto bad = write(dir, "bad.csv", "text,label\nx,pos\ny,unknown\n");
  expect_error([&] { read_text_classification_files(train, bad); }, {bad + ":3", "'unknown'", "neg, neutral, pos"});
  // The validation file must carry labels; the test file may not.
  const auto unlabeled = write(dir, "unlabeled.csv", "text\nx\n");
  expect_error([&] { read_text_classification_files(train, unlabeled); }, {unlabeled, "no label column 'label'"});
}

TEST(TextClassificationFiles, IntegerLabelsSortAsNumbers) {
  const auto dir = test::scratch_dir("text_files_int");
  const auto train = write(dir, "train.csv", "a,b,label\nx,y,10\nx,y,2\nx,y,01\n");
  const auto test_file = write(dir, "test.csv", "a,b,label\nx,y,-1\nx,y,10\n");
  const auto f = read_text_classification_files(train, "", test_file);
  EXPECT_EQ(f.labels.labels, (std::vector<std::string>{"1", "2", "10"}));
  EXPECT_EQ(f.train.examples[2].label_id, 0);  // "01" is 1
  EXPECT_EQ(*f.train.examples[0].text_b, "y");
  EXPECT_FALSE(f.test.examples[0].has_label());  // -1: run_glue's "no label"
  EXPECT_EQ(f.test.examples[1].label_id, 2);
}

TEST(TextClassificationFiles, FloatLabelsMakeARegression) {
  const auto dir = test::scratch_dir("text_files_reg");
  const auto train = write(dir, "train.jsonl",
                           "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"label\": 3}\n"
                           "{\"sentence1\": \"c\", \"sentence2\": \"d\", \"label\": 4.25}\n");
  const auto dev = write(dir, "dev.csv", "sentence1,sentence2,label\ne,f,1.5\ng,h,oops\n");
  const TextTable t = read_text_table(train);
  const LabelSpace labels = infer_label_space(t);
  EXPECT_TRUE(labels.regression);
  EXPECT_EQ(labels.num_labels(), 1u);
  const auto ex = text_examples(t, infer_text_columns(t), labels, Split::Train);
  EXPECT_FLOAT_EQ(ex.examples[1].label_value, 4.25f);
  EXPECT_EQ(ex.examples[0].label_id, -1);
  EXPECT_EQ(*ex.examples[1].text_b, "d");
  expect_error([&] { read_text_classification_files(train, dev); }, {dev + ":3", "'oops' is not a number"});
}

TEST(TextClassificationFiles, MissingValuesAreErrors) {
  const auto dir = test::scratch_dir("text_files_missing");
  const auto no_label = write(dir, "a.csv", "text,label\nx,1\ny,\n");
  expect_error([&] { read_text_classification_files(no_label); }, {no_label + ":3", "label is empty"});
  const auto no_text = write(dir, "b.jsonl", "{\"text\": \"x\", \"label\": 1}\n{\"label\": 0}\n");
  expect_error([&] { read_text_classification_files(no_text); }, {no_text + ":2", "column 'text' is empty"});
  const auto object_text = write(dir, "c.jsonl", "{\"text\": {\"a\": 1}, \"label\": 1}\n");
  expect_error([&] { read_text_classification_files(object_text); }, {object_text + ":1", "JSON array or object"});
  expect_error([&] { read_text_classification_files(""); }, {"train_file", "required"});
}

}  // namespace
}  // namespace earlybert
