// Helpers of the tests that run the `earlybert` command itself ($EARLYBERT_CLI) on the e2e fixtures and
// look at what it leaves on disk: the flags of a tiny fine-tuning run, and comparing two runs' weights.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "child_process.h"
#include "earlybert/base/files.h"
#include "earlybert/io/safetensors.h"
#include "train/trainer_test_util.h"

namespace earlybert::test {

/// $EARLYBERT_CLI when it names an existing file, else "" (the test skips).
inline std::string cli_path() {
  const char* cli = std::getenv("EARLYBERT_CLI");
  return cli != nullptr && path_exists(cli) ? cli : "";
}

/// `earlybert finetune` on the SST-2 fixture with a new tiny model, one thread, seed 3: the same run
/// computes bit for bit the same weights every time.
inline std::vector<std::string> tiny_finetune_flags(const std::string& cli, const std::string& output_dir) {
  return {cli,
          "finetune",
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
          "--seed",
          "3",
          "--max_seq_length",
          "32",
          "--learning_rate",
          "1e-3",
          "--logging_steps",
          "1"};
}

/// Runs `argv` to the end with stdout/stderr in `log_prefix`.out/.err; the exit code, -1 when killed.
inline int run_to_end(const std::vector<std::string>& argv, const std::string& log_prefix) {
  ChildOptions o;
  o.stdout_path = log_prefix + ".out";
  o.stderr_path = log_prefix + ".err";
  const int raw = ChildProcess::spawn(argv, o).wait();
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

/// Every tensor of the two safetensors files is identical (names, dtypes, shapes, bits); the first
/// difference otherwise.
inline ::testing::AssertionResult same_weights(const std::string& a_path, const std::string& b_path) {
  const SafetensorsContents a = read_safetensors(a_path);
  const SafetensorsContents b = read_safetensors(b_path);
  if (a.tensors.size() != b.tensors.size())
    return ::testing::AssertionFailure() << a.tensors.size() << " vs " << b.tensors.size() << " tensors";
  for (const auto& item : a.tensors) {
    const torch::Tensor* other = b.tensors.find(item.key());
    if (other == nullptr) return ::testing::AssertionFailure() << item.key() << " missing in " << b_path;
    if (!torch::equal(item.value(), *other)) return ::testing::AssertionFailure() << item.key() << " differs";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace earlybert::test
