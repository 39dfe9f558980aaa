// GradientReducer — data parallelism as PyTorch's DistributedDataParallel does it, for the trainer.
//
// Every rank holds a replica of the model and runs the same step on its own shard of the batch; after
// backward each gradient must be the mean over the ranks, which makes the update the same as one
// process over the whole (global) batch, and the replicas stay identical. Like DDP:
//   - construction copies rank 0's parameter values to every rank;
//   - gradients are reduced in flat buckets of about 25 MiB (bucket_cap_bytes), filled in reverse
//     registration order (roughly the order backward produces them); a post-hook on each parameter's
//     gradient accumulator copies the gradient into its bucket as soon as it has been accumulated, and
//     a bucket's all-reduce starts as soon as all its gradients are in, while backward is still
//     computing the earlier layers' (buckets start in index order on every rank, so the ranks' collectives
//     always match);
//   - finish(), once per optimizer step before clipping, waits for the buckets and writes the mean back
//     into each parameter's .grad();
//   - set_sync(false) for the non-final micro-batches of gradient accumulation (DDP's no_sync): the
//     hooks then do nothing and gradients accumulate locally in .grad; the final micro-batch with
//     sync on reduces the accumulated sum;
//   - a parameter whose hook did not fire (not used in this step's graph on this rank) contributes its
//     .grad as it is, or zeros when it has none (DDP's find_unused_parameters), so every rank launches
//     the same collectives and none waits forever. A parameter without a gradient on every rank keeps
//     no gradient (as in one process; optimizers skip it);
//   - rebuild() after the model's shapes changed (physical pruning): new buckets, new hooks.
// The buckets are summed over the ranks and divided by the world size while being copied back into
// .grad (one pass), so the result is the mean, bit for bit what a plain all-reduce and a division give.
//
//   GradientReducer reducer(comm, params);              // after building (and loading) the model
//   for micro-batch k of K:  reducer.set_sync(k == K - 1);  loss_k.backward();
//   reducer.finish();  clip;  optimizer step;  zero grads
//
// Rules: every backward with sync on must be followed by finish() before the next backward (a second
// gradient for a parameter before finish() is an Error); no other collective on the communicator
// between that backward and finish() (the ranks may have different numbers of buckets in flight, and
// collectives pair up in the order they were issued); the parameters must stay the same tensor objects
// until rebuild() — the reducer holds them, so a tensor swapped into the model in place of one is not
// reduced (load weights into them with copy_, or call rebuild()).
// The communicator must outlive the reducer.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "earlybert/distributed/communicator.h"

namespace earlybert {

struct GradientReducerOptions {
  /// Bucket size (DDP's bucket_cap_mb = 25). Larger: fewer collectives; smaller: earlier overlap.
  int64_t bucket_cap_bytes = int64_t{25} << 20;
};

class GradientReducer {
 public:
  /// `parameters` in registration order (Module::parameters()); those with requires_grad are reduced,
  /// all of them are broadcast from rank 0. Error when the ranks' parameter lists differ.
  GradientReducer(Communicator& comm, std::vector<at::Tensor> parameters, GradientReducerOptions options = {});
  ~GradientReducer();
  GradientReducer(const GradientReducer&) = delete;
  GradientReducer& operator=(const GradientReducer&) = delete;

  /// Copies `root`'s parameter values to every rank (the constructor does it from rank 0).
  void broadcast_parameters(int root = 0);

  /// Off: backward hooks do nothing (gradient-accumulation micro-batches). On by default.
  void set_sync(bool sync);
  bool sync() const { return sync_; }

  /// Reduces every gradient (waiting for the buckets the hooks started, starting the rest) and writes
  /// the mean over the ranks into each parameter's .grad(). Once per optimizer step, before clipping.
  void finish();

  /// New parameters (after the model's shapes changed, the same on every rank): buckets and hooks are
  /// rebuilt; values are not broadcast (every rank pruned the same replica the same way). Error in the
  /// middle of a step (hooks fired, finish() not yet called) or when the ranks' new lists differ.
  void rebuild(std::vector<at::Tensor> parameters);

  /// Buckets, each a list of indices into the parameters given (reverse registration order).
  std::vector<std::vector<size_t>> buckets() const;

  /// Counts since construction: buckets whose all-reduce a backward hook started (overlapping the
  /// backward pass), and buckets finish() had to start itself.
  struct Stats {
    int64_t started_by_hooks = 0;
    int64_t started_by_finish = 0;
  };
  Stats stats() const { return stats_; }

 private:
  struct Slot;
  struct Bucket;
  class ReadyHook;

  void build(std::vector<at::Tensor> parameters);
  void remove_hooks();
  void check_same_layout_on_all_ranks() const;
  void on_gradient_ready(size_t slot);
  void fill_slot(Slot& slot);
  void start_ready_buckets(bool by_hook);

  Communicator& comm_;
  GradientReducerOptions options_;
  std::vector<at::Tensor> parameters_;
  std::vector<Slot> slots_;
  std::vector<Bucket> buckets_;
  size_t next_bucket_ = 0;  // buckets start in index order: [0, next_bucket_) have started
  bool sync_ = true;
  bool in_step_ = false;  // a hook fired since the last finish()
  Stats stats_;
  std::mutex mutex_;  // hooks may run on autograd's device threads
};

}  // namespace earlybert
