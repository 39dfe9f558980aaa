// Fuzz target: config.json (model/bert_config.h) — BertConfig::from_json(). What it accepts must be
// valid and must survive to_json() → from_json() unchanged (checkpoints are written that way).
#include "earlybert/model/bert_config.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace earlybert;
  BertConfig config;
  if (!fuzz::parse_or_reject([&] { config = BertConfig::from_json(std::string(fuzz::as_text(data, size))); })) return 0;
  const std::string written = config.to_json();
  BertConfig again;
  FUZZ_REQUIRE(fuzz::parse_or_reject([&] { again = BertConfig::from_json(written, "to_json()"); }),
               "to_json() output rejected: " + written);
  FUZZ_REQUIRE(again == config, "round trip changed the config: " + written);
  return 0;
}
