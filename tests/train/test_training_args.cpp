// Tests for TrainingArguments: defaults, layered YAML configs, overrides, HF-style flags, errors that
// name the key (and file:line), the YAML dump round trip, and the training-budget arithmetic.
#include "earlybert/train/training_args.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "earlybert/base/files.h"
#include "train_test_util.h"

using namespace earlybert;
using earlybert::test::expect_error;
using earlybert::test::train_fixture;

TEST(TrainingArgs, DefaultsFollowHuggingFaceAndEarlyBert) {
  TrainingArguments a;
  EXPECT_DOUBLE_EQ(a.learning_rate, 5e-5);
  EXPECT_EQ(a.per_device_train_batch_size, 8);
  EXPECT_EQ(a.max_steps, -1);
  EXPECT_EQ(a.lr_scheduler_type, LrScheduleType::Linear);
  EXPECT_DOUBLE_EQ(a.l1_loss_self_coef, 1e-4);
  EXPECT_DOUBLE_EQ(a.l1_loss_inter_coef, 1e-4);
  EXPECT_DOUBLE_EQ(a.self_pruning_ratio, 1.0 / 3.0);
  EXPECT_EQ(a.self_pruning_method, PruneScope::Layerwise);
  EXPECT_DOUBLE_EQ(a.inter_pruning_ratio, 0.4);
  EXPECT_EQ(a.inter_pruning_method, PruneScope::Global);
  EXPECT_DOUBLE_EQ(a.ticket_threshold, 0.1);
  EXPECT_EQ(a.ticket_window, 4);
  EXPECT_NO_THROW(validate(a));
}

TEST(TrainingArgs, EveryKeyIsListedOnceWithItsDefault) {
  std::set<std::string> names;
  const TrainingArguments defaults;
  for (const auto& info : training_argument_infos()) {
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
    EXPECT_FALSE(info.help.empty()) << info.name;
    EXPECT_EQ(info.default_value, get_training_argument(defaults, info.name)) << info.name;
  }
  for (const char* key : {"output_dir",
                          "seed",
                          "learning_rate",
                          "weight_decay",
                          "adam_beta1",
                          "adam_beta2",
                          "adam_epsilon",
                          "optim",
                          "lr_scheduler_type",
                          "warmup_ratio",
                          "warmup_steps",
                          "max_grad_norm",
                          "gradient_accumulation_steps",
                          "per_device_train_batch_size",
                          "per_device_eval_batch_size",
                          "num_train_epochs",
                          "max_steps",
                          "logging_steps",
                          "eval_steps",
                          "save_steps",
                          "save_total_limit",
                          "resume_from_checkpoint",
                          "bf16",
                          "fp16",
                          "tf32",
                          "max_seq_length",
                          "doc_stride",
                          "threads",
                          "l1_loss_self_coef",
                          "l1_loss_inter_coef",
                          "self_pruning_ratio",
                          "self_pruning_method",
                          "inter_pruning_ratio",
                          "inter_pruning_method",
                          "ticket_mode",
                          "ticket_check_steps",
                          "ticket_threshold",
                          "ticket_window",
                          "ticket_step",
                          "ticket_fraction",
                          "max_search_steps",
                          "random_ticket_seed",
                          "rewind",
                          "ticket",
                          "ticket_score",
                          "imp_rounds",
                          "imp_round_steps",
                          "rewind_step",
                          "rigl_fraction",
                          "greedy_group_size",
                          "model_name_or_path",
                          "config_name",
                          "task",
                          "data_dir"})
    EXPECT_TRUE(names.count(key)) << key;
}

TEST(TrainingArgs, LaterConfigFileWinsAndOverridesWinOverFiles) {
  const auto a = resolve_training_arguments({train_fixture("base.yaml"), train_fixture("override.yaml")},
                                            {parse_set_override("seed=99")});
  EXPECT_EQ(a.task, "rte");                   // only in the first file
  EXPECT_DOUBLE_EQ(a.learning_rate, 4e-5);    // second file wins
  EXPECT_DOUBLE_EQ(a.num_train_epochs, 2.0);  // first file, not overridden
  EXPECT_EQ(a.ticket_mode, TicketMode::FixedFraction);
  EXPECT_EQ(a.seed, 99);                        // --set wins over both files
  EXPECT_EQ(a.per_device_train_batch_size, 8);  // built-in default
}

