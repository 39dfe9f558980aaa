// C10dGroup — the collectives of GlooCommunicator and NcclCommunicator, written once over c10d.
//
// Private to src/distributed/c10d/, the only place that includes c10d headers: their C++ API moves
// between LibTorch versions, and this is where the version #ifs live. Both backends share
//   - the rendezvous: a c10d TCPStore (rank 0 hosts it, or torchrun's agent does) under a prefix;
//   - the mapping of our collectives onto c10d's, whose tensor lists mean "one tensor per device" and
//     not "several tensors": a list is packed into flat buffers (one per dtype, at most 64 MiB each),
//     reduced, and unpacked; tensors not contiguous on the backend's device are staged through one;
//   - errors: every c10d failure (a peer that died, a timeout) becomes a one-line earlybert::Error that
//     names the backend, the collective and this rank.
// What differs (the process group's construction, its device) stays in each backend's file.
#pragma once

#include <torch/version.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/Store.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "earlybert/distributed/communicator.h"
#include "earlybert/distributed/launch.h"

// LibTorch 2.x split the process group into a dispatching ProcessGroup and per-device Backends;
// ProcessGroupGloo and ProcessGroupNCCL are Backends there and ProcessGroups in 1.13. Their collective
// methods (broadcast, allreduce, barrier → Work) have the same signatures in both.
#if TORCH_VERSION_MAJOR >= 2
#include <torch/csrc/distributed/c10d/Backend.hpp>
#else
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#endif

namespace earlybert::c10d_detail {

#if TORCH_VERSION_MAJOR >= 2
using GroupBase = c10d::Backend;
#else
using GroupBase = c10d::ProcessGroup;
#endif

/// The rendezvous store of `env`, under a prefix unique to this process group (so that a process may
/// build more than one communicator, in the same order on every rank). Error naming MASTER_ADDR:PORT
/// when it cannot be reached within `timeout`.
c10::intrusive_ptr<c10d::Store> connect_store(const LaunchEnvironment& env, std::chrono::milliseconds timeout,
                                              const std::string& backend);

/// "2.5 s": a timeout as the error messages say it.
std::string seconds(std::chrono::milliseconds t);

/// The one-line message of a c10d/gloo/NCCL exception (c10::Error carries a backtrace after it).
std::string first_line(const std::exception& e);

class C10dGroup {
 public:
  C10dGroup(c10::intrusive_ptr<GroupBase> group, std::string backend, int rank, int world_size, at::Device device,
            std::chrono::milliseconds timeout);

  int rank() const { return rank_; }
  int world_size() const { return world_size_; }
  const at::Device& device() const { return device_; }

  void broadcast(std::vector<at::Tensor>& tensors, int root);
  void all_reduce(std::vector<at::Tensor>& tensors, ReduceOp op);
  std::unique_ptr<PendingCollective> all_reduce_async(at::Tensor tensor, ReduceOp op);
  void barrier();

  /// Error("<backend> <what> (rank r of w): ...") for a failed collective.
  [[noreturn]] void fail_collective(const std::string& what, const std::exception& e) const;
  /// Waits for `work` (at most the timeout); failures go through fail_collective.
  void wait(const c10::intrusive_ptr<c10d::Work>& work, const std::string& what) const;

 private:
  c10::intrusive_ptr<GroupBase> group_;
  std::string backend_;
  int rank_;
  int world_size_;
  at::Device device_;
  std::chrono::milliseconds timeout_;
};

}  // namespace earlybert::c10d_detail
