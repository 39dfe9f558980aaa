// TaskOptions — what a task needs to know to read and tokenize its data: the part of a run's
// configuration below the trainer. The trainer fills it from its arguments (task_options() in
// train/training_args.h); a user's own loop or a new task fills it directly. Names are the training
// keys' names (Hugging Face / run_glue.py / run_qa.py spelling).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace earlybert {

struct TaskOptions {
  std::string task;   ///< registry name (task_registry.h)
  int64_t seed = 42;  ///< the run's seed: fixed evaluation masks of the pre-training tasks

  // --- tokenizer (task_tokenizer.h) ---
  std::string model_name_or_path;  ///< the model directory; its tokenizer file is used by default
  std::string tokenizer_name;      ///< vocab.txt / SentencePiece .model / a directory; wins over the model's
  /// WordPiece lowercasing + accent stripping; unset = decided by the tokenizer's directory
  /// (task_tokenizer.h: resolve_casing)
  std::optional<bool> do_lower_case;

  // --- data ---
  std::string data_dir;         ///< GLUE task folder or root, SQuAD folder, prepared pre-training shards
  std::string train_file;       ///< replaces the training file of data_dir
  std::string validation_file;  ///< replaces the evaluation file of data_dir
  std::string test_file;        ///< replaces the test file of data_dir (prediction)
  int64_t max_seq_length = 128;
  int64_t max_train_samples = -1;  ///< -1 = all; else the first N
  int64_t max_eval_samples = -1;   ///< -1 = all; else the first N

  // --- SQuAD ---
  int64_t doc_stride = 128;
  int64_t max_query_length = 64;
  int64_t n_best_size = 20;
  int64_t max_answer_length = 30;
  double null_score_diff_threshold = 0.0;

  // --- pre-training ---
  double mlm_probability = 0.15;
  bool whole_word_mask = false;
};

}  // namespace earlybert
