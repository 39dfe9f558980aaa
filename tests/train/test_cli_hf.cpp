// The command line a Hugging Face user expects, through the CLI binary ($EARLYBERT_CLI): exit codes,
// one error listing everything missing, the task preset without --config, GLUE_DIR, every key in
// --help, one flag spelling in every subcommand, your own data files, all_results.json,
// learning_rate in log_history and resume_from_checkpoint auto.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "earlybert/base/files.h"
#include "earlybert/train/training_args.h"
#include "train/trainer_test_util.h"

namespace earlybert {
namespace {

using test::e2e_fixture;

struct CliResult {
  int status = -1;
  std::string out;
  std::string err;
};

class CliHf : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* cli = std::getenv("EARLYBERT_CLI");
    if (cli == nullptr || !path_exists(cli)) GTEST_SKIP() << "EARLYBERT_CLI is not set or missing";
    cli_ = cli;
    dir_ = test::scratch_dir(std::string("clihf_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }

  /// Runs the CLI with `args`; `env` entries ("NAME=value", or "NAME" to unset) change its environment.
  CliResult run(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) const {
    const std::string out = dir_ + "/stdout", err = dir_ + "/stderr";
    const pid_t pid = ::fork();
    if (pid == 0) {
      for (const auto& e : env) {
        const auto eq = e.find('=');
        if (eq == std::string::npos) {
          ::unsetenv(e.c_str());
        } else {
          ::setenv(e.substr(0, eq).c_str(), e.substr(eq + 1).c_str(), 1);
        }
      }
      const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int r = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(o, 1);
      ::dup2(r, 2);
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(cli_.c_str()));
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(cli_.c_str(), argv.data());
      ::_exit(127);
    }
    int raw = 0;
    ::waitpid(pid, &raw, 0);
    CliResult res;
    res.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    res.out = read_file(out);
    res.err = read_file(err);
    return res;
  }

  /// A tiny model and tokenizer on one thread, for short runs.
  static std::vector<std::string> tiny(std::vector<std::string> flags) {
    const std::vector<std::string> extra = {"--tokenizer_name", e2e_fixture("vocab.txt"),
                                            "--config_name",    e2e_fixture("tiny-model.yaml"),
                                            "--device",         "cpu",
                                            "--threads",        "1",
                                            "--max_seq_length", "32",
                                            "--learning_rate",  "1e-3"};
    flags.insert(flags.end(), extra.begin(), extra.end());
    return flags;
  }

  static std::string own(const std::string& name) { return test::train_fixture("own_data/" + name); }

  /// The one "earlybert: error: ..." line of stderr ("" when there is none).
  static std::string error_line(const CliResult& r) {
    const auto at = r.err.find("earlybert: error: ");
    if (at == std::string::npos) return "";
    return r.err.substr(at, r.err.find('\n', at) - at);
  }

  std::string cli_;
  std::string dir_;
};

TEST_F(CliHf, ExitCodes) {
  EXPECT_EQ(run({"--help"}).status, 0);
  EXPECT_EQ(run({"finetune", "--help"}).status, 0);
  EXPECT_EQ(run({"--version"}).status, 0);
  EXPECT_EQ(run({"no-such-command"}).status, 2);           // CLI11 parse error
  EXPECT_EQ(run({"export"}).status, 2);                    // CLI11: a required argument is missing
  EXPECT_EQ(run({"compare", "--bogus"}).status, 2);        // CLI11: unknown option
  EXPECT_EQ(run({"finetune", "--bogus", "1"}).status, 2);  // unknown training key
  const CliResult r = run({"finetune", "--task", "sst2", "--data_dir", e2e_fixture(), "--model_name_or_path",
                           dir_ + "/no-such-model", "--output_dir", dir_ + "/o"});
  EXPECT_EQ(r.status, 2) << r.err;  // input error
  EXPECT_NE(error_line(r).find("no-such-model"), std::string::npos) << r.err;
}

TEST_F(CliHf, FinetuneAloneListsEverythingMissingInOneError) {
  const CliResult bare = run({"finetune"}, {"GLUE_DIR"});
  EXPECT_EQ(bare.status, 2);
  const std::string line = error_line(bare);
  for (const char* part : {"finetune: missing", "task (--task NAME", "--train_file", "model_name_or_path (",
                           "output_dir (--output_dir DIR"})
    EXPECT_NE(line.find(part), std::string::npos) << part << " not in: " << bare.err;

  const CliResult mrpc = run({"finetune", "--task", "mrpc"}, {"GLUE_DIR"});
  EXPECT_EQ(mrpc.status, 2);
  const std::string m = error_line(mrpc);
  for (const char* part : {"data_dir (--data_dir DIR", "MRPC/", "GLUE_DIR", "model_name_or_path (--model_name_or_path"})
    EXPECT_NE(m.find(part), std::string::npos) << part << " not in: " << mrpc.err;
  EXPECT_EQ(m.find("task ("), std::string::npos) << m;
  // With a task, finetune writes to runs/<task> unless told otherwise: output_dir is not missing.
  EXPECT_EQ(m.find("output_dir"), std::string::npos) << m;
  EXPECT_NE(mrpc.err.find("writing to runs/mrpc"), std::string::npos) << mrpc.err;

  // GLUE_DIR supplies data_dir (logged); the rest is still listed.
  const CliResult env = run({"finetune", "--task", "sst2"}, {"GLUE_DIR=" + e2e_fixture()});
  EXPECT_EQ(env.status, 2);
  EXPECT_EQ(error_line(env).find("data_dir"), std::string::npos) << env.err;
  EXPECT_NE(env.err.find("GLUE_DIR=" + e2e_fixture()), std::string::npos) << env.err;
}

TEST_F(CliHf, TaskPresetAppliesWithoutConfig) {
  const CliResult with_preset = run({"finetune", "--task", "MRPC", "--dump-config"});
  ASSERT_EQ(with_preset.status, 0) << with_preset.err;
  EXPECT_NE(with_preset.err.find("preset"), std::string::npos) << with_preset.err;
  EXPECT_NE(with_preset.err.find("finetune/mrpc.yaml"), std::string::npos) << with_preset.err;
  TrainingArguments a;
  apply_config_text(a, with_preset.out, "dump");
  EXPECT_EQ(a.task, "mrpc");
  EXPECT_EQ(a.ticket_check_steps, 1);  // configs/finetune/mrpc.yaml
  EXPECT_EQ(a.gradient_accumulation_steps, 4);
  EXPECT_EQ(a.per_device_train_batch_size, 32);
  // Flags still win over the preset.
  const CliResult flag = run({"finetune", "--task", "mrpc", "--per_device_train_batch_size", "4", "--dump-config"});
  TrainingArguments b;
  apply_config_text(b, flag.out, "dump");
  EXPECT_EQ(b.per_device_train_batch_size, 4);
  EXPECT_EQ(b.ticket_check_steps, 1);
  // An explicit --config replaces the preset.
  const std::string cfg = dir_ + "/mine.yaml";
  write_file_atomic(cfg, "task: mrpc\n");
  const CliResult own_cfg = run({"finetune", "--config", cfg, "--dump-config"});
  TrainingArguments c;
  apply_config_text(c, own_cfg.out, "dump");
  EXPECT_EQ(c.ticket_check_steps, TrainingArguments{}.ticket_check_steps);
  // The presets are found next to the executable, from any working directory: `config --dir`.
  const CliResult where = run({"config", "--dir"});
  ASSERT_EQ(where.status, 0) << where.err;
  EXPECT_TRUE(path_exists(where.out.substr(0, where.out.size() - 1) + "/finetune/mrpc.yaml")) << where.out;
}

TEST_F(CliHf, HelpListsEveryTrainingKey) {
  for (const char* command : {"finetune", "pretrain", "eval", "predict"}) {
    const CliResult r = run({command, "--help"});
    ASSERT_EQ(r.status, 0) << r.err;
    for (const auto& info : training_argument_infos())
      EXPECT_NE(r.out.find("--" + info.name + " "), std::string::npos) << command << ": " << info.name;
  }
  const CliResult md = run({"config", "--markdown"});
  ASSERT_EQ(md.status, 0);
  EXPECT_EQ(md.out, read_file(test::fixtures_dir() + "/../../docs/CONFIG.md"));
}

TEST_F(CliHf, UnderscoreAndDashSpellingsInEverySubcommand) {
  // A training key with dashes, a CLI11 option with underscores.
  const CliResult dash = run({"finetune", "--task", "sst2", "--max-seq-length", "48", "--dump-config"});
  ASSERT_EQ(dash.status, 0) << dash.err;
  EXPECT_NE(dash.out.find("max_seq_length: 48"), std::string::npos) << dash.out;
  const CliResult under = run({"finetune", "--task", "sst2", "--max_seq_length", "48", "--dump_config"});
  ASSERT_EQ(under.status, 0) << under.err;
  EXPECT_EQ(under.out, dash.out);
  // tokenize: --max-length has the --max-seq-length spelling too, with dashes or underscores.
  std::string first;
  for (const char* flag : {"--max-length", "--max_length", "--max-seq-length", "--max_seq_length"}) {
    const CliResult r =
        run({"tokenize", "--vocab", e2e_fixture("vocab.txt"), "--text", "t1 t2 t3 t4 t5 t6 t7", flag, "5"});
    ASSERT_EQ(r.status, 0) << flag << ": " << r.err;
    if (first.empty()) first = r.out;
    EXPECT_EQ(r.out, first) << flag;
    EXPECT_NE(r.out.find("\"input_ids\""), std::string::npos) << r.out;
  }
}

TEST_F(CliHf, OwnDataFilesTrainEvaluateAndPredict) {
  const std::string out = dir_ + "/own";
  const CliResult r = run(tiny({"finetune", "--train_file", own("train.csv"), "--validation_file", own("dev.jsonl"),
                                "--test_file", own("test.tsv"), "--do_predict", "--output_dir", out, "--max_steps", "4",
                                "--logging_steps", "1", "--ticket_mode", "none"}));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("text_classification"), std::string::npos) << r.err;
  const auto config = nlohmann::json::parse(read_file(out + "/config.json"));
  EXPECT_EQ(config["id2label"]["0"], "negative");
  EXPECT_EQ(config["id2label"]["1"], "positive");
  const auto all = nlohmann::json::parse(read_file(out + "/all_results.json"));
  EXPECT_EQ(all["eval_samples"], 24);
  EXPECT_EQ(all["train_samples"], 64);
  EXPECT_TRUE(all.contains("eval_accuracy")) << all.dump();
  EXPECT_TRUE(path_exists(out + "/predict_results.tsv"));
  // log_history spells the learning rate as Hugging Face does.
  const auto state = nlohmann::json::parse(read_file(out + "/trainer_state.json"));
  bool lr_seen = false;
  for (const auto& rec : state["log_history"]) {
    EXPECT_FALSE(rec.contains("lr")) << rec.dump();
    lr_seen = lr_seen || rec.contains("learning_rate");
  }
  EXPECT_TRUE(lr_seen) << state["log_history"].dump();