TEST(TrainingArgs, UnknownKeyNamesFileLineAndSuggests) {
  TrainingArguments a;
  expect_error([&] { apply_config_file(a, train_fixture("unknown_key.yaml")); },
               {"unknown_key.yaml:3", "unknown key 'lerning_rate'", "did you mean 'learning_rate'"});
}

TEST(TrainingArgs, WrongTypeNamesKeyAndExpectedType) {
  TrainingArguments a;
  expect_error([&] { apply_config_file(a, train_fixture("wrong_type.yaml")); },
               {"wrong_type.yaml:2", "per_device_train_batch_size", "expected an integer", "thirty-two"});
  expect_error([&] { set_training_argument(a, "learning_rate", "fast", "--learning_rate"); },
               {"--learning_rate", "learning_rate", "expected a number"});
  expect_error([&] { set_training_argument(a, "bf16", "maybe", "--bf16"); },
               {"--bf16: key 'bf16'", "must be one of false, true, auto", "'maybe'"});
  expect_error([&] { set_training_argument(a, "fp16", "maybe", "--fp16"); }, {"fp16", "expected a boolean"});
  expect_error([&] { set_training_argument(a, "seed", "1.5", "x"); }, {"seed", "expected an integer"});
}

TEST(TrainingArgs, OutOfRangeValuesNameTheKey) {
  TrainingArguments a;
  expect_error([&] { apply_config_file(a, train_fixture("out_of_range.yaml")); },
               {"out_of_range.yaml:1", "ticket_threshold", "must be >= 0"});
  const std::vector<std::pair<std::string, std::string>> bad = {{"learning_rate", "-1e-4"},
                                                                {"self_pruning_ratio", "1"},
                                                                {"inter_pruning_ratio", "-0.1"},
                                                                {"warmup_ratio", "1.0"},
                                                                {"ticket_window", "0"},
                                                                {"ticket_check_steps", "0"},
                                                                {"adam_beta1", "1"},
                                                                {"gradient_accumulation_steps", "0"},
                                                                {"per_device_train_batch_size", "0"},
                                                                {"max_steps", "0"},
                                                                {"num_train_epochs", "0"},
                                                                {"ticket_fraction", "0"},
                                                                {"max_search_steps", "-2"},
                                                                {"logging_steps", "0"},
                                                                {"weight_decay", "-0.01"},
                                                                {"optim", "sgd"},
                                                                {"lr_scheduler_type", "step"},
                                                                {"ticket_mode", "lucky"},
                                                                {"self_pruning_method", "random"},
                                                                {"rewind", "late"},
                                                                {"task", "imdb"},
                                                                {"device", "tpu"},
                                                                {"threads", "-1"},
                                                                {"mlm_probability", "0"}};
  for (const auto& [key, value] : bad) {
    SCOPED_TRACE(key + "=" + value);
    expect_error(
        [&, key = key, value = value] {
          apply_override(a, {key, value, "--set " + key});
        },
        {"--set " + key, "key '" + key + "'"});
  }
  // Boundary values that are allowed.
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{{"self_pruning_ratio", "0"},
                                                                                   {"ticket_threshold", "0"},
                                                                                   {"ticket_window", "1"},
                                                                                   {"max_steps", "-1"},
                                                                                   {"max_search_steps", "0"},
                                                                                   {"ticket_fraction", "1"},
                                                                                   {"device", "cuda:1"},
                                                                                   {"task", ""}}) {
    SCOPED_TRACE(key + "=" + value);
    EXPECT_NO_THROW(set_training_argument(a, key, value, "test"));
  }
}

TEST(TrainingArgs, NestedMappingsAreRejected) {
  TrainingArguments a;
  expect_error([&] { apply_config_file(a, train_fixture("nested.yaml")); }, {"nested.yaml:1", "unknown key 'model'"});
  expect_error([&] { apply_config_text(a, "learning_rate: [1, 2]\n", "inline.yaml"); },
               {"inline.yaml:1", "learning_rate", "got a list"});
  expect_error([&] { apply_config_text(a, "- a\n- b\n", "list.yaml"); }, {"list.yaml", "mapping"});
  expect_error([&] { apply_config_text(a, "seed: 1\nseed: 2\n", "dup.yaml"); }, {"dup.yaml:2", "appears twice"});
  expect_error([&] { apply_config_text(a, "seed: [1\n", "broken.yaml"); }, {"broken.yaml", "malformed YAML"});
  expect_error([&] { apply_config_text(a, "seed:\n", "null.yaml"); }, {"null.yaml:1", "seed", "null"});
}

