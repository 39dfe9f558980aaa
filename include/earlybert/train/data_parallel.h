// DataParallel — what the trainer does differently when it is one of several data-parallel ranks.
//
// torchrun starts one process per device; each runs the same Trainer loop over its own shard of the
// data, and the ranks agree through the Communicator (distributed/communicator.h). This object holds
// every place where that agreement happens, so that the trainer's loop only calls it at its seams
// (with one process every call is the identity and no collective is issued):
//
//   data         each rank reads every world_size-th entry of the epoch's permutation, starting at its
//                rank (the permutation padded by repeating its head, as PyTorch's DistributedSampler):
//                step k of all ranks together reads the same examples as step k of one process with a
//                world_size times larger batch; deterministic by (seed, epoch), the same after a resume
//   RNG          every rank has its own dropout stream (seed + rank), saved per rank in checkpoints
//   model        rank 0's parameters are broadcast whenever a model is attached (start, resume); the
//                gradients go through a GradientReducer (bucketed all-reduce started from backward
//                hooks, no sync on the non-final micro-batches of gradient accumulation), rebuilt when
//                the draw changes the shapes
//   logs         the logged loss is the mean over the ranks, the token count their sum
//   stop         a stop signal on any rank stops every rank at the same step
//   draw         EarlyBERT's draw is decided on rank 0: its ticket (plan JSON) is broadcast and every
//                rank prunes by it at the same step
//   checkpoints  rank 0 collects every rank's RNG state and writes; all ranks meet at a barrier before
//                the checkpoint's completion marker; the resumed checkpoint is resolved on rank 0
// Evaluation is sharded by run_evaluation (tasks/eval_loop.h) through the same communicator.
#pragma once

#include <c10/core/Device.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "earlybert/distributed/communicator.h"
#include "earlybert/distributed/gradient_reducer.h"
#include "earlybert/model/any_bert_model.h"
#include "earlybert/prune/early_bird_search.h"
#include "earlybert/train/trainer_state.h"

namespace earlybert {

/// Rank `rank`'s share of an epoch's permutation `order` (see the header comment); `order` itself for
/// one rank. Every rank gets ceil(n / world_size) entries.
std::vector<int64_t> rank_share_of_epoch(const std::vector<int64_t>& order, int rank, int world_size);

/// The seed of rank `rank`'s random stream (dropout) in a data-parallel run seeded with `seed`.
uint64_t rank_stream_seed(int64_t seed, int rank);

/// RngState as bytes and back (the checkpoint's per-rank states travel between ranks this way).
std::string pack_rng_state(const RngState& state);
RngState unpack_rng_state(const std::string& bytes, const std::string& where);

class DataParallel {
 public:
  explicit DataParallel(Communicator& comm, GradientReducerOptions reducer_options = {});
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  int rank() const { return comm_.rank(); }
  int world_size() const { return comm_.world_size(); }
  /// More than one rank: the calls below communicate.
  bool active() const { return comm_.world_size() > 1; }

  // --- setup ---
  /// The training device of this rank: cuda:local_rank when `resolved` is CUDA without an index and
  /// there are several ranks (one GPU per local rank); `resolved` otherwise.
  c10::Device rank_device(c10::Device resolved) const;
  /// Seeds LibTorch's generators with rank_stream_seed(seed, rank) (several ranks only): dropout differs
  /// between ranks, as in PyTorch's DDP, where each process has its own stream.
  void seed_rank_stream(int64_t seed) const;
  /// `resolve()` run on rank 0 and its answer on every rank (e.g. "latest" checkpoint).
  std::string decided_on_rank_zero(const std::function<std::string()>& resolve);

  // --- the model ---
  /// The model's parameters changed: a model not seen before is attached (rank 0's parameter values
  /// are broadcast, a new reducer is built); the same model with new shapes (the draw) gets its
  /// reducer rebuilt.
  void on_model_shapes_changed(AnyBertModel& model);
  /// Before the backward pass of a micro-batch: only the last one of an update synchronises.
  void before_backward(bool last_micro_batch);
  /// After the last backward of an update: every .grad is the mean over the ranks.
  void gradients_ready();
  /// Seconds spent waiting in gradients_ready() and reduce_step() so far: the communication the
  /// backward pass did not hide (the destructor logs it with the number of updates).
  double wait_seconds() const { return wait_seconds_; }

  // --- logs and control ---
  struct StepTotals {
    double loss = 0;     ///< mean over the ranks
    int64_t tokens = 0;  ///< sum over the ranks
  };
  StepTotals reduce_step(double loss, int64_t tokens);
  /// True on every rank when `flag` is true on any rank.
  bool any_rank(bool flag);

  // --- EarlyBERT ---
  /// Called on every rank after search.after_update() returned `local`: returns rank 0's decision. When
  /// rank 0 drew, its ticket is broadcast and every other rank's search adopts it (so prune() applies
  /// rank 0's plan). Error when this rank drew and rank 0 did not (the replicas diverged).
  DrawReason agree_on_draw(EarlyBirdSearch& search, DrawReason local, int64_t step);

  // --- checkpoints ---
  /// Every rank's RNG state in rank order, on rank 0 (collective; the other ranks get an empty list;
  /// one process: empty).
  std::vector<RngState> gather_rng_states(const RngState& mine);
  /// The state this rank restores from a checkpoint: its entry of `state.rank_rng` for several ranks,
  /// `state.rng` for one. Error naming `where` when the entry is missing.
  const RngState& rng_state_of_this_rank(const TrainerState& state, const std::string& where) const;
  /// Every rank waits here until all have arrived (before a checkpoint's completion marker).
  void barrier();

 private:
  Communicator& comm_;
  GradientReducerOptions reducer_options_;
  std::unique_ptr<GradientReducer> reducer_;
  const void* attached_ = nullptr;  // the module the reducer was built for
  double wait_seconds_ = 0;         // in gradients_ready() and reduce_step(): logged at the end
  int64_t updates_ = 0;
};

}  // namespace earlybert