  // Regression from float labels.
  const std::string reg = dir_ + "/reg";
  const CliResult rr =
      run(tiny({"finetune", "--train_file", own("reg_train.csv"), "--validation_file", own("reg_dev.csv"),
                "--output_dir", reg, "--max_steps", "2", "--ticket_mode", "none"}));
  ASSERT_EQ(rr.status, 0) << rr.err;
  EXPECT_EQ(nlohmann::json::parse(read_file(reg + "/config.json"))["problem_type"], "regression");
  EXPECT_TRUE(nlohmann::json::parse(read_file(reg + "/eval_results.json")).contains("eval_pearson"));

  // A malformed row: exit 2, the file and line named.
  const CliResult bad = run(tiny({"finetune", "--train_file", own("train.csv"), "--validation_file", own("bad_dev.csv"),
                                  "--output_dir", dir_ + "/bad", "--max_steps", "2"}));
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(error_line(bad).find("bad_dev.csv:3"), std::string::npos) << bad.err;

  // do_train false: evaluate the trained model only.
  const CliResult ev = run(tiny({"finetune", "--train_file", own("train.csv"), "--validation_file", own("dev.jsonl"),
                                 "--model_name_or_path", out, "--no_do_train", "--output_dir", dir_ + "/ev"}));
  ASSERT_EQ(ev.status, 0) << ev.err;
  EXPECT_NE(ev.out.find("\"accuracy\""), std::string::npos) << ev.out;
}

TEST_F(CliHf, ResumeFromCheckpointAutoStartsFreshThenResumes) {
  const std::string out = dir_ + "/auto";
  auto flags = [&](const std::string& steps) {
    return tiny({"finetune", "--task", "sst2", "--data_dir", e2e_fixture(), "--output_dir", out, "--max_steps", steps,
                 "--save_steps", "2", "--ticket_mode", "none", "--resume_from_checkpoint", "auto"});
  };
  const CliResult first = run(flags("4"));
  ASSERT_EQ(first.status, 0) << first.err;
  EXPECT_NE(first.err.find("starting fresh"), std::string::npos) << first.err;
  const CliResult again = run(flags("6"));
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.err.find("resumed at step 4"), std::string::npos) << again.err;
}

