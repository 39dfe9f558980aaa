// End to end: search → draw → prune → train → eval → checkpoint → resume on a tiny model and the
// synthetic SST-2 fixture, with a constructed slimming-coefficient trajectory.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "earlybert/base/files.h"
#include "earlybert/io/checkpoint.h"
#include "earlybert/prune/masks.h"
#include "earlybert/prune/ticket.h"
#include "earlybert/train/checkpoint_dirs.h"
#include "earlybert/train/metrics_log.h"
#include "earlybert/train/tensorboard.h"
#include "earlybert/train/trainer.h"
#include "earlybert/train/trainer_state.h"
#include "train/trainer_test_util.h"

namespace fs = std::filesystem;

namespace earlybert {
namespace {

using test::expect_same_losses;
using test::LoggedRun;

using test::constructed_trajectory;
using test::scratch_dir;
using test::tiny_finetune_args;

constexpr int64_t kStableFrom = 12;  // the masks stop changing after update 12
// Checks every 2 updates, window 2, threshold 0: the masks of checks 12, 14 and 16 are identical, so the
// rule holds first at step 16 (16 is within 0 of both 14 and 12; 14 still differs from 10).
constexpr int64_t kExpectedDraw = 16;

TrainerHooks trajectory_hooks() { return test::trajectory_hooks(kStableFrom); }

LoggedRun run(const TrainingArguments& args, TrainerHooks hooks = trajectory_hooks()) {
  return test::train_logged(args, std::move(hooks));
}

TEST(TrainerE2E, SearchDrawPruneTrainEvalCheckpointResume) {
  const std::string root = scratch_dir("e2e");
  TrainingArguments args = tiny_finetune_args(root + "/full");
  args.save_steps = 8;
  args.save_total_limit = 2;
  args.rewind = RewindMode::Initial;

  // ---- the uninterrupted run ----
  const LoggedRun full = run(args);
  ASSERT_FALSE(full.stopped);
  ASSERT_EQ(full.global_step, 30);
  ASSERT_EQ(full.steps.size(), 30u);

  // The ticket is drawn by the early-bird rule at the step the constructed trajectory implies.
  EXPECT_EQ(full.draw_step, kExpectedDraw);
  EXPECT_EQ(full.draw_reason, DrawReason::EarlyBird);
  EXPECT_EQ(full.phase, Phase::Efficient);
  const Ticket ticket = Ticket::load(args.output_dir + "/ticket.json");
  EXPECT_EQ(ticket.draw_step, kExpectedDraw);
  EXPECT_EQ(ticket.reason, DrawReason::EarlyBird);
  EXPECT_EQ(ticket.distance_history.size(), static_cast<size_t>(kExpectedDraw / 2));  // checks 2, 4, ..., 16
  EXPECT_TRUE(ticket.distance_history.back().drawn);
  EXPECT_EQ(ticket.distance_history.back().window_max_heads, 0.0);
  EXPECT_EQ(ticket.distance_history.back().window_max_ffn, 0.0);
  EXPECT_GT(ticket.distance_history[3].dist_heads, 0.0);  // step 8: still rotating
  ASSERT_EQ(ticket.coefficient_snapshots.size(), ticket.distance_history.size());
  EXPECT_EQ(ticket.coefficient_snapshots.back().ffn.size(), 2u);  // FFN scores kept at the draw
  EXPECT_TRUE(ticket.coefficient_snapshots.front().ffn.empty());
  EXPECT_EQ(ticket.kept_heads_per_layer(), (std::vector<int64_t>{3, 3}));  // 1 of 4 heads removed per layer
  EXPECT_EQ(ticket.plan.kept_neurons(), 64 - units_to_prune(64, 0.4));     // 40% of all 64 removed globally

  // The pruned model's parameter shapes follow the plan, in memory and in the saved config.
  const BertConfig saved = load_pretrained(args.output_dir);
  for (int64_t l = 0; l < 2; ++l) {
    const auto& lp = ticket.plan.layers[static_cast<size_t>(l)];
    EXPECT_EQ(saved.layer_heads(l), static_cast<int64_t>(lp.kept_heads.size()));
    EXPECT_EQ(saved.layer_intermediate_size(l), static_cast<int64_t>(lp.kept_neurons.size()));
  }
  {
    Trainer reloaded(args, make_task(args));
    TrainingArguments eval_args = args;
    eval_args.model_name_or_path = args.output_dir;
    eval_args.output_dir = root + "/eval";
    Trainer evaluator(eval_args, make_task(eval_args));
    const Metrics m = evaluator.evaluate();
    EXPECT_EQ(m.at("accuracy"), full.eval_metrics.at("accuracy"));  // the saved model is the trained one
    const auto params = evaluator.model().module()->named_parameters();
    for (int64_t l = 0; l < 2; ++l) {
      const auto& lp = ticket.plan.layers[static_cast<size_t>(l)];
      const std::string p = "bert.encoder.layer." + std::to_string(l) + ".";
      const auto heads = static_cast<int64_t>(lp.kept_heads.size());
      const auto neurons = static_cast<int64_t>(lp.kept_neurons.size());
      EXPECT_EQ(params[p + "attention.self.query.weight"].sizes(), (std::vector<int64_t>{heads * 4, 16}));
      EXPECT_EQ(params[p + "attention.output.dense.weight"].sizes(), (std::vector<int64_t>{16, heads * 4}));
      EXPECT_EQ(params[p + "attention.self.slimming_coef"].sizes(), (std::vector<int64_t>{heads}));
      EXPECT_EQ(params[p + "intermediate.dense.weight"].sizes(), (std::vector<int64_t>{neurons, 16}));
      EXPECT_EQ(params[p + "output.dense.weight"].sizes(), (std::vector<int64_t>{16, neurons}));
      EXPECT_EQ(params[p + "slimming_coef"].sizes(), (std::vector<int64_t>{neurons}));
    }
  }

  // The L1 term is there during the search and absent after the draw (updates and metrics.jsonl).
  for (const auto& s : full.steps) {
    EXPECT_EQ(s.l1.has_value(), s.step <= kExpectedDraw) << "step " << s.step;
    EXPECT_EQ(s.phase, s.step <= kExpectedDraw ? Phase::Search : Phase::Efficient) << "step " << s.step;
  }
  const auto records = read_metrics_jsonl(args.output_dir + "/metrics.jsonl");
  int train_lines = 0;
  for (const auto& r : records) {
    if (r.phase == Phase::Eval) continue;
    ++train_lines;
    EXPECT_EQ(r.l1.has_value(), r.step <= kExpectedDraw) << "metrics.jsonl step " << r.step;
    EXPECT_TRUE(r.loss && r.lr && r.grad_norm && r.tokens_per_s && r.elapsed);
  }
  EXPECT_EQ(train_lines, 15);  // logging_steps 2
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.back().phase, Phase::Eval);

