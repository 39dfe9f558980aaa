// GlooCommunicator — the Communicator over LibTorch's c10d ProcessGroupGloo: CPU tensors, TCP.
//
// For CPU data-parallel training (one process per core group, or per machine). The process group
// rendezvouses through a c10d TCPStore (rank 0 hosts it, or torchrun's agent does; see launch.h) and
// talks TCP on the loopback interface when MASTER_ADDR is a loopback address, else on the interface
// of this host's name (GLOO_SOCKET_IFNAME names interfaces explicitly, comma-separated, as in PyTorch).
//
// Tensors that are not contiguous CPU tensors are staged through one (a CUDA model can still reduce its
// gradients with gloo, at the cost of the copies). A list of tensors is reduced as one flat buffer per
// dtype, so a collective over many small tensors costs one round trip, not one per tensor. Every c10d
// call stays in src/distributed/c10d/; this header shows no c10d type.
#pragma once

#include <chrono>
#include <memory>

#include "earlybert/distributed/communicator.h"
#include "earlybert/distributed/launch.h"

namespace earlybert {

class GlooCommunicator final : public Communicator {
 public:
  /// Joins the process group described by `env` (blocks until all ranks joined, or Error after
  /// `timeout`). Only in builds where comm_backend_available(CommBackend::Gloo).
  GlooCommunicator(const LaunchEnvironment& env, std::chrono::milliseconds timeout);
  ~GlooCommunicator() override;

  int rank() const override;
  int world_size() const override;
  int local_rank() const override;
  std::string backend() const override { return "gloo"; }
  at::Device device() const override { return at::Device(at::kCPU); }

  void broadcast(std::vector<at::Tensor>& tensors, int root = 0) override;
  void all_reduce(std::vector<at::Tensor>& tensors, ReduceOp op = ReduceOp::Sum) override;
  std::unique_ptr<PendingCollective> all_reduce_async(at::Tensor tensor, ReduceOp op = ReduceOp::Sum) override;
  void barrier() override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace earlybert
