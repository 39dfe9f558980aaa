// Collectives over a c10d process group, shared by the Gloo and NCCL communicators — see c10d_group.h.
#include "distributed/c10d/c10d_group.h"

#include <ATen/Functions.h>
#include <ATen/core/grad_mode.h>
#include <c10/util/Exception.h>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <atomic>
#include <map>

#include "earlybert/base/error.h"

namespace earlybert::c10d_detail {
namespace {

/// A list of tensors is reduced as flat buffers of at most this size (a larger tensor gets its own).
constexpr int64_t kFlatCapBytes = int64_t{64} << 20;

c10d::ReduceOp to_c10d(ReduceOp op) {
  switch (op) {
    case ReduceOp::Max:
      return c10d::ReduceOp::MAX;
    case ReduceOp::Min:
      return c10d::ReduceOp::MIN;
    case ReduceOp::Sum:
      break;
  }
  return c10d::ReduceOp::SUM;
}

/// The tensors' indices grouped into packs: one dtype each, in list order, at most kFlatCapBytes (a
/// larger tensor alone). The same list gives the same packs on every rank, so the collectives match.
std::vector<std::vector<size_t>> plan_packs(const std::vector<at::Tensor>& tensors) {
  std::vector<std::vector<size_t>> packs;
  std::vector<int64_t> bytes;
  std::map<at::ScalarType, size_t> open;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const at::Tensor& t = tensors[i];
    if (!t.defined() || t.numel() == 0) continue;
    const int64_t n = static_cast<int64_t>(t.numel() * t.element_size());
    auto it = open.find(t.scalar_type());
    if (it == open.end() || bytes[it->second] + n > kFlatCapBytes) {
      open[t.scalar_type()] = packs.size();
      packs.emplace_back();
      bytes.push_back(0);
      it = open.find(t.scalar_type());
    }
    packs[it->second].push_back(i);
    bytes[it->second] += n;
  }
  return packs;
}

class C10dPending final : public PendingCollective {
 public:
  C10dPending(const C10dGroup& group, c10::intrusive_ptr<c10d::Work> work, at::Tensor buffer, at::Tensor target)
      : group_(group), work_(std::move(work)), buffer_(std::move(buffer)), target_(std::move(target)) {}

  void wait() override {
    if (!work_) return;
    auto work = std::move(work_);
    group_.wait(work, "all_reduce");
    if (target_.defined()) {
      at::NoGradGuard no_grad;
      target_.copy_(buffer_.view(target_.sizes()));
    }
  }

 private:
  const C10dGroup& group_;
  c10::intrusive_ptr<c10d::Work> work_;
  at::Tensor buffer_;  // what the collective reduces (kept alive until it finished)
  at::Tensor target_;  // where the result goes when buffer_ is a staged copy
};

}  // namespace

std::string seconds(std::chrono::milliseconds t) {
  const double s = static_cast<double>(t.count()) / 1000.0;
  std::string text = std::to_string(s);
  text.erase(text.find_last_not_of('0') + 1);
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text + " s";
}

std::string first_line(const std::exception& e) {
  const auto* c10_error = dynamic_cast<const c10::Error*>(&e);
  std::string text = c10_error ? c10_error->what_without_backtrace() : e.what();
  const auto newline = text.find('\n');
  if (newline != std::string::npos) text.resize(newline);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.pop_back();
  return text.empty() ? "unknown error" : text;
}

c10::intrusive_ptr<c10d::Store> connect_store(const LaunchEnvironment& env, std::chrono::milliseconds timeout,
                                              const std::string& backend) {
  // Process groups built one after another in a process get separate key spaces in the store.
  static std::atomic<int> groups_built{0};
  const int group = groups_built++;
  const std::string where = "rendezvous at MASTER_ADDR:MASTER_PORT " + env.master_addr + ":" +
                            std::to_string(env.master_port) + " (rank " + std::to_string(env.rank) + " of " +
                            std::to_string(env.world_size) + ")";
  try {
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(env.master_port);
    options.numWorkers = static_cast<std::size_t>(env.world_size);
    options.waitWorkers = true;
    options.timeout = timeout;
    c10::intrusive_ptr<c10d::Store> store;
    if (env.use_agent_store) {
      // torchrun's agent hosts the store; its workers use the key prefix of the current restart (as
      // torch.distributed.rendezvous does).
      options.isServer = false;
      store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, options);
      store = c10::make_intrusive<c10d::PrefixStore>("/worker/attempt_" + std::to_string(env.restart_count), store);
    } else {
      options.isServer = env.rank == 0;
      options.multiTenant = true;
      store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, options);
    }
    return c10::make_intrusive<c10d::PrefixStore>("earlybert/" + backend + "/" + std::to_string(group), store);
  } catch (const std::exception& e) {
    fail(where, "no rendezvous within the " + seconds(timeout) + " timeout: " + first_line(e));
  }
}

