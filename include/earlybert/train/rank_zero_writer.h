// RankZeroWriter — every file a run writes goes through here, so that only one process writes.
//
// In data-parallel training (one process per device, launched by torchrun) every rank runs the same
// loop; the outputs (config.yaml, metrics.jsonl, TensorBoard events, ticket.json, checkpoints,
// eval_results.json) must be written once. Code that writes asks this object instead of testing the
// rank itself: on rank 0 the calls write, on the other ranks they do nothing. Single-process runs use
// the defaults (rank 0 of 1).
//
// DistributedInfo::from_environment() reads torchrun's RANK, WORLD_SIZE and LOCAL_RANK.
#pragma once

#include <string>
#include <utility>

namespace earlybert {

struct DistributedInfo {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;

  /// From RANK / WORLD_SIZE / LOCAL_RANK (absent: a single process). Malformed or inconsistent values
  /// are errors naming the variable.
  static DistributedInfo from_environment();
};

class RankZeroWriter {
 public:
  explicit RankZeroWriter(std::string output_dir, int rank = 0, int world_size = 1);
  RankZeroWriter(std::string output_dir, const DistributedInfo& info)
      : RankZeroWriter(std::move(output_dir), info.rank, info.world_size) {}

  /// True on the process that writes (rank 0).
  bool is_main() const { return rank_ == 0; }
  int rank() const { return rank_; }
  int world_size() const { return world_size_; }
  const std::string& output_dir() const { return output_dir_; }

  /// `relative` joined to output_dir (an absolute path is returned as it is).
  std::string path(const std::string& relative) const;

  /// Creates output_dir/relative (rank 0 only).
  void make_directories(const std::string& relative = "") const;
  /// Writes output_dir/relative atomically (rank 0 only).
  void write_file(const std::string& relative, const std::string& bytes) const;
  /// Appends `line` + '\n' to output_dir/relative with one unbuffered write(2), so a reader
  /// never sees half a line (rank 0 only).
  void append_line(const std::string& relative, const std::string& line) const;

 private:
  std::string output_dir_;
  int rank_;
  int world_size_;
};

}  // namespace earlybert
