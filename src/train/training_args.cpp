// TrainingArguments: the key table, YAML loading, overrides and the YAML dump — see
// include/earlybert/train/training_args.h.
//
// One table lists every key once (name, member, group, help, range check); loading, overrides, the
// dump and the --help listing are all driven by it, so a new key is one table row.
#include "earlybert/train/training_args.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <limits>
#include <set>
#include <variant>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/tasks/task_registry.h"
#include "train/scalar_text.h"

namespace earlybert {
namespace {

using train_detail::format_double;
using train_detail::parse_bool;
using train_detail::parse_double;
using train_detail::parse_int;

using TA = TrainingArguments;

/// A key whose value is an enum: parsed from and printed as the enum's names (base/enum_names.h).
struct EnumAccess {
  std::function<bool(TA&, const std::string&)> set;  ///< false when the text is not one of the names
  std::function<std::string(const TA&)> get;
};
/// A bool that may be left to the run to decide ("auto": e.g. do_lower_case from the model directory).
using AutoBool = std::optional<bool>;
using Member = std::variant<int64_t TA::*, double TA::*, bool TA::*, std::string TA::*, EnumAccess, AutoBool TA::*>;
constexpr size_t kBoolMember = 2;
constexpr size_t kStringMember = 3;
constexpr size_t kEnumMember = 4;
constexpr size_t kAutoBoolMember = 5;

/// Bools and auto-bools take the flag forms --key (true) and --no_key (false).
bool is_bool_like(const Member& m) { return m.index() == kBoolMember || m.index() == kAutoBoolMember; }
/// Returns an empty string when the value is acceptable, else what is wrong with it.
using IntCheck = std::function<std::string(int64_t)>;
using DoubleCheck = std::function<std::string(double)>;

struct Field {
  std::string name;
  Member member;
  std::string group;
  std::string help;
  IntCheck int_check;
  DoubleCheck double_check;
  std::vector<std::string> choices;
};

IntCheck int_at_least(int64_t lo) {
  return [lo](int64_t v) { return v >= lo ? "" : "must be >= " + std::to_string(lo); };
}
IntCheck int_minus_one_or_at_least(int64_t lo) {
  return [lo](int64_t v) { return v == -1 || v >= lo ? "" : "must be -1 or >= " + std::to_string(lo); };
}
DoubleCheck double_at_least(double lo) {
  return [lo](double v) { return v >= lo ? "" : "must be >= " + format_double(lo); };
}
DoubleCheck minus_one_or_at_least(double lo) {
  return [lo](double v) { return v == -1 || v >= lo ? "" : "must be -1 or >= " + format_double(lo); };
}
DoubleCheck minus_one_or_positive() {
  return [](double v) { return v == -1 || v > 0 ? "" : std::string("must be -1 or > 0"); };
}
DoubleCheck double_positive() {
  return [](double v) { return v > 0 ? "" : std::string("must be > 0"); };
}
/// [lo, hi) — ratios: 1 would remove everything.
DoubleCheck double_half_open(double lo, double hi) {
  return [lo, hi](double v) {
    return v >= lo && v < hi ? "" : "must be in [" + format_double(lo) + ", " + format_double(hi) + ")";
  };
}
/// (lo, hi]
DoubleCheck double_open_closed(double lo, double hi) {
  return [lo, hi](double v) {
    return v > lo && v <= hi ? "" : "must be in (" + format_double(lo) + ", " + format_double(hi) + "]";
  };
}
DoubleCheck double_closed(double lo, double hi) {
  return [lo, hi](double v) {
    return v >= lo && v <= hi ? "" : "must be in [" + format_double(lo) + ", " + format_double(hi) + "]";
  };
}

const std::vector<Field>& fields() {
  static const std::vector<Field> table = [] {
    std::vector<Field> f;
    auto add_int = [&](std::string name, int64_t TA::*m, std::string group, std::string help, IntCheck check) {
      f.push_back({std::move(name), m, std::move(group), std::move(help), std::move(check), nullptr, {}});
    };
    auto add_double = [&](std::string name, double TA::*m, std::string group, std::string help, DoubleCheck check) {
      f.push_back({std::move(name), m, std::move(group), std::move(help), nullptr, std::move(check), {}});
    };
    auto add_bool = [&](std::string name, bool TA::*m, std::string group, std::string help) {
      f.push_back({std::move(name), m, std::move(group), std::move(help), nullptr, nullptr, {}});
    };
    auto add_string = [&](std::string name, std::string TA::*m, std::string group, std::string help) {
      f.push_back({std::move(name), m, std::move(group), std::move(help), nullptr, nullptr, {}});
    };
    auto add_auto_bool = [&](std::string name, AutoBool TA::*m, std::string group, std::string help) {
      f.push_back({std::move(name), m, std::move(group), std::move(help), nullptr, nullptr, {"auto", "true", "false"}});
    };
    // An enum key: its allowed values are the enum's name table.
    auto add_enum = [&](std::string name, auto TA::*m, std::string group, std::string help) {
      using E = std::decay_t<decltype(std::declval<TA&>().*m)>;
      EnumAccess access{[m](TA& a, const std::string& text) { return try_parse_enum<E>(text, a.*m); },
                        [m](const TA& a) { return enum_to_string(a.*m); }};
      f.push_back({std::move(name), access, std::move(group), std::move(help), nullptr, nullptr, enum_choices<E>()});
    };

    // run
    add_string("output_dir", &TA::output_dir, "run", "directory for checkpoints, logs and results");
    add_bool("overwrite_output_dir", &TA::overwrite_output_dir, "run",
             "allow a non-empty output_dir without resuming from it");
    add_int("seed", &TA::seed, "run", "random seed (LibTorch and data order)", int_at_least(0));
    add_string("device", &TA::device, "run", "auto | cpu | cuda | cuda:N");
    add_int("threads", &TA::threads, "run", "LibTorch intra-op threads, 0 = all usable cores", int_at_least(0));
    add_enum("bf16", &TA::bf16, "run", "bf16 autocast (mixed precision); auto = where the device has fast bf16");
    add_bool("fp16", &TA::fp16, "run", "fp16 autocast with dynamic loss scaling (CUDA only)");
    add_bool("tf32", &TA::tf32, "run", "TF32 for fp32 matrix products on CUDA");
    add_bool("do_train", &TA::do_train, "run", "finetune: train (false: only evaluate / predict model_name_or_path)");
    add_bool("do_eval", &TA::do_eval, "run", "finetune: evaluate on the dev split (validation_file) at the end");
    add_bool("do_predict", &TA::do_predict, "run",
             "finetune: write the test split's (test_file's) predictions at the end (SQuAD: the dev set's)");
    // model
    add_string("model_name_or_path", &TA::model_name_or_path, "model",
               "checkpoint or Hugging Face BERT directory; empty = a new model from config_name");
    add_string("config_name", &TA::config_name, "model",
               "model preset (bert-tiny, bert-mini, bert-small, bert-medium, bert-base, bert-large) or a "
               ".yaml/.json file with Hugging Face config fields");
    add_string("tokenizer_name", &TA::tokenizer_name, "model",
               "vocab.txt or SentencePiece .model; empty = the one in the model directory");
    add_auto_bool("do_lower_case", &TA::do_lower_case, "model",
                  "lowercase and strip accents (WordPiece); auto = the model directory's tokenizer_config.json "
                  "(or tokenizer.json), else true");
    // data
    add_string("task", &TA::task, "data", "task to train or evaluate (a task registry name)");
    add_string("data_dir", &TA::data_dir, "data", "task data directory");
    add_string("train_file", &TA::train_file, "data", "explicit training file");
    add_string("validation_file", &TA::validation_file, "data", "explicit evaluation file");
    add_string("test_file", &TA::test_file, "data", "explicit test (prediction) file");
    add_int("max_seq_length", &TA::max_seq_length, "data", "maximum tokens per sequence", int_at_least(3));
    add_int("doc_stride", &TA::doc_stride, "data", "SQuAD: stride between context windows", int_at_least(1));
    add_int("max_query_length", &TA::max_query_length, "data", "SQuAD: maximum question tokens", int_at_least(1));
    add_int("n_best_size", &TA::n_best_size, "data", "SQuAD: candidate spans per question", int_at_least(1));
    add_int("max_answer_length", &TA::max_answer_length, "data", "SQuAD: maximum answer tokens", int_at_least(1));
    add_double("null_score_diff_threshold", &TA::null_score_diff_threshold, "data",
               "SQuAD v2.0: predict no answer when null score - best span score > this", nullptr);
    add_double("mlm_probability", &TA::mlm_probability, "data", "pre-training: fraction of tokens masked",
               double_open_closed(0.0, 1.0));
    add_bool("whole_word_mask", &TA::whole_word_mask, "data", "pre-training: mask whole words");
    add_double("short_seq_prob", &TA::short_seq_prob, "data", "pre-training: probability of a shorter target sequence",
               double_closed(0.0, 1.0));
    add_int("max_train_samples", &TA::max_train_samples, "data", "-1 = all training examples, else the first N",
            int_minus_one_or_at_least(1));
    add_int("max_eval_samples", &TA::max_eval_samples, "data", "-1 = all evaluation examples, else the first N",
            int_minus_one_or_at_least(1));
    // optimization
    add_enum("optim", &TA::optim, "optimization", "optimizer");
    add_double("learning_rate", &TA::learning_rate, "optimization", "peak learning rate", double_at_least(0.0));
    add_double("weight_decay", &TA::weight_decay, "optimization",
               "decoupled weight decay (not on bias, LayerNorm, slimming coefficients)", double_at_least(0.0));
    add_double("adam_beta1", &TA::adam_beta1, "optimization", "Adam/LAMB beta1", double_half_open(0.0, 1.0));
    add_double("adam_beta2", &TA::adam_beta2, "optimization", "Adam/LAMB beta2", double_half_open(0.0, 1.0));
    add_double("adam_epsilon", &TA::adam_epsilon, "optimization", "Adam/LAMB epsilon", double_at_least(0.0));
    add_double("max_grad_norm", &TA::max_grad_norm, "optimization",
               "clip gradients to this global norm; 0 = no clipping", double_at_least(0.0));
    add_enum("lr_scheduler_type", &TA::lr_scheduler_type, "optimization", "learning-rate schedule");
    add_double("warmup_ratio", &TA::warmup_ratio, "optimization",
               "warmup = ceil(warmup_ratio * total updates) unless warmup_steps > 0", double_half_open(0.0, 1.0));
    add_int("warmup_steps", &TA::warmup_steps, "optimization", "warmup updates (wins over warmup_ratio)",
            int_at_least(0));
    add_double("lr_end", &TA::lr_end, "optimization", "polynomial schedule: final learning rate", double_at_least(0.0));
    add_double("lr_power", &TA::lr_power, "optimization", "polynomial schedule: power", double_positive());
    add_int("gradient_accumulation_steps", &TA::gradient_accumulation_steps, "optimization",
            "micro-batches per optimizer update", int_at_least(1));
    add_int("per_device_train_batch_size", &TA::per_device_train_batch_size, "optimization",
            "training examples per micro-batch and device", int_at_least(1));
    add_int("per_device_eval_batch_size", &TA::per_device_eval_batch_size, "optimization",
            "evaluation examples per batch and device", int_at_least(1));
    add_double("num_train_epochs", &TA::num_train_epochs, "optimization", "training epochs (may be fractional)",
               double_positive());
    add_int("max_steps", &TA::max_steps, "optimization", "total optimizer updates; -1 = from num_train_epochs",
            int_minus_one_or_at_least(1));
    // logging
    add_int("logging_steps", &TA::logging_steps, "logging", "log every N updates", int_at_least(1));
    add_int("eval_steps", &TA::eval_steps, "logging", "evaluate every N updates; 0 = at the end only", int_at_least(0));
    add_int("save_steps", &TA::save_steps, "logging", "checkpoint every N updates; 0 = at the end only",
            int_at_least(0));
    add_int("save_total_limit", &TA::save_total_limit, "logging",
            "keep at most N checkpoints (the newest is never deleted); 0 = all", int_at_least(0));
    add_string("logging_dir", &TA::logging_dir, "logging", "TensorBoard directory; empty = output_dir/runs");
    add_string("resume_from_checkpoint", &TA::resume_from_checkpoint, "logging",
               "checkpoint directory to resume from, 'latest' (newest complete one in output_dir), or 'auto' "
               "(the newest if there is one, else start fresh: one command line for preemptible jobs)");
    add_string("metric_for_best_model", &TA::metric_for_best_model, "logging",
               "evaluation metric tracked as best; empty = the task's main metric");
    add_enum("eval_strategy", &TA::eval_strategy, "logging",
             "evaluate during training every eval_steps (steps; 0 = at the end only), every epoch, or no");
    add_enum("save_strategy", &TA::save_strategy, "logging",
             "checkpoint during training every save_steps (steps; 0 = at the end only), every epoch, or no");
    add_bool("load_best_model_at_end", &TA::load_best_model_at_end, "logging",
             "the output model is the best evaluated checkpoint (needs eval and save at the same interval)");
    add_enum("greater_is_better", &TA::greater_is_better, "logging",
             "direction of metric_for_best_model; auto = lower is better for a *loss metric");
    // EarlyBERT
    add_double("l1_loss_self_coef", &TA::l1_loss_self_coef, "earlybert",
               "search: L1 weight on attention-head slimming coefficients", double_at_least(0.0));
    add_double("l1_loss_inter_coef", &TA::l1_loss_inter_coef, "earlybert",
               "search: L1 weight on FFN slimming coefficients", double_at_least(0.0));
    add_double("search_learning_rate", &TA::search_learning_rate, "earlybert",
               "search: peak learning rate; 0 = learning_rate", double_at_least(0.0));
    add_double("self_pruning_ratio", &TA::self_pruning_ratio, "earlybert", "draw: fraction of heads removed",
               double_half_open(0.0, 1.0));
    add_enum("self_pruning_method", &TA::self_pruning_method, "earlybert",
             "draw: rank heads per layer or across layers");
    add_double("inter_pruning_ratio", &TA::inter_pruning_ratio, "earlybert", "draw: fraction of FFN neurons removed",
               double_half_open(0.0, 1.0));
    add_enum("inter_pruning_method", &TA::inter_pruning_method, "earlybert",
             "draw: rank neurons per layer or across layers");
    add_enum("ticket_mode", &TA::ticket_mode, "earlybert", "how the ticket is drawn");
    add_int("ticket_check_steps", &TA::ticket_check_steps, "earlybert",
            "compute masks and record distances every N updates", int_at_least(1));
    add_double("ticket_threshold", &TA::ticket_threshold, "earlybert",
               "early_bird: maximum normalized Hamming distance to each mask in the window (never below one "
               "swapped unit: 2 / units of the kind)",
               double_at_least(0.0));
    add_double("ticket_threshold_heads", &TA::ticket_threshold_heads, "earlybert",
               "early_bird: the heads' threshold; -1 = ticket_threshold", minus_one_or_at_least(0.0));
    add_double("ticket_threshold_ffn", &TA::ticket_threshold_ffn, "earlybert",
               "early_bird: the FFN neurons' threshold; -1 = ticket_threshold", minus_one_or_at_least(0.0));
    add_int("ticket_min_swaps", &TA::ticket_min_swaps, "earlybert",
            "early_bird: this many swapped heads / neurons per kind always count as stable (1 lets the rule fire "
            "on small models; 0 = the plain threshold)",
            int_at_least(0));
    add_int("ticket_window", &TA::ticket_window, "earlybert", "early_bird: previous masks compared", int_at_least(1));
    add_int("ticket_step", &TA::ticket_step, "earlybert", "fixed_step: draw after N updates", int_at_least(0));
    add_double("ticket_fraction", &TA::ticket_fraction, "earlybert",
               "fixed_fraction: draw after this fraction of the first epoch", double_open_closed(0.0, 1.0));
    add_int("max_search_steps", &TA::max_search_steps, "earlybert",
            "draw anyway after N updates; -1 = one epoch, 0 = unbounded", int_minus_one_or_at_least(0));
    add_int("random_ticket_seed", &TA::random_ticket_seed, "earlybert", "random: seed of the random ticket",
            int_at_least(0));
    add_enum("rewind", &TA::rewind, "earlybert",
             "efficient training starts from the weights before the search (initial) or at the draw (none)");
    add_string("ticket", &TA::ticket, "earlybert", "ticket.json to apply: skips search and draw");
    add_enum("efficient_schedule", &TA::efficient_schedule, "earlybert",
             "after the draw: restart (own budget and fresh schedule, the official protocol) or continue (one "
             "schedule over the whole budget, re-warm-up after the draw)");
    add_double("efficient_num_train_epochs", &TA::efficient_num_train_epochs, "earlybert",
               "restart: epochs of the efficient stage; -1 = as the main run", minus_one_or_positive());
    add_int("efficient_max_steps", &TA::efficient_max_steps, "earlybert",
            "restart: updates of the efficient stage (wins over epochs); -1 = as the main run",
            int_minus_one_or_at_least(1));
    add_double("efficient_learning_rate", &TA::efficient_learning_rate, "earlybert",
               "peak learning rate after the draw; 0 = learning_rate", double_at_least(0.0));
    add_double("efficient_warmup_ratio", &TA::efficient_warmup_ratio, "earlybert",
               "warm-up of the efficient stage (continue: the re-warm-up), as a ratio of its updates; -1 = "
               "warmup_ratio",
               [](double v) { return v == -1 || (v >= 0 && v < 1) ? "" : std::string("must be -1 or in [0, 1)"); });
    add_int("efficient_warmup_steps", &TA::efficient_warmup_steps, "earlybert",
            "warm-up updates of the efficient stage (win over the ratio); -1 = warmup_steps",
            int_minus_one_or_at_least(0));
    add_bool("search_pruned_model", &TA::search_pruned_model, "earlybert",
             "search again in a model that is already pruned (default: it trains without a new search)");
    // the lottery-ticket lab (docs/TICKETS.md)
    add_enum("ticket_score", &TA::ticket_score, "earlybert", "imp: rank units by slimming coefficient or magnitude");
    add_int("imp_rounds", &TA::imp_rounds, "earlybert", "imp: pruning rounds to the final ratios", int_at_least(1));
    add_int("imp_round_steps", &TA::imp_round_steps, "earlybert", "imp: updates per round; -1 = one epoch",
            int_minus_one_or_at_least(1));
    add_int("rewind_step", &TA::rewind_step, "earlybert", "imp: rewind survivors to the weights after N updates",
            int_at_least(0));
    add_double("rigl_fraction", &TA::rigl_fraction, "earlybert",
               "rigl: fraction of a layer's units dropped and regrown at the first update (cosine-decayed)",
               double_open_closed(0.0, 1.0));
    add_int("greedy_group_size", &TA::greedy_group_size, "earlybert", "greedy: FFN neurons added together",
            int_at_least(1));
    return f;
  }();
  return table;
}

/// Other names of keys: Hugging Face's spellings that differ from ours.
const std::vector<std::pair<std::string, std::string>>& aliases() {
  static const std::vector<std::pair<std::string, std::string>> table = {
      {"task_name", "task"},                     // run_glue.py
      {"evaluation_strategy", "eval_strategy"},  // TrainingArguments before transformers 4.41
  };
  return table;
}

/// A boolean key, or an enum key spelled like one (bf16: true/false/auto): `--key` alone and `--no_key`.
bool is_flag(const Field& f) {
  if (is_bool_like(f.member)) return true;
  if (f.member.index() != kEnumMember) return false;
  auto has = [&](const char* name) { return std::find(f.choices.begin(), f.choices.end(), name) != f.choices.end(); };
  return has("true") && has("false");
}

const Field* find_field(const std::string& key) {
  std::string name = key;
  for (const auto& [alias, target] : aliases())
    if (alias == key) name = target;
  for (const auto& f : fields())
    if (f.name == name) return &f;
  return nullptr;
}

std::string suggestion(const std::string& key) {
  const size_t allowed = std::max<size_t>(2, key.size() / 4);
  const Field* best = nullptr;
  size_t best_d = std::numeric_limits<size_t>::max();
  for (const auto& f : fields()) {
    // The distance is at least the length difference: names that cannot be within `allowed` are not
    // compared (the quadratic comparison of a long key with every name dominated fuzzing time).
    const size_t length_gap = key.size() > f.name.size() ? key.size() - f.name.size() : f.name.size() - key.size();
    if (length_gap > allowed) continue;
    const size_t d = train_detail::edit_distance(key, f.name);
    if (d < best_d) best_d = d, best = &f;
  }
  if (best != nullptr && best_d <= allowed) return " (did you mean '" + best->name + "'?)";
  return "";
}

[[noreturn]] void unknown_key(const std::string& where, const std::string& key) {
  fail(where, "unknown key '" + key + "'" + suggestion(key));
}

std::string type_name(const Member& m) {
  switch (m.index()) {
    case 0:
      return "int";
    case 1:
      return "float";
    case kBoolMember:
    case kAutoBoolMember:
      return "bool";
    default:
      return "string";
  }
}

std::vector<std::string> choices_of(const Field& f) {
  if (f.name == "task") return training_task_names();
  return f.choices;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s.empty() ? "''" : s;
  }
  return out;
}

bool valid_device(const std::string& d) {
  if (d == "auto" || d == "cpu" || d == "cuda") return true;
  if (d.rfind("cuda:", 0) == 0) {
    auto idx = parse_int(d.substr(5));
    return idx.has_value() && *idx >= 0;
  }
  return false;
}

/// Sets `f` from text. `where` is the prefix of every error ("file:3", "--set", "--flag").
void set_field(TA& args, const Field& f, const std::string& text, const std::string& where) {
  const std::string at = where + ": key '" + f.name + "'";
  std::visit(
      [&](const auto& member) {
        using M = std::decay_t<decltype(member)>;
        if constexpr (std::is_same_v<M, EnumAccess>) {
          // Spellings are lower case; Python's True / False (HF command lines) and STEPS are read too, and a
          // boolean-like enum (bf16) takes every spelling a boolean key takes (yes, 1, ...).
          const auto as_bool = is_flag(f) ? parse_bool(text) : std::nullopt;
          std::string lower = as_bool ? (*as_bool ? "true" : "false") : text;
          for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          if (!member.set(args, text) && !member.set(args, lower))
            fail(at, "must be one of " + join(f.choices, ", ") + "; got '" + text + "'");
        } else {
          using T = std::decay_t<decltype(args.*member)>;
          if constexpr (std::is_same_v<T, int64_t>) {
            auto v = parse_int(text);
            if (!v) fail(at, "expected an integer, got '" + text + "'");
            if (f.int_check) {
              const std::string why = f.int_check(*v);
              if (!why.empty()) fail(at, why + ", got " + text);
            }
            args.*member = *v;
          } else if constexpr (std::is_same_v<T, double>) {
            auto v = parse_double(text);
            if (!v) fail(at, "expected a number, got '" + text + "'");
            if (f.double_check) {
              const std::string why = f.double_check(*v);
              if (!why.empty()) fail(at, why + ", got " + text);
            }
            args.*member = *v;
          } else if constexpr (std::is_same_v<T, bool>) {
            auto v = parse_bool(text);
            if (!v) fail(at, "expected a boolean (true/false), got '" + text + "'");
            args.*member = *v;
          } else if constexpr (std::is_same_v<T, AutoBool>) {
            if (text == "auto") {
              args.*member = std::nullopt;
              return;
            }
            auto v = parse_bool(text);
            if (!v) fail(at, "expected true, false or auto, got '" + text + "'");
            args.*member = *v;
          } else {
            if (f.name == "device" && !valid_device(text))
              fail(at, "must be auto, cpu, cuda or cuda:N; got '" + text + "'");
            if (f.name == "task" && !text.empty()) {
              // Any name of the task registry (case and aliases resolved: MRPC → mrpc, sts-b → stsb).
              if (!is_training_task(text))
                fail(at, "must be one of " + join(training_task_names(), ", ") + "; got '" + text + "'");
              args.*member = canonical_task_name(text);
              return;
            }
            args.*member = text;
          }
        }
      },
      f.member);
}

std::string field_text(const TA& args, const Field& f) {
  return std::visit(
      [&](const auto& member) -> std::string {
        using M = std::decay_t<decltype(member)>;
        if constexpr (std::is_same_v<M, EnumAccess>) {
          return member.get(args);
        } else {
          using T = std::decay_t<decltype(args.*member)>;
          if constexpr (std::is_same_v<T, int64_t>) {
            return std::to_string(args.*member);
          } else if constexpr (std::is_same_v<T, double>) {
            return format_double(args.*member);
          } else if constexpr (std::is_same_v<T, bool>) {
            return args.*member ? "true" : "false";
          } else if constexpr (std::is_same_v<T, AutoBool>) {
            return !(args.*member) ? "auto" : *(args.*member) ? "true" : "false";
          } else {
            return args.*member;
          }
        }
      },
      f.member);
}

std::string mark_where(const std::string& source, const YAML::Mark& mark) {
  if (mark.is_null()) return source;
  return source + ":" + std::to_string(mark.line + 1);
}

void apply_yaml(TA& args, const YAML::Node& root, const std::string& source) {
  if (!root || root.IsNull()) return;  // an empty file sets nothing
  if (!root.IsMap()) fail(mark_where(source, root.Mark()), "expected a mapping of key: value");
  std::set<std::string> seen;
  for (const auto& item : root) {
    const YAML::Node& key_node = item.first;
    const YAML::Node& value = item.second;
    const std::string where = mark_where(source, key_node.Mark());
    if (!key_node.IsScalar()) fail(where, "expected a scalar key");
    const std::string key = key_node.Scalar();
    const Field* f = find_field(key);
    if (f == nullptr && value.IsMap())
      fail(where, "unknown key '" + key +
                      "' (config files are flat key: value mappings; the model "
                      "architecture is the key config_name)");
    if (f == nullptr) unknown_key(where, key);
    if (!seen.insert(f->name).second) fail(where, "key '" + f->name + "' appears twice");
    if (value.IsNull()) {
      if (f->member.index() == kStringMember) {  // `key:` or `key: ~` clears a string
        set_field(args, *f, "", where);
        continue;
      }
      fail(where + ": key '" + key + "'", "expected a value (" + type_name(f->member) + "), got nothing (null)");
    }
    if (!value.IsScalar())
      fail(where + ": key '" + key + "'", "expected a single value (" + type_name(f->member) + "), got a " +
                                              (value.IsSequence() ? "list" : "mapping") +
                                              " (config files are flat key: value mappings)");
    set_field(args, *f, value.Scalar(), where);
  }
}

}  // namespace

