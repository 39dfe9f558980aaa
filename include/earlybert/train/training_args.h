// TrainingArguments — every knob of a pre-training or fine-tuning run, in one flat struct.
//
// Keys are spelled as Hugging Face's TrainingArguments and the official EarlyBERT scripts spell them
// (learning_rate, per_device_train_batch_size, l1_loss_self_coef, self_pruning_ratio, ...), so a user
// can carry a command line over. Keys are flat: a YAML config file is one mapping of key: scalar. The
// model architecture is one key too: `config_name` names a preset (bert-tiny ... bert-large, see
// model_presets.h) or a YAML/JSON file with Hugging Face config fields.
//
// Resolution order (marian-nmt style): built-in defaults < config files in the order given (a later
// file wins) < overrides (`--set key=value` or Hugging Face-style `--key value` flags), then validate().
// Every error is one line naming the key and, for files, "file:line"; an unknown key suggests the
// closest known one. The resolved configuration is dumped as YAML (config.yaml in output_dir and
// `--dump-config`); loading that dump gives the same arguments back.
//
// Typed keys: optim, lr_scheduler_type, self/inter_pruning_method, ticket_mode, rewind and bf16 are enums
// (optim/optimizers.h, optim/lr_schedule.h, prune/masks.h, prune/ticket_options.h, runtime/precision.h),
// parsed here once (bf16 is true/false/auto, and `--bf16` alone means true, as a boolean flag);
// their allowed values come from each enum's name table, and `task` accepts every name of the task
// registry (tasks/task_registry.h). EarlyBERT's draw modes: prune/ticket_options.h. A `ticket` path
// skips search and draw entirely.
//
// The pieces below the trainer take small option structs, filled from the arguments by
// task_options(), ticket_options(), optimizer_options(), lr_schedule_options() and
// mixed_precision_options().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "earlybert/optim/lr_schedule.h"
#include "earlybert/optim/optimizers.h"
#include "earlybert/prune/ticket_options.h"
#include "earlybert/tasks/task_options.h"
#include "earlybert/train/interval_strategy.h"
#include "earlybert/train/mixed_precision.h"
#include "earlybert/train/run_budget.h"

namespace earlybert {

struct TrainingArguments {
  // --- run ---
  std::string output_dir = "output";  ///< where checkpoints, logs and results go
  bool overwrite_output_dir = false;  ///< allow a non-empty output_dir without resuming from it
  int64_t seed = 42;                  ///< seeds LibTorch and the data order
  std::string device = "auto";        ///< auto | cpu | cuda | cuda:N
  int64_t threads = 0;                ///< LibTorch intra-op threads, 0 = all usable cores
  Toggle bf16 = Toggle::Off;          ///< bf16 autocast: true | false | auto (where the device has fast bf16)
  bool fp16 = false;                  ///< fp16 autocast + dynamic loss scaling (CUDA only)
  bool tf32 = true;                   ///< TF32 for fp32 matrix products on CUDA
  bool do_train = true;               ///< finetune: train (false: evaluate / predict the given model)
  bool do_eval = true;                ///< finetune: evaluate on the dev split after training
  bool do_predict = false;            ///< finetune: write the test split's predictions after training

  // --- model ---
  std::string model_name_or_path;  ///< checkpoint or Hugging Face BERT directory; empty = new model
  std::string config_name;         ///< preset name (bert-small, ...) or .yaml/.json config file
  std::string tokenizer_name;      ///< vocab.txt or SentencePiece .model; empty = from the model dir
  /// WordPiece lowercasing + accent stripping; unset ("auto") = the model directory's
  /// tokenizer_config.json / tokenizer.json, else true (tasks/task_tokenizer.h: resolve_casing)
  std::optional<bool> do_lower_case;

  // --- task and data ---
  std::string task;             ///< cola sst2 mrpc stsb qqp mnli qnli rte wnli squad squad_v2 wordnet mlm pretraining
  std::string data_dir;         ///< task data directory (GLUE tsv dir, SQuAD dir, prepared shards)
  std::string train_file;       ///< explicit training file (corpus text, SQuAD json, ...)
  std::string validation_file;  ///< explicit evaluation file
  std::string test_file;        ///< explicit test (prediction) file
  int64_t max_seq_length = 128;
  int64_t doc_stride = 128;                ///< SQuAD: overlap stride between context windows
  int64_t max_query_length = 64;           ///< SQuAD
  int64_t n_best_size = 20;                ///< SQuAD answer decoding
  int64_t max_answer_length = 30;          ///< SQuAD answer decoding
  double null_score_diff_threshold = 0.0;  ///< SQuAD v2.0 no-answer threshold
  double mlm_probability = 0.15;           ///< pre-training: fraction of tokens selected for MLM
  bool whole_word_mask = false;            ///< pre-training: mask whole words
  double short_seq_prob = 0.1;             ///< pre-training: probability of a shorter target length
  int64_t max_train_samples = -1;          ///< -1 = all; otherwise keep the first N training examples
  int64_t max_eval_samples = -1;           ///< -1 = all; otherwise keep the first N evaluation examples

