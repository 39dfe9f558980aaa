// The run's tokenizer casing: read from the model directory as Hugging Face's AutoTokenizer reads it
// (tokenizer_config.json, else tokenizer.json's normalizer), an explicit do_lower_case winning, and a
// fast tokenizer's tokenizer.json usable as the vocabulary.
#include "earlybert/tasks/task_tokenizer.h"

#include <gtest/gtest.h>

#include "earlybert/base/files.h"
#include "earlybert/tasks/task_options.h"
#include "expect_error.h"
#include "scratch_dir.h"

namespace earlybert {
namespace {

using test::expect_error;
using test::scratch_dir;

const char* const kVocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nHello\nworld\nWorld\ncafe\ncafé\n";

/// A model directory with vocab.txt and, if given, tokenizer_config.json / tokenizer.json.
std::string model_dir(const std::string& name, const std::string& tokenizer_config, const std::string& fast = "") {
  const std::string dir = scratch_dir("casing_" + name);
  write_file_atomic(dir + "/vocab.txt", kVocab);
  if (!tokenizer_config.empty()) write_file_atomic(dir + "/tokenizer_config.json", tokenizer_config);
  if (!fast.empty()) write_file_atomic(dir + "/tokenizer.json", fast);
  return dir;
}

std::vector<std::string> pieces(const Tokenizer& t, const std::string& text) {
  std::vector<std::string> out;
  for (const auto& tok : t.tokenize(text)) out.push_back(t.id_to_token(tok.id));
  return out;
}

TaskOptions options_for(const std::string& dir) {
  TaskOptions o;
  o.model_name_or_path = dir;
  return o;
}

TEST(TaskTokenizer, CasedModelDirectoryIsNotLowercased) {
  const std::string cased = model_dir("cased", R"({"do_lower_case": false, "tokenizer_class": "BertTokenizer"})");
  const auto tok = load_run_tokenizer(options_for(cased));
  EXPECT_EQ(pieces(*tok, "Hello World café"), (std::vector<std::string>{"Hello", "World", "café"}));
  const TokenizerCasing c = resolve_casing(options_for(cased), cased + "/vocab.txt");
  EXPECT_FALSE(c.do_lower_case);
  EXPECT_EQ(c.source, cased + "/tokenizer_config.json");
}

TEST(TaskTokenizer, UncasedModelDirectoryIsLowercasedAndStripsAccents) {
  const std::string uncased = model_dir("uncased", R"({"do_lower_case": true})");
  const auto tok = load_run_tokenizer(options_for(uncased));
  EXPECT_EQ(pieces(*tok, "Hello World café"), (std::vector<std::string>{"hello", "world", "cafe"}));
}

TEST(TaskTokenizer, ExplicitFlagWins) {
  const std::string cased = model_dir("cased_flag", R"({"do_lower_case": false})");
  TaskOptions o = options_for(cased);
  o.do_lower_case = true;
  EXPECT_EQ(pieces(*load_run_tokenizer(o), "Hello"), (std::vector<std::string>{"hello"}));
  EXPECT_EQ(resolve_casing(o, cased + "/vocab.txt").source, "do_lower_case");
}

TEST(TaskTokenizer, StripAccentsFromTheConfig) {
  // Lowercased but accents kept (strip_accents false), as bert-base-multilingual-uncased's config can say.
  const std::string dir = model_dir("keep_accents", R"({"do_lower_case": true, "strip_accents": false})");
  EXPECT_EQ(pieces(*load_run_tokenizer(options_for(dir)), "Café"), (std::vector<std::string>{"café"}));
}

TEST(TaskTokenizer, FastTokenizerNormalizerAndVocabulary) {
  // No tokenizer_config.json: tokenizer.json's BertNormalizer decides; with no vocab.txt its WordPiece
  // vocabulary is the tokenizer.
  const std::string fast = R"({"normalizer": {"type": "BertNormalizer", "lowercase": false, "strip_accents": null,
      "handle_chinese_chars": true, "clean_text": true},
    "model": {"type": "WordPiece", "unk_token": "[UNK]",
      "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4, "Hello": 5, "hello": 6}}})";
  const std::string dir = model_dir("fast", "", fast);
  EXPECT_FALSE(resolve_casing(options_for(dir), dir + "/vocab.txt").do_lower_case);
  remove_all(dir + "/vocab.txt");
  EXPECT_EQ(resolve_tokenizer_file(options_for(dir)), dir + "/tokenizer.json");
  const auto tok = load_run_tokenizer(options_for(dir));
  EXPECT_EQ(tok->vocab_size(), 7u);
  EXPECT_EQ(pieces(*tok, "Hello hello"), (std::vector<std::string>{"Hello", "hello"}));
  // Saved with a model: vocab.txt in id order and the casing that was used.
  const std::string out = scratch_dir("casing_saved");
  save_tokenizer_files(dir + "/tokenizer.json", false, out);
  EXPECT_EQ(read_file(out + "/vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nHello\nhello\n");
  EXPECT_FALSE(resolve_casing(options_for(out), out + "/vocab.txt").do_lower_case);
}

TEST(TaskTokenizer, DefaultIsUncasedAndBadFilesNameTheKey) {
  const std::string plain = model_dir("plain", "");
  const TokenizerCasing c = resolve_casing(options_for(plain), plain + "/vocab.txt");
  EXPECT_TRUE(c.do_lower_case);
  EXPECT_EQ(c.source, "default");
  const std::string bad = model_dir("bad", R"({"do_lower_case": "yes"})");
  expect_error([&] { load_run_tokenizer(options_for(bad)); }, {bad + "/tokenizer_config.json", "do_lower_case"});
  const std::string broken = model_dir("broken", R"({"do_lower_case": )");
  expect_error([&] { load_run_tokenizer(options_for(broken)); }, {"tokenizer_config.json", "malformed JSON"});
}

}  // namespace
}  // namespace earlybert