std::vector<ArgumentInfo> training_argument_infos() {
  std::vector<ArgumentInfo> out;  // built per call: the task registry may have grown since the last
  const TA defaults;
  for (const auto& f : fields()) {
    std::vector<std::string> names;
    for (const auto& [alias, target] : aliases())
      if (target == f.name) names.push_back(alias);
    out.push_back({f.name, type_name(f.member), f.group, f.help, field_text(defaults, f), choices_of(f), names});
  }
  return out;
}

std::string canonical_training_argument(const std::string& name) {
  const Field* f = find_field(name);
  return f == nullptr ? name : f->name;
}

bool is_training_argument(const std::string& key) { return find_field(key) != nullptr; }

void set_training_argument(TA& args, const std::string& key, const std::string& value, const std::string& where) {
  const Field* f = find_field(key);
  if (f == nullptr) unknown_key(where, key);
  set_field(args, *f, value, where);
}

std::string get_training_argument(const TA& args, const std::string& key) {
  const Field* f = find_field(key);
  if (f == nullptr) unknown_key("training arguments", key);
  return field_text(args, *f);
}

void apply_config_text(TA& args, const std::string& yaml_text, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    fail(mark_where(source, e.mark), "malformed YAML: " + e.msg);
  }
  apply_yaml(args, root, source);
}

