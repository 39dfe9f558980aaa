// Communicator — the processes of one training run, and the collectives the trainer needs between them.
//
// Data-parallel training (one process per device, launched by torchrun) runs the same loop on every
// rank; the ranks agree through this interface and nothing else. The trainer is given a Communicator
// (it never reads RANK/WORLD_SIZE itself): a single process uses SingleProcessCommunicator, where
// every collective is the identity; Gloo (CPU) and NCCL (CUDA) implementations wrap LibTorch's c10d
// process groups (distributed/launch.h builds one from torchrun's environment). Every c10d call
// stays in src/distributed/c10d/: its C++ API moves between LibTorch versions.
//
// Semantics, as torch.distributed's:
//   broadcast       tensors of `root` are copied into the same tensors of every other rank (in place)
//   all_reduce      element-wise sum (or max/min) over the ranks, result in place on every rank
//   all_reduce_async  the same, started now and finished by PendingCollective::wait(): gradients are
//                   reduced in buckets while the backward pass is still running
//   barrier         returns on every rank once all ranks have entered it
// Collectives run with a timeout; a rank that died or hangs makes the others fail with an Error that
// says so, instead of hanging the job.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace earlybert {

enum class ReduceOp { Sum, Max, Min };

/// A collective that was started and is not yet known to be finished.
class PendingCollective {
 public:
  virtual ~PendingCollective() = default;
  /// Blocks until the collective finished (its tensors then hold the result); Error on failure or timeout.
  virtual void wait() = 0;
};

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  /// Rank among the processes of this machine (picks the GPU: cuda:local_rank).
  virtual int local_rank() const = 0;
  /// "single", "gloo", "nccl".
  virtual std::string backend() const = 0;
  /// Where this backend's tensors live: CPU for single and gloo, cuda:local_rank for nccl. The
  /// conveniences below stage their scalars and bytes there.
  virtual at::Device device() const = 0;
  bool is_main() const { return rank() == 0; }

  /// Copies `root`'s tensors into every rank's tensors of the same shapes (in place).
  virtual void broadcast(std::vector<at::Tensor>& tensors, int root = 0) = 0;
  /// Element-wise reduction over the ranks, in place on every rank.
  virtual void all_reduce(std::vector<at::Tensor>& tensors, ReduceOp op = ReduceOp::Sum) = 0;
  /// all_reduce of one tensor, started now; the returned handle finishes it.
  virtual std::unique_ptr<PendingCollective> all_reduce_async(at::Tensor tensor, ReduceOp op = ReduceOp::Sum) = 0;
  virtual void barrier() = 0;

  // --- conveniences built on the collectives above (the same on every backend) ---

  /// A scalar reduced over the ranks (logged losses, metric sums, stop flags).
  double all_reduce_scalar(double value, ReduceOp op = ReduceOp::Sum);
  /// `root`'s text on every rank (a drawn ticket's plan, a resolved checkpoint path).
  std::string broadcast_string(const std::string& text, int root = 0);
};

/// One process, no peers: collectives are the identity, barrier returns at once.
class SingleProcessCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int world_size() const override { return 1; }
  int local_rank() const override { return 0; }
  std::string backend() const override { return "single"; }
  at::Device device() const override { return at::Device(at::kCPU); }
  void broadcast(std::vector<at::Tensor>& tensors, int root = 0) override;
  void all_reduce(std::vector<at::Tensor>& tensors, ReduceOp op = ReduceOp::Sum) override;
  std::unique_ptr<PendingCollective> all_reduce_async(at::Tensor tensor, ReduceOp op = ReduceOp::Sum) override;
  void barrier() override {}
};

}  // namespace earlybert