  // --- optimization ---
  OptimizerKind optim = OptimizerKind::AdamW;
  double learning_rate = 5e-5;
  double weight_decay = 0.0;  ///< not applied to bias, LayerNorm or slimming coefficients
  double adam_beta1 = 0.9;
  double adam_beta2 = 0.999;
  double adam_epsilon = 1e-8;
  double max_grad_norm = 1.0;  ///< global-norm clipping; 0 = no clipping (norm still logged)
  LrScheduleType lr_scheduler_type = LrScheduleType::Linear;
  double warmup_ratio = 0.0;  ///< warmup = ceil(warmup_ratio * total) unless warmup_steps > 0
  int64_t warmup_steps = 0;
  double lr_end = 1e-7;   ///< polynomial schedule: final learning rate
  double lr_power = 1.0;  ///< polynomial schedule: power
  int64_t gradient_accumulation_steps = 1;
  int64_t per_device_train_batch_size = 8;
  int64_t per_device_eval_batch_size = 8;
  double num_train_epochs = 3.0;
  int64_t max_steps = -1;  ///< > 0 overrides num_train_epochs

  // --- logging, evaluation, checkpoints ---
  int64_t logging_steps = 500;
  int64_t eval_steps = 0;              ///< 0 = evaluate at the end only
  int64_t save_steps = 500;            ///< 0 = save at the end only
  int64_t save_total_limit = 0;        ///< 0 = keep every checkpoint
  std::string logging_dir;             ///< TensorBoard directory; empty = output_dir/runs
  std::string resume_from_checkpoint;  ///< a checkpoint directory, or "latest" (newest complete in output_dir)
  std::string metric_for_best_model;   ///< eval metric tracked as best (e.g. accuracy); empty = task default
  IntervalStrategy eval_strategy = IntervalStrategy::Steps;  ///< steps (eval_steps) | epoch | no
  IntervalStrategy save_strategy = IntervalStrategy::Steps;  ///< steps (save_steps) | epoch | no
  bool load_best_model_at_end = false;  ///< the output model is the best checkpoint's, not the last
  MetricDirection greater_is_better = MetricDirection::Auto;  ///< auto: lower is better for *loss