void apply_config_file(TA& args, const std::string& path) { apply_config_text(args, read_file(path), path); }

void apply_override(TA& args, const ConfigOverride& o) { set_training_argument(args, o.key, o.value, o.where); }

ConfigOverride parse_set_override(const std::string& key_equals_value) {
  const auto eq = key_equals_value.find('=');
  if (eq == std::string::npos || eq == 0) fail("--set " + key_equals_value, "expected key=value");
  ConfigOverride o{key_equals_value.substr(0, eq), key_equals_value.substr(eq + 1), ""};
  o.where = "--set " + o.key;
  if (!is_training_argument(o.key)) unknown_key("--set", o.key);
  o.key = canonical_training_argument(o.key);
  return o;
}

std::vector<ConfigOverride> parse_hf_flags(const std::vector<std::string>& args) {
  std::vector<ConfigOverride> out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& token = args[i];
    if (token.size() < 3 || token.compare(0, 2, "--") != 0)
      fail("'" + token + "'", "expected a --key flag (Hugging Face style: --key value or --key=value)");
    std::string key = token.substr(2);
    std::optional<std::string> value;
    if (const auto eq = key.find('='); eq != std::string::npos) {
      value = key.substr(eq + 1);
      key = key.substr(0, eq);
    }
    for (char& c : key)
      if (c == '-') c = '_';
    const std::string flag = "--" + key;
    const Field* f = find_field(key);
    bool negated = false;
    if (f == nullptr && key.rfind("no_", 0) == 0) {
      const Field* g = find_field(key.substr(3));
      if (g != nullptr && is_flag(*g)) f = g, negated = true;
    }
    if (f == nullptr) fail(flag, "unknown option" + suggestion(key));
    if (negated) {
      if (value) fail(flag, "takes no value");
      out.push_back({f->name, "false", flag});
      continue;
    }
    if (!value) {
      const bool next_is_value = i + 1 < args.size() && args[i + 1].compare(0, 2, "--") != 0;
      // An enum spelled like a boolean (bf16, greater_is_better) takes the next word as its value
      // whatever it is (a wrong one is then an error naming the key); a boolean only a boolean word.
      const bool enum_flag = f->member.index() == kEnumMember;
      const bool next_is_bool = next_is_value && (parse_bool(args[i + 1]) || args[i + 1] == "auto");
      if (is_flag(*f) && (!next_is_value || (!enum_flag && !next_is_bool))) {
        value = "true";  // a bare boolean flag
      } else if (next_is_value) {
        value = args[++i];
      } else {
        fail(flag, "expects a value (" + type_name(f->member) + ")");
      }
    }
    out.push_back({f->name, *value, flag});
  }
  return out;
}

