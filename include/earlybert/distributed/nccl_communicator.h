// NcclCommunicator — the Communicator over LibTorch's c10d ProcessGroupNCCL: CUDA tensors, one GPU per
// process (cuda:LOCAL_RANK).
//
// For GPU data-parallel training. Compiled only when LibTorch has CUDA and c10d NCCL (pip LibTorch 2.x
// on a GPU machine); elsewhere comm_backend_available(CommBackend::Nccl) is false and asking for nccl
// is an Error. Collectives run on NCCL's own stream; PendingCollective::wait() makes the current
// stream wait for them (stream order, as torch.distributed's wait()), so later kernels see the result
// without blocking the host. The timeout is enforced by c10d's watchdog, which this communicator
// switches on (TORCH_NCCL_ASYNC_ERROR_HANDLING=1 unless set): a rank that died makes the others abort
// with c10d's timeout message after the timeout.
//
// Tensors not on cuda:LOCAL_RANK or not contiguous are staged through one there; a list of tensors is
// reduced as one flat buffer per dtype. Every c10d call stays in src/distributed/c10d/.
#pragma once

#include <chrono>
#include <memory>

#include "earlybert/distributed/communicator.h"
#include "earlybert/distributed/launch.h"

namespace earlybert {

class NcclCommunicator final : public Communicator {
 public:
  /// Selects cuda:env.local_rank and joins the process group described by `env`. Only in builds where
  /// comm_backend_available(CommBackend::Nccl).
  NcclCommunicator(const LaunchEnvironment& env, std::chrono::milliseconds timeout);
  ~NcclCommunicator() override;

  int rank() const override;
  int world_size() const override;
  int local_rank() const override;
  std::string backend() const override { return "nccl"; }
  at::Device device() const override;

  void broadcast(std::vector<at::Tensor>& tensors, int root = 0) override;
  void all_reduce(std::vector<at::Tensor>& tensors, ReduceOp op = ReduceOp::Sum) override;
  std::unique_ptr<PendingCollective> all_reduce_async(at::Tensor tensor, ReduceOp op = ReduceOp::Sum) override;
  void barrier() override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace earlybert
