// The winning-ticket check over run summaries — see include/earlybert/report/winning_ticket.h.
#include "earlybert/report/winning_ticket.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "earlybert/base/error.h"

namespace earlybert::report {
namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

std::string stats_text(const SeedStats& s) {
  return num(s.mean) + " ± " + num(s.std) + " (n=" + std::to_string(s.n) + ")";
}

std::string rate(double lr) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", lr);
  return buf;
}

/// The metrics of `role` runs at `lr` and `budget`; re-init runs count for the strategy whose ticket
/// they re-initialised (or for every strategy when that is not known).
std::optional<SeedStats> stats_of(const std::vector<TicketRunSummary>& runs, TicketRole role, double lr, int64_t budget,
                                  const std::string& strategy = "") {
  std::vector<double> v;
  for (const auto& r : runs)
    if (r.role == role && r.learning_rate == lr && r.budget == budget &&
        (role != TicketRole::RandomReinit || r.strategy.empty() || r.strategy == strategy))
      v.push_back(r.metric);
  if (v.empty()) return std::nullopt;
  return seed_stats(v);
}

Criterion beats(const char* name, const char* what, const SeedStats& ticket, const std::optional<SeedStats>& control,
                bool higher) {
  Criterion c{name, Outcome::Untested, ""};
  if (!control) {
    c.evidence = std::string("no ") + what + " runs at this learning rate and budget";
    return c;
  }
  const double margin = higher ? ticket.mean - control->mean : control->mean - ticket.mean;
  c.outcome = margin > 0 ? Outcome::Pass : Outcome::Fail;
  c.evidence = "ticket " + stats_text(ticket) + " vs " + what + " " + stats_text(*control) + ": margin " + num(margin) +
               (margin > 0 && margin <= std::max(ticket.std, control->std) ? " (within one seed std)" : "");
  return c;
}

}  // namespace

std::string to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::Pass:
      return "pass";
    case Outcome::Fail:
      return "fail";
    case Outcome::Untested:
      break;
  }
  return "untested";
}

std::string to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::Winning:
      return "winning";
    case Verdict::NotWinning:
      return "not winning";
    case Verdict::Inconclusive:
      break;
  }
  return "inconclusive";
}

SeedStats seed_stats(const std::vector<double>& values) {
  if (values.empty()) fail("seed statistics", "no values");
  SeedStats s;
  s.n = static_cast<int64_t>(values.size());
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / static_cast<double>(s.n);
  double sq = 0;
  for (double v : values) sq += (v - s.mean) * (v - s.mean);
  s.std = s.n > 1 ? std::sqrt(sq / static_cast<double>(s.n - 1)) : 0.0;
  s.min = *std::min_element(values.begin(), values.end());
  s.max = *std::max_element(values.begin(), values.end());
  return s;
}