TEST(TrainingArgs, EmptyFileAndNullStringsAreFine) {
  TrainingArguments a;
  a.ticket = "x.json";
  apply_config_text(a, "# only a comment\n", "empty.yaml");
  EXPECT_EQ(a.ticket, "x.json");
  apply_config_text(a, "ticket:\n", "clear.yaml");
  EXPECT_EQ(a.ticket, "");
}

TEST(TrainingArgs, MissingConfigFileNamesPath) {
  TrainingArguments a;
  expect_error([&] { apply_config_file(a, "/nonexistent/earlybert.yaml"); }, {"/nonexistent/earlybert.yaml"});
}

TEST(TrainingArgs, HuggingFaceFlags) {
  const auto o =
      parse_hf_flags({"--learning_rate", "3e-5", "--num_train_epochs=2", "--bf16", "--seed", "7",
                      "--per-device-train-batch-size", "16", "--no_do_lower_case", "--overwrite_output_dir", "false"});
  TrainingArguments a;
  for (const auto& x : o) apply_override(a, x);
  EXPECT_DOUBLE_EQ(a.learning_rate, 3e-5);
  EXPECT_DOUBLE_EQ(a.num_train_epochs, 2.0);
  EXPECT_EQ(a.bf16, Toggle::On);  // an enum key spelled like a boolean is a flag too
  EXPECT_EQ(a.seed, 7);
  EXPECT_EQ(a.per_device_train_batch_size, 16);
  EXPECT_EQ(a.do_lower_case, std::optional<bool>(false));
  EXPECT_FALSE(a.overwrite_output_dir);
  ASSERT_EQ(o.size(), 7u);
  EXPECT_EQ(o[0].where, "--learning_rate");
  EXPECT_EQ(o[4].key, "per_device_train_batch_size");

  expect_error([] { parse_hf_flags({"--lerning_rate", "1"}); }, {"--lerning_rate", "unknown option", "learning_rate"});
  expect_error([] { parse_hf_flags({"--seed"}); }, {"--seed", "expects a value (int)"});
  expect_error([] { parse_hf_flags({"seed", "3"}); }, {"'seed'", "expected a --key flag"});
  expect_error([] { parse_hf_flags({"--no_bf16=1"}); }, {"--no_bf16", "takes no value"});
  TrainingArguments precision;
  for (const auto& x : parse_hf_flags({"--bf16", "auto", "--tf32", "false", "--fp16"})) apply_override(precision, x);
  EXPECT_EQ(precision.bf16, Toggle::Auto);
  EXPECT_FALSE(precision.tf32);
  EXPECT_TRUE(precision.fp16);
  for (const auto& x : parse_hf_flags({"--no_bf16"})) apply_override(precision, x);
  EXPECT_EQ(precision.bf16, Toggle::Off);
  for (const auto& spelling : {"True", "yes", "1"}) {
    set_training_argument(precision, "bf16", spelling, "x");  // a boolean key's spellings
    EXPECT_EQ(precision.bf16, Toggle::On) << spelling;
  }
  // A wrong value is reported against the flag when applied.
  TrainingArguments b;
  const auto bad = parse_hf_flags({"--max_steps", "many"});
  expect_error([&] { apply_override(b, bad.at(0)); }, {"--max_steps", "expected an integer"});
}

TEST(TrainingArgs, SetOverrideSyntax) {
  const auto o = parse_set_override("output_dir=/tmp/run=1");
  EXPECT_EQ(o.key, "output_dir");
  EXPECT_EQ(o.value, "/tmp/run=1");
  expect_error([] { parse_set_override("learning_rate"); }, {"--set learning_rate", "key=value"});
  expect_error([] { parse_set_override("lr=1e-4"); }, {"--set", "unknown key 'lr'"});
}