  // Outputs: eval_results.json with eval_ keys and phase times, TensorBoard events, checkpoints rotated.
  const std::string eval_results = read_file(args.output_dir + "/eval_results.json");
  for (const char* key : {"\"eval_accuracy\"", "\"eval_loss\"", "\"eval_runtime\"", "\"search_runtime\"",
                          "\"efficient_runtime\"", "\"draw_step\": 16"})
    EXPECT_NE(eval_results.find(key), std::string::npos) << key << " not in " << eval_results;
  EXPECT_GT(full.times.search, 0.0);
  EXPECT_GT(full.times.efficient, 0.0);
  EXPECT_LT(full.params_final, full.params_initial);
  std::string events;
  for (const auto& e : fs::directory_iterator(args.output_dir + "/runs")) events = e.path().string();
  ASSERT_FALSE(events.empty());
  bool saw_loss = false, saw_dist = false;
  for (const auto& ev : read_event_file(events))
    for (const auto& [tag, v] : ev.scalars) {
      saw_loss = saw_loss || tag == "train/loss";
      saw_dist = saw_dist || tag == "earlybird/dist_heads";
    }
  EXPECT_TRUE(saw_loss);
  EXPECT_TRUE(saw_dist);
  const auto ckpts = list_checkpoints(args.output_dir);
  ASSERT_EQ(ckpts.size(), 2u);  // save_total_limit 2: checkpoint-24 and the final checkpoint-30
  EXPECT_EQ(ckpts[0].step, 24);
  EXPECT_EQ(ckpts[1].step, 30);
  for (const char* f : {"config.json", "model.safetensors", "vocab.txt", "optimizer.pt", "scheduler.json",
                        "trainer_state.json", "ticket.json", "COMPLETE"})
    EXPECT_TRUE(path_exists(ckpts[1].path + "/" + f)) << f;
  const TrainerState st = TrainerState::load(ckpts[1].path + "/trainer_state.json");
  EXPECT_EQ(st.global_step, 30);
  EXPECT_EQ(st.phase, Phase::Efficient);
  EXPECT_EQ(st.draw_step, kExpectedDraw);

