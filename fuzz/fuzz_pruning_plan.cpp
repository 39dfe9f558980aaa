// Fuzz target: pruning plan JSON (prune/pruning_plan.h) — PruningPlan::from_json(). An accepted plan
// survives to_json() → from_json() unchanged, and its masks give back the same plan.
#include "earlybert/prune/pruning_plan.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace earlybert;
  PruningPlan plan;
  if (!fuzz::parse_or_reject([&] { plan = PruningPlan::from_json(std::string(fuzz::as_text(data, size))); })) return 0;
  const std::string written = plan.to_json();
  PruningPlan again;
  FUZZ_REQUIRE(fuzz::parse_or_reject([&] { again = PruningPlan::from_json(written, "to_json()"); }),
               "to_json() output rejected: " + written);
  FUZZ_REQUIRE(again == plan, "round trip changed the plan: " + written);
  // Masks have one entry per unit, and the library computes them only for a plan that validate_plan()
  // matched against a model in memory; a parsed plan may claim any size (a first run of this target
  // asked for 2^55 neurons). So the mask round trip is checked for model-sized plans only.
  // Each size is bounded before it is added: a sum of per-layer sums capped at the limit let one layer
  // of 3.3e17 neurons through (and two huge sizes could overflow; fuzz/regressions/pruning_plan).
  constexpr int64_t kMaxUnits = int64_t{1} << 24;
  int64_t units = 0;
  bool model_sized = true;
  for (const LayerPlan& l : plan.layers) {
    if (l.num_heads > kMaxUnits || l.intermediate_size > kMaxUnits ||
        (units += l.num_heads + l.intermediate_size) > kMaxUnits) {
      model_sized = false;
      break;
    }
  }
  if (model_sized) {
    FUZZ_REQUIRE(plan_from_masks(plan_head_masks(plan), plan_neuron_masks(plan)) == plan,
                 "masks do not give the plan back: " + written);
  }
  return 0;
}
