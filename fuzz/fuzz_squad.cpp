// Fuzz target: SQuAD JSON (data/squad.h) — parse_squad(). Every accepted answer span must lie inside
// its context on UTF-8 character boundaries (feature building slices the context with it).
#include "earlybert/data/squad.h"
#include "earlybert/tokenize/utf8.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace earlybert;
  SquadDataset read;
  if (!fuzz::parse_or_reject([&] { read = parse_squad(std::string(fuzz::as_text(data, size)), "squad.json"); }))
    return 0;
  for (const SquadExample& e : read.examples) {
    const std::string& context = e.context_text();
    FUZZ_REQUIRE(!find_invalid_utf8(context).has_value(), "context is not valid UTF-8");
    for (const SquadAnswer& a : e.answers) {
      FUZZ_REQUIRE(a.byte_begin <= a.byte_end && a.byte_end <= context.size(), "answer span outside the context");
      FUZZ_REQUIRE(
          !find_invalid_utf8(std::string_view(context).substr(a.byte_begin, a.byte_end - a.byte_begin)).has_value(),
          "answer span cuts a UTF-8 character");
    }
  }
  return 0;
}