  // ---- interrupted twice: before the draw (step 10) and after it (step 22), resumed each time ----
  TrainingArguments part = args;
  part.output_dir = root + "/resumed";
  TrainerHooks stop10 = trajectory_hooks();
  stop10.stop_requested = [](int64_t step) { return step == 10; };
  const LoggedRun a = run(part, stop10);
  EXPECT_TRUE(a.stopped);
  EXPECT_EQ(a.global_step, 10);
  EXPECT_TRUE(is_complete_checkpoint(part.output_dir + "/checkpoint-10"));
  expect_same_losses(full, a);

  part.resume_from_checkpoint = "latest";
  TrainerHooks stop22 = trajectory_hooks();
  stop22.stop_requested = [](int64_t step) { return step == 22; };
  const LoggedRun b = run(part, stop22);
  EXPECT_TRUE(b.stopped);
  EXPECT_EQ(b.steps.front().step, 11);
  EXPECT_EQ(b.global_step, 22);
  EXPECT_EQ(b.draw_step, kExpectedDraw);
  expect_same_losses(full, b);

  const LoggedRun c = run(part);
  EXPECT_FALSE(c.stopped);
  EXPECT_EQ(c.steps.front().step, 23);
  EXPECT_EQ(c.global_step, 30);
  expect_same_losses(full, c);
  EXPECT_EQ(c.eval_metrics, full.eval_metrics);
  EXPECT_EQ(Ticket::load(part.output_dir + "/ticket.json"), ticket);
  // metrics.jsonl reads as if the run had never stopped.
  const auto resumed_records = read_metrics_jsonl(part.output_dir + "/metrics.jsonl");
  int resumed_train_lines = 0;
  for (const auto& r : resumed_records) resumed_train_lines += r.phase != Phase::Eval;
  EXPECT_EQ(resumed_train_lines, train_lines);
}

TEST(TrainerE2E, TicketFromAnotherRunSkipsSearchAndDraw) {
  const std::string root = scratch_dir("e2e_ticket");
  TrainingArguments args = tiny_finetune_args(root + "/search");
  args.max_steps = 20;
  run(args);
  const Ticket drawn = Ticket::load(args.output_dir + "/ticket.json");
  ASSERT_TRUE(drawn.drawn());

  TrainingArguments reuse = tiny_finetune_args(root + "/reuse");
  reuse.max_steps = 6;
  reuse.ticket = args.output_dir + "/ticket.json";
  const LoggedRun r = run(reuse, {});
  EXPECT_EQ(r.draw_reason, DrawReason::Given);
  EXPECT_EQ(r.draw_step, 0);
  for (const auto& s : r.steps) {
    EXPECT_EQ(s.phase, Phase::Efficient);
    EXPECT_FALSE(s.l1.has_value());
  }
  const BertConfig c = load_pretrained(reuse.output_dir);
  EXPECT_EQ(c.layer_heads(0), static_cast<int64_t>(drawn.plan.layers[0].kept_heads.size()));
  EXPECT_EQ(c.layer_intermediate_size(1), static_cast<int64_t>(drawn.plan.layers[1].kept_neurons.size()));
  EXPECT_FALSE(c.slimming);  // no search: a new model needs no coefficients
}

TEST(TrainerE2E, CrashDuringSaveLeavesNoHalfCheckpoint) {
  const std::string root = scratch_dir("e2e_crash");
  TrainingArguments args = tiny_finetune_args(root + "/out");
  args.max_steps = 12;
  args.save_steps = 4;
  TrainerHooks crash = trajectory_hooks();
  crash.before_checkpoint_commit = [](const std::string& tmp, int64_t step) {
    if (step == 8) {
      std::ofstream(tmp + "/partial") << "x";
      throw std::runtime_error("simulated crash while saving");
    }
  };
  EXPECT_THROW(run(args, crash), std::runtime_error);
  const auto ckpts = list_checkpoints(args.output_dir);
  ASSERT_EQ(ckpts.size(), 1u);
  EXPECT_EQ(ckpts[0].step, 4);
  EXPECT_TRUE(ckpts[0].complete);
  EXPECT_EQ(latest_checkpoint(args.output_dir), ckpts[0].path);

  // Resuming continues from the last complete checkpoint and clears the temporary directory.
  args.resume_from_checkpoint = "latest";
  const LoggedRun r = run(args);
  EXPECT_EQ(r.steps.front().step, 5);
  EXPECT_EQ(r.global_step, 12);
  for (const auto& e : fs::directory_iterator(args.output_dir))
    EXPECT_EQ(e.path().filename().string().rfind(".checkpoint-", 0), std::string::npos) << e.path();
  for (const auto& c : list_checkpoints(args.output_dir)) EXPECT_TRUE(c.complete) << c.path;
}

TEST(TrainerE2E, FineTuneFromPretrainOutput) {
  const std::string root = scratch_dir("e2e_pretrain");
  TrainingArguments pre = tiny_finetune_args(root + "/pretrain");
  pre.task = "pretraining";
  pre.data_dir = test::tiny_pretraining_data(root + "/shards");
  pre.max_seq_length = 32;
  pre.max_steps = 12;
  pre.ticket_mode = TicketMode::EarlyBird;
  pre.max_search_steps = 6;  // the rotating trajectory never settles: drawn by the bound
  pre.rewind = RewindMode::None;
  const LoggedRun p = run(pre);
  EXPECT_EQ(p.draw_step, 6);
  EXPECT_EQ(p.draw_reason, DrawReason::SearchBound);
  EXPECT_TRUE(p.eval_metrics.count("mlm_accuracy"));
  EXPECT_TRUE(p.eval_metrics.count("perplexity"));
  EXPECT_TRUE(p.eval_metrics.count("nsp_accuracy"));
  EXPECT_TRUE(path_exists(pre.output_dir + "/vocab.txt"));

  // Fine-tune from the pre-training output directory: pruned body, its vocabulary, a new classifier.
  TrainingArguments ft = tiny_finetune_args(root + "/finetune");
  ft.config_name.clear();
  ft.tokenizer_name.clear();
  ft.model_name_or_path = pre.output_dir;
  ft.max_steps = 8;
  ft.ticket_mode = TicketMode::None;
  Trainer trainer(ft, make_task(ft));
  const TrainResult r = trainer.train();
  EXPECT_EQ(r.phase, Phase::Dense);
  EXPECT_TRUE(r.eval_metrics.count("accuracy"));
  const BertConfig c = trainer.model().config();
  const BertConfig pc = load_pretrained(pre.output_dir);
  EXPECT_EQ(c.heads_per_layer, pc.heads_per_layer);
  EXPECT_EQ(c.intermediate_sizes, pc.intermediate_sizes);
  EXPECT_TRUE(c.slimming);  // the pre-trained coefficients are part of the model and stay
  EXPECT_EQ(c.num_labels, 2);
}

TEST(TrainerE2E, FineTuneFromHuggingFaceDirectory) {
  const char* shared = std::getenv("EARLYBERT_SHARED_DATA");
  const std::string dir = shared ? std::string(shared) + "/models/tiny-bert-random-safetensors" : "";
  if (dir.empty() || !path_exists(dir + "/model.safetensors")) GTEST_SKIP() << "EARLYBERT_SHARED_DATA model absent";
  const std::string root = scratch_dir("e2e_hf");
  TrainingArguments ft = tiny_finetune_args(root + "/out");
  ft.config_name.clear();
  ft.tokenizer_name.clear();  // the directory's own vocab.txt
  ft.model_name_or_path = dir;
  ft.max_steps = 10;
  ft.max_search_steps = 4;
  Trainer trainer(ft, make_task(ft));
  const TrainResult r = trainer.train();
  EXPECT_EQ(r.draw_step, 4);
  EXPECT_TRUE(r.eval_metrics.count("accuracy"));
  EXPECT_EQ(trainer.model().config().hidden_size, 32);
  // The body came from the file: rewind initial restored the file's weights at the draw, and 6 Adam
  // updates at lr <= 1e-3 move a weight by about 0.006 at most, while the file's values (std 0.02)
  // differ from a fresh initialisation by far more.
  const auto file = read_pretrained_weights(dir).tensors;
  ASSERT_TRUE(file.contains("embeddings.word_embeddings.weight"));
  const auto trained = trainer.model().module()->named_parameters()["bert.embeddings.word_embeddings.weight"];
  ASSERT_EQ(trained.sizes(), file["embeddings.word_embeddings.weight"].sizes());
  EXPECT_LT((trained - file["embeddings.word_embeddings.weight"]).abs().max().item<double>(), 0.02);
  EXPECT_GT(file["embeddings.word_embeddings.weight"].abs().max().item<double>(), 0.03);
}

}  // namespace
}  // namespace earlybert
