// Tests for SentencePiece through the plugin: training tiny unigram and BPE models on a fixture text,
// loading them, encode/decode round trips, offsets, the BERT special-token layout, and errors.
// (This executable does not link LibTorch; test_tokenize_cli.cpp runs the same paths inside the
// CLI, which does.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "earlybert/base/error.h"
#include "earlybert/tokenize/sentencepiece.h"
#include "tokenize/tokenize_test_util.h"

using namespace earlybert;
using ::testing::HasSubstr;

namespace {

class SentencePiece : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    have_plugin_ = test::use_build_tree_spm_plugin();
    if (!have_plugin_) return;
    scratch_ = std::make_unique<test::ScratchDir>("spm");
    dir_ = scratch_->path();
    for (const char* type : {"unigram", "bpe"}) {
      SentencePieceTrainOptions o;
      o.inputs = {test::fixture("spm_corpus.txt")};
      o.model_prefix = dir_ + "/" + type;
      o.vocab_size = 150;
      o.model_type = type;
      o.character_coverage = 1.0;
      o.num_threads = 1;
      train_sentencepiece(o);
    }
  }
  static void TearDownTestSuite() { scratch_.reset(); }
  void SetUp() override {
    // The build makes the plugin before the tokenizer objects: its absence is a failure, not a skip.
    ASSERT_TRUE(have_plugin_) << "libearlybert_spm.so not found in <build>/src and EARLYBERT_SPM_PLUGIN unset";
  }
  static std::string model(const char* type) { return dir_ + "/" + type + ".model"; }

  static inline bool have_plugin_ = false;
  static inline std::unique_ptr<test::ScratchDir> scratch_;
  static inline std::string dir_;
};

std::string expect_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an earlybert::Error";
  return "";
}

}  // namespace

TEST_F(SentencePiece, TrainingWritesModelAndVocab) {
  for (const char* type : {"unigram", "bpe"}) {
    EXPECT_TRUE(std::filesystem::exists(dir_ + "/" + type + ".model")) << type;
    const std::string vocab = test::read_text(dir_ + "/" + type + ".vocab");
    EXPECT_EQ(std::count(vocab.begin(), vocab.end(), '\n'), 150) << type;
    EXPECT_EQ(vocab.rfind("[PAD]\t", 0), 0u) << "first vocab line is [PAD]";
    // No temporary files are left behind.
    for (const auto& e : std::filesystem::directory_iterator(dir_)) {
      EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << e.path();
    }
  }
}

TEST_F(SentencePiece, BertSpecialTokenLayout) {
  for (const char* type : {"unigram", "bpe"}) {
    SentencePieceTokenizer tok(model(type));
    EXPECT_EQ(tok.vocab_size(), 150u);
    const SpecialTokenIds s = tok.special_ids();
    EXPECT_EQ(s.pad, 0) << type;
    EXPECT_EQ(s.unk, 1) << type;
    EXPECT_EQ(s.cls, 2) << type;
    EXPECT_EQ(s.sep, 3) << type;
    EXPECT_EQ(s.mask, 4) << type;
    EXPECT_EQ(tok.id_to_token(2), "[CLS]");
    EXPECT_EQ(tok.token_to_id("[MASK]"), 4);
    EXPECT_EQ(tok.token_to_id("no-such-piece"), 1);
    EXPECT_THROW(tok.id_to_token(150), Error);
    EXPECT_THROW(tok.id_to_token(-1), Error);
  }
}

TEST_F(SentencePiece, EncodeDecodeRoundTrip) {
  for (const char* type : {"unigram", "bpe"}) {
    SentencePieceTokenizer tok(model(type));
    for (std::string text : {"The quick brown fox jumps over the lazy dog.", "A small model reads the garden.",
                             "Bright stars, warm bread and calm rivers."}) {
      const auto tokens = tok.tokenize(text);
      ASSERT_FALSE(tokens.empty());
      std::vector<int32_t> ids;
      for (const auto& t : tokens) {
        ids.push_back(t.id);
        EXPECT_EQ(tok.id_to_token(t.id), t.piece);
        EXPECT_LE(t.begin, t.end);
        EXPECT_LE(t.end, text.size());
      }
      EXPECT_EQ(tok.decode(ids), text) << type;
      // The pieces' byte ranges tile the input.
      EXPECT_EQ(tokens.front().begin, 0u);
      EXPECT_EQ(tokens.back().end, text.size());
      for (size_t i = 1; i < tokens.size(); ++i) EXPECT_EQ(tokens[i].begin, tokens[i - 1].end);
    }
  }
}

