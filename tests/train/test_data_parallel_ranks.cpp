// Data-parallel training end to end: `earlybert finetune` / `pretrain` ($EARLYBERT_CLI) started as 2 Gloo
// ranks on 127.0.0.1 with the variables torchrun sets (a free MASTER_PORT per test), or by Debian's
// torchrun itself. The reference is the same command as one process at the same global batch:
//   - 20 updates with gradient accumulation and EarlyBERT's draw + pruning in the middle give the same
//     losses (<= 1e-5), the same final weights and the same ticket at the same step, and both ranks
//     announce the same plan at that step;
//   - a rank killed mid-run makes the other exit non-zero with a one-line error;
//   - SIGTERM to one rank stops both at the same step, with one checkpoint;
//   - a 2-rank run resumed from its checkpoint continues exactly (dropout on: per-rank RNG states);
//     resuming it with 1 process is an error naming the checkpoint;
//   - torchrun launches 2 ranks of finetune and of pretrain that write one set of outputs.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "earlybert/base/files.h"
#include "earlybert/distributed/launch.h"
#include "earlybert/io/safetensors.h"
#include "earlybert/train/metrics_log.h"
#include "earlybert/train/trainer_state.h"
#include "rank_processes.h"
#include "train/trainer_test_util.h"

namespace fs = std::filesystem;

