// SQuAD windows, training targets and n-best decoding, with a tiny whitespace tokenizer implementing the
// Tokenizer interface (the WordPiece tokenizer has its own tests; here only offsets matter).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <unordered_map>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/data/squad.h"
#include "earlybert/data/squad_decode.h"
#include "earlybert/data/squad_eval.h"
#include "earlybert/data/squad_features.h"
#include "earlybert/tokenize/wordpiece.h"

namespace earlybert {
namespace {

/// Words are runs of bytes other than space and ASCII punctuation; each punctuation character is a
/// token; ids are assigned on first sight (after the BERT special ids).
class WhitespaceTokenizer : public Tokenizer {
 public:
  std::vector<Token> tokenize(std::string_view text) const override {
    std::vector<Token> out;
    size_t i = 0;
    while (i < text.size()) {
      const char c = text[i];
      if (c == ' ') {
        ++i;
        continue;
      }
      size_t j = i + 1;
      if (!std::ispunct(static_cast<unsigned char>(c))) {
        while (j < text.size() && text[j] != ' ' && !std::ispunct(static_cast<unsigned char>(text[j]))) ++j;
      }
      const std::string piece(text.substr(i, j - i));
      out.push_back({piece, token_to_id(piece), i, j});
      i = j;
    }
    return out;
  }
  int32_t token_to_id(const std::string& token) const override {
    auto it = ids_.find(token);
    if (it != ids_.end()) return it->second;
    const int32_t id = static_cast<int32_t>(200 + ids_.size());
    ids_.emplace(token, id);
    return id;
  }
  std::string id_to_token(int32_t id) const override {
    if (id == 101) return "[CLS]";
    if (id == 102) return "[SEP]";
    for (const auto& [t, i] : ids_) {
      if (i == id) return t;
    }
    return "[UNK]";
  }
  size_t vocab_size() const override { return 200 + ids_.size(); }
  SpecialTokenIds special_ids() const override { return {}; }
  std::string decode(const std::vector<int32_t>&) const override { return ""; }

