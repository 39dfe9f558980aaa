// Checkpoint directories — see include/earlybert/train/checkpoint_dirs.h.
#include "earlybert/train/checkpoint_dirs.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "train/scalar_text.h"

namespace fs = std::filesystem;

namespace earlybert {
namespace {

constexpr const char* kPrefix = "checkpoint-";
constexpr const char* kTmpPrefix = ".checkpoint-";

bool is_dir(const std::string& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

}  // namespace

std::string checkpoint_name(int64_t step) { return kPrefix + std::to_string(step); }

std::optional<int64_t> checkpoint_step(const std::string& name_or_path) {
  std::string name = fs::path(name_or_path).filename().string();
  if (name.empty()) name = fs::path(name_or_path).parent_path().filename().string();  // trailing '/'
  const std::string prefix = kPrefix;
  if (name.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  const std::string digits = name.substr(prefix.size());
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return train_detail::parse_int(digits);
}

bool is_complete_checkpoint(const std::string& dir) {
  std::error_code ec;
  return is_dir(dir) && fs::is_regular_file(join_path(dir, kCheckpointCompleteMarker), ec);
}

std::vector<CheckpointEntry> list_checkpoints(const std::string& output_dir) {
  std::vector<CheckpointEntry> out;
  std::error_code ec;
  if (!is_dir(output_dir)) return out;
  for (const auto& e : fs::directory_iterator(output_dir, ec)) {
    if (!e.is_directory(ec)) continue;
    const auto step = checkpoint_step(e.path().filename().string());
    if (!step) continue;
    out.push_back({*step, e.path().string(), is_complete_checkpoint(e.path().string())});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.step < b.step; });
  return out;
}

std::string latest_checkpoint(const std::string& output_dir) {
  const auto all = list_checkpoints(output_dir);
  for (auto it = all.rbegin(); it != all.rend(); ++it)
    if (it->complete) return it->path;
  return "";
}

std::string begin_checkpoint(const std::string& output_dir, int64_t step) {
  if (step < 0) fail("checkpoint", "step must be >= 0");
  make_directories(output_dir);
  const std::string tmp =
      join_path(output_dir, kTmpPrefix + std::to_string(step) + ".tmp." + std::to_string(::getpid()));
  remove_all(tmp);
  make_directories(tmp);
  return tmp;
}

std::string finish_checkpoint(const std::string& tmp_dir, const std::string& output_dir, int64_t step) {
  if (!is_dir(tmp_dir)) fail(tmp_dir, "checkpoint temporary directory is missing");
  write_file_atomic(join_path(tmp_dir, kCheckpointCompleteMarker), "step " + std::to_string(step) + "\n");
  const std::string final_dir = join_path(output_dir, checkpoint_name(step));
  commit_directory(tmp_dir, final_dir);
  return final_dir;
}

std::vector<std::string> rotate_checkpoints(const std::string& output_dir, int64_t save_total_limit,
                                            const std::string& keep) {
  std::vector<std::string> removed;
  if (save_total_limit <= 0) return removed;
  std::vector<CheckpointEntry> complete;
  for (const auto& e : list_checkpoints(output_dir))
    if (e.complete) complete.push_back(e);
  if (static_cast<int64_t>(complete.size()) <= save_total_limit) return removed;
  std::error_code ec;
  const auto keep_path = keep.empty() ? fs::path() : fs::weakly_canonical(keep, ec);
  int64_t excess = static_cast<int64_t>(complete.size()) - save_total_limit;
  // Oldest first; the newest (last) is never a candidate.
  for (size_t i = 0; i + 1 < complete.size() && excess > 0; ++i) {
    if (!keep.empty() && fs::weakly_canonical(complete[i].path, ec) == keep_path) continue;
    remove_all(complete[i].path);
    removed.push_back(complete[i].path);
    --excess;
  }
  return removed;
}

std::vector<std::string> remove_incomplete_checkpoints(const std::string& output_dir) {
  std::vector<std::string> removed;
  std::error_code ec;
  if (!is_dir(output_dir)) return removed;
  std::vector<std::string> doomed;
  for (const auto& e : fs::directory_iterator(output_dir, ec)) {
    if (!e.is_directory(ec)) continue;
    const std::string name = e.path().filename().string();
    const bool temporary = name.rfind(kTmpPrefix, 0) == 0 && name.find(".tmp.") != std::string::npos;
    // commit_directory moves a replaced checkpoint aside as "<final>.old.<pid>" for a moment.
    const bool replaced = name.rfind(kPrefix, 0) == 0 && name.find(".old.") != std::string::npos;
    const bool unfinished = checkpoint_step(name).has_value() && !is_complete_checkpoint(e.path().string());
    if (temporary || replaced || unfinished) doomed.push_back(e.path().string());
  }
  std::sort(doomed.begin(), doomed.end());
  for (const auto& p : doomed) {
    remove_all(p);
    removed.push_back(p);
  }
  return removed;
}

std::string resolve_resume_checkpoint(const std::string& resume, const std::string& output_dir) {
  if (resume.empty()) return "";
  if (resume == "auto") return is_dir(output_dir) ? latest_checkpoint(output_dir) : "";
  if (resume == "latest" || resume == "true") {
    const std::string latest = latest_checkpoint(output_dir);
    if (latest.empty()) fail("resume_from_checkpoint", "no complete checkpoint-N directory in '" + output_dir + "'");
    return latest;
  }
  if (!is_dir(resume)) fail("resume_from_checkpoint", "'" + resume + "' is not a directory");
  if (!is_complete_checkpoint(resume))
    fail("resume_from_checkpoint",
         "'" + resume + "' is not a complete checkpoint (no " + std::string(kCheckpointCompleteMarker) + " marker)");
  return resume;
}

}  // namespace earlybert
