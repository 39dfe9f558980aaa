// A full disk while saving (ENOSPC): `earlybert finetune` writes into a tmpfs too small for a second
// checkpoint. The save must fail with a clear one-line error naming the file and "No space left on
// device", the previous checkpoint must stay complete, and the run must resume from it once there is
// room. The tmpfs is mounted in a user + mount namespace of its own (`unshare -Urm`, no privileges);
// where the system forbids that, the test skips and says so.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <string>
#include <vector>

#include "earlybert/train/checkpoint_dirs.h"
#include "earlybert/train/trainer_state.h"
#include "train/cli_test_util.h"

namespace earlybert {
namespace {

using test::scratch_dir;

/// Bytes the files under `dir` occupy, each rounded up to whole 4 KiB pages (as tmpfs counts them).
int64_t page_bytes(const std::string& dir) {
  int64_t total = 0;
  if (std::filesystem::is_regular_file(dir))
    return (static_cast<int64_t>(std::filesystem::file_size(dir)) + 4095) / 4096 * 4096;
  if (!std::filesystem::is_directory(dir)) return 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const auto size = static_cast<int64_t>(e.file_size());
    total += (size + 4095) / 4096 * 4096;
  }
  return total;
}

std::string quoted(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) out += (out.empty() ? "'" : " '") + a + "'";
  return out;
}

TEST(FullDisk, SaveOnAFullDiskFailsClearlyAndKeepsThePreviousCheckpoint) {
  const std::string cli = test::cli_path();
  if (cli.empty()) GTEST_SKIP() << "EARLYBERT_CLI is not set or missing";
  const std::string root = scratch_dir("full_disk");
  if (test::run_shell("unshare -Urm sh -c 'mount -t tmpfs -o size=64k tmpfs " + root + "' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "cannot mount a tmpfs in a user namespace here (unshare -Urm), so no full disk to test on";

  auto flags = [&](const std::string& out) {
    auto f = test::tiny_finetune_flags(cli, out);
    // save_total_limit 0: the task preset keeps 2, which would rotate checkpoint-2 away before it is measured.
    for (const char* x : {"--max_steps", "6", "--save_steps", "2", "--ticket_mode", "none", "--save_total_limit", "0"})
      f.push_back(x);
    return f;
  };
  // Sizes from a run with room: what the directory holds once checkpoint-2 is complete.
  const std::string sized = root + "/sized";
  ASSERT_EQ(test::run_to_end(flags(sized), root + "/sized"), 0) << read_file(root + "/sized.err");
  const int64_t checkpoint = page_bytes(sized + "/checkpoint-2");
  // Everything else, less the final model files, which are written only at the end.
  int64_t others = page_bytes(sized);
  for (const char* p : {"/checkpoint-2", "/checkpoint-4", "/checkpoint-6", "/model.safetensors"})
    others -= page_bytes(sized + p);
  // Room for everything a run writes besides its checkpoints, one checkpoint and half of a second.
  const int64_t room = others + checkpoint + checkpoint / 2;

  const std::string mnt = root + "/disk";
  const std::string kept = root + "/kept";
  std::filesystem::create_directories(mnt);
  // In the namespace: mount, run, then copy what is left out of the tmpfs before it disappears.
  write_file_atomic(root + "/full.sh", "mount -t tmpfs -o size=" + std::to_string(room) + " tmpfs '" + mnt +
                                           "' || exit 3\n" + quoted(flags(mnt + "/out")) + " >'" + root +
                                           "/full.out' 2>'" + root + "/full.err'\necho $? >'" + root +
                                           "/full.rc'\ncp -a '" + mnt + "/out' '" + kept + "'\n");
  ASSERT_EQ(test::run_shell("unshare -Urm sh '" + root + "/full.sh'"), 0);
  const std::string err = read_file(root + "/full.err");
  EXPECT_EQ(read_file(root + "/full.rc"), "2\n") << err;
  const size_t at = err.find("earlybert: error: ");
  ASSERT_NE(at, std::string::npos) << err;
  const std::string message = err.substr(at);
  EXPECT_EQ(message.find('\n'), message.size() - 1) << "not one line: " << message;
  EXPECT_NE(message.find("No space left on device"), std::string::npos) << message;

  // The previous checkpoint is complete and loads; no incomplete one is visible.
  const auto ckpts = list_checkpoints(kept);
  ASSERT_FALSE(ckpts.empty()) << "no checkpoint survived: " << err;
  for (const auto& c : ckpts) EXPECT_TRUE(c.complete) << c.path;
  const std::string latest = latest_checkpoint(kept);
  ASSERT_EQ(latest, kept + "/checkpoint-2");
  EXPECT_EQ(TrainerState::load(latest + "/trainer_state.json").global_step, 2);
  EXPECT_TRUE(test::same_weights(latest + "/model.safetensors", sized + "/checkpoint-2/model.safetensors"));

  // With room again, the run resumes from it and ends where the run with room ended.
  auto resume = flags(kept);
  resume.push_back("--resume_from_checkpoint");
  resume.push_back("latest");
  ASSERT_EQ(test::run_to_end(resume, root + "/resume"), 0) << read_file(root + "/resume.err");
  EXPECT_TRUE(test::same_weights(kept + "/model.safetensors", sized + "/model.safetensors"));
}

}  // namespace
}  // namespace earlybert