TEST_F(CliHf, EvalStrategyEpochAndLoadBestModelAtEnd) {
  // 64 examples at batch 8: 8 updates per epoch, 3 epochs. Evaluated and saved at the end of each epoch.
  const std::string out = dir_ + "/best";
  const CliResult r = run(tiny({"finetune",
                                "--task",
                                "sst2",
                                "--data_dir",
                                e2e_fixture(),
                                "--output_dir",
                                out,
                                "--per_device_train_batch_size",
                                "8",
                                "--gradient_accumulation_steps",
                                "1",
                                "--num_train_epochs",
                                "3",
                                "--ticket_mode",
                                "none",
                                "--eval_strategy",
                                "epoch",
                                "--save_strategy",
                                "epoch",
                                "--load_best_model_at_end",
                                "--metric_for_best_model",
                                "loss",
                                "--greater_is_better",
                                "False",
                                "--save_total_limit",
                                "0"}));
  ASSERT_EQ(r.status, 0) << r.err;
  for (int step : {8, 16, 24}) {
    EXPECT_NE(r.err.find("eval at step " + std::to_string(step)), std::string::npos) << step << r.err;
    EXPECT_TRUE(path_exists(out + "/checkpoint-" + std::to_string(step) + "/COMPLETE")) << step;
  }
  const auto state = nlohmann::json::parse(read_file(out + "/trainer_state.json"));
  double best = 1e9;
  for (const auto& rec : state["log_history"])
    if (rec.contains("eval_loss")) best = std::min(best, rec["eval_loss"].get<double>());
  EXPECT_DOUBLE_EQ(state["best_metric"].get<double>(), best);
  // The output model is the best checkpoint's: evaluating it gives the best loss.
  const auto results = nlohmann::json::parse(read_file(out + "/eval_results.json"));
  EXPECT_NEAR(results["eval_loss"].get<double>(), best, 1e-6);
}

}  // namespace
}  // namespace earlybert
