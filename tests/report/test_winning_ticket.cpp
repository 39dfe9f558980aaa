// The winning-ticket check on constructed run summaries: each criterion passes, fails or is untested
// for a stated reason, the verdict follows, and the evidence carries the numbers.
#include <gtest/gtest.h>

#include "earlybert/report/winning_ticket.h"
#include "expect_error.h"

namespace earlybert::report {
namespace {

using test::expect_error;

TicketRunSummary run(TicketRole role, double lr, double metric, int64_t seed, const std::string& strategy = "",
                     int64_t budget = 100) {
  TicketRunSummary r;
  r.name = strategy + "-" + std::to_string(seed);
  r.role = role;
  r.strategy = strategy;
  r.learning_rate = lr;
  r.seed = seed;
  r.budget = budget;
  r.metric = metric;
  return r;
}

// Dense 0.80/0.82/0.84 (mean 0.82, std 0.02) at two rates; the ticket 0.81/0.81; controls below it.
std::vector<TicketRunSummary> winning_runs() {
  std::vector<TicketRunSummary> runs;
  for (double lr : {1e-3, 2e-3}) {
    runs.push_back(run(TicketRole::Dense, lr, 0.80, 1));
    runs.push_back(run(TicketRole::Dense, lr, 0.82, 2));
    runs.push_back(run(TicketRole::Dense, lr, 0.84, 3));
    runs.push_back(run(TicketRole::Ticket, lr, 0.81, 1, "imp"));
    runs.push_back(run(TicketRole::Ticket, lr, 0.81, 2, "imp"));
    runs.push_back(run(TicketRole::RandomStructure, lr, 0.70, 1));
    runs.push_back(run(TicketRole::RandomReinit, lr, 0.75, 1));
  }
  return runs;
}

TEST(WinningTicket, SeedStatsUseTheSampleStandardDeviation) {
  const SeedStats s = seed_stats({0.80, 0.82, 0.84});
  EXPECT_EQ(s.n, 3);
  EXPECT_NEAR(s.mean, 0.82, 1e-12);
  EXPECT_NEAR(s.std, 0.02, 1e-12);
  EXPECT_DOUBLE_EQ(s.min, 0.80);
  EXPECT_DOUBLE_EQ(s.max, 0.84);
  EXPECT_EQ(seed_stats({0.5}).std, 0.0);
  expect_error([] { seed_stats({}); }, {"no values"});
}

TEST(WinningTicket, AllCriteriaPassAtEveryRate) {
  const auto checks = check_winning_tickets(winning_runs(), true);
  ASSERT_EQ(checks.size(), 1u);
  const auto& c = checks[0];
  EXPECT_EQ(c.strategy, "imp");
  ASSERT_EQ(c.rates.size(), 2u);
  EXPECT_EQ(c.rates[0].within_dense_spread.outcome, Outcome::Pass);
  EXPECT_EQ(c.rates[0].beats_random_structure.outcome, Outcome::Pass);
  EXPECT_EQ(c.rates[0].beats_random_reinit.outcome, Outcome::Pass);
  EXPECT_EQ(c.stable_across_rates.outcome, Outcome::Pass);
  EXPECT_EQ(c.verdict, Verdict::Winning);
  const std::string text = format_winning_ticket_checks(checks, "accuracy");
  for (const char* part : {"ticket strategy imp (accuracy)", "dense 0.8200 ± 0.0200 (n=3)", "mean − std = 0.8000",
                           "random-structure 0.7000", "margin 0.0600", "verdict: winning"})
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;
}

TEST(WinningTicket, BelowTheDenseSpreadIsNotWinning) {
  auto runs = winning_runs();
  for (auto& r : runs)
    if (r.role == TicketRole::Ticket && r.learning_rate == 2e-3) r.metric = 0.79;  // below 0.80
  const auto c = check_winning_tickets(runs, true)[0];
  EXPECT_EQ(c.rates[0].within_dense_spread.outcome, Outcome::Pass);
  EXPECT_EQ(c.rates[1].within_dense_spread.outcome, Outcome::Fail);
  EXPECT_EQ(c.stable_across_rates.outcome, Outcome::Fail);
  EXPECT_EQ(c.verdict, Verdict::NotWinning);
}

TEST(WinningTicket, NoBetterThanAControlIsNotWinning) {
  auto runs = winning_runs();
  for (auto& r : runs)
    if (r.role == TicketRole::RandomReinit) r.metric = 0.815;
  const auto c = check_winning_tickets(runs, true)[0];
  EXPECT_EQ(c.rates[0].beats_random_reinit.outcome, Outcome::Fail);
  EXPECT_NE(c.rates[0].beats_random_reinit.evidence.find("margin -0.0050"), std::string::npos)
      << c.rates[0].beats_random_reinit.evidence;
  EXPECT_EQ(c.verdict, Verdict::NotWinning);
}

TEST(WinningTicket, MissingRunsLeaveCriteriaUntestedAndTheVerdictInconclusive) {
  std::vector<TicketRunSummary> runs;
  for (const auto& r : winning_runs())
    if (r.learning_rate == 1e-3 && r.role != TicketRole::RandomReinit) runs.push_back(r);
  runs[2].budget = 50;  // a dense run at another budget does not count: dense 0.80/0.82, bound 0.7959
  const auto c = check_winning_tickets(runs, true)[0];
  EXPECT_EQ(c.rates[0].dense->n, 2);
  EXPECT_EQ(c.rates[0].beats_random_reinit.outcome, Outcome::Untested);
  EXPECT_NE(c.rates[0].beats_random_reinit.evidence.find("no random re-init runs"), std::string::npos);
  EXPECT_EQ(c.stable_across_rates.outcome, Outcome::Untested);
  EXPECT_NE(c.stable_across_rates.evidence.find("only one learning rate"), std::string::npos);
  EXPECT_EQ(c.verdict, Verdict::Inconclusive);
  runs.erase(runs.begin());  // one dense seed left at this budget: no spread
  const auto one = check_winning_tickets(runs, true)[0];
  EXPECT_EQ(one.rates[0].within_dense_spread.outcome, Outcome::Untested);
  EXPECT_NE(one.rates[0].within_dense_spread.evidence.find("one dense seed"), std::string::npos);
}

TEST(WinningTicket, LowerIsBetterFlipsEveryComparison) {
  std::vector<TicketRunSummary> runs;
  for (double lr : {1e-3, 2e-3}) {
    runs.push_back(run(TicketRole::Dense, lr, 2.0, 1));
    runs.push_back(run(TicketRole::Dense, lr, 2.2, 2));  // mean 2.1, std 0.1414: bound 2.2414
    runs.push_back(run(TicketRole::Ticket, lr, 2.2, 1, "rigl"));
    runs.push_back(run(TicketRole::RandomStructure, lr, 2.5, 1));
    runs.push_back(run(TicketRole::RandomReinit, lr, 2.4, 1));
  }
  EXPECT_EQ(check_winning_tickets(runs, false)[0].verdict, Verdict::Winning);
  EXPECT_EQ(check_winning_tickets(runs, true)[0].verdict, Verdict::NotWinning);
}

TEST(WinningTicket, OneCheckPerStrategyAndClearErrors) {
  auto runs = winning_runs();
  runs.push_back(run(TicketRole::Ticket, 1e-3, 0.6, 1, "greedy"));
  // A re-init of greedy's ticket counts for greedy only (the re-inits above, of unknown tickets, for both).
  runs.push_back(run(TicketRole::RandomReinit, 1e-3, 0.95, 7, "greedy"));
  const auto checks = check_winning_tickets(runs, true);
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].rates[0].random_reinit->n, 1);
  EXPECT_EQ(checks[0].verdict, Verdict::Winning);
  EXPECT_EQ(checks[1].strategy, "greedy");
  EXPECT_EQ(checks[1].rates[0].random_reinit->n, 2);
  EXPECT_EQ(checks[1].verdict, Verdict::NotWinning);
  expect_error([] { check_winning_tickets({run(TicketRole::Dense, 1e-3, 0.8, 1)}, true); }, {"no ticket runs"});
  runs.push_back(run(TicketRole::Ticket, 1e-3, 0.6, 2, "greedy", 120));
  expect_error([&] { check_winning_tickets(runs, true); }, {"greedy", "different budgets", "100 and 120"});
}

}  // namespace
}  // namespace earlybert::report