void validate(const TA& a) {
  if (a.output_dir.empty()) fail("output_dir", "must not be empty");
  if (a.ticket_mode == TicketMode::FixedStep && a.ticket_step < 1)
    fail("ticket_step", "ticket_mode fixed_step needs ticket_step >= 1");
  if (a.ticket_mode == TicketMode::Reinit && a.ticket.empty())
    fail("ticket", "ticket_mode reinit needs the ticket.json whose structure it re-initialises");
  if (!a.ticket.empty() &&
      (a.ticket_mode == TicketMode::Imp || a.ticket_mode == TicketMode::Rigl || a.ticket_mode == TicketMode::Greedy))
    fail("ticket", "a given ticket skips the search; ticket_mode " + to_string(a.ticket_mode) + " searches its own");
  if (a.lr_scheduler_type == LrScheduleType::Polynomial && !(a.lr_end < a.learning_rate))
    fail("lr_end", "polynomial schedule needs lr_end (" + format_double(a.lr_end) + ") < learning_rate (" +
                       format_double(a.learning_rate) + ")");
  if (a.load_best_model_at_end) {
    // Hugging Face's rule: the best model must be a saved one, so both happen at the same points.
    if (a.eval_strategy != a.save_strategy)
      fail("load_best_model_at_end", "needs eval_strategy (" + to_string(a.eval_strategy) + ") == save_strategy (" +
                                         to_string(a.save_strategy) + ")");
    if (a.eval_strategy == IntervalStrategy::Steps && (a.eval_steps <= 0 || a.save_steps % a.eval_steps != 0))
      fail("load_best_model_at_end", "needs eval_steps > 0 and save_steps (" + std::to_string(a.save_steps) +
                                         ") a multiple of eval_steps (" + std::to_string(a.eval_steps) + ")");
  }
  if (a.fp16 && a.bf16 == Toggle::On) fail("fp16", "bf16 and fp16 cannot both be on");
  if ((a.task == "squad" || a.task == "squad_v2") && a.doc_stride >= a.max_seq_length)
    fail("doc_stride", "must be smaller than max_seq_length (" + std::to_string(a.max_seq_length) + ")");
}

