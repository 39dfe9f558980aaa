// Fuzz target: CoNLL-style tagged text (data/conll.h) — parse_conll(). The first input byte picks the
// tag column (-3..3, negative from the end); the rest is the file. Every accepted sentence must have
// one tag per word, no empty word, tag or sentence, and the tag set must hold every tag used.
#include <algorithm>

#include "earlybert/data/conll.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace earlybert;
  if (size == 0) return 0;
  const int tag_column = static_cast<int>(data[0] % 7) - 3;
  std::vector<TaggedSentence> read;
  if (!fuzz::parse_or_reject(
          [&] { read = parse_conll(std::string(fuzz::as_text(data + 1, size - 1)), "train.conll", tag_column); }))
    return 0;
  const std::vector<std::string> tags = conll_tag_set(read);
  FUZZ_REQUIRE(std::is_sorted(tags.begin(), tags.end()), "tag set not sorted");
  for (const TaggedSentence& s : read) {
    FUZZ_REQUIRE(!s.words.empty() && s.words.size() == s.tags.size(), "words and tags do not pair up");
    FUZZ_REQUIRE(s.line >= 1, "sentence without a line");
    for (size_t i = 0; i < s.words.size(); ++i) {
      FUZZ_REQUIRE(!s.words[i].empty() && !s.tags[i].empty(), "empty word or tag");
      FUZZ_REQUIRE(std::binary_search(tags.begin(), tags.end(), s.tags[i]), "tag " + s.tags[i] + " not in the tag set");
    }
  }
  return 0;
}
