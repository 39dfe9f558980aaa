// Fuzz target: WordPiece tokenization of arbitrary bytes, invalid UTF-8 included (tokenize/wordpiece.h,
// basic_tokenizer.h, utf8.h), with the vocabulary of tests/fixtures/tokenize/tiny_vocab.txt. The first
// byte picks lower-casing (uncased/cased pipelines), max_length and truncation; the rest is the text
// (a tab separates the two texts of a pair).
#include "earlybert/tokenize/wordpiece.h"
#include "fuzz_input.h"
#include "tokenizer_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace earlybert;
  static const WordPieceTokenizer uncased =
      WordPieceTokenizer::from_file(fuzz::fixture("tokenize/tiny_vocab.txt"), true);
  static const WordPieceTokenizer cased =
      WordPieceTokenizer::from_file(fuzz::fixture("tokenize/tiny_vocab.txt"), false);
  if (size == 0) return 0;
  const std::string_view text = fuzz::as_text(data + 1, size - 1);
  fuzz::check_tokenizer(data[0] & 1 ? cased : uncased, data[0], text);
  return 0;
}