TA resolve_training_arguments(const std::vector<std::string>& config_files,
                              const std::vector<ConfigOverride>& overrides) {
  TA args;
  for (const auto& path : config_files) apply_config_file(args, path);
  for (const auto& o : overrides) apply_override(args, o);
  validate(args);
  return args;
}

std::string to_yaml(const TA& args) {
  // One emitter per key: yaml-cpp writes a comment after the previous value on the same line, so the
  // group headings are put between the keys here, each on a line of its own.
  std::string text = "# earlybert resolved configuration (load it back with --config)\n";
  std::string group;
  for (const auto& f : fields()) {
    if (f.group != group) {
      group = f.group;
      text += "# --- " + group + " ---\n";
    }
    YAML::Emitter out;
    out << YAML::BeginMap << YAML::Key << f.name << YAML::Value;
    const std::string value = field_text(args, f);
    if (f.member.index() == kStringMember || f.member.index() == kEnumMember) {
      out << YAML::DoubleQuoted << value;  // quoted: a string never turns into a number or a bool
    } else {
      out << value;
    }
    out << YAML::EndMap;
    if (!out.good()) fail("to_yaml", "YAML emitter error at key '" + f.name + "': " + out.GetLastError());
    text += std::string(out.c_str()) + "\n";
  }
  return text;
}