TEST(TrainingArgs, CrossKeyValidation) {
  TrainingArguments a;
  a.ticket_mode = TicketMode::FixedStep;
  expect_error([&] { validate(a); }, {"ticket_step", "fixed_step"});
  a.ticket_step = 10;
  EXPECT_NO_THROW(validate(a));
  a.lr_scheduler_type = LrScheduleType::Polynomial;
  a.lr_end = 1e-3;
  expect_error([&] { validate(a); }, {"lr_end", "learning_rate"});
  a.lr_end = 1e-7;
  a.task = "squad";
  a.doc_stride = 128;
  a.max_seq_length = 128;
  expect_error([&] { validate(a); }, {"doc_stride"});
  a.task.clear();
  a.bf16 = Toggle::On;
  a.fp16 = true;
  expect_error([&] { validate(a); }, {"fp16", "bf16 and fp16 cannot both be on"});
  a.bf16 = Toggle::Auto;  // auto yields to an explicit fp16
  EXPECT_NO_THROW(validate(a));
  expect_error(
      [] {
        resolve_training_arguments({}, {{"ticket_mode", "fixed_step", "--ticket_mode"}});
      },
      {"ticket_step"});
}

TEST(TrainingArgs, TicketLabModesCheckTheirTicket) {
  TrainingArguments a;
  a.ticket_mode = TicketMode::Reinit;
  expect_error([&] { validate(a); }, {"ticket", "reinit needs the ticket.json"});
  a.ticket = "other/ticket.json";
  EXPECT_NO_THROW(validate(a));
  a.ticket_mode = TicketMode::Imp;
  expect_error([&] { validate(a); }, {"ticket", "ticket_mode imp searches its own"});
  TrainingArguments b;
  set_training_argument(b, "ticket_mode", "rigl", "--ticket_mode");
  set_training_argument(b, "ticket_score", "magnitude", "--ticket_score");
  EXPECT_EQ(b.ticket_mode, TicketMode::Rigl);
  EXPECT_EQ(ticket_options(b).score, UnitScore::Magnitude);
  expect_error([&] { set_training_argument(b, "rigl_fraction", "0", "--rigl_fraction"); }, {"rigl_fraction"});
  expect_error([&] { set_training_argument(b, "ticket_mode", "lottery", "--ticket_mode"); }, {"imp", "greedy"});
}

TEST(TrainingArgs, YamlDumpRoundTripsEveryKey) {
  TrainingArguments a;
  // A non-default value for every key, through the text setters.
  a.output_dir = "runs/a b: c";  // needs quoting in YAML
  a.overwrite_output_dir = true;
  a.seed = 1234;
  a.device = "cuda:0";
  a.threads = 2;
  a.bf16 = Toggle::Auto;
  a.fp16 = true;
  a.tf32 = false;
  a.model_name_or_path = "models/bert";
  a.config_name = "bert-mini";
  a.tokenizer_name = "vocab.txt";
  a.do_lower_case = false;
  a.task = "squad_v2";
  a.data_dir = "~/data/#squad";  // '#' would start a comment unquoted
  a.train_file = "true";         // would turn into a bool unquoted
  a.validation_file = "123";     // would turn into a number unquoted
  a.max_seq_length = 384;
  a.doc_stride = 100;
  a.max_query_length = 32;
  a.n_best_size = 10;
  a.max_answer_length = 20;
  a.null_score_diff_threshold = -1.25;
  a.mlm_probability = 0.2;
  a.whole_word_mask = true;
  a.short_seq_prob = 0.05;
  a.max_train_samples = 100;
  a.max_eval_samples = 50;
  a.optim = OptimizerKind::Lamb;
  a.learning_rate = 1.0 / 3.0 * 1e-3;
  a.weight_decay = 0.01;
  a.adam_beta1 = 0.8;
  a.adam_beta2 = 0.98;
  a.adam_epsilon = 1e-6;
  a.max_grad_norm = 0.0;
  a.lr_scheduler_type = LrScheduleType::Cosine;
  a.warmup_ratio = 0.06;
  a.warmup_steps = 17;
  a.lr_end = 1e-9;
  a.lr_power = 0.5;
  a.gradient_accumulation_steps = 4;
  a.per_device_train_batch_size = 12;
  a.per_device_eval_batch_size = 64;
  a.num_train_epochs = 2.5;
  a.max_steps = 1000;
  a.logging_steps = 7;
  a.eval_steps = 70;
  a.save_steps = 140;
  a.save_total_limit = 3;
  a.logging_dir = "tb";
  a.resume_from_checkpoint = "latest";
  a.metric_for_best_model = "f1";
  a.l1_loss_self_coef = 2e-4;
  a.l1_loss_inter_coef = 3e-5;
  a.search_learning_rate = 2e-5;
  a.self_pruning_ratio = 0.25;
  a.self_pruning_method = PruneScope::Global;
  a.inter_pruning_ratio = 0.5;
  a.inter_pruning_method = PruneScope::Layerwise;
  a.ticket_mode = TicketMode::Random;
  a.ticket_check_steps = 3;
  a.ticket_threshold = 0.05;
  a.ticket_window = 6;
  a.ticket_step = 33;
  a.ticket_fraction = 0.3;
  a.max_search_steps = 99;
  a.random_ticket_seed = 5;
  a.rewind = RewindMode::None;
  a.ticket = "other/ticket.json";
  a.ticket_threshold_heads = 0.2;
  a.ticket_threshold_ffn = 0.01;
  a.ticket_min_swaps = 3;
  a.efficient_schedule = EfficientSchedule::Continue;
  a.efficient_num_train_epochs = 2;
  a.efficient_max_steps = 500;
  a.efficient_learning_rate = 4e-5;
  a.efficient_warmup_ratio = 0.1;
  a.efficient_warmup_steps = 10;
  a.search_pruned_model = true;
  a.do_train = false;
  a.do_eval = false;
  a.do_predict = true;
  a.test_file = "test.csv";
  a.eval_strategy = IntervalStrategy::Epoch;
  a.save_strategy = IntervalStrategy::No;
  a.load_best_model_at_end = true;
  a.greater_is_better = MetricDirection::Lower;
  a.ticket_score = UnitScore::Magnitude;
  a.imp_rounds = 3;
  a.imp_round_steps = 40;
  a.rewind_step = 5;
  a.rigl_fraction = 0.5;
  a.greedy_group_size = 8;
  const TrainingArguments defaults;
  for (const auto& info : training_argument_infos())
    EXPECT_NE(get_training_argument(a, info.name), get_training_argument(defaults, info.name))
        << "test does not change " << info.name;

  const std::string yaml = to_yaml(a);
  TrainingArguments b;
  apply_config_text(b, yaml, "dump.yaml");
  for (const auto& info : training_argument_infos())
    EXPECT_EQ(get_training_argument(b, info.name), get_training_argument(a, info.name)) << info.name;
  EXPECT_EQ(b.learning_rate, a.learning_rate);  // bit-exact double
  EXPECT_EQ(to_yaml(b), yaml);
  // Group headings stand on lines of their own, not after the previous value.
  std::istringstream lines(yaml);
  int headings = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# --- ", 0) == 0) ++headings;
    EXPECT_EQ(line.find(" # "), std::string::npos) << line;
  }
  EXPECT_GE(headings, 3);
}

