// NcclCommunicator: c10d's ProcessGroupNCCL behind the Communicator interface — see
// include/earlybert/distributed/nccl_communicator.h. Compiled only in CUDA builds with c10d NCCL
// (cmake/EarlybertDistributed.cmake).
//
// ProcessGroupNCCL.hpp compiles only with USE_C10D_NCCL defined (pip's torch_cuda target defines it;
// defined here too so that the file does not depend on that).
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL
#endif
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>

#include <cstdlib>
#include <optional>

#include "distributed/c10d/c10d_group.h"
#include "earlybert/base/error.h"
#include "earlybert/distributed/nccl_communicator.h"

namespace earlybert {

using c10d_detail::C10dGroup;
using c10d_detail::first_line;

struct NcclCommunicator::Impl {
  std::optional<C10dGroup> group;
  int local_rank = 0;
};

namespace {

// c10d enforces NCCL timeouts in its watchdog thread, and only with async error handling on: then a
// collective that does not finish within the timeout (a peer died) aborts the communicators and
// ends the process with c10d's timeout message instead of hanging in a kernel. The variable was
// renamed in LibTorch 2.2.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 2)
constexpr const char* kAsyncErrorHandling = "TORCH_NCCL_ASYNC_ERROR_HANDLING";
#else
constexpr const char* kAsyncErrorHandling = "NCCL_ASYNC_ERROR_HANDLING";
#endif

}  // namespace

NcclCommunicator::NcclCommunicator(const LaunchEnvironment& env, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  const int devices = static_cast<int>(c10::cuda::device_count());
  if (env.local_rank >= devices)
    fail("environment variable LOCAL_RANK", std::to_string(env.local_rank) + " has no GPU: this machine has " +
                                                std::to_string(devices) +
                                                " CUDA device(s), and nccl uses one GPU per local rank "
                                                "(start at most that many processes per machine)");
  c10::cuda::set_device(static_cast<c10::DeviceIndex>(env.local_rank));
  ::setenv(kAsyncErrorHandling, "1", /*overwrite=*/0);

  auto store = c10d_detail::connect_store(env, timeout, "nccl");
  auto options = c10d::ProcessGroupNCCL::Options::create();
  options->timeout = timeout;
  c10::intrusive_ptr<c10d::ProcessGroupNCCL> group;
  try {
    group = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, env.rank, env.world_size, options);
  } catch (const std::exception& e) {
    fail("nccl process group (rank " + std::to_string(env.rank) + " of " + std::to_string(env.world_size) + ")",
         "could not be created: " + first_line(e));
  }
  const at::Device device(at::kCUDA, static_cast<c10::DeviceIndex>(env.local_rank));
  impl_->group.emplace(std::move(group), "nccl", env.rank, env.world_size, device, timeout);
  impl_->local_rank = env.local_rank;
}

NcclCommunicator::~NcclCommunicator() = default;

int NcclCommunicator::rank() const { return impl_->group->rank(); }
int NcclCommunicator::world_size() const { return impl_->group->world_size(); }
int NcclCommunicator::local_rank() const { return impl_->local_rank; }
at::Device NcclCommunicator::device() const { return impl_->group->device(); }

void NcclCommunicator::broadcast(std::vector<at::Tensor>& tensors, int root) { impl_->group->broadcast(tensors, root); }

void NcclCommunicator::all_reduce(std::vector<at::Tensor>& tensors, ReduceOp op) {
  impl_->group->all_reduce(tensors, op);
}

std::unique_ptr<PendingCollective> NcclCommunicator::all_reduce_async(at::Tensor tensor, ReduceOp op) {
  return impl_->group->all_reduce_async(std::move(tensor), op);
}

void NcclCommunicator::barrier() { impl_->group->barrier(); }

}  // namespace earlybert