int64_t update_steps_per_epoch(int64_t batches_per_epoch, int64_t gradient_accumulation_steps) {
  if (gradient_accumulation_steps < 1) fail("gradient_accumulation_steps", "must be >= 1");
  return std::max<int64_t>(1, batches_per_epoch / gradient_accumulation_steps);
}

int64_t total_update_steps(const TA& args, int64_t updates_per_epoch) {
  if (args.max_steps > 0) return args.max_steps;
  return std::max<int64_t>(
      1, static_cast<int64_t>(std::ceil(args.num_train_epochs * static_cast<double>(updates_per_epoch))));
}

RunBudget run_budget(const TA& a, int64_t updates_per_epoch) {
  RunBudget b;
  b.efficient_schedule = a.efficient_schedule;
  b.main_updates = total_update_steps(a, updates_per_epoch);
  b.main = lr_schedule_options(a);
  b.search_learning_rate = a.search_learning_rate;
  if (a.efficient_max_steps > 0) {
    b.efficient_updates = a.efficient_max_steps;
  } else if (a.efficient_num_train_epochs > 0) {
    b.efficient_updates = std::max<int64_t>(
        1, static_cast<int64_t>(std::ceil(a.efficient_num_train_epochs * static_cast<double>(updates_per_epoch))));
  } else {
    b.efficient_updates = b.main_updates;
  }
  b.efficient = b.main;
  if (a.efficient_learning_rate > 0) b.efficient.learning_rate = a.efficient_learning_rate;
  if (a.efficient_warmup_ratio >= 0) b.efficient.warmup_ratio = a.efficient_warmup_ratio;
  if (a.efficient_warmup_steps >= 0) b.efficient.warmup_steps = a.efficient_warmup_steps;
  return b;
}