std::vector<WinningTicketCheck> check_winning_tickets(const std::vector<TicketRunSummary>& runs,
                                                      bool higher_is_better) {
  std::vector<std::string> strategies;
  for (const auto& r : runs)
    if (r.role == TicketRole::Ticket && std::find(strategies.begin(), strategies.end(), r.strategy) == strategies.end())
      strategies.push_back(r.strategy);
  if (strategies.empty()) fail("winning-ticket check", "no ticket runs among the runs (only dense runs and controls)");

  std::vector<WinningTicketCheck> out;
  for (const std::string& strategy : strategies) {
    WinningTicketCheck check;
    check.strategy = strategy;
    std::map<double, std::vector<const TicketRunSummary*>> by_rate;
    for (const auto& r : runs)
      if (r.role == TicketRole::Ticket && r.strategy == strategy) by_rate[r.learning_rate].push_back(&r);
    bool any_fail = false, all_pass = true;
    std::string failing_rates;
    for (const auto& [lr, ticket_runs] : by_rate) {
      RateEvidence e;
      e.learning_rate = lr;
      e.budget = ticket_runs.front()->budget;
      std::vector<double> values;
      for (const auto* r : ticket_runs) {
        if (r->budget != e.budget)
          fail("winning-ticket check", "the " + strategy + " runs at learning rate " + rate(lr) +
                                           " have different budgets (" + std::to_string(e.budget) + " and " +
                                           std::to_string(r->budget) + " updates; " + r->name + ")");
        values.push_back(r->metric);
      }
      e.ticket = seed_stats(values);
      e.dense = stats_of(runs, TicketRole::Dense, lr, e.budget);
      e.random_structure = stats_of(runs, TicketRole::RandomStructure, lr, e.budget);
      e.random_reinit = stats_of(runs, TicketRole::RandomReinit, lr, e.budget, strategy);

      Criterion& w = e.within_dense_spread;
      w.name = "within the dense seed spread";
      if (!e.dense) {
        w.evidence = "no dense runs at this learning rate and budget";
      } else if (e.dense->n < 2) {
        w.evidence = "one dense seed: no spread to compare with (dense " + stats_text(*e.dense) + ")";
      } else {
        const double bound = higher_is_better ? e.dense->mean - e.dense->std : e.dense->mean + e.dense->std;
        const bool ok = higher_is_better ? e.ticket.mean >= bound : e.ticket.mean <= bound;
        w.outcome = ok ? Outcome::Pass : Outcome::Fail;
        w.evidence = "ticket " + stats_text(e.ticket) + " vs dense " + stats_text(*e.dense) + ": bound " +
                     (higher_is_better ? "mean − std = " : "mean + std = ") + num(bound);
      }
      e.beats_random_structure =
          beats("better than random structure", "random-structure", e.ticket, e.random_structure, higher_is_better);
      e.beats_random_reinit =
          beats("better than random re-init", "random re-init", e.ticket, e.random_reinit, higher_is_better);
      bool fails_here = false;
      for (const Criterion* c : {&e.within_dense_spread, &e.beats_random_structure, &e.beats_random_reinit}) {
        fails_here = fails_here || c->outcome == Outcome::Fail;
        all_pass = all_pass && c->outcome == Outcome::Pass;
      }
      if (fails_here) failing_rates += (failing_rates.empty() ? "" : ", ") + rate(lr);
      any_fail = any_fail || fails_here;
      check.rates.push_back(std::move(e));
    }
    Criterion& s = check.stable_across_rates;
    s.name = "stable across learning rates";
    if (any_fail) {
      s.outcome = Outcome::Fail;
      s.evidence = "a criterion fails at learning rate " + failing_rates +
                   (check.rates.size() < 2 ? " (only one learning rate tried)" : "");
    } else if (check.rates.size() < 2) {
      s.evidence = "only one learning rate tried";
    } else if (!all_pass) {
      s.evidence = "some criterion is untested at some learning rate";
    } else {
      s.outcome = Outcome::Pass;
      s.evidence = "every criterion passes at all " + std::to_string(check.rates.size()) + " learning rates";
    }
    if (any_fail) {
      check.verdict = Verdict::NotWinning;
    } else if (all_pass && s.outcome == Outcome::Pass) {
      check.verdict = Verdict::Winning;
    } else {
      check.verdict = Verdict::Inconclusive;
    }
    out.push_back(std::move(check));
  }
  return out;
}

std::string format_winning_ticket_checks(const std::vector<WinningTicketCheck>& checks, const std::string& metric) {
  std::string out;
  auto line = [&](const Criterion& c) {
    out += "    [" + to_string(c.outcome) + "] " + c.name + ": " + c.evidence + "\n";
  };
  for (const auto& check : checks) {
    out += "ticket strategy " + check.strategy + " (" + metric + ")\n";
    for (const auto& e : check.rates) {
      out += "  learning rate " + rate(e.learning_rate) + ", budget " + std::to_string(e.budget) + " updates: ticket " +
             stats_text(e.ticket);
      if (e.dense) out += ", dense " + stats_text(*e.dense);
      if (e.random_structure) out += ", random structure " + stats_text(*e.random_structure);
      if (e.random_reinit) out += ", random re-init " + stats_text(*e.random_reinit);
      out += "\n";
      line(e.within_dense_spread);
      line(e.beats_random_structure);
      line(e.beats_random_reinit);
    }
    line(check.stable_across_rates);
    out += "  verdict: " + to_string(check.verdict) + "\n";
  }
  return out;
}

}  // namespace earlybert::report
