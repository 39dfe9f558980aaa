// Fuzz target: vocab.txt files (tokenize/wordpiece.h) — WordPieceVocab::from_file(). An accepted
// vocabulary must find every one of its entries again (later lines win, as in Hugging Face) and
// tokenize its own text without error.
#include "earlybert/tokenize/wordpiece.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace earlybert;
  static fuzz::InputFile file("vocab.txt");
  const std::string& path = file.write(data, size);
  std::optional<WordPieceVocab> vocab;
  if (!fuzz::parse_or_reject([&] { vocab.emplace(WordPieceVocab::from_file(path)); })) return 0;
  for (size_t i = 0; i < vocab->size(); ++i) {
    const std::string& entry = vocab->token(static_cast<int32_t>(i));
    const int32_t id = vocab->find(entry);
    FUZZ_REQUIRE(id >= static_cast<int32_t>(i) && vocab->token(id) == entry,
                 "entry " + std::to_string(i) + " not found");
    if (entry.size() > 2 && entry.rfind("##", 0) == 0) {
      FUZZ_REQUIRE(vocab->find_continuation(std::string_view(entry).substr(2)) == id,
                   "continuation " + std::to_string(i) + " not found");
    }
  }
  const WordPieceTokenizer tokenizer(std::move(*vocab));
  const std::string_view text = fuzz::as_text(data, size);
  FUZZ_REQUIRE(fuzz::parse_or_reject([&] { tokenizer.encode(text, text, 128); }),
               "a vocabulary that loaded cannot tokenize its own (valid UTF-8) text");
  return 0;
}