TaskOptions task_options(const TA& a) {
  TaskOptions o;
  o.task = a.task;
  o.seed = a.seed;
  o.model_name_or_path = a.model_name_or_path;
  o.tokenizer_name = a.tokenizer_name;
  o.do_lower_case = a.do_lower_case;
  o.data_dir = a.data_dir;
  o.train_file = a.train_file;
  o.validation_file = a.validation_file;
  o.test_file = a.test_file;
  o.max_seq_length = a.max_seq_length;
  o.max_train_samples = a.max_train_samples;
  o.max_eval_samples = a.max_eval_samples;
  o.doc_stride = a.doc_stride;
  o.max_query_length = a.max_query_length;
  o.n_best_size = a.n_best_size;
  o.max_answer_length = a.max_answer_length;
  o.null_score_diff_threshold = a.null_score_diff_threshold;
  o.mlm_probability = a.mlm_probability;
  o.whole_word_mask = a.whole_word_mask;
  return o;
}

TicketOptions ticket_options(const TA& a) {
  TicketOptions o;
  o.mode = a.ticket_mode;
  o.ratios.heads = a.self_pruning_ratio;
  o.ratios.heads_scope = a.self_pruning_method;
  o.ratios.ffn = a.inter_pruning_ratio;
  o.ratios.ffn_scope = a.inter_pruning_method;
  o.check_steps = a.ticket_check_steps;
  o.threshold_heads = a.ticket_threshold_heads >= 0 ? a.ticket_threshold_heads : a.ticket_threshold;
  o.threshold_ffn = a.ticket_threshold_ffn >= 0 ? a.ticket_threshold_ffn : a.ticket_threshold;
  o.min_swaps = a.ticket_min_swaps;
  o.window = a.ticket_window;
  o.fixed_step = a.ticket_step;
  o.fraction = a.ticket_fraction;
  o.max_search_steps = a.max_search_steps;
  o.random_seed = a.random_ticket_seed;
  o.rewind = a.rewind;
  o.score = a.ticket_score;
  o.imp_rounds = a.imp_rounds;
  o.imp_round_steps = a.imp_round_steps;
  o.rewind_step = a.rewind_step;
  o.rigl_fraction = a.rigl_fraction;
  o.greedy_group_size = a.greedy_group_size;
  return o;
}

OptimizerOptions optimizer_options(const TA& a) {
  OptimizerOptions o;
  o.kind = a.optim;
  o.learning_rate = a.learning_rate;
  o.weight_decay = a.weight_decay;
  o.beta1 = a.adam_beta1;
  o.beta2 = a.adam_beta2;
  o.epsilon = a.adam_epsilon;
  return o;
}

LrScheduleOptions lr_schedule_options(const TA& a) {
  LrScheduleOptions o;
  o.type = a.lr_scheduler_type;
  o.learning_rate = a.learning_rate;
  o.warmup_ratio = a.warmup_ratio;
  o.warmup_steps = a.warmup_steps;
  o.lr_end = a.lr_end;
  o.power = a.lr_power;
  return o;
}

MixedPrecisionOptions mixed_precision_options(const TA& a) {
  MixedPrecisionOptions o;
  o.bf16 = a.bf16;
  o.fp16 = a.fp16;
  o.tf32 = a.tf32;
  return o;
}

}  // namespace earlybert
