// Fuzz target: YAML config files (train/training_args.h) — apply_config_text() over the defaults. An
// accepted config dumped with to_yaml() reads back to the same dump (the header's promise that
// loading a dump gives the same arguments back). Kept thin: moving the file changes only the include.
#include "earlybert/train/training_args.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace earlybert;
  TrainingArguments args;
  if (!fuzz::parse_or_reject([&] { apply_config_text(args, std::string(fuzz::as_text(data, size)), "config.yaml"); }))
    return 0;
  const std::string dump = to_yaml(args);
  TrainingArguments again;
  FUZZ_REQUIRE(fuzz::parse_or_reject([&] { apply_config_text(again, dump, "to_yaml()"); }),
               "to_yaml() output rejected: " + dump);
  FUZZ_REQUIRE(to_yaml(again) == dump, "round trip changed the arguments: " + dump);
  fuzz::parse_or_reject([&] { validate(args); });
  return 0;
}
