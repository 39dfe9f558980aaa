// Tests for checkpoint directories: naming, atomic completion with the marker, latest-complete
// lookup, rotation (never the newest, never the best), clean-up after a kill, resume resolution.
#include "earlybert/train/checkpoint_dirs.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "earlybert/base/files.h"
#include "train_test_util.h"

using namespace earlybert;
using earlybert::test::expect_error;
using earlybert::test::scratch_dir;
namespace fs = std::filesystem;

namespace {
std::string save(const std::string& out, int64_t step) {
  const std::string tmp = begin_checkpoint(out, step);
  write_file_atomic(tmp + "/model.safetensors", "weights " + std::to_string(step));
  return finish_checkpoint(tmp, out, step);
}
}  // namespace

TEST(CheckpointDirs, Naming) {
  EXPECT_EQ(checkpoint_name(250), "checkpoint-250");
  EXPECT_EQ(checkpoint_step("checkpoint-250"), 250);
  EXPECT_EQ(checkpoint_step("/runs/a/checkpoint-7/"), 7);
  EXPECT_FALSE(checkpoint_step("checkpoint-").has_value());
  EXPECT_FALSE(checkpoint_step("checkpoint-12.tmp.5").has_value());
  EXPECT_FALSE(checkpoint_step("best").has_value());
}

TEST(CheckpointDirs, FinishIsAtomicAndMarked) {
  const std::string out = scratch_dir("ckpt_finish");
  const std::string tmp = begin_checkpoint(out, 10);
  EXPECT_FALSE(fs::exists(out + "/checkpoint-10"));  // nothing under the final name while writing
  EXPECT_EQ(latest_checkpoint(out), "");
  write_file_atomic(tmp + "/config.json", "{}");
  const std::string final_dir = finish_checkpoint(tmp, out, 10);
  EXPECT_EQ(final_dir, out + "/checkpoint-10");
  EXPECT_FALSE(fs::exists(tmp));
  EXPECT_TRUE(is_complete_checkpoint(final_dir));
  EXPECT_EQ(read_file(final_dir + "/config.json"), "{}");
  // Saving the same step again replaces it.
  save(out, 10);
  EXPECT_EQ(read_file(out + "/checkpoint-10/model.safetensors"), "weights 10");
  EXPECT_FALSE(fs::exists(out + "/checkpoint-10/config.json"));
}

TEST(CheckpointDirs, LatestCompleteIgnoresHalfWrittenOnes) {
  const std::string out = scratch_dir("ckpt_latest");
  save(out, 5);
  save(out, 20);
  save(out, 100);
  // A kill during save: a temporary dir, and an unmarked checkpoint-200 (e.g. copied by hand).
  begin_checkpoint(out, 150);
  fs::create_directories(out + "/checkpoint-200");
  EXPECT_EQ(latest_checkpoint(out), out + "/checkpoint-100");  // numeric order, not text order
  const auto all = list_checkpoints(out);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].step, 5);
  EXPECT_FALSE(all[3].complete);
  const auto removed = remove_incomplete_checkpoints(out);
  EXPECT_EQ(removed.size(), 2u);
  EXPECT_EQ(list_checkpoints(out).size(), 3u);
  for (const auto& e : fs::directory_iterator(out))
    EXPECT_EQ(e.path().filename().string().rfind(".checkpoint", 0), std::string::npos) << e.path();
}

TEST(CheckpointDirs, RotationKeepsNewestAndBest) {
  const std::string out = scratch_dir("ckpt_rotate");
  for (int64_t s : {10, 20, 30, 40, 50}) save(out, s);
  EXPECT_TRUE(rotate_checkpoints(out, 0).empty());  // 0 = keep all
  auto removed = rotate_checkpoints(out, 3, out + "/checkpoint-20");
  EXPECT_EQ(removed, (std::vector<std::string>{out + "/checkpoint-10", out + "/checkpoint-30"}));
  std::vector<int64_t> left;
  for (const auto& e : list_checkpoints(out)) left.push_back(e.step);
  EXPECT_EQ(left, (std::vector<int64_t>{20, 40, 50}));
  // Limit 1 with the best being older than the newest: both stay (as Hugging Face does).
  removed = rotate_checkpoints(out, 1, out + "/checkpoint-20");
  EXPECT_EQ(removed, (std::vector<std::string>{out + "/checkpoint-40"}));
  EXPECT_EQ(latest_checkpoint(out), out + "/checkpoint-50");
  // Without a best: only the newest stays.
  rotate_checkpoints(out, 1);
  ASSERT_EQ(list_checkpoints(out).size(), 1u);
  EXPECT_EQ(list_checkpoints(out)[0].step, 50);
}

TEST(CheckpointDirs, ResumeResolution) {
  const std::string out = scratch_dir("ckpt_resume");
  EXPECT_EQ(resolve_resume_checkpoint("", out), "");
  expect_error([&] { resolve_resume_checkpoint("latest", out); }, {"resume_from_checkpoint", out});
  save(out, 3);
  save(out, 9);
  EXPECT_EQ(resolve_resume_checkpoint("latest", out), out + "/checkpoint-9");
  EXPECT_EQ(resolve_resume_checkpoint(out + "/checkpoint-3", out), out + "/checkpoint-3");
  fs::create_directories(out + "/checkpoint-12");
  expect_error([&] { resolve_resume_checkpoint(out + "/checkpoint-12", out); },
               {"resume_from_checkpoint", "checkpoint-12", "not a complete checkpoint"});
  expect_error([&] { resolve_resume_checkpoint(out + "/nope", out); }, {"resume_from_checkpoint", "not a directory"});
}
