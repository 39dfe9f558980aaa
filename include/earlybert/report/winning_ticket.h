// The winning-ticket check: is a ticket "winning" under stated criteria, with the evidence?
//
// After "a rigorous definition of winning tickets" (and the lottery-ticket literature's controls), a
// ticket strategy's runs are compared, per learning rate, with runs at the same training budget: the
// sub-network trains for as many updates as the dense model (Frankle & Carbin's definition: it matches
// the dense accuracy "after training for at most the same number of iterations"); the updates spent
// finding it (search, IMP rounds, RigL's moves, greedy's dense steps) are its cost, reported as wall
// time, not budget — under efficient_schedule restart; under continue the whole run is the budget (one
// schedule of max_steps for every run):
//
//   1. within the dense spread   the ticket's mean metric over seeds is no worse than the dense model's
//                                mean minus one standard deviation over its seeds (mean + std for a
//                                lower-is-better metric); needs >= 2 dense seeds
//   2. beats random structure    the ticket's mean is better than the mean of ticket_mode random runs
//   3. beats random re-init      the ticket's mean is better than the mean of ticket_mode reinit runs of
//                                this strategy's tickets
//   4. stable across rates       1–3 pass at every learning rate tried; needs >= 2 learning rates
//
// Each criterion is pass, fail, or untested (with the reason: the runs it needs are missing). The
// verdict is "winning" when all four pass, "not winning" when any fails, "inconclusive" otherwise —
// never a verdict without its numbers: the evidence holds every mean, standard deviation (sample,
// n − 1), seed count and margin behind it. The check is a pure function of run summaries, tested on
// constructed runs; `earlybert compare --tickets` reads the summaries from run directories.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace earlybert::report {

/// What a run is in the comparison (from its ticket_mode: none → dense, random → random structure,
/// reinit → random re-init, every other mode → a ticket of that strategy).
enum class TicketRole { Dense, Ticket, RandomStructure, RandomReinit };

struct TicketRunSummary {
  std::string name;  ///< the run directory, for the evidence
  TicketRole role = TicketRole::Ticket;
  /// ticket_mode of a Ticket run ("early_bird", "imp", ...); for a RandomReinit run the mode of the
  /// ticket it re-initialised ("" = counts for every strategy)
  std::string strategy;
  double learning_rate = 0;
  int64_t seed = 0;
  int64_t budget = 0;  ///< optimizer updates of the model compared (ticket_run_summary.h: restart vs continue)
  double metric = 0;   ///< the compared final eval metric
};

struct SeedStats {
  int64_t n = 0;
  double mean = 0, std = 0, min = 0, max = 0;  ///< std: sample standard deviation, 0 for one seed
};
/// Error for an empty list.
SeedStats seed_stats(const std::vector<double>& values);

enum class Outcome { Pass, Fail, Untested };
/// "pass", "fail", "untested".
std::string to_string(Outcome outcome);

struct Criterion {
  std::string name;
  Outcome outcome = Outcome::Untested;
  std::string evidence;  ///< the numbers, or why it was not tested
};

/// One learning rate of one strategy.
struct RateEvidence {
  double learning_rate = 0;
  int64_t budget = 0;
  SeedStats ticket;
  std::optional<SeedStats> dense, random_structure, random_reinit;
  Criterion within_dense_spread, beats_random_structure, beats_random_reinit;
};

enum class Verdict { Winning, NotWinning, Inconclusive };
/// "winning", "not winning", "inconclusive".
std::string to_string(Verdict verdict);

struct WinningTicketCheck {
  std::string strategy;
  std::vector<RateEvidence> rates;  ///< ascending learning rate
  Criterion stable_across_rates;
  Verdict verdict = Verdict::Inconclusive;
};

/// One check per ticket strategy among `runs` (in order of first appearance). Runs are matched by
/// learning rate (exactly) and budget: the dense and control runs counted for a ticket's learning rate
/// are those with its budget. Error when there is no ticket run, or the ticket runs of one strategy
/// and learning rate differ in budget.
std::vector<WinningTicketCheck> check_winning_tickets(const std::vector<TicketRunSummary>& runs, bool higher_is_better);

/// The checks as text: per strategy and learning rate the means ± std (n) and every criterion with its
/// evidence, then the verdict.
std::string format_winning_ticket_checks(const std::vector<WinningTicketCheck>& checks, const std::string& metric);

}  // namespace earlybert::report
