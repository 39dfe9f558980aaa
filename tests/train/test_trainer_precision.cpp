// The trainer in mixed precision: bf16 fine-tuning learns the fixture and resumes bit-exactly; fp16 is
// refused on CPU naming the key, and on CUDA skips an overflowing update (lower scale, schedule held,
// scaler.json in the checkpoint).
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "earlybert/base/files.h"
#include "earlybert/train/run_files.h"
#include "earlybert/train/trainer.h"
#include "train/trainer_test_util.h"

namespace earlybert {
namespace {

using test::expect_error;
using test::LoggedRun;
using test::scratch_dir;
using test::tiny_finetune_args;

LoggedRun run(const TrainingArguments& args, TrainerHooks hooks = {}) {
  return test::train_logged(args, std::move(hooks));
}

double mean_loss(const LoggedRun& r, size_t begin, size_t end) {
  double sum = 0;
  for (size_t i = begin; i < end; ++i) sum += r.steps.at(i).loss;
  return sum / static_cast<double>(end - begin);
}

/// Search with the L1 term, a draw at step 40, efficient training after it: every phase runs in bf16.
/// A constant learning rate of 1e-3: the tiny model from scratch sits at ln 2 for ~80 updates before
/// it finds the fixture's label words.
TrainingArguments bf16_args(const std::string& name) {
  TrainingArguments a = tiny_finetune_args(scratch_dir(name));
  a.bf16 = Toggle::On;
  a.max_steps = 200;
  a.lr_scheduler_type = LrScheduleType::Constant;
  a.logging_steps = 40;
  a.ticket_mode = TicketMode::FixedStep;
  a.ticket_step = 40;
  return a;
}

TEST(TrainerPrecision, Bf16FineTuningLearnsTheFixture) {
  const TrainingArguments args = bf16_args("tp_bf16");
  TrainingArguments fp32_args = args;
  fp32_args.bf16 = Toggle::Off;
  fp32_args.output_dir = scratch_dir("tp_fp32");
  const LoggedRun bf16 = run(args);
  const LoggedRun fp32 = run(fp32_args);
  ASSERT_EQ(bf16.steps.size(), 200u);
  EXPECT_EQ(bf16.draw_step, 40);

  // Autocast was on: the same first forward gives a slightly different loss than in fp32.
  EXPECT_NE(bf16.steps[0].loss, fp32.steps[0].loss);
  EXPECT_NEAR(bf16.steps[0].loss, fp32.steps[0].loss, 0.02);
  // The loss falls clearly (the first updates are at about ln 2) and the dev accuracy is far above chance
  // (24 dev sentences, two balanced classes).
  const double first = mean_loss(bf16, 0, 8), last = mean_loss(bf16, 184, 200);
  EXPECT_LT(last, 0.5 * first) << "first " << first << ", last " << last;
  ASSERT_TRUE(bf16.eval_metrics.count("accuracy"));
  EXPECT_GE(bf16.eval_metrics.at("accuracy"), 0.8);
  // ... as fp32 does on the same run.
  EXPECT_NEAR(bf16.eval_metrics.at("accuracy"), fp32.eval_metrics.at("accuracy"), 0.125);
  for (const auto& s : bf16.steps) EXPECT_TRUE(std::isfinite(s.loss) && std::isfinite(s.grad_norm)) << s.step;

  // The resolved configuration records it.
  const std::string config = read_file(args.output_dir + "/" + run_files::kConfigYaml);
  EXPECT_NE(config.find("bf16: \"true\""), std::string::npos) << config;
}

TEST(TrainerPrecision, Bf16ResumeIsBitExact) {
  TrainingArguments args = bf16_args("tp_bf16_full");
  args.max_steps = 26;
  args.ticket_step = 20;
  args.save_steps = 0;
  const LoggedRun full = run(args);
  ASSERT_EQ(full.steps.size(), 26u);
  for (const int64_t stop_at : {12, 22}) {  // in the search, and in efficient training
    TrainingArguments part = args;
    part.output_dir = scratch_dir("tp_bf16_part" + std::to_string(stop_at));
    TrainerHooks stop;
    stop.stop_requested = [stop_at](int64_t step) { return step == stop_at; };
    EXPECT_TRUE(run(part, stop).stopped);
    part.resume_from_checkpoint = "latest";
    const LoggedRun rest = run(part);
    ASSERT_EQ(rest.steps.size(), static_cast<size_t>(26 - stop_at));
    for (const auto& s : rest.steps) {
      const auto& f = full.steps[static_cast<size_t>(s.step - 1)];
      EXPECT_EQ(s.loss, f.loss) << s.step;
      EXPECT_EQ(s.grad_norm, f.grad_norm) << s.step;
      EXPECT_EQ(s.lr, f.lr) << s.step;
    }
    EXPECT_EQ(rest.eval_metrics, full.eval_metrics);
  }
}

TEST(TrainerPrecision, Fp16IsRefusedOnCpuNamingTheKey) {
  TrainingArguments args = tiny_finetune_args(scratch_dir("tp_fp16_cpu"));
  args.fp16 = true;
  expect_error([&] { run(args); }, {"fp16", "needs a CUDA device"});
  args.bf16 = Toggle::On;
  expect_error([&] { run(args); }, {"fp16", "cannot both be on"});
}

TEST(TrainerPrecision, Fp16SkipsAnOverflowingUpdateOnCuda) {
  if (!torch::cuda::is_available())
    GTEST_SKIP() << "no CUDA device: LibTorch's CPU autocast has no fp16, so an fp16 run needs a GPU";
  TrainingArguments args = tiny_finetune_args(scratch_dir("tp_fp16"));
  args.device = "cuda";
  args.fp16 = true;
  args.ticket_mode = TicketMode::None;
  args.max_steps = 8;
  args.warmup_steps = 0;  // a linear decay from the first update: every counted update lowers the LR
  args.save_steps = 4;
  // After update 3 the classifier's weights are blown up so that the fp16 logits of update 4 overflow;
  // they are put back after it (a skipped update leaves the weights as they were).
  torch::Tensor saved;
  TrainerHooks hooks;
  hooks.after_update = [&saved](int64_t step, AnyBertModel& model) {
    torch::NoGradGuard no_grad;
    auto w = model.module()->named_parameters()["classifier.weight"];
    if (step == 3) {
      saved = w.clone();
      w.mul_(1e6);
    }
    if (step == 4) w.copy_(saved);
  };
  const LoggedRun r = run(args, hooks);
  ASSERT_EQ(r.steps.size(), 8u);
  int skipped = 0;  // by checkpoint-4 (the initial scale may overflow too, before update 4)
  for (size_t i = 0; i < 4; ++i) skipped += std::isfinite(r.steps[i].grad_norm) ? 0 : 1;
  EXPECT_FALSE(std::isfinite(r.steps[3].grad_norm));
  // The skipped update did not advance the schedule: update 5 runs at update 4's learning rate.
  EXPECT_EQ(r.steps[4].lr, r.steps[3].lr);
  EXPECT_LT(r.steps[5].lr, r.steps[4].lr);
  // scaler.json of checkpoint-4: the scale halved once per skipped update (no growth in 8 updates).
  const std::string path = args.output_dir + "/checkpoint-4/" + run_files::kScaler;
  ASSERT_TRUE(path_exists(path));
  const auto j = nlohmann::json::parse(read_file(path));
  EXPECT_EQ(j["skipped_updates"].get<int>(), skipped);
  EXPECT_EQ(j["scaler"]["scale"].get<double>(), 65536.0 * std::pow(0.5, skipped));
  EXPECT_TRUE(std::isfinite(r.steps.back().loss));
}

}  // namespace
}  // namespace earlybert
