// `earlybert pretrain / finetune / eval / predict` through the CLI binary ($EARLYBERT_CLI): config
// priority, errors naming the key, a whole fine-tuning run, and SIGTERM mid-run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "child_process.h"
#include "earlybert/base/files.h"
#include "earlybert/train/checkpoint_dirs.h"
#include "earlybert/train/trainer_state.h"
#include "train/trainer_test_util.h"

namespace fs = std::filesystem;

namespace earlybert {
namespace {

using test::e2e_fixture;
using test::scratch_dir;

struct CliResult {
  int status = -1;
  std::string out;
  std::string err;
};

class CliTrain : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* cli = std::getenv("EARLYBERT_CLI");
    if (cli == nullptr || !path_exists(cli)) GTEST_SKIP() << "EARLYBERT_CLI is not set or missing";
    cli_ = cli;
    dir_ = scratch_dir(std::string("cli_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }

  /// Runs the CLI with `args` (each one argument, no shell quoting needed) and waits for it.
  CliResult run(const std::vector<std::string>& args) const {
    const std::string out = dir_ + "/stdout", err = dir_ + "/stderr";
    const int raw = spawn(args, out, err).wait();
    CliResult r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = read_file(out);
    r.err = read_file(err);
    return r;
  }

  /// Starts the CLI; the child is killed when the returned guard goes out of scope (a failed assertion).
  test::ChildProcess spawn(const std::vector<std::string>& args, const std::string& out, const std::string& err) const {
    std::vector<std::string> argv{cli_};
    argv.insert(argv.end(), args.begin(), args.end());
    test::ChildOptions options;
    options.stdout_path = out;
    options.stderr_path = err;
    return test::ChildProcess::spawn(argv, options);
  }

  /// `pretrain` on the fixture shards `shards` with the fixture vocabulary and tiny model, writing to
  /// `output_dir`, plus `key=value` settings (each passed with --set).
  static std::vector<std::string> pretrain_flags(const std::string& shards, const std::string& output_dir,
                                                 const std::vector<std::string>& settings) {
    std::vector<std::string> flags = {"pretrain"};
    for (const std::string& s : {"data_dir=" + shards, "tokenizer_name=" + e2e_fixture("vocab.txt"),
                                 "config_name=" + e2e_fixture("tiny-model.yaml"), "output_dir=" + output_dir})
      flags.insert(flags.end(), {"--set", s});
    for (const std::string& s : settings) flags.insert(flags.end(), {"--set", s});
    return flags;
  }

  /// The flags of a tiny fine-tuning run on the SST-2 fixture.
  std::vector<std::string> finetune_flags(const std::string& output_dir) const {
    return {"finetune",
            "--task",
            "sst2",
            "--data_dir",
            e2e_fixture(),
            "--tokenizer_name",
            e2e_fixture("vocab.txt"),
            "--config_name",
            e2e_fixture("tiny-model.yaml"),
            "--output_dir",
            output_dir,
            "--device",
            "cpu",
            "--threads",
            "1",
            "--max_seq_length",
            "32",
            "--learning_rate",
            "1e-3",
            "--logging_steps",
            "1",
            "--ticket_check_steps",
            "2"};
  }

  static void expect_one_line_error(const CliResult& r, std::initializer_list<std::string> parts) {
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("earlybert: error: "), std::string::npos) << r.err;
    const std::string first = r.err.substr(r.err.find("earlybert: error: "));
    EXPECT_EQ(first.find('\n'), first.size() - 1) << "multi-line error: " << first;
    for (const auto& p : parts) EXPECT_NE(r.err.find(p), std::string::npos) << "'" << p << "' not in: " << r.err;
  }

  std::string cli_;
  std::string dir_;
};

TEST_F(CliTrain, BadFlagsAndConfigsNameTheKey) {
  auto flags = finetune_flags(dir_ + "/out");
  auto with = [&](std::vector<std::string> extra) {
    auto f = flags;
    f.insert(f.end(), extra.begin(), extra.end());
    return run(f);
  };
  expect_one_line_error(with({"--learning_rat", "1e-3"}), {"learning_rat", "learning_rate"});
  expect_one_line_error(with({"--max_grad_norm=-1"}), {"max_grad_norm"});
  expect_one_line_error(with({"--max_steps", "abc"}), {"max_steps", "abc"});
  expect_one_line_error(with({"--ticket_mode", "sometimes"}), {"ticket_mode", "sometimes"});
  expect_one_line_error(with({"--max_steps"}), {"max_steps"});
  const std::string bad = dir_ + "/bad.yaml";
  write_file_atomic(bad, "learning_rate: 1e-3\nnum_train_epoch: 2\n");
  expect_one_line_error(with({"--config", bad}), {bad + ":2", "num_train_epoch"});
  expect_one_line_error(with({"--set", "warmup_ratio=2"}), {"warmup_ratio"});
  expect_one_line_error(run({"finetune", "--task", "sst2", "--data_dir", e2e_fixture(), "--output_dir", dir_ + "/o"}),
                        {"model_name_or_path"});
  expect_one_line_error(run({"pretrain", "--set", "task=sst2"}), {"task"});
  EXPECT_FALSE(path_exists(dir_ + "/out/metrics.jsonl"));
}

TEST_F(CliTrain, ConfigPriorityAndDumpConfig) {
  const std::string a = dir_ + "/a.yaml", b = dir_ + "/b.yaml";
  write_file_atomic(a, "max_steps: 5\nlearning_rate: 3.0e-4\nseed: 11\n");
  write_file_atomic(b, "max_steps: 6\n");
  const CliResult r = run({"pretrain", "--config", a, "--config", b, "--seed", "12", "--set", "seed=13",
                           "--logging_steps=7", "--dump-config"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("task: \"pretraining\""), std::string::npos) << r.out;  // pretrain's default task
  EXPECT_NE(r.out.find("max_steps: 6"), std::string::npos) << r.out;           // the later file wins
  EXPECT_NE(r.out.find("learning_rate: 0.0003"), std::string::npos) << r.out;  // kept from the first file
  EXPECT_NE(r.out.find("seed: 13"), std::string::npos) << r.out;               // --set last
  EXPECT_NE(r.out.find("logging_steps: 7"), std::string::npos) << r.out;
  // the dump loads back as a config
  const std::string dump = dir_ + "/dump.yaml";
  write_file_atomic(dump, r.out);
  const CliResult again = run({"pretrain", "--config", dump, "--dump-config"});
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(again.out, r.out);
  const CliResult keys = run({"finetune", "--list-keys"});
  ASSERT_EQ(keys.status, 0) << keys.err;
  EXPECT_NE(keys.out.find("l1_loss_self_coef"), std::string::npos);
}

TEST_F(CliTrain, FinetuneThenEvalAndPredict) {
  const std::string out = dir_ + "/ft";
  auto flags = finetune_flags(out);
  for (const char* f : {"--max_steps", "6", "--max_search_steps", "4", "--do_predict"}) flags.push_back(f);
  const CliResult r = run(flags);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\"accuracy\""), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("ticket drawn at step 4"), std::string::npos) << r.err;
  // The sst2 preset applies (no --config): after the draw at 4 the efficient stage has its own budget,
  // 2 epochs of 1 update (64 examples, batch 32 x 4 accumulation): 4 + 2 updates.
  EXPECT_NE(r.err.find("efficient stage: 2 updates (to step 6)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("step 6/6"), std::string::npos) << r.err;
  for (const char* f : {"config.yaml", "metrics.jsonl", "ticket.json", "eval_results.json", "train_results.json",
                        "config.json", "model.safetensors", "vocab.txt", "SST-2.tsv", "checkpoint-6/COMPLETE"})
    EXPECT_TRUE(path_exists(out + "/" + f)) << f;

  const CliResult ev = run({"eval", "--task", "sst2", "--data_dir", e2e_fixture(), "--model_name_or_path", out,
                            "--output_dir", dir_ + "/ev", "--device", "cpu", "--max_seq_length", "32"});
  ASSERT_EQ(ev.status, 0) << ev.err;
  EXPECT_NE(ev.out.find("\"accuracy\""), std::string::npos) << ev.out;
  EXPECT_TRUE(path_exists(dir_ + "/ev/eval_results.json"));
  const CliResult pr = run({"predict", "--task", "sst2", "--data_dir", e2e_fixture(), "--model_name_or_path", out,
                            "--output_dir", dir_ + "/pr", "--split", "dev", "--max_seq_length", "32"});
  ASSERT_EQ(pr.status, 0) << pr.err;
  EXPECT_TRUE(path_exists(dir_ + "/pr/dev/SST-2.tsv"));
  const CliResult score =
      run({"score", "--task", "sst2", "--data_dir", e2e_fixture(), "--predictions", dir_ + "/pr/dev/SST-2.tsv"});
  ASSERT_EQ(score.status, 0) << score.err;
}

TEST_F(CliTrain, SquadDoPredictWritesDevPredictionsAndTracksF1) {
  // SQuAD's test sets are hidden: --do_predict writes the dev predictions; the best checkpoint is
  // picked by F1 (SQuAD's evaluation has no loss).
  const std::string out = dir_ + "/squad";
  const std::string fixture = test::train_fixture("squad");
  const CliResult r = run({"finetune",
                           "--task",
                           "squad",
                           "--data_dir",
                           fixture,
                           "--tokenizer_name",
                           fixture + "/vocab.txt",
                           "--config_name",
                           e2e_fixture("tiny-model.yaml"),
                           "--output_dir",
                           out,
                           "--device",
                           "cpu",
                           "--threads",
                           "1",
                           "--max_seq_length",
                           "32",
                           "--doc_stride",
                           "8",
                           "--max_query_length",
                           "8",
                           "--max_steps",
                           "3",
                           "--ticket_mode",
                           "none",
                           "--do_predict"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("predictions.json"), std::string::npos) << r.out;
  EXPECT_TRUE(path_exists(out + "/predictions.json"));
  EXPECT_TRUE(path_exists(out + "/nbest_predictions.json"));
  const TrainerState st = TrainerState::load(out + "/trainer_state.json");
  ASSERT_TRUE(st.best_metric.has_value());
  const auto results = nlohmann::json::parse(read_file(out + "/eval_results.json"));
  ASSERT_TRUE(results.contains("eval_f1")) << results.dump();
  EXPECT_DOUBLE_EQ(*st.best_metric, results["eval_f1"].get<double>());
  const CliResult score = run({"score", "--task", "squad", "--data_file", fixture + "/dev-v1.1.json", "--predictions",
                               out + "/predictions.json"});
  ASSERT_EQ(score.status, 0) << score.err;
}

TEST_F(CliTrain, PretrainThenFinetuneFromItsOutput) {
  const std::string shards = test::tiny_pretraining_data(dir_ + "/shards");
  const std::string pre = dir_ + "/pre";
  const CliResult p = run(pretrain_flags(shards, pre,
                                         {"max_steps=6", "max_seq_length=32", "threads=1", "ticket_mode=fixed_step",
                                          "ticket_step=3", "rewind=none", "logging_steps=2"}));
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_TRUE(path_exists(pre + "/vocab.txt"));
  EXPECT_TRUE(path_exists(pre + "/ticket.json"));
  const std::string ft = dir_ + "/ft";
  const CliResult f =
      run({"finetune", "--task", "sst2", "--data_dir", e2e_fixture(), "--model_name_or_path", pre, "--output_dir", ft,
           "--max_steps", "4", "--threads", "1", "--max_seq_length", "32", "--ticket", pre + "/ticket.json"});
  ASSERT_EQ(f.status, 0) << f.err;
  EXPECT_NE(f.err.find("already pruned"), std::string::npos) << f.err;
  EXPECT_TRUE(path_exists(ft + "/eval_results.json"));
}

TEST_F(CliTrain, ShippedBertBasePretrainingConfigRunsInBf16) {
  // configs/pretrain/bert-base.yaml as shipped (bf16: true, its optimizer, schedule and EarlyBERT keys) on
  // the fixture shards, with the tiny model and a few updates instead of BERT-base at full length.
  const std::string shards = test::tiny_pretraining_data(dir_ + "/shards");
  const std::string out = dir_ + "/pre";
  auto flags = pretrain_flags(
      shards, out,
      {"max_steps=3", "max_seq_length=32", "per_device_train_batch_size=4", "threads=1", "logging_steps=1"});
  flags.insert(flags.begin() + 1, {"--config", test::configs_dir() + "/pretrain/bert-base.yaml"});
  const CliResult p = run(flags);
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_NE(p.err.find("precision bf16 on cpu"), std::string::npos) << p.err;
  EXPECT_NE(read_file(out + "/config.yaml").find("bf16: \"true\""), std::string::npos);
  EXPECT_TRUE(path_exists(out + "/eval_results.json"));
}

TEST_F(CliTrain, SigtermSavesACheckpointAndExitsWith143) {
  const std::string out = dir_ + "/run";
  auto flags = finetune_flags(out);
  // A long run in both stages (the efficient stage has its own budget after the draw).
  for (const char* f : {"--max_steps", "100000", "--efficient_max_steps", "100000", "--save_steps", "0"})
    flags.push_back(f);
  test::ChildProcess child = spawn(flags, dir_ + "/stdout", dir_ + "/stderr");
  // Wait until the loop is running (a few logged updates), then ask it to stop.
  const std::string metrics = out + "/metrics.jsonl";
  // Unbounded on purpose: a run that never gets there is caught by the test's CTest TIMEOUT, not by a
  // clock here (which a loaded machine could outlast).
  while (!(path_exists(metrics) && read_lines(metrics).size() >= 3)) {
    if (child.try_wait()) FAIL() << "exited early: " << read_file(dir_ + "/stderr");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  child.signal(SIGTERM);
  const int raw = child.wait();
  ASSERT_TRUE(WIFEXITED(raw)) << "killed instead of exiting";
  EXPECT_EQ(WEXITSTATUS(raw), 143) << read_file(dir_ + "/stderr");  // 128 + SIGTERM: saved, run again
  EXPECT_NE(read_file(dir_ + "/stdout").find("resume_from_checkpoint"), std::string::npos);

  const auto ckpts = list_checkpoints(out);
  ASSERT_EQ(ckpts.size(), 1u);
  EXPECT_TRUE(ckpts[0].complete);
  for (const auto& e : fs::directory_iterator(out))
    EXPECT_EQ(e.path().filename().string().rfind(".checkpoint-", 0), std::string::npos) << e.path();
  const TrainerState st = TrainerState::load(ckpts[0].path + "/trainer_state.json");
  EXPECT_GE(st.global_step, 3);
  EXPECT_EQ(st.global_step, ckpts[0].step);

  // Resume it (with a budget that ends soon) and finish.
  auto resume = finetune_flags(out);
  for (const std::string& f :
       {std::string("--resume_from_checkpoint"), std::string("latest"), std::string("--max_steps"),
        std::to_string(st.global_step + 2), std::string("--save_steps"), std::string("0")})
    resume.push_back(f);
  const CliResult r = run(resume);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("resumed at step " + std::to_string(st.global_step)), std::string::npos) << r.err;
  EXPECT_TRUE(path_exists(out + "/eval_results.json"));
}

}  // namespace
}  // namespace earlybert
