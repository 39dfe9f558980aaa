// GlooCommunicator: c10d's ProcessGroupGloo behind the Communicator interface — see
// include/earlybert/distributed/gloo_communicator.h.
//
// ProcessGroupGloo.hpp compiles only with USE_C10D_GLOO defined (Debian's and pip's Torch CMake
// targets define it; defined here too so that the file does not depend on that).
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>

#include <cstdlib>
#include <optional>
#include <sstream>

#include "distributed/c10d/c10d_group.h"
#include "earlybert/base/error.h"
#include "earlybert/distributed/gloo_communicator.h"

namespace earlybert {

using c10d_detail::C10dGroup;
using c10d_detail::first_line;

struct GlooCommunicator::Impl {
  std::optional<C10dGroup> group;
  int local_rank = 0;
};

namespace {

bool is_loopback(const std::string& addr) { return addr == "localhost" || addr == "::1" || addr.rfind("127.", 0) == 0; }

/// The network devices gloo talks over: GLOO_SOCKET_IFNAME's interfaces when set (as in PyTorch), the
/// loopback interface when the rendezvous address is a loopback one (single machine: independent of
/// how this host's name resolves), else the interface this host's name resolves to.
std::vector<std::shared_ptr<::gloo::transport::Device>> gloo_devices(const LaunchEnvironment& env) {
  std::vector<std::shared_ptr<::gloo::transport::Device>> devices;
  const char* interfaces = std::getenv("GLOO_SOCKET_IFNAME");
  std::string where = "gloo network device";
  try {
    if (interfaces != nullptr && *interfaces != '\0') {
      where = "environment variable GLOO_SOCKET_IFNAME";
      std::stringstream list(interfaces);
      for (std::string name; std::getline(list, name, ',');)
        if (!name.empty()) devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(name));
    } else if (is_loopback(env.master_addr)) {
      devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    } else {
      devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    }
  } catch (const std::exception& e) {
    fail(where, first_line(e));
  }
  if (devices.empty()) fail(where, "names no interface");
  return devices;
}

}  // namespace

GlooCommunicator::GlooCommunicator(const LaunchEnvironment& env, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  auto store = c10d_detail::connect_store(env, timeout, "gloo");
  auto options = c10d::ProcessGroupGloo::Options::create(timeout);
  options->devices = gloo_devices(env);
  options->threads = 2;  // gloo's work threads (communication only): PyTorch's default for one device
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
  try {
    group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, env.rank, env.world_size, options);
  } catch (const std::exception& e) {
    fail("gloo process group (rank " + std::to_string(env.rank) + " of " + std::to_string(env.world_size) + ")",
         "could not connect to every other rank through the rendezvous at MASTER_ADDR:MASTER_PORT " + env.master_addr +
             ":" + std::to_string(env.master_port) + " within the " + c10d_detail::seconds(timeout) +
             " timeout: " + first_line(e));
  }
  impl_->group.emplace(std::move(group), "gloo", env.rank, env.world_size, at::Device(at::kCPU), timeout);
  impl_->local_rank = env.local_rank;
}

GlooCommunicator::~GlooCommunicator() = default;

int GlooCommunicator::rank() const { return impl_->group->rank(); }
int GlooCommunicator::world_size() const { return impl_->group->world_size(); }
int GlooCommunicator::local_rank() const { return impl_->local_rank; }

void GlooCommunicator::broadcast(std::vector<at::Tensor>& tensors, int root) { impl_->group->broadcast(tensors, root); }

void GlooCommunicator::all_reduce(std::vector<at::Tensor>& tensors, ReduceOp op) {
  impl_->group->all_reduce(tensors, op);
}

std::unique_ptr<PendingCollective> GlooCommunicator::all_reduce_async(at::Tensor tensor, ReduceOp op) {
  return impl_->group->all_reduce_async(std::move(tensor), op);
}

void GlooCommunicator::barrier() { impl_->group->barrier(); }

}  // namespace earlybert
