// Checkpoint directories: naming, atomic completion, finding the latest, rotation.
//
// A checkpoint is output_dir/checkpoint-<step>/ (Hugging Face's layout). It is written into a temporary
// sibling directory (".checkpoint-<step>.tmp.<pid>"), the completion marker file "COMPLETE" is written
// last, and the directory is then renamed into place (commit_directory), so that checkpoint-<step>
// either is complete or does not exist: a run killed while saving leaves at most a temporary directory,
// which remove_incomplete_checkpoints() clears and nothing ever resumes from. In multi-process training
// only rank 0 writes the directory (after a barrier, when other ranks contribute files).
//
// Rotation (save_total_limit = N > 0) keeps the N newest complete checkpoints and never deletes the
// newest one nor the `keep` checkpoint (the best model), as Hugging Face does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace earlybert {

/// The completion marker written last into every checkpoint directory.
inline constexpr const char* kCheckpointCompleteMarker = "COMPLETE";

/// "checkpoint-<step>".
std::string checkpoint_name(int64_t step);

/// The step of a directory name "checkpoint-<digits>" (any parent path allowed); nullopt otherwise.
std::optional<int64_t> checkpoint_step(const std::string& name_or_path);

/// True when `dir` is a directory holding the completion marker.
bool is_complete_checkpoint(const std::string& dir);

struct CheckpointEntry {
  int64_t step;
  std::string path;
  bool complete;
};

/// checkpoint-N directories directly under output_dir, sorted by step (complete or not).
std::vector<CheckpointEntry> list_checkpoints(const std::string& output_dir);

/// Path of the newest complete checkpoint under output_dir; empty when there is none.
std::string latest_checkpoint(const std::string& output_dir);

/// Creates a fresh, empty temporary directory for the checkpoint of `step` and returns its path.
std::string begin_checkpoint(const std::string& output_dir, int64_t step);

/// Writes the completion marker into `tmp_dir` and renames it to output_dir/checkpoint-<step>
/// (replacing an existing one). Returns the final path.
std::string finish_checkpoint(const std::string& tmp_dir, const std::string& output_dir, int64_t step);

/// Deletes the oldest complete checkpoints beyond `save_total_limit` (0 = no limit), never the newest
/// and never `keep` (a checkpoint path, may be empty). Returns the deleted paths.
std::vector<std::string> rotate_checkpoints(const std::string& output_dir, int64_t save_total_limit,
                                            const std::string& keep = "");

/// Removes temporary checkpoint directories and checkpoint-N directories without the marker (left by
/// a killed run). Returns the removed paths.
std::vector<std::string> remove_incomplete_checkpoints(const std::string& output_dir);

/// What resume_from_checkpoint names: "" → "" (no resume); "latest" (or "true") → the newest complete
/// checkpoint in output_dir (Error naming the key when there is none); "auto" → the newest complete
/// checkpoint when there is one, else "" (start fresh: the same command line serves the first start and
/// every restart of a preemptible job); a path → that directory, which must be a complete checkpoint
/// (Error naming the key and the path otherwise).
std::string resolve_resume_checkpoint(const std::string& resume_from_checkpoint, const std::string& output_dir);

}  // namespace earlybert