TEST(TrainingArgs, DoLowerCaseIsAutoUnlessSet) {
  TrainingArguments a;
  EXPECT_FALSE(a.do_lower_case.has_value());
  EXPECT_EQ(get_training_argument(a, "do_lower_case"), "auto");
  for (const auto& o : parse_hf_flags({"--do_lower_case"})) apply_override(a, o);
  EXPECT_EQ(a.do_lower_case, std::optional<bool>(true));
  for (const auto& o : parse_hf_flags({"--do_lower_case", "auto"})) apply_override(a, o);
  EXPECT_FALSE(a.do_lower_case.has_value());
  apply_config_text(a, "do_lower_case: false\n", "c.yaml");
  EXPECT_EQ(a.do_lower_case, std::optional<bool>(false));
  TrainingArguments b;
  apply_config_text(b, to_yaml(a), "dump.yaml");
  EXPECT_EQ(b.do_lower_case, a.do_lower_case);
  expect_error([&] { apply_config_text(a, "do_lower_case: maybe\n", "c.yaml"); },
               {"c.yaml:1", "do_lower_case", "true, false or auto"});
}

TEST(TrainingArgs, TrainingBudgetArithmetic) {
  TrainingArguments a;
  EXPECT_EQ(update_steps_per_epoch(100, 1), 100);
  EXPECT_EQ(update_steps_per_epoch(100, 3), 33);  // floor, as Hugging Face
  EXPECT_EQ(update_steps_per_epoch(2, 4), 1);     // at least 1
  a.num_train_epochs = 2.5;
  EXPECT_EQ(total_update_steps(a, 33), 83);  // ceil(82.5)
  a.max_steps = 10;
  EXPECT_EQ(total_update_steps(a, 33), 10);
  a.warmup_ratio = 0.1;
  EXPECT_EQ(warmup_update_steps(lr_schedule_options(a), 83), 9);  // ceil(8.3)
  a.warmup_steps = 5;
  EXPECT_EQ(warmup_update_steps(lr_schedule_options(a), 83), 5);  // warmup_steps wins
}