 private:
  mutable std::unordered_map<std::string, int32_t> ids_;
};

SquadExample make_example(const std::string& id, const std::string& question, const std::string& context,
                          const std::string& answer = "", bool impossible = false) {
  SquadExample ex;
  ex.id = id;
  ex.question = question;
  ex.context = std::make_shared<const std::string>(context);
  ex.is_impossible = impossible;
  if (!answer.empty()) {
    SquadAnswer a;
    a.text = answer;
    a.byte_begin = context.find(answer);
    a.byte_end = a.byte_begin + answer.size();
    ex.answers.push_back(a);
  }
  return ex;
}

/// "w0 w1 ... w{n-1}" with word k replaced by replacements[k] when given.
std::string words(size_t n, const std::unordered_map<size_t, std::string>& replacements = {}) {
  std::string s;
  for (size_t k = 0; k < n; ++k) {
    if (k) s += ' ';
    auto it = replacements.find(k);
    s += it != replacements.end() ? it->second : "w" + std::to_string(k);
  }
  return s;
}

TEST(SquadWindows, StartsDocStrideApartAndEndAtTheEnd) {
  using W = std::vector<std::pair<size_t, size_t>>;
  EXPECT_EQ(squad_doc_windows(20, 8, 4), (W{{0, 8}, {4, 8}, {8, 8}, {12, 8}}));
  EXPECT_EQ(squad_doc_windows(10, 8, 4), (W{{0, 8}, {4, 6}}));
  EXPECT_EQ(squad_doc_windows(5, 8, 4), (W{{0, 5}}));
  EXPECT_EQ(squad_doc_windows(0, 8, 4), (W{{0, 0}}));
  EXPECT_EQ(squad_doc_windows(10, 4, 6), (W{{0, 4}, {4, 4}, {8, 2}}));  // stride capped by the window length
  EXPECT_THROW(squad_doc_windows(10, 4, 0), Error);
}

TEST(SquadWindows, MaxContextPrefersTheMostCentredWindow) {
  const std::vector<std::pair<size_t, size_t>> w = {{0, 8}, {4, 8}, {8, 8}, {12, 8}};
  // Token 9: window 1 has min(5, 2) = 2 tokens of context on its short side, window 2 min(1, 6) = 1.
  EXPECT_TRUE(squad_is_max_context(w, 1, 9));
  EXPECT_FALSE(squad_is_max_context(w, 2, 9));
  // Token 10: window 1 min(6, 1) = 1, window 2 min(2, 5) = 2.
  EXPECT_FALSE(squad_is_max_context(w, 1, 10));
  EXPECT_TRUE(squad_is_max_context(w, 2, 10));
  EXPECT_TRUE(squad_is_max_context(w, 0, 0));
  EXPECT_FALSE(squad_is_max_context(w, 0, 12));  // not in window 0 at all
  // A tie (token 4: min(4, 1) = min(1, 4) = 1, equal lengths): the first window wins.
  const std::vector<std::pair<size_t, size_t>> tie = {{0, 6}, {3, 6}};
  EXPECT_TRUE(squad_is_max_context(tie, 0, 4));
  EXPECT_FALSE(squad_is_max_context(tie, 1, 4));
}

TEST(SquadFeatures, WindowsLayoutAndTrainingTargets) {
  WhitespaceTokenizer tok;
  // Question: 3 tokens; max_seq_length 14 leaves 14 − 3 − 3 = 8 context tokens per window.
  const auto ex = make_example("e", "who is it", words(20, {{9, "Ada"}, {10, "Lovelace"}}), "Ada Lovelace");
  SquadFeatureOptions opt;
  opt.max_seq_length = 14;
  opt.doc_stride = 4;
  opt.max_query_length = 10;
  const SquadFeatures out = build_squad_features({ex}, tok, opt);
  ASSERT_EQ(out.features.size(), 4u);
  const SquadFeature& f1 = out.features[1];
  EXPECT_EQ(f1.window_index, 1u);
  EXPECT_EQ(f1.doc_token_start, 4u);
  EXPECT_EQ(f1.size(), 14u);
  EXPECT_EQ(f1.context_start, 5u);  // [CLS] who is it [SEP]
  EXPECT_EQ(f1.input_ids.front(), 101);
  EXPECT_EQ(f1.input_ids[4], 102);
  EXPECT_EQ(f1.input_ids.back(), 102);
  EXPECT_EQ(f1.token_type_ids, (std::vector<int32_t>{0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(f1.attention_mask, std::vector<int32_t>(14, 1));
  ASSERT_EQ(f1.context_offsets.size(), 8u);
  const std::string& ctx = ex.context_text();
  EXPECT_EQ(ctx.substr(f1.context_offsets[5].first, f1.context_offsets[5].second - f1.context_offsets[5].first), "Ada");
  // Answer tokens 9..10: in window 1 at k = 5, 6 -> positions 10, 11; in window 2 at k = 1, 2 -> 6, 7.
  EXPECT_EQ(f1.start_position, 10);
  EXPECT_EQ(f1.end_position, 11);
  EXPECT_FALSE(f1.is_impossible);
  EXPECT_EQ(out.features[2].start_position, 6);
  EXPECT_EQ(out.features[2].end_position, 7);
  for (size_t w : {0u, 3u}) {  // answer not (entirely) in the window -> [CLS]
    EXPECT_EQ(out.features[w].start_position, 0);
    EXPECT_EQ(out.features[w].end_position, 0);
    EXPECT_TRUE(out.features[w].is_impossible);
  }
  // Window 1 holds tokens 4..11; 4, 5 are better centred in window 0, and 10, 11 in window 2.
  EXPECT_EQ(f1.token_is_max_context, (std::vector<uint8_t>{0, 0, 1, 1, 1, 1, 0, 0}));
}

TEST(SquadFeatures, QuestionTruncatedAndImpossibleAndEmptyContext) {
  WhitespaceTokenizer tok;
  SquadFeatureOptions opt;
  opt.max_seq_length = 16;
  opt.max_query_length = 4;
  opt.doc_stride = 128;
  const auto impossible = make_example("i", "a b c d e f g", "some context here", "", true);
  const auto empty = make_example("z", "q", "");
  const SquadFeatures out = build_squad_features({impossible, empty}, tok, opt);
  ASSERT_EQ(out.features.size(), 2u);
  EXPECT_EQ(out.features[0].context_start, 6u);  // 4 question tokens kept
  EXPECT_EQ(out.features[0].start_position, 0);
  EXPECT_TRUE(out.features[0].is_impossible);
  EXPECT_EQ(out.features[1].context_offsets.size(), 0u);
  EXPECT_EQ(out.features[1].size(), 4u);  // [CLS] q [SEP] [SEP]
  opt.max_seq_length = 7;                 // < max_query_length + 4
  EXPECT_THROW(build_squad_features({impossible}, tok, opt), Error);
}

TEST(SquadFeatures, AnswerStartingOrEndingInsideATokenSnapsOutward) {
  WhitespaceTokenizer tok;
  auto ex = make_example("p", "what", "alpha beta gamma delta", "");
  SquadAnswer a;  // "eta gam": inside "beta" .. inside "gamma"
  a.text = "eta gam";
  a.byte_begin = 7;
  a.byte_end = 14;
  ex.answers.push_back(a);
  const SquadFeatures out = build_squad_features({ex}, tok, {});
  ASSERT_EQ(out.features.size(), 1u);
  EXPECT_EQ(out.features[0].start_position, 3 + 1);  // [CLS] what [SEP] alpha beta -> "beta" at 4
  EXPECT_EQ(out.features[0].end_position, 5);
}

TEST(SquadFeatures, TrainingSkipsAnswersThatDoNotMatchTheContext) {
  WhitespaceTokenizer tok;
  auto ex = make_example("m", "q", "one two three", "two");
  ex.answers[0].matches_context = false;
  SquadFeatureOptions opt;
  opt.training = true;
  const SquadFeatures train = build_squad_features({ex}, tok, opt);
  EXPECT_TRUE(train.features.empty());
  EXPECT_EQ(train.skipped_examples, 1u);
  EXPECT_EQ(train.skipped_ids, std::vector<std::string>{"m"});
  opt.training = false;
  EXPECT_EQ(build_squad_features({ex}, tok, opt).features.size(), 1u);
}

// ---- decoding ----

SquadLogits flat_logits(size_t n, float value = 0.0f) {
  return {std::vector<float>(n, value), std::vector<float>(n, value)};
}

TEST(SquadDecode, BestSpanMappedBackToOriginalText) {
  WhitespaceTokenizer tok;
  // Non-ASCII and double spaces: the answer text must be the exact context bytes.
  const auto ex = make_example("d", "where", "It opened in  Zürich, Switzerland.");
  const SquadFeatures f = build_squad_features({ex}, tok, {});
  ASSERT_EQ(f.features.size(), 1u);
  const size_t cs = f.features[0].context_start;  // context tokens: It opened in Zürich , Switzerland .
  SquadLogits lg = flat_logits(f.features[0].size());
  lg.start[cs + 3] = 5.0f;  // Zürich
  lg.end[cs + 5] = 4.0f;    // Switzerland
  lg.end[cs + 3] = 3.0f;
  const auto preds = decode_squad_predictions({ex}, f.features, {lg});
  ASSERT_EQ(preds.size(), 1u);
  EXPECT_EQ(preds[0].text, "Zürich, Switzerland");
  ASSERT_GE(preds[0].nbest.size(), 2u);
  EXPECT_EQ(preds[0].nbest[1].text, "Zürich");
  EXPECT_FLOAT_EQ(preds[0].nbest[0].start_logit, 5.0f);
  double total = 0;
  for (const auto& c : preds[0].nbest) total += c.probability;
  EXPECT_NEAR(total, 1.0, 1e-9);
  EXPECT_GT(preds[0].nbest[0].probability, preds[0].nbest[1].probability);
}

TEST(SquadDecode, InvalidSpansAreSkipped) {
  WhitespaceTokenizer tok;
  const auto ex = make_example("s", "q", words(45));
  const SquadFeatures f = build_squad_features({ex}, tok, {});
  const size_t cs = f.features[0].context_start;
  SquadLogits lg = flat_logits(f.features[0].size(), -10.0f);
  lg.start[0] = 20.0f;  // [CLS] and the question are not context
  lg.end[0] = 20.0f;
  lg.start[1] = 19.0f;
  lg.start[cs + 10] = 9.0f;
  lg.end[cs + 5] = 9.0f;   // before the start
  lg.end[cs + 40] = 8.0f;  // a 31-token span: too long (max_answer_length 30)
  lg.end[cs + 12] = 1.0f;
  SquadDecodeOptions opt;
  const auto preds = decode_squad_predictions({ex}, f.features, {lg}, opt);
  EXPECT_EQ(preds[0].text, "w10 w11 w12");
  opt.max_answer_length = 2;  // w10..w12 is 3 tokens now too long; best is w10..w10 or w10..w11
  lg.end[cs + 11] = 0.5f;
  const auto shorter = decode_squad_predictions({ex}, f.features, {lg}, opt);
  EXPECT_EQ(shorter[0].text, "w10 w11");
}

TEST(SquadDecode, MaximumOverWindowsUsesMaxContextStarts) {
  WhitespaceTokenizer tok;
  const auto ex = make_example("w", "who is it", words(20, {{9, "Ada"}, {10, "Lovelace"}}));
  SquadFeatureOptions opt;
  opt.max_seq_length = 14;
  opt.doc_stride = 4;
  opt.max_query_length = 10;
  const SquadFeatures f = build_squad_features({ex}, tok, opt);
  ASSERT_EQ(f.features.size(), 4u);
  std::vector<SquadLogits> lg;
  for (const auto& feat : f.features) lg.push_back(flat_logits(feat.size()));
  // Window 2 scores "Ada" highest, but token 9 has its max context in window 1: the window-2 start is
  // ignored, and the (lower) window-1 span wins.
  lg[2].start[f.features[2].context_start + 1] = 10.0f;
  lg[2].end[f.features[2].context_start + 1] = 10.0f;
  lg[1].start[f.features[1].context_start + 5] = 3.0f;
  lg[1].end[f.features[1].context_start + 6] = 3.0f;
  // A different span in window 3 with a middling score.
  lg[3].start[f.features[3].context_start + 4] = 2.0f;
  lg[3].end[f.features[3].context_start + 4] = 2.0f;
  const auto preds = decode_squad_predictions({ex}, f.features, lg);
  EXPECT_EQ(preds[0].text, "Ada Lovelace");
  EXPECT_FLOAT_EQ(preds[0].nbest[0].start_logit, 3.0f);
  EXPECT_EQ(preds[0].nbest[1].text, "w16");
}

TEST(SquadDecode, Version2NullThreshold) {
  WhitespaceTokenizer tok;
  const auto ex = make_example("n", "q", "alpha beta gamma");
  const SquadFeatures f = build_squad_features({ex}, tok, {});
  const size_t cs = f.features[0].context_start;
  SquadLogits lg = flat_logits(f.features[0].size(), -5.0f);
  lg.start[0] = 2.0f;  // null score 2 + 1 = 3
  lg.end[0] = 1.0f;
  lg.start[cs + 1] = 1.5f;  // "beta": 1.5 + 1.0 = 2.5
  lg.end[cs + 1] = 1.0f;
  SquadDecodeOptions opt;
  opt.version_2_with_negative = true;
  auto preds = decode_squad_predictions({ex}, f.features, {lg}, opt);
  EXPECT_DOUBLE_EQ(preds[0].null_score, 3.0);
  EXPECT_DOUBLE_EQ(preds[0].score_diff, 0.5);
  EXPECT_EQ(preds[0].text, "");  // 0.5 > threshold 0
  ASSERT_GE(preds[0].nbest.size(), 2u);
  EXPECT_EQ(preds[0].nbest[0].text, "");
  EXPECT_EQ(preds[0].nbest[1].text, "beta");
  opt.null_score_diff_threshold = 0.5;  // not strictly greater: answer
  preds = decode_squad_predictions({ex}, f.features, {lg}, opt);
  EXPECT_EQ(preds[0].text, "beta");
  opt.version_2_with_negative = false;  // v1.1 never abstains
  opt.null_score_diff_threshold = 0.0;
  preds = decode_squad_predictions({ex}, f.features, {lg}, opt);
  EXPECT_EQ(preds[0].text, "beta");
}

TEST(SquadDecode, NullScoreIsTheMinimumOverWindows) {
  WhitespaceTokenizer tok;
  const auto ex = make_example("m", "q", words(12));
  SquadFeatureOptions fo;
  fo.max_seq_length = 11;  // 11 − 1 − 3 = 7 tokens per window
  fo.max_query_length = 4;
  fo.doc_stride = 5;
  const SquadFeatures f = build_squad_features({ex}, tok, fo);
  ASSERT_EQ(f.features.size(), 2u);
  std::vector<SquadLogits> lg = {flat_logits(f.features[0].size(), -1.0f), flat_logits(f.features[1].size(), -1.0f)};
  lg[0].start[0] = 4.0f;
  lg[0].end[0] = 4.0f;  // 8
  lg[1].start[0] = 1.0f;
  lg[1].end[0] = 0.5f;  // 1.5: the minimum
  SquadDecodeOptions opt;
  opt.version_2_with_negative = true;
  const auto preds = decode_squad_predictions({ex}, f.features, lg, opt);
  EXPECT_DOUBLE_EQ(preds[0].null_score, 1.5);
  EXPECT_DOUBLE_EQ(preds[0].score_diff, 1.5 - (-2.0));
  EXPECT_EQ(preds[0].text, "");
}

TEST(SquadDecode, ShapeErrors) {
  WhitespaceTokenizer tok;
  const auto ex = make_example("x", "q", "a b");
  const SquadFeatures f = build_squad_features({ex}, tok, {});
  EXPECT_THROW(decode_squad_predictions({ex}, f.features, {}), Error);
  EXPECT_THROW(decode_squad_predictions({ex}, f.features, {flat_logits(2)}), Error);
  EXPECT_THROW(decode_squad_predictions({}, f.features, {flat_logits(f.features[0].size())}), Error);
}

TEST(SquadPredictionsFile, WriteAndReadBack) {
  std::vector<SquadPrediction> preds(2);
  preds[0].id = "b-id";
  preds[0].text = "Zürich";
  preds[1].id = "a-id";
  preds[1].text = "";
  preds[1].score_diff = 1.25;
  const std::string path = join_path(testing::TempDir(), "squad_predictions.json");
  write_squad_predictions(path, preds);
  const std::string text = read_file(path);
  EXPECT_LT(text.find("b-id"), text.find("a-id"));  // example order kept
  const auto back = read_squad_predictions(path);
  EXPECT_EQ(back, (std::map<std::string, std::string>{{"a-id", ""}, {"b-id", "Zürich"}}));
  write_squad_null_odds(path, preds);
  EXPECT_NE(read_file(path).find("1.25"), std::string::npos);
  write_file_atomic(path, R"({"a": 3})");
  try {
    read_squad_predictions(path);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": key 'a': expected a string"), std::string::npos) << e.what();
  }
}

// ---- the real dev set with the real WordPiece tokenizer ----

TEST(SquadRealDev, GoldTargetsDecodeBackToTheAnswers) {
  const char* d = std::getenv("EARLYBERT_SHARED_DATA");
  const std::string dev = d ? join_path(d, "squad/dev-v1.1.json") : "";
  const std::string vocab = d ? join_path(d, "vocab/bert-base-uncased-vocab.txt") : "";
  if (dev.empty() || !path_exists(dev) || !path_exists(vocab)) GTEST_SKIP() << "EARLYBERT_SHARED_DATA is absent";
  const SquadDataset data = read_squad(dev);
  const WordPieceTokenizer tok = WordPieceTokenizer::from_file(vocab, true);
  SquadFeatureOptions opt;  // 384 / 128 / 64
  opt.training = true;
  const SquadFeatures f = build_squad_features(data.examples, tok, opt);
  EXPECT_EQ(f.skipped_examples, 0u);
  EXPECT_GE(f.features.size(), data.examples.size());
  // Logits that point exactly at each window's training targets: decoding them must give back the
  // first gold answer (up to the whole tokens it snaps to) for every question.
  std::vector<SquadLogits> logits;
  size_t answerable_windows = 0;
  for (const auto& feat : f.features) {
    EXPECT_LE(feat.size(), 384u);
    SquadLogits lg = flat_logits(feat.size());
    if (!feat.is_impossible) {
      ++answerable_windows;
      lg.start[static_cast<size_t>(feat.start_position)] = 10.0f;
      lg.end[static_cast<size_t>(feat.end_position)] = 10.0f;
    }
    logits.push_back(std::move(lg));
  }
  EXPECT_GE(answerable_windows, data.examples.size());
  // Nine dev answers are longer than max_answer_length (30 tokens); allow any length here.
  SquadDecodeOptions decode;
  decode.max_answer_length = opt.max_seq_length;
  const auto preds = decode_squad_predictions(data.examples, f.features, logits, decode);
  std::map<std::string, std::string> by_id;
  size_t contains = 0;
  for (size_t i = 0; i < preds.size(); ++i) {
    by_id[preds[i].id] = preds[i].text;
    contains += preds[i].text.find(data.examples[i].answers.front().text) != std::string::npos;
  }
  EXPECT_EQ(contains, preds.size());  // every decoded span covers its gold answer
  const MetricValues m = evaluate_squad(data.examples, by_id, SquadVersion::V1);
  std::printf("oracle decoding on dev-v1.1: %zu features, EM %.3f, F1 %.3f\n", f.features.size(), m.at("exact_match"),
              m.at("f1"));
  EXPECT_GT(m.at("exact_match"), 99.0);
  EXPECT_GT(m.at("f1"), 99.5);
}

}  // namespace
}  // namespace earlybert
