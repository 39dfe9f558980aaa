// Fuzz target: trainer_state.json (train/trainer_state.h) — TrainerState::from_json(). Kept to one call
// into the parser (plus the round trip its header promises) so that moving the trainer's files only
// changes the include below.
#include "earlybert/train/trainer_state.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace earlybert;
  TrainerState state;
  if (!fuzz::parse_or_reject(
          [&] { state = TrainerState::from_json(std::string(fuzz::as_text(data, size)), "trainer_state.json"); }))
    return 0;
  const std::string written = state.to_json();
  TrainerState again;
  FUZZ_REQUIRE(fuzz::parse_or_reject([&] { again = TrainerState::from_json(written, "to_json()"); }),
               "to_json() output rejected: " + written);
  FUZZ_REQUIRE(again == state, "round trip changed the state: " + written);
  return 0;
}
