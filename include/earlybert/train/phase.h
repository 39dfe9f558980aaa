// The phase of a run — what the optimizer updates are doing at a given step.
//
//   search     slimming coefficients learn under the L1 penalty; the early-bird search records masks
//   efficient  after the draw: the pruned model trains (no coefficients learning toward zero, no L1)
//   dense      ticket_mode none: the baseline, no coefficients at all
// Written as these strings in trainer_state.json ("phase"), metrics.jsonl and log_history; records of
// an evaluation carry the phase "eval" instead (Phase::Eval never is the phase of a run).
#pragma once

#include <array>
#include <string>

#include "earlybert/base/enum_names.h"

namespace earlybert {

enum class Phase { Search, Efficient, Dense, Eval };
template <>
struct EnumNames<Phase> {
  static constexpr const char* what = "phase";
  static constexpr std::array<EnumName<Phase>, 4> values{
      {{Phase::Search, "search"}, {Phase::Efficient, "efficient"}, {Phase::Dense, "dense"}, {Phase::Eval, "eval"}}};
};
inline std::string to_string(Phase phase) { return enum_to_string(phase); }

}  // namespace earlybert