namespace earlybert {
namespace {

using test::e2e_fixture;
using test::ProcessRun;

class DataParallelRanks : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!comm_backend_available(CommBackend::Gloo)) GTEST_SKIP() << "this build has no Gloo backend";
    const char* cli = std::getenv("EARLYBERT_CLI");
    if (cli == nullptr || !path_exists(cli)) GTEST_SKIP() << "EARLYBERT_CLI is not set or missing";
    cli_ = cli;
    dir_ = test::scratch_dir(std::string("dp_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }

  /// Fine-tuning on the e2e SST-2 fixture (64 examples) with the tiny model: `batch` per rank and
  /// micro-batch, 2 micro-batches per update, a draw by step 10 at the latest.
  std::vector<std::string> finetune_args(const std::string& out, int batch, const std::string& model_yaml) const {
    return {cli_, "finetune", "--task", "sst2", "--data_dir", e2e_fixture(), "--tokenizer_name",
            e2e_fixture("vocab.txt"), "--config_name", e2e_fixture(model_yaml), "--output_dir", out, "--device", "cpu",
            "--threads", "1", "--seed", "3", "--per_device_train_batch_size", std::to_string(batch),
            "--gradient_accumulation_steps", "2", "--per_device_eval_batch_size", "8", "--max_seq_length", "32",
            "--max_steps", "20", "--learning_rate", "1e-3", "--warmup_steps", "2", "--weight_decay", "0.01",
            "--logging_steps", "1", "--save_steps", "0", "--eval_steps", "10", "--ticket_check_steps", "2",
            "--ticket_window", "2", "--ticket_threshold", "0.0", "--max_search_steps", "10",
            // One budget of max_steps through the draw, so that the step counts below are the run's.
            "--efficient_schedule", "continue"};
  }

  std::string out_file(const std::string& tag, int rank) const {
    return dir_ + "/" + tag + ".rank" + std::to_string(rank) + ".out";
  }
  std::string err_file(const std::string& tag, int rank) const {
    return dir_ + "/" + tag + ".rank" + std::to_string(rank) + ".err";
  }

  /// Starts `world` ranks of `argv` (world 1: a plain process, no launch variables) and waits for them.
  std::vector<ProcessRun> run_ranks(const std::string& tag, int world, const std::vector<std::string>& argv,
                                    const std::string& timeout = "120") {
    const int port = test::free_port();
    std::vector<pid_t> pids;
    for (int r = 0; r < world; ++r) {
      auto env = world == 1 ? std::map<std::string, std::string>{{"OMP_NUM_THREADS", "1"}}
                            : test::rank_environment(r, world, port, timeout);
      env["EARLYBERT_LOG_LEVEL"] = "info";  // every rank announces its draw
      pids.push_back(test::spawn(argv, test::environment_with(env), out_file(tag, r), err_file(tag, r)));
    }
    std::vector<ProcessRun> runs;
    for (int r = 0; r < world; ++r)
      runs.push_back(test::reap(pids[static_cast<size_t>(r)], out_file(tag, r), err_file(tag, r)));
    return runs;
  }

  static void expect_success(const std::vector<ProcessRun>& runs) {
    for (size_t r = 0; r < runs.size(); ++r) {
      EXPECT_TRUE(runs[r].exited) << "rank " << r;
      EXPECT_EQ(runs[r].exit_code, 0) << "rank " << r << " stderr:\n" << runs[r].err;
    }
  }

  std::string cli_, dir_;
};

/// The training records (not evaluations) of a run's metrics.jsonl, by step.
std::map<int64_t, MetricsRecord> training_records(const std::string& dir) {
  std::map<int64_t, MetricsRecord> out;
  for (const auto& r : read_metrics_jsonl(dir + "/metrics.jsonl"))
    if (r.phase != Phase::Eval) {
      EXPECT_EQ(out.count(r.step), 0u) << "step " << r.step << " logged twice in " << dir;
      out[r.step] = r;
    }
  return out;
}

double max_weight_difference(const std::string& a_dir, const std::string& b_dir) {
  const auto a = read_safetensors(a_dir + "/model.safetensors");
  const auto b = read_safetensors(b_dir + "/model.safetensors");
  EXPECT_EQ(a.tensors.size(), b.tensors.size());
  double worst = 0;
  for (const auto& item : a.tensors) {
    const std::string& name = item.key();
    const torch::Tensor* other = b.tensors.find(name);
    if (other == nullptr) {
      ADD_FAILURE() << name << " missing in " << b_dir;
      continue;
    }
    if (!item.value().sizes().equals(other->sizes())) {
      ADD_FAILURE() << name << ": shapes differ";
      continue;
    }
    const torch::Tensor diff = (item.value().to(torch::kDouble) - other->to(torch::kDouble)).abs();
    if (diff.numel() > 0) worst = std::max(worst, diff.max().item<double>());
  }
  return worst;
}

nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(read_file(path)); }

/// The lines of `text` that announce a rank's draw, without the rank and the time stamp.
std::string draw_announcement(const std::string& text) {
  const std::string key = "ticket drawn at step ";
  const auto at = text.find(key);
  if (at == std::string::npos) return "";
  return text.substr(at, text.find('\n', at) - at);
}

TEST_F(DataParallelRanks, TwoRanksMatchOneRankThroughTheDraw) {
  // The same global batch: 1 process x 4 examples x 2 micro-batches, and 2 ranks x 2 x 2.
  const std::string one = dir_ + "/one", two = dir_ + "/two";
  expect_success(run_ranks("one", 1, finetune_args(one, 4, "tiny-model-no-dropout.yaml")));
  const auto runs = run_ranks("two", 2, finetune_args(two, 2, "tiny-model-no-dropout.yaml"));
  expect_success(runs);
  if (HasFailure()) return;

  const auto a = training_records(one), b = training_records(two);
  ASSERT_EQ(a.size(), 20u);
  ASSERT_EQ(b.size(), 20u);
  for (const auto& [step, rec] : a) {
    ASSERT_TRUE(b.count(step)) << step;
    EXPECT_NEAR(*rec.loss, *b.at(step).loss, 1e-5) << "step " << step;
    EXPECT_NEAR(*rec.grad_norm, *b.at(step).grad_norm, 1e-5) << "step " << step;
    EXPECT_EQ(rec.phase, b.at(step).phase) << "step " << step;
  }
  EXPECT_LE(max_weight_difference(one, two), 1e-5);

  // The ticket: drawn in the middle, at the same step with the same plan.
  const auto ta = read_json(one + "/ticket.json"), tb = read_json(two + "/ticket.json");
  const int64_t draw_step = ta.at("draw_step").get<int64_t>();
  EXPECT_GT(draw_step, 0);
  EXPECT_LT(draw_step, 20);
  EXPECT_EQ(tb.at("draw_step").get<int64_t>(), draw_step);
  EXPECT_EQ(ta.at("plan"), tb.at("plan"));
  EXPECT_EQ(a.at(draw_step).phase, Phase::Search);
  EXPECT_EQ(a.at(draw_step + 1).phase, Phase::Efficient);

  // Both ranks announced the same draw (step, reason, plan digest).
  const std::string r0 = draw_announcement(runs[0].err), r1 = draw_announcement(runs[1].err);
  EXPECT_NE(r0.find("ticket drawn at step " + std::to_string(draw_step) + " "), std::string::npos) << runs[0].err;
  EXPECT_EQ(r0, r1) << "rank 1:\n" << runs[1].err;
  EXPECT_NE(runs[1].err.find("rank 1 of 2: ticket drawn"), std::string::npos) << runs[1].err;

  // The evaluation was sharded and gathered: the same metrics as one process over the whole dev set.
  const auto ea = read_json(one + "/eval_results.json"), eb = read_json(two + "/eval_results.json");
  EXPECT_NEAR(ea.at("eval_accuracy").get<double>(), eb.at("eval_accuracy").get<double>(), 1e-9);
  EXPECT_NEAR(ea.at("eval_loss").get<double>(), eb.at("eval_loss").get<double>(), 1e-5);
}

TEST_F(DataParallelRanks, KilledRankMakesThePeerFailWithOneLine) {
  const std::string out = dir_ + "/run";
  auto argv = finetune_args(out, 2, "tiny-model.yaml");
  for (auto& a : argv)
    if (a == "20") a = "100000";  // max_steps: far more than the test waits for
  const int port = test::free_port();
  std::vector<pid_t> pids;
  for (int r = 0; r < 2; ++r)
    pids.push_back(test::spawn(argv, test::environment_with(test::rank_environment(r, 2, port, "30")),
                               out_file("run", r), err_file("run", r)));
  // Wait until the ranks train (a few updates logged), then kill rank 1.
  int status = 0;
  while (true) {
    if (::waitpid(pids[0], &status, WNOHANG) == pids[0]) break;  // rank 0 ended early: reported below
    if (path_exists(out + "/metrics.jsonl") && read_metrics_jsonl(out + "/metrics.jsonl").size() >= 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pids[1], SIGKILL);
  const ProcessRun rank1 = test::reap(pids[1], out_file("run", 1), err_file("run", 1));
  EXPECT_EQ(rank1.signal, SIGKILL);
  const ProcessRun rank0 = test::reap(pids[0], out_file("run", 0), err_file("run", 0));
  SCOPED_TRACE("rank 0 stderr:\n" + rank0.err);
  EXPECT_TRUE(rank0.exited);
  EXPECT_NE(rank0.exit_code, 0);
  const std::string line = test::last_line(rank0.err);
  // One line from the collective that noticed: which one, which rank, and why.
  EXPECT_EQ(line.rfind("earlybert: error: ", 0), 0u) << line;
  EXPECT_NE(line.find("(rank 0 of 2)"), std::string::npos) << line;
}

TEST_F(DataParallelRanks, StopSignalOnOneRankStopsBothAtTheSameStep) {
  const std::string out = dir_ + "/run";
  auto argv = finetune_args(out, 2, "tiny-model.yaml");
  for (auto& a : argv)
    if (a == "20") a = "100000";
  const int port = test::free_port();
  std::vector<pid_t> pids;
  for (int r = 0; r < 2; ++r) {
    auto env = test::rank_environment(r, 2, port, "60");
    env["EARLYBERT_LOG_LEVEL"] = "info";
    pids.push_back(test::spawn(argv, test::environment_with(env), out_file("run", r), err_file("run", r)));
  }
  int status = 0;
  while (true) {
    if (::waitpid(pids[0], &status, WNOHANG) == pids[0]) break;
    if (path_exists(out + "/metrics.jsonl") && read_metrics_jsonl(out + "/metrics.jsonl").size() >= 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pids[1], SIGTERM);  // only rank 1 is asked to stop
  const ProcessRun r1 = test::reap(pids[1], out_file("run", 1), err_file("run", 1));
  const ProcessRun r0 = test::reap(pids[0], out_file("run", 0), err_file("run", 0));
  // Saved and stopped: the signalled rank exits 128 + SIGTERM (so a scheduler retries), its peer 0.
  ASSERT_EQ(r0.exit_code, 0) << r0.err;
  ASSERT_EQ(r1.exit_code, 143) << r1.err;
  // Both stopped at the same step, and rank 0 saved that step's checkpoint.
  const auto stop_line = [](const std::string& err) {
    const auto at = err.find("stop requested");
    return at == std::string::npos ? std::string() : err.substr(at, err.find('\n', at) - at);
  };
  // "stop requested (signal 15) at step N: ..." on rank 1, "stop requested at step N: ..." on rank 0.
  const auto step_of = [](const std::string& line) -> int64_t {
    const auto at = line.find(" at step ");
    return at == std::string::npos ? -1 : std::stoll(line.substr(at + 9));
  };
  const int64_t step = step_of(stop_line(r0.err));
  ASSERT_GT(step, 0) << r0.err;
  EXPECT_EQ(step_of(stop_line(r1.err)), step) << r1.err;
  EXPECT_TRUE(fs::is_directory(out + "/checkpoint-" + std::to_string(step)));
  EXPECT_NE(r0.out.find("stopped at step " + std::to_string(step)), std::string::npos) << r0.out;
  EXPECT_EQ(r1.out, "");  // rank 0 speaks for the run
}

TEST_F(DataParallelRanks, ResumeOfTwoRanksIsExact) {
  // Dropout on: the resumed ranks must continue their own random streams.
  const std::string full = dir_ + "/full", resumed = dir_ + "/resumed";
  auto with_saves = [&](const std::string& out) {
    auto argv = finetune_args(out, 2, "tiny-model.yaml");
    // save_total_limit 0: the task preset keeps 2 checkpoints, checkpoint-6 must stay.
    for (const std::string kv : {"--save_steps", "6", "--max_search_steps", "8", "--save_total_limit", "0"})
      argv.push_back(kv);
    return argv;
  };
  expect_success(run_ranks("full", 2, with_saves(full)));
  ASSERT_TRUE(fs::is_directory(full + "/checkpoint-6"));
  // Both ranks' RNG states are in the checkpoint.
  const TrainerState st = TrainerState::load(full + "/checkpoint-6/trainer_state.json");
  EXPECT_EQ(st.world_size, 2);
  ASSERT_EQ(st.rank_rng.size(), 2u);
  EXPECT_NE(st.rank_rng[0].torch_cpu, st.rank_rng[1].torch_cpu);

  // A second run starts from a copy of checkpoint-6 and runs to the end.
  fs::create_directories(resumed);
  fs::copy(full + "/checkpoint-6", resumed + "/checkpoint-6", fs::copy_options::recursive);
  auto argv = with_saves(resumed);
  for (const std::string kv : {"--resume_from_checkpoint", "latest"}) argv.push_back(kv);
  expect_success(run_ranks("resumed", 2, argv));
  if (HasFailure()) return;
  const auto a = training_records(full), b = training_records(resumed);
  ASSERT_EQ(b.size(), 14u);
  for (const auto& [s, rec] : b) EXPECT_EQ(*rec.loss, *a.at(s).loss) << "step " << s;
  EXPECT_EQ(max_weight_difference(full, resumed), 0.0);
  EXPECT_EQ(read_json(full + "/ticket.json").at("plan"), read_json(resumed + "/ticket.json").at("plan"));

  // One process cannot continue a 2-rank checkpoint: the error names it.
  const auto single = run_ranks("single", 1, argv);
  ASSERT_EQ(single.size(), 1u);
  EXPECT_NE(single[0].exit_code, 0);
  const std::string line = test::last_line(single[0].err);
  EXPECT_NE(line.find("trainer_state.json: key 'world_size'"), std::string::npos) << line;
  EXPECT_NE(line.find("2 process(es), this run has 1"), std::string::npos) << line;
}

bool have_torchrun() { return ::system("/usr/bin/python3 -c 'import torch.distributed.run' >/dev/null 2>&1") == 0; }

/// torchrun (Debian's: -r/-t must be given, see PLATFORM-NOTES.md) with a c10d rendezvous on a free
/// port (what --standalone does on its fixed port) over 2 ranks of `command`.
ProcessRun torchrun(const std::vector<std::string>& command, const std::string& dir) {
  std::vector<std::string> argv = {"/usr/bin/python3",
                                   "-m",
                                   "torch.distributed.run",
                                   "--nnodes",
                                   "1",
                                   "--nproc_per_node",
                                   "2",
                                   "--rdzv_backend",
                                   "c10d",
                                   "--rdzv_endpoint",
                                   "127.0.0.1:" + std::to_string(test::free_port()),
                                   "--no_python",
                                   "-r",
                                   "1",
                                   "-t",
                                   "1",
                                   "--log_dir",
                                   dir + "/torchrun"};
  argv.insert(argv.end(), command.begin(), command.end());
  const pid_t pid =
      test::spawn(argv, test::environment_with({{"EARLYBERT_DIST_TIMEOUT", "120"}, {"OMP_NUM_THREADS", "1"}}),
                  dir + "/torchrun.out", dir + "/torchrun.err");
  return test::reap(pid, dir + "/torchrun.out", dir + "/torchrun.err");
}

/// One set of outputs: the model directory once, every update logged once, no stray files.
void expect_one_set_of_outputs(const std::string& out, int64_t steps) {
  for (const char* f : {"config.json", "model.safetensors", "vocab.txt", "trainer_state.json", "train_results.json",
                        "eval_results.json", "metrics.jsonl", "config.yaml"})
    EXPECT_TRUE(path_exists(out + "/" + f)) << f;
  const auto recs = training_records(out);
  EXPECT_EQ(static_cast<int64_t>(recs.size()), steps);
  EXPECT_EQ(TrainerState::load(out + "/trainer_state.json").world_size, 2);
  for (const auto& e : fs::directory_iterator(out)) {  // no half-written leftovers
    const std::string name = e.path().filename().string();
    EXPECT_EQ(name.find("tmp"), std::string::npos) << name;
  }
}

TEST_F(DataParallelRanks, TorchrunFinetune) {
  if (!have_torchrun()) GTEST_SKIP() << "Debian's python3-torch (torchrun) is not installed";
  const std::string out = dir_ + "/run";
  auto command = finetune_args(out, 4, "tiny-model.yaml");
  const ProcessRun run = torchrun(command, dir_);
  ASSERT_EQ(run.exit_code, 0) << "stdout:\n" << run.out << "stderr:\n" << run.err;
  expect_one_set_of_outputs(out, 20);
  // Only rank 0 prints the metrics (torchrun -t 1 prefixes lines with [default<local rank>]).
  EXPECT_NE(run.out.find("0]:{"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("1]:{"), std::string::npos) << run.out;
}

TEST_F(DataParallelRanks, TorchrunPretrain) {
  if (!have_torchrun()) GTEST_SKIP() << "Debian's python3-torch (torchrun) is not installed";
  const std::string data = test::tiny_pretraining_data(dir_ + "/data");
  const std::string out = dir_ + "/run";
  const std::vector<std::string> command = {cli_,
                                            "pretrain",
                                            "--data_dir",
                                            data,
                                            "--tokenizer_name",
                                            e2e_fixture("vocab.txt"),
                                            "--config_name",
                                            e2e_fixture("tiny-model.yaml"),
                                            "--output_dir",
                                            out,
                                            "--device",
                                            "cpu",
                                            "--threads",
                                            "1",
                                            "--per_device_train_batch_size",
                                            "4",
                                            "--per_device_eval_batch_size",
                                            "8",
                                            "--max_seq_length",
                                            "32",
                                            "--max_steps",
                                            "12",
                                            "--logging_steps",
                                            "1",
                                            "--ticket_check_steps",
                                            "2",
                                            "--ticket_window",
                                            "2",
                                            "--max_search_steps",
                                            "6",
                                            "--efficient_schedule",
                                            "continue"};
  const ProcessRun run = torchrun(command, dir_);
  ASSERT_EQ(run.exit_code, 0) << "stdout:\n" << run.out << "stderr:\n" << run.err;
  expect_one_set_of_outputs(out, 12);
  EXPECT_TRUE(path_exists(out + "/ticket.json"));
  EXPECT_NE(run.out.find("0]:pre-training finished at step 12"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("1]:pre-training finished"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace earlybert