C10dGroup::C10dGroup(c10::intrusive_ptr<GroupBase> group, std::string backend, int rank, int world_size,
                     at::Device device, std::chrono::milliseconds timeout)
    : group_(std::move(group)),
      backend_(std::move(backend)),
      rank_(rank),
      world_size_(world_size),
      device_(device),
      timeout_(timeout) {}

void C10dGroup::fail_collective(const std::string& what, const std::exception& e) const {
  fail(backend_ + " " + what + " (rank " + std::to_string(rank_) + " of " + std::to_string(world_size_) + ")",
       "failed: " + first_line(e) + " (another rank died, stopped answering within the " + seconds(timeout_) +
           " timeout, or called a different collective)");
}

void C10dGroup::wait(const c10::intrusive_ptr<c10d::Work>& work, const std::string& what) const {
  bool finished = false;
  try {
    finished = work->wait(timeout_);
  } catch (const std::exception& e) {
    fail_collective(what, e);
  }
  if (!finished) fail_collective(what, std::runtime_error("timed out"));
}

void C10dGroup::broadcast(std::vector<at::Tensor>& tensors, int root) {
  if (root < 0 || root >= world_size_)
    fail(backend_ + " broadcast", "root " + std::to_string(root) + " is not a rank of " + std::to_string(world_size_));
  at::NoGradGuard no_grad;
  for (const auto& pack : plan_packs(tensors)) {
    const at::Tensor& first = tensors[pack.front()];
    const bool in_place = pack.size() == 1 && first.device() == device_ && first.is_contiguous();
    std::vector<at::Tensor> buffer;
    if (in_place) {
      buffer = {first};
    } else {
      std::vector<at::Tensor> flat;
      for (size_t i : pack) flat.push_back(tensors[i].reshape({-1}).to(device_));
      buffer = {at::cat(flat)};
    }
    c10d::BroadcastOptions options;
    options.rootRank = root;
    options.timeout = timeout_;
    c10::intrusive_ptr<c10d::Work> work;
    try {
      work = group_->broadcast(buffer, options);
    } catch (const std::exception& e) {
      fail_collective("broadcast", e);
    }
    wait(work, "broadcast");
    if (in_place) continue;
    int64_t offset = 0;
    for (size_t i : pack) {
      at::Tensor& t = tensors[i];
      t.copy_(buffer[0].narrow(0, offset, t.numel()).view(t.sizes()));
      offset += t.numel();
    }
  }
}

void C10dGroup::all_reduce(std::vector<at::Tensor>& tensors, ReduceOp op) {
  at::NoGradGuard no_grad;
  for (const auto& pack : plan_packs(tensors)) {
    const at::Tensor& first = tensors[pack.front()];
    if (pack.size() == 1) {
      all_reduce_async(first, op)->wait();
      continue;
    }
    std::vector<at::Tensor> flat;
    for (size_t i : pack) flat.push_back(tensors[i].reshape({-1}).to(device_));
    at::Tensor buffer = at::cat(flat);
    all_reduce_async(buffer, op)->wait();
    int64_t offset = 0;
    for (size_t i : pack) {
      at::Tensor& t = tensors[i];
      t.copy_(buffer.narrow(0, offset, t.numel()).view(t.sizes()));
      offset += t.numel();
    }
  }
}

std::unique_ptr<PendingCollective> C10dGroup::all_reduce_async(at::Tensor tensor, ReduceOp op) {
  at::NoGradGuard no_grad;
  at::Tensor target;
  if (!tensor.defined()) fail(backend_ + " all_reduce", "undefined tensor");
  if (tensor.device() != device_ || !tensor.is_contiguous()) {
    target = tensor;
    tensor = tensor.to(device_).contiguous().clone();
  }
  c10d::AllreduceOptions options;
  options.reduceOp = to_c10d(op);
  options.timeout = timeout_;
  std::vector<at::Tensor> buffer = {tensor};
  c10::intrusive_ptr<c10d::Work> work;
  try {
    work = group_->allreduce(buffer, options);
  } catch (const std::exception& e) {
    fail_collective("all_reduce", e);
  }
  return std::make_unique<C10dPending>(*this, std::move(work), std::move(tensor), std::move(target));
}

void C10dGroup::barrier() {
  c10d::BarrierOptions options;
  options.timeout = timeout_;
  if (device_.is_cuda()) options.device_ids = {device_.index()};
  c10::intrusive_ptr<c10d::Work> work;
  try {
    work = group_->barrier(options);
  } catch (const std::exception& e) {
    fail_collective("barrier", e);
  }
  wait(work, "barrier");
}

}  // namespace earlybert::c10d_detail