TEST_F(SentencePiece, EncodeAddsSpecialsAndKeepsMaskWhole) {
  SentencePieceTokenizer tok(model("unigram"));
  const std::string text = "the [MASK] garden";
  const auto tokens = tok.tokenize(text);
  bool found = false;
  for (const auto& t : tokens) {
    if (t.piece == "[MASK]") {
      found = true;
      EXPECT_EQ(t.id, 4);
      EXPECT_EQ(text.substr(t.begin, t.end - t.begin), "[MASK]");
    }
  }
  EXPECT_TRUE(found);
  const auto e = tok.encode("the garden", std::string_view("a river"), 512);
  EXPECT_EQ(e.input_ids.front(), 2);
  EXPECT_EQ(e.input_ids.back(), 3);
  EXPECT_EQ(e.token_type_ids.back(), 1);
  EXPECT_EQ(tok.decode(e.input_ids), "the garden a river") << "specials are skipped";
  // Characters never seen in training become the unknown piece; decoding drops it like [UNK].
  const auto unk = tok.tokenize("\u7684");
  ASSERT_FALSE(unk.empty());
  EXPECT_EQ(unk.back().id, 1);
}

TEST_F(SentencePiece, ModelWithoutBertSpecialsUsesItsOwn) {
  SentencePieceTrainOptions o;
  o.inputs = {test::fixture("spm_corpus.txt")};
  o.model_prefix = dir_ + "/plain";
  o.vocab_size = 120;
  o.character_coverage = 1.0;
  o.bert_special_tokens = false;
  o.num_threads = 1;
  train_sentencepiece(o);
  SentencePieceTokenizer tok(o.model_prefix + ".model");
  const SpecialTokenIds s = tok.special_ids();
  // sentencepiece's defaults: <unk>=0 <s>=1 </s>=2, no pad, no mask → [UNK]'s id.
  EXPECT_EQ(s.unk, 0);
  EXPECT_EQ(s.cls, 1);
  EXPECT_EQ(s.sep, 2);
  EXPECT_EQ(s.pad, 0);
  EXPECT_EQ(s.mask, 0);
  EXPECT_EQ(tok.id_to_token(1), "<s>");
}

TEST_F(SentencePiece, Errors) {
  EXPECT_THAT(expect_error([&] { SentencePieceTokenizer(dir_ + "/missing.model"); }),
              HasSubstr(dir_ + "/missing.model: no such file"));
  test::write_text(dir_ + "/text.model", "this is not a model\n");
  EXPECT_THAT(expect_error([&] { SentencePieceTokenizer(dir_ + "/text.model"); }),
              HasSubstr(dir_ + "/text.model: not a sentencepiece model"));
  SentencePieceTokenizer tok(model("bpe"));
  EXPECT_THAT(expect_error([&] { tok.tokenize("bad \xC3"); }), HasSubstr("invalid UTF-8 at byte 4"));
  EXPECT_THROW(tok.decode({100000}), Error);

  SentencePieceTrainOptions o;
  o.inputs = {dir_ + "/missing.txt"};
  o.model_prefix = dir_ + "/x";
  EXPECT_THAT(expect_error([&] { train_sentencepiece(o); }), HasSubstr(dir_ + "/missing.txt: no such file"));
  o.inputs = {test::fixture("spm_corpus.txt")};
  o.model_type = "wordpiece";
  EXPECT_THAT(expect_error([&] { train_sentencepiece(o); }), HasSubstr("--model-type"));
  o.model_type = "unigram";
  o.vocab_size = 100000;  // far more pieces than the fixture holds
  o.num_threads = 1;
  EXPECT_THAT(expect_error([&] { train_sentencepiece(o); }), HasSubstr("sentencepiece training failed"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/x.model"));
}