  // --- EarlyBERT: search ---
  double l1_loss_self_coef = 1e-4;    ///< L1 weight on the attention-head slimming coefficients
  double l1_loss_inter_coef = 1e-4;   ///< L1 weight on the FFN (intermediate) slimming coefficients
  double search_learning_rate = 0.0;  ///< peak learning rate during the search; 0 = learning_rate
                                      ///< (the official GLUE scripts search at 2e-5, train at 4e-5)
  // --- EarlyBERT: draw ---
  double self_pruning_ratio = 1.0 / 3.0;  ///< fraction of heads removed
  PruneScope self_pruning_method = PruneScope::Layerwise;
  double inter_pruning_ratio = 0.4;  ///< fraction of FFN neurons removed
  PruneScope inter_pruning_method = PruneScope::Global;
  TicketMode ticket_mode = TicketMode::EarlyBird;
  int64_t ticket_check_steps = 20;     ///< masks computed (and distances recorded) every N updates
  double ticket_threshold = 0.1;       ///< early_bird: max normalized Hamming distance
  double ticket_threshold_heads = -1;  ///< early_bird: the heads' threshold; -1 = ticket_threshold
  double ticket_threshold_ffn = -1;    ///< early_bird: the FFN neurons' threshold; -1 = ticket_threshold
  int64_t ticket_min_swaps = 1;        ///< early_bird: swapped units per kind that always pass
  int64_t ticket_window = 4;           ///< early_bird: number of previous masks compared
  int64_t ticket_step = 0;             ///< fixed_step: draw after this many updates
  double ticket_fraction = 0.2;        ///< fixed_fraction: fraction of the first epoch
  int64_t max_search_steps = -1;       ///< -1 = one epoch, 0 = unbounded, N = draw by bound at N
  int64_t random_ticket_seed = 1;      ///< random: seed of the random ticket
  // --- EarlyBERT: efficient training (train/run_budget.h) ---
  RewindMode rewind = RewindMode::Initial;  ///< initial (weights from before the search) | none (at the draw)
  std::string ticket;                       ///< ticket.json from another run: skip search and draw
  /// restart: after the draw the efficient stage is a run of its own (the official protocol);
  /// continue: one schedule over the whole budget, with a re-warm-up after the draw
  EfficientSchedule efficient_schedule = EfficientSchedule::Restart;
  double efficient_num_train_epochs = -1;  ///< restart: the efficient stage's epochs; -1 = as the main run
  int64_t efficient_max_steps = -1;        ///< restart: its updates (wins over epochs); -1 = as the main run
  double efficient_learning_rate = 0;      ///< the efficient stage's peak learning rate; 0 = learning_rate
  double efficient_warmup_ratio = -1;      ///< its warm-up (continue: the re-warm-up); -1 = warmup_ratio
  int64_t efficient_warmup_steps = -1;     ///< its warm-up updates (win over the ratio); -1 = warmup_steps
  /// A model that is already pruned (a ticket was drawn before, e.g. in pre-training) trains without
  /// a new search unless this is true.
  bool search_pruned_model = false;
  // --- the lottery-ticket lab (prune/ticket_options.h, docs/TICKETS.md) ---
  UnitScore ticket_score = UnitScore::Slimming;  ///< imp: slimming | magnitude
  int64_t imp_rounds = 2;                        ///< imp: pruning rounds
  int64_t imp_round_steps = -1;                  ///< imp: updates per round; -1 = one epoch
  int64_t rewind_step = 0;                       ///< imp: survivors rewind to the weights after N updates
  double rigl_fraction = 0.3;                    ///< rigl: first update fraction (cosine-decayed)
  int64_t greedy_group_size = 1;                 ///< greedy: FFN neurons added together
};

/// One `key = value` override with the place it came from ("--learning_rate", "--set lr=...").
struct ConfigOverride {
  std::string key;
  std::string value;
  std::string where;
};

/// Description of one key, for --help texts, docs and generic option handling.
struct ArgumentInfo {
  std::string name;
  std::string type;   ///< "int", "float", "bool" or "string"
  std::string group;  ///< run, model, data, optimization, logging, earlybert
  std::string help;
  std::string default_value;         ///< as it appears in a YAML dump
  std::vector<std::string> choices;  ///< allowed values of a string key; empty = free text
  std::vector<std::string> aliases;  ///< other names of the key (Hugging Face's spellings: task_name)
};

/// Every key, in declaration (and dump) order.
std::vector<ArgumentInfo> training_argument_infos();

/// True for a known key or alias.
bool is_training_argument(const std::string& key);

/// The key `name` stands for: the key itself, or the key of an alias (task_name → task,
/// evaluation_strategy → eval_strategy). Unknown names are returned unchanged.
std::string canonical_training_argument(const std::string& name);

/// Sets one key from its text form; errors name `where` and the key (unknown key, wrong type, out of
/// range, not one of the choices).
void set_training_argument(TrainingArguments& args, const std::string& key, const std::string& value,
                           const std::string& where);

/// Text form of one key's value (the YAML dump's spelling). Error for an unknown key.
std::string get_training_argument(const TrainingArguments& args, const std::string& key);

/// Applies a YAML config file (a flat mapping). Errors name "path:line" and the key.
void apply_config_file(TrainingArguments& args, const std::string& path);

/// Applies YAML text (an embedded config, or a test); `source` names it in errors.
void apply_config_text(TrainingArguments& args, const std::string& yaml_text, const std::string& source);

/// Applies one override.
void apply_override(TrainingArguments& args, const ConfigOverride& override_value);

/// "key=value" (the argument of --set) as an override; Error when there is no '=' or the key is unknown.
ConfigOverride parse_set_override(const std::string& key_equals_value);

/// Hugging Face-style flags as overrides: `--key value`, `--key=value`, a bool `--key` alone (true) or
/// `--no_key` (false). Dashes in keys are read as underscores. Unknown flags and a missing value are
/// errors naming the flag.
std::vector<ConfigOverride> parse_hf_flags(const std::vector<std::string>& args);

/// Cross-key checks (e.g. fixed_step needs ticket_step > 0, polynomial needs lr_end < learning_rate).
/// Single-key ranges are already checked when a key is set. Error names the key.
void validate(const TrainingArguments& args);

/// defaults < config files (in order) < overrides, then validate().
TrainingArguments resolve_training_arguments(const std::vector<std::string>& config_files,
                                             const std::vector<ConfigOverride>& overrides);

/// The resolved configuration as YAML (grouped, commented); apply_config_text() reads it back exactly.
std::string to_yaml(const TrainingArguments& args);

// --- training budget (Hugging Face Trainer's arithmetic) ---

/// Optimizer updates per epoch: max(1, batches_per_epoch / gradient_accumulation_steps) (floor, as HF).
int64_t update_steps_per_epoch(int64_t batches_per_epoch, int64_t gradient_accumulation_steps);

/// Total optimizer updates: max_steps when > 0, else ceil(num_train_epochs * updates_per_epoch).
int64_t total_update_steps(const TrainingArguments& args, int64_t updates_per_epoch);

/// The stage budgets and schedules of the run (train/run_budget.h), with the efficient_* keys'
/// defaults resolved: -1 / 0 take the main run's value.
RunBudget run_budget(const TrainingArguments& args, int64_t updates_per_epoch);

// --- the option structs of the pieces below the trainer ---

TaskOptions task_options(const TrainingArguments& args);
TicketOptions ticket_options(const TrainingArguments& args);
OptimizerOptions optimizer_options(const TrainingArguments& args);
LrScheduleOptions lr_schedule_options(const TrainingArguments& args);
MixedPrecisionOptions mixed_precision_options(const TrainingArguments& args);

}  // namespace earlybert
