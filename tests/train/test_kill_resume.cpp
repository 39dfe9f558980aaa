// Crash safety, measured: a real `earlybert finetune` (search → draw → efficient training, a checkpoint
// every 2 updates) is SIGKILLed at chosen moments — during the search, right at the draw, while a
// checkpoint is being written, during efficient training — and resumed with
// `--resume_from_checkpoint latest` each time. After every kill the output directory must hold only
// complete checkpoints, the run must resume from the newest one, and every run that reaches its end
// must end with exactly the weights of the uninterrupted run (CPU, one thread, fixed seed).
//
// The number of kills is $EARLYBERT_KILL_TEST_KILLS (default 5, the CTest version);
// scripts/kill_test.sh runs it with 24 and records the counts (docs/RELIABILITY.md). A round (a fresh
// output directory) takes up to 6 kills and then runs to its end; rounds follow until all kills are done. Waiting is
// unbounded: a hang is caught by the test's CTest TIMEOUT, not by a clock here.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "earlybert/train/checkpoint_dirs.h"
#include "earlybert/train/trainer_state.h"
#include "train/cli_test_util.h"

namespace fs = std::filesystem;

namespace earlybert {
namespace {

using test::scratch_dir;

enum class KillAt { Search, Draw, CheckpointWrite, Efficient };

// After this many kills a round's run is let finish and a new round starts, so that the search and the
// draw (which come once per round) are hit as often as the later moments.
constexpr int kKillsPerRound = 6;

const char* name(KillAt k) {
  switch (k) {
    case KillAt::Search:
      return "search";
    case KillAt::Draw:
      return "draw";
    case KillAt::CheckpointWrite:
      return "checkpoint write";
    case KillAt::Efficient:
      return "efficient training";
  }
  return "?";
}

std::vector<std::string> run_flags(const std::string& cli, const std::string& out) {
  auto f = test::tiny_finetune_flags(cli, out);
  // 24 updates: the search is bounded at 8 (the draw happens by step 8 at the latest), a checkpoint
  // every 2 updates, no evaluation before the end.
  for (const char* x : {"--max_steps", "24", "--save_steps", "2", "--ticket_check_steps", "2", "--ticket_window", "2",
                        "--max_search_steps", "8"})
    f.push_back(x);
  return f;
}

/// The phases of the updates in metrics.jsonl after step `after`, in the lines that start at byte
/// `from` or later.
std::vector<std::string> phases_after(const std::string& metrics, int64_t after, uintmax_t from) {
  std::vector<std::string> out;
  std::ifstream in(metrics);
  uintmax_t offset = 0;
  for (std::string line; std::getline(in, line); offset += line.size() + 1) {
    if (offset < from || line.empty() || line.back() != '}') continue;  // old, or a line being written
    const auto doc = nlohmann::json::parse(line, nullptr, false);
    if (!doc.is_object() || !doc.contains("phase") || !doc["phase"].is_string() || !doc.contains("step") ||
        !doc["step"].is_number_integer())
      continue;
    if (doc["step"].get<int64_t>() > after) out.push_back(doc["phase"].get<std::string>());
  }
  return out;
}

uintmax_t file_size_or_zero(const std::string& path) {
  std::error_code ec;
  const uintmax_t n = fs::file_size(path, ec);
  return ec ? 0 : n;
}

/// The temporary checkpoint directories (.checkpoint-N.tmp.PID) in `out`.
std::set<std::string> temporary_checkpoints(const std::string& out) {
  std::set<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(out, ec)) {
    const std::string n = e.path().filename().string();
    if (n.rfind(".checkpoint-", 0) == 0) names.insert(n);
  }
  return names;
}

/// True when a checkpoint is being written: a temporary directory that was not there at the start
/// (one left by the previous, killed run is removed by this one, not written).
bool checkpoint_being_written(const std::string& out, const std::set<std::string>& stale) {
  for (const std::string& n : temporary_checkpoints(out))
    if (!stale.count(n)) return true;
  return false;
}

/// Polls the running child until the moment `at` comes; true then, false when the child exited first.
bool wait_for(test::ChildProcess& child, KillAt at, const std::string& out, int64_t resumed_from, bool ticket_before,
              const std::set<std::string>& stale) {
  const std::string metrics = out + "/metrics.jsonl";
  const std::string ticket = out + "/ticket.json";
  // The killed run may have logged updates past its last checkpoint: those lines are old until the
  // resumed run truncates them away (metrics_log.h), so only lines after the old end count — or, once
  // the file was seen shorter than that, every line.
  uintmax_t from = file_size_or_zero(metrics);
  for (;;) {
    if (child.try_wait()) return false;
    if (file_size_or_zero(metrics) < from) from = 0;
    switch (at) {
      case KillAt::Search:
        for (const auto& p : phases_after(metrics, resumed_from, from))
          if (p == "search") return true;
        break;
      case KillAt::Draw:
        if (!ticket_before && path_exists(ticket)) return true;
        break;
      case KillAt::CheckpointWrite:
        if (checkpoint_being_written(out, stale)) return true;
        break;
      case KillAt::Efficient:
        for (const auto& p : phases_after(metrics, resumed_from, from))
          if (p == "efficient") return true;
        break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
}

TEST(KillResume, SigkillAtAnyMomentThenResumeEndsWithTheUninterruptedWeights) {
  const std::string cli = test::cli_path();
  if (cli.empty()) GTEST_SKIP() << "EARLYBERT_CLI is not set or missing";
  const char* env_kills = std::getenv("EARLYBERT_KILL_TEST_KILLS");
  const int kills_wanted = env_kills != nullptr ? std::atoi(env_kills) : 5;
  const std::string root = scratch_dir("kill_resume");

  // The uninterrupted run.
  const std::string reference = root + "/reference";
  ASSERT_EQ(test::run_to_end(run_flags(cli, reference), root + "/reference"), 0) << read_file(root + "/reference.err");
  const TrainerState ref_state = TrainerState::load(reference + "/trainer_state.json");
  ASSERT_GT(ref_state.draw_step, 0);
  ASSERT_LT(ref_state.draw_step, 24);

  std::mt19937 rng(1);
  std::map<std::string, int> kills_at;  // the moment each kill hit
  int kills = 0, resumes = 0, rounds = 0, finished_equal = 0;
  const std::vector<KillAt> order = {KillAt::Search, KillAt::Draw, KillAt::CheckpointWrite, KillAt::Efficient};
  size_t next_kind = 0;
  while (kills < kills_wanted) {
    const std::string out = root + "/round-" + std::to_string(rounds++);
    bool resume = false;
    int round_kills = 0;
    for (;;) {
      const bool ticket_before = path_exists(out + "/ticket.json");
      const std::set<std::string> stale = temporary_checkpoints(out);
      int64_t resumed_from = -1;  // -1: a fresh start
      bool search_over = false;   // resumed after the draw: no search update will come
      auto argv = run_flags(cli, out);
      if (resume) {
        const std::string latest = latest_checkpoint(out);
        if (!latest.empty()) {
          argv.push_back("--resume_from_checkpoint");
          argv.push_back("latest");
          const TrainerState st = TrainerState::load(latest + "/trainer_state.json");
          resumed_from = st.global_step;
          search_over = st.phase != Phase::Search;
        } else {
          argv.push_back("--overwrite_output_dir");  // killed before its first checkpoint: start over
        }
      }
      const std::string log = root + "/log-" + std::to_string(kills) + "-" + std::to_string(resumes);
      test::ChildOptions o;
      o.stdout_path = log + ".out";
      o.stderr_path = log + ".err";
      test::ChildProcess child = test::ChildProcess::spawn(argv, o);

      // The next moment that can still come in this run (the draw comes once per round).
      KillAt at = order[next_kind % order.size()];
      while ((at == KillAt::Search && search_over) || (at == KillAt::Draw && (ticket_before || search_over)))
        at = order[++next_kind % order.size()];
      bool killed = false;
      if (kills < kills_wanted && round_kills < kKillsPerRound &&
          wait_for(child, at, out, std::max<int64_t>(resumed_from, 0), ticket_before, stale)) {
        // A few hundred microseconds more at random, so that kills do not all land on the same instruction.
        std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 400)(rng)));
        child.signal(SIGKILL);
        killed = true;
      }
      const int raw = child.wait();
      if (resumed_from >= 0) {
        ++resumes;
        const std::string err = path_exists(log + ".err") ? read_file(log + ".err") : "";
        EXPECT_NE(err.find("resumed at step " + std::to_string(resumed_from)), std::string::npos) << err;
      }
      if (killed && WIFSIGNALED(raw)) {
        ++kills;
        ++round_kills;
        ++next_kind;
        ++kills_at[name(at)];
        // Only complete checkpoints are visible; the newest one loads.
        for (const auto& c : list_checkpoints(out)) EXPECT_TRUE(c.complete) << c.path << " after kill " << kills;
        const std::string latest = latest_checkpoint(out);
        if (!latest.empty()) {
          const TrainerState st = TrainerState::load(latest + "/trainer_state.json");
          EXPECT_EQ(latest, out + "/checkpoint-" + std::to_string(st.global_step));
          EXPECT_NO_THROW(read_safetensors_index(latest + "/model.safetensors")) << latest;
        }
        resume = true;
        continue;
      }
      // The run ended by itself (it finished before the moment came, or just before the signal): the
      // next round tries the next moment.
      ++next_kind;
      ASSERT_TRUE(WIFEXITED(raw) && WEXITSTATUS(raw) == 0) << read_file(log + ".err");
      ASSERT_TRUE(test::same_weights(reference + "/model.safetensors", out + "/model.safetensors"))
          << "round " << rounds - 1 << " after " << round_kills << " kills";
      EXPECT_EQ(TrainerState::load(out + "/trainer_state.json").draw_step, ref_state.draw_step);
      ++finished_equal;
      break;
    }
  }
  std::string summary;
  for (const auto& [k, n] : kills_at) summary += " " + k + "=" + std::to_string(n);
  std::printf(
      "kill test: %d kills (%s), %d resumes from a checkpoint, %d rounds, %d of %d ended with the "
      "uninterrupted run's weights\n",
      kills, summary.empty() ? "" : summary.substr(1).c_str(), resumes, rounds, finished_equal, rounds);
  RecordProperty("kills", kills);
  RecordProperty("resumes", resumes);
  RecordProperty("rounds_equal", finished_equal);
  EXPECT_EQ(finished_equal, rounds);
  EXPECT_GE(kills, kills_wanted);
  // Every moment was hit at least once when there were enough kills for it.
  if (kills_wanted >= 8) {
    for (const KillAt k : order) EXPECT_GE(kills_at[name(k)], 1) << name(k);
  }
}

}  // namespace
}  // namespace earlybert
