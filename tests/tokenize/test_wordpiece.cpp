// Tests for WordPiece: Hugging Face's BertTokenizer test cases on a tiny fixture vocabulary, offsets
// into the original text, long words, [UNK], vocabulary errors, and the real bert-base vocabularies
// (from EARLYBERT_SHARED_DATA; skipped without them) against outputs published for HF's tokenizers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "earlybert/base/error.h"
#include "earlybert/tokenize/wordpiece.h"
#include "tokenize/tokenize_test_util.h"

using namespace earlybert;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

namespace {

WordPieceTokenizer tiny(bool lower = true) {
  return WordPieceTokenizer::from_file(test::fixture("tiny_vocab.txt"), lower);
}

std::vector<std::string> pieces(const std::vector<Token>& tokens) {
  std::vector<std::string> out;
  for (const auto& t : tokens) out.push_back(t.piece);
  return out;
}

std::vector<int32_t> ids(const std::vector<Token>& tokens) {
  std::vector<int32_t> out;
  for (const auto& t : tokens) out.push_back(t.id);
  return out;
}

// The input substring each token covers.
std::vector<std::string> spans(const std::string& text, const std::vector<Token>& tokens) {
  std::vector<std::string> out;
  for (const auto& t : tokens) out.push_back(text.substr(t.begin, t.end - t.begin));
  return out;
}

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

// --- Hugging Face's test cases (tests/models/bert/test_tokenization_bert.py) -----------------------

TEST(WordPiece, HfFullTokenizer) {
  const auto tok = tiny();
  const auto t = tok.tokenize("UNwant\u00E9d,running");
  EXPECT_THAT(pieces(t), ElementsAre("un", "##want", "##ed", ",", "runn", "##ing"));
  EXPECT_THAT(ids(t), ElementsAre(9, 6, 7, 12, 10, 11));
}

TEST(WordPiece, HfWordpieceTokenizer) {
  const auto tok = tiny();
  EXPECT_THAT(tok.tokenize(""), IsEmpty());
  EXPECT_THAT(pieces(tok.tokenize("unwanted running")), ElementsAre("un", "##want", "##ed", "runn", "##ing"));
  EXPECT_THAT(pieces(tok.tokenize("unwantedX running")), ElementsAre("[UNK]", "runn", "##ing"));
}

TEST(WordPiece, HfCleanText) {
  const auto tok = tiny();
  EXPECT_THAT(pieces(tok.tokenize("Test")), ElementsAre("[UNK]"));
  EXPECT_THAT(tok.tokenize("\xC2\xAD"), IsEmpty());  // soft hyphen
  EXPECT_THAT(pieces(tok.tokenize("test")), ElementsAre("[UNK]"));
}

// --- offsets -----------------------------------------------------------------------------------------

TEST(WordPiece, OffsetsCoverTheOriginalText) {
  const auto tok = tiny();
  const std::string text = "UNwant\u00E9d,running";
  const auto t = tok.tokenize(text);
  // é is 2 bytes: "##ed" covers "éd".
  EXPECT_THAT(spans(text, t), ElementsAre("UN", "want", "\u00E9d", ",", "runn", "ing"));
  EXPECT_EQ(t[2].begin, 6u);
  EXPECT_EQ(t[2].end, 9u);
}

TEST(WordPiece, OffsetsWithDecomposedAccentsCjkAndWhitespace) {
  const auto tok = tiny();
  const std::string text = "  NA\u00CFVE\t\u7684\u4EBA cafe\u0301s \u00A0how?";
  const auto t = tok.tokenize(text);
  EXPECT_THAT(pieces(t), ElementsAre("naive", "的", "人", "cafe", "##s", "how", "?"));
  // The decomposed acute is stripped: no normalized character comes from it, so no token covers it
  // (as with Hugging Face's alignments); the precomposed Ï is inside "naive"'s span.
  EXPECT_THAT(spans(text, t), ElementsAre("NA\u00CFVE", "\u7684", "\u4EBA", "cafe", "s", "how", "?"));
}

TEST(WordPiece, OffsetsOfSpecialTokensAndUnknownWords) {
  const auto tok = tiny();
  const std::string text = "[CLS] zebra-Hello [MASK]";
  const auto t = tok.tokenize(text);
  EXPECT_THAT(pieces(t), ElementsAre("[CLS]", "[UNK]", "-", "hello", "[MASK]"));
  EXPECT_THAT(ids(t), ElementsAre(1, 0, 29, 17, 4));
  EXPECT_THAT(spans(text, t), ElementsAre("[CLS]", "zebra", "-", "Hello", "[MASK]"));
}

// --- long words and [UNK] ----------------------------------------------------------------------------

TEST(WordPiece, WordsOver100CharactersAreUnknown) {
  const auto tok = tiny();
  const std::string w100(100, 'a');
  const auto t100 = tok.tokenize(w100);
  ASSERT_EQ(t100.size(), 100u);
  EXPECT_EQ(t100[0].piece, "a");
  EXPECT_EQ(t100[99].piece, "##a");
  EXPECT_EQ(t100[99].begin, 99u);

  const std::string text = "how " + std::string(101, 'a') + " are";
  const auto t101 = tok.tokenize(text);
  EXPECT_THAT(pieces(t101), ElementsAre("how", "[UNK]", "are"));
  EXPECT_EQ(t101[1].begin, 4u);
  EXPECT_EQ(t101[1].end, 105u);
  // The limit counts characters after normalization, not bytes: 100 × "á" (200 bytes) is fine.
  std::string accented;
  for (int i = 0; i < 100; ++i) accented += "\u00E1";
  EXPECT_EQ(tok.tokenize(accented).size(), 100u);
}

TEST(WordPiece, WordWithAnUncoverablePieceIsOneUnknown) {
  const auto tok = tiny();
  const std::string text = "wantz";  // "want" matches, then no "##z"
  const auto t = tok.tokenize(text);
  EXPECT_THAT(pieces(t), ElementsAre("[UNK]"));
  EXPECT_THAT(spans(text, t), ElementsAre("wantz"));
}

TEST(WordPiece, GreedyLongestMatchFirst) {
  const auto tok = tiny();
  // "lowest" beats "low" + ...; "low" alone is a word.
  EXPECT_THAT(pieces(tok.tokenize("lowest low")), ElementsAre("lowest", "low"));
  EXPECT_THAT(pieces(tok.tokenize("aaa")), ElementsAre("a", "##a", "##a"));
}

TEST(WordPiece, CasedPipelineKeepsCase) {
  const auto tok = tiny(false);
  EXPECT_THAT(pieces(tok.tokenize("hello Hello na\u00EFve")), ElementsAre("hello", "[UNK]", "[UNK]"));
}

// --- decode ------------------------------------------------------------------------------------------

TEST(WordPiece, DecodeJoinsContinuationsAndSkipsSpecials) {
  const auto tok = tiny();
  EXPECT_EQ(tok.decode({1, 9, 6, 7, 12, 10, 11, 2}), "unwanted, running");
  EXPECT_EQ(tok.decode({17, 18, 21, 22, 23, 19, 3, 0}), "hello! how are you?");
  EXPECT_THROW(tok.decode({9999}), Error);
}

// --- vocabulary files --------------------------------------------------------------------------------

TEST(WordPieceVocab, IdsAreLineNumbersAndSpecialsAreFound) {
  const auto v = WordPieceVocab::from_file(test::fixture("tiny_vocab.txt"));
  EXPECT_EQ(v.size(), 31u);
  EXPECT_EQ(v.special_ids().unk, 0);
  EXPECT_EQ(v.special_ids().cls, 1);
  EXPECT_EQ(v.special_ids().sep, 2);
  EXPECT_EQ(v.special_ids().pad, 3);
  EXPECT_EQ(v.special_ids().mask, 4);
  EXPECT_EQ(v.token(9), "un");
  EXPECT_EQ(v.find("##ing"), 11);
  EXPECT_EQ(v.find_continuation("ing"), 11);
  EXPECT_EQ(v.find("ing"), -1);
  EXPECT_THROW(v.token(31), Error);
  EXPECT_THROW(v.token(-1), Error);
}

TEST(WordPieceVocab, CrLfDuplicatesAndOptionalSpecials) {
  const test::ScratchDir scratch("vocab_crlf");
  const std::string& dir = scratch.path();
  test::write_text(dir + "/v.txt", "[CLS]\r\n[SEP]\r\n[UNK]\r\nx\r\nx\r\n##y");  // no final newline
  const auto v = WordPieceVocab::from_file(dir + "/v.txt");
  EXPECT_EQ(v.size(), 6u);
  EXPECT_EQ(v.find("x"), 4);  // the later line wins, as in HF's dict
  EXPECT_EQ(v.find("##y"), 5);
  EXPECT_EQ(v.special_ids().pad, v.special_ids().unk);   // no [PAD]: falls back to [UNK]
  EXPECT_EQ(v.special_ids().mask, v.special_ids().unk);  // no [MASK]
}

TEST(WordPieceVocab, BadFilesAreErrorsNamingTheFile) {
  const test::ScratchDir scratch("vocab_bad");
  const std::string& dir = scratch.path();
  EXPECT_THAT(expect_error([&] { WordPieceVocab::from_file(dir + "/missing.txt"); }), HasSubstr(dir + "/missing.txt"));

  test::write_text(dir + "/empty.txt", "");
  EXPECT_THAT(expect_error([&] { WordPieceVocab::from_file(dir + "/empty.txt"); }),
              HasSubstr(dir + "/empty.txt: empty vocabulary"));

  test::write_text(dir + "/nocls.txt", "[PAD]\n[SEP]\n[UNK]\nhello\n");
  EXPECT_THAT(expect_error([&] { WordPieceVocab::from_file(dir + "/nocls.txt"); }),
              HasSubstr(dir + "/nocls.txt: vocabulary has no [CLS] token"));
  test::write_text(dir + "/nosep.txt", "[CLS]\n[UNK]\n");
  EXPECT_THAT(expect_error([&] { WordPieceVocab::from_file(dir + "/nosep.txt"); }), HasSubstr("no [SEP]"));
  test::write_text(dir + "/nounk.txt", "[CLS]\n[SEP]\n");
  EXPECT_THAT(expect_error([&] { WordPieceVocab::from_file(dir + "/nounk.txt"); }), HasSubstr("no [UNK]"));

  test::write_text(dir + "/utf8.txt", "[CLS]\n[SEP]\nbad\xC3\n[UNK]\n");
  EXPECT_THAT(expect_error([&] { WordPieceVocab::from_file(dir + "/utf8.txt"); }),
              HasSubstr(dir + "/utf8.txt:3: invalid UTF-8"));
}

// --- the real bert-base vocabularies -----------------------------------------------------------------

namespace {

std::string real_vocab(const char* name) { return test::shared_data(std::string("vocab/") + name); }

}  // namespace

TEST(WordPieceReal, UncasedMatchesPublishedIds) {
  const std::string path = real_vocab("bert-base-uncased-vocab.txt");
  if (path.empty()) GTEST_SKIP() << "EARLYBERT_SHARED_DATA/vocab/bert-base-uncased-vocab.txt not available";
  const auto tok = WordPieceTokenizer::from_file(path, true);
  EXPECT_EQ(tok.vocab_size(), 30522u);
  const SpecialTokenIds s = tok.special_ids();
  EXPECT_EQ(s.pad, 0);
  EXPECT_EQ(s.unk, 100);
  EXPECT_EQ(s.cls, 101);
  EXPECT_EQ(s.sep, 102);
  EXPECT_EQ(s.mask, 103);
  // HF's BertModel docs example.
  EXPECT_THAT(tok.encode("Hello, my dog is cute").input_ids,
              ElementsAre(101, 7592, 1010, 2026, 3899, 2003, 10140, 102));
  // The Hugging Face course (distilbert-base-uncased shares this vocabulary).
  const auto e = tok.encode("I've been waiting for a HuggingFace course my whole life.");
  EXPECT_THAT(e.input_ids, ElementsAre(101, 1045, 1005, 2310, 2042, 3403, 2005, 1037, 17662, 12172, 2607, 2026, 2878,
                                       2166, 1012, 102));
  EXPECT_THAT(pieces(tok.tokenize("I love tokenization")), ElementsAre("i", "love", "token", "##ization"));
  EXPECT_EQ(tok.decode(e.input_ids), "i've been waiting for a huggingface course my whole life.");
}

TEST(WordPieceReal, UncasedOffsetsWithSpecialCharacters) {
  const std::string path = real_vocab("bert-base-uncased-vocab.txt");
  if (path.empty()) GTEST_SKIP() << "EARLYBERT_SHARED_DATA/vocab/bert-base-uncased-vocab.txt not available";
  const auto tok = WordPieceTokenizer::from_file(path, true);
  // HF's test_offsets_with_special_characters (character offsets there; bytes here: ï is 2 bytes).
  const std::string text = "A, na\u00EFve [MASK] AllenNLP sentence.";
  const auto e = tok.encode(text);
  EXPECT_THAT(e.tokens,
              ElementsAre("[CLS]", "a", ",", "naive", "[MASK]", "allen", "##nl", "##p", "sentence", ".", "[SEP]"));
  using P = std::pair<size_t, size_t>;
  EXPECT_THAT(e.offsets, ElementsAre(P{0, 0}, P{0, 1}, P{1, 2}, P{3, 9}, P{10, 16}, P{17, 22}, P{22, 24}, P{24, 25},
                                     P{26, 34}, P{34, 35}, P{0, 0}));
}

TEST(WordPieceReal, CasedMatchesPublishedIdsAndOffsets) {
  const std::string path = real_vocab("bert-base-cased-vocab.txt");
  if (path.empty()) GTEST_SKIP() << "EARLYBERT_SHARED_DATA/vocab/bert-base-cased-vocab.txt not available";
  const auto tok = WordPieceTokenizer::from_file(path, false);
  EXPECT_EQ(tok.vocab_size(), 28996u);
  // The Hugging Face course, chapter 2 (bert-base-cased). The course prints these pieces for
  // "Using a Transformer network is simple", but "transform" is lowercase in the vocabulary and the
  // ids decode to "transformer": the output is that of the lowercase sentence.
  const auto t = tok.tokenize("Using a transformer network is simple");
  EXPECT_THAT(pieces(t), ElementsAre("Using", "a", "transform", "##er", "network", "is", "simple"));
  EXPECT_THAT(ids(t), ElementsAre(7993, 170, 11303, 1200, 2443, 1110, 3014));
  EXPECT_EQ(tok.decode(ids(t)), "Using a transformer network is simple");
  // Capitalized: no "Transform..." entry; the longest prefix is "Trans" (id 13809), then "##former".
  EXPECT_THAT(pieces(tok.tokenize("Transformer")), ElementsAre("Trans", "##former"));

  const std::string text = "A, na\u00EFve [MASK] AllenNLP sentence.";
  const auto e = tok.encode(text);
  EXPECT_THAT(e.tokens, ElementsAre("[CLS]", "A", ",", "na", "##\u00EF", "##ve", "[MASK]", "Allen", "##NL", "##P",
                                    "sentence", ".", "[SEP]"));
  using P = std::pair<size_t, size_t>;
  EXPECT_THAT(e.offsets, ElementsAre(P{0, 0}, P{0, 1}, P{1, 2}, P{3, 5}, P{5, 7}, P{7, 9}, P{10, 16}, P{17, 22},
                                     P{22, 24}, P{24, 25}, P{26, 34}, P{34, 35}, P{0, 0}));
}

TEST(WordPieceReal, OffsetsAlwaysSliceTheOriginalWord) {
  const std::string path = real_vocab("bert-base-uncased-vocab.txt");
  if (path.empty()) GTEST_SKIP() << "EARLYBERT_SHARED_DATA/vocab/bert-base-uncased-vocab.txt not available";
  const auto tok = WordPieceTokenizer::from_file(path, true);
  const std::string text = "Cr\u00E8me BR\u00DBL\u00C9E \u2014 \u5317\u4EAC, \u00DCber-sch\u00F6n! [SEP] \u0130zmir";
  const auto t = tok.tokenize(text);
  ASSERT_FALSE(t.empty());
  size_t prev_end = 0;
  for (const auto& tk : t) {
    EXPECT_LT(tk.begin, tk.end) << tk.piece;
    EXPECT_GE(tk.begin, prev_end) << tk.piece;  // in order, no overlaps
    EXPECT_LE(tk.end, text.size());
    prev_end = tk.end;
    // Joining a word's pieces (without "##") gives the normalized form of its span.
  }
  EXPECT_THAT(spans(text, t), ::testing::Contains("\u5317"));
  EXPECT_THAT(spans(text, t), ::testing::Contains("[SEP]"));
}
