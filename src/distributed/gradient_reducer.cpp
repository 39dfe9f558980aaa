// Bucketed, hook-driven gradient all-reduce — see include/earlybert/distributed/gradient_reducer.h.
#include "earlybert/distributed/gradient_reducer.h"

#include <ATen/Functions.h>
#include <ATen/core/grad_mode.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>

#include <map>
#include <unordered_set>

#include "earlybert/base/error.h"

namespace earlybert {

/// One reduced parameter: where its gradient lives in its bucket, and the hook that fills it.
struct GradientReducer::Slot {
  size_t parameter = 0;  // index into the parameters given
  size_t bucket = 0;
  int64_t offset = 0;  // in elements, into the bucket's buffer
  int64_t numel = 0;
  bool ready = false;  // filled since the last finish()
  // The gradient accumulator is held weakly by its tensor: keeping it here keeps the hook attached
  // (as DDP does); a recreated accumulator would have no hook.
  std::shared_ptr<torch::autograd::Node> accumulator;
  uintptr_t hook_key = 0;
};

struct GradientReducer::Bucket {
  at::Tensor buffer;          // flat, on the communicator's device
  std::vector<size_t> slots;  // in fill order
  size_t missing = 0;         // slots not yet ready
  std::unique_ptr<PendingCollective> work;
};

/// Runs after AccumulateGrad has written the parameter's .grad for this backward.
class GradientReducer::ReadyHook final : public torch::autograd::FunctionPostHook {
 public:
  ReadyHook(GradientReducer* reducer, size_t slot) : reducer_(reducer), slot_(slot) {}
  torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs,
                                            const torch::autograd::variable_list& /*inputs*/) override {
    reducer_->on_gradient_ready(slot_);
    return outputs;
  }

 private:
  GradientReducer* reducer_;
  size_t slot_;
};

GradientReducer::GradientReducer(Communicator& comm, std::vector<at::Tensor> parameters, GradientReducerOptions options)
    : comm_(comm), options_(options) {
  if (options_.bucket_cap_bytes <= 0) fail("GradientReducer", "bucket_cap_bytes must be positive");
  build(std::move(parameters));
  broadcast_parameters(0);
}

GradientReducer::~GradientReducer() { remove_hooks(); }

void GradientReducer::broadcast_parameters(int root) {
  if (comm_.world_size() == 1) return;
  std::vector<at::Tensor> values;
  for (const auto& p : parameters_) values.push_back(p);
  comm_.broadcast(values, root);
}

void GradientReducer::set_sync(bool sync) {
  std::lock_guard<std::mutex> lock(mutex_);
  sync_ = sync;
}

void GradientReducer::build(std::vector<at::Tensor> parameters) {
  parameters_ = std::move(parameters);
  slots_.clear();
  buckets_.clear();
  next_bucket_ = 0;
  in_step_ = false;
  // Reverse registration order, one open bucket per dtype; a tied parameter (the same tensor twice)
  // is reduced once.
  std::unordered_set<const void*> seen;
  std::map<at::ScalarType, size_t> open;
  std::vector<int64_t> bucket_bytes;
  for (size_t i = parameters_.size(); i-- > 0;) {
    const at::Tensor& p = parameters_[i];
    if (!p.defined()) fail("GradientReducer", "parameter " + std::to_string(i) + " is undefined");
    if (!p.requires_grad() || !seen.insert(p.unsafeGetTensorImpl()).second) continue;
    if (!p.is_leaf()) fail("GradientReducer", "parameter " + std::to_string(i) + " is not a leaf tensor");
    const int64_t bytes = static_cast<int64_t>(p.numel() * p.element_size());
    auto it = open.find(p.scalar_type());
    if (it == open.end() ||
        (bucket_bytes[it->second] > 0 && bucket_bytes[it->second] + bytes > options_.bucket_cap_bytes)) {
      open[p.scalar_type()] = buckets_.size();
      buckets_.emplace_back();
      bucket_bytes.push_back(0);
      it = open.find(p.scalar_type());
    }
    Slot slot;
    slot.parameter = i;
    slot.bucket = it->second;
    slot.offset = bucket_bytes[it->second] / static_cast<int64_t>(p.element_size());
    slot.numel = p.numel();
    bucket_bytes[it->second] += bytes;
    buckets_[it->second].slots.push_back(slots_.size());
    slots_.push_back(std::move(slot));
  }
  if (comm_.world_size() == 1) return;  // one process: no buffers, no hooks, finish() is the identity
  for (size_t b = 0; b < buckets_.size(); ++b) {
    Bucket& bucket = buckets_[b];
    const at::Tensor& first = parameters_[slots_[bucket.slots.front()].parameter];
    const int64_t numel = bucket_bytes[b] / static_cast<int64_t>(first.element_size());
    bucket.buffer = at::zeros({numel}, at::TensorOptions().dtype(first.scalar_type()).device(comm_.device()));
    bucket.missing = bucket.slots.size();
  }
  check_same_layout_on_all_ranks();
  for (size_t s = 0; s < slots_.size(); ++s) {
    Slot& slot = slots_[s];
    slot.accumulator = torch::autograd::impl::grad_accumulator(parameters_[slot.parameter]);
    slot.hook_key = slot.accumulator->add_post_hook(std::make_unique<ReadyHook>(this, s));
  }
}

void GradientReducer::remove_hooks() {
  for (Slot& slot : slots_) {
    if (slot.accumulator) slot.accumulator->del_post_hook(slot.hook_key);
    slot.accumulator.reset();
  }
}

void GradientReducer::check_same_layout_on_all_ranks() const {
  // Counts and an FNV-1a hash of every reduced parameter's dtype and shape, compared by max == min.
  uint64_t hash = 1469598103934665603ull;
  auto mix = [&hash](int64_t v) {
    hash ^= static_cast<uint64_t>(v);
    hash *= 1099511628211ull;
  };
  int64_t elements = 0;
  for (const Slot& slot : slots_) {
    const at::Tensor& p = parameters_[slot.parameter];
    mix(static_cast<int64_t>(p.scalar_type()));
    for (int64_t d : p.sizes()) mix(d);
    elements += slot.numel;
  }
  const auto on = at::TensorOptions().dtype(at::kLong).device(comm_.device());
  at::Tensor local = at::tensor({static_cast<int64_t>(slots_.size()), elements, static_cast<int64_t>(hash >> 1)},
                                at::TensorOptions().dtype(at::kLong))
                         .to(on);
  std::vector<at::Tensor> high = {local.clone()}, low = {local.clone()};
  comm_.all_reduce(high, ReduceOp::Max);
  comm_.all_reduce(low, ReduceOp::Min);
  if (!at::equal(high[0], low[0]))
    fail("GradientReducer (rank " + std::to_string(comm_.rank()) + " of " + std::to_string(comm_.world_size()) + ")",
         "the ranks' models differ: this rank has " + std::to_string(slots_.size()) + " trainable parameters with " +
             std::to_string(elements) + " elements; every rank must build the same model and prune it the same way");
}

void GradientReducer::fill_slot(Slot& slot) {
  at::NoGradGuard no_grad;
  const at::Tensor& grad = parameters_[slot.parameter].grad();
  at::Tensor view = buckets_[slot.bucket].buffer.narrow(0, slot.offset, slot.numel);
  if (!grad.defined()) {
    view.zero_();
    return;
  }
  if (grad.is_sparse())
    fail("GradientReducer", "parameter " + std::to_string(slot.parameter) + " has a sparse gradient (not supported)");
  view.copy_(grad.reshape({-1}));
}

void GradientReducer::on_gradient_ready(size_t s) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!sync_) return;
  Slot& slot = slots_[s];
  if (slot.ready)
    fail("GradientReducer", "parameter " + std::to_string(slot.parameter) +
                                " got a second gradient before finish(): call finish() after every backward with "
                                "sync on, and set_sync(false) for gradient-accumulation micro-batches");
  in_step_ = true;
  fill_slot(slot);
  slot.ready = true;
  if (--buckets_[slot.bucket].missing == 0) start_ready_buckets(/*by_hook=*/true);
}

void GradientReducer::start_ready_buckets(bool by_hook) {
  // In index order only, so that every rank issues the same collectives in the same order even when
  // its gradients become ready in another order.
  while (next_bucket_ < buckets_.size() && buckets_[next_bucket_].missing == 0) {
    Bucket& bucket = buckets_[next_bucket_++];
    bucket.work = comm_.all_reduce_async(bucket.buffer, ReduceOp::Sum);
    ++(by_hook ? stats_.started_by_hooks : stats_.started_by_finish);
  }
}

void GradientReducer::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (comm_.world_size() == 1) return;
  // Which parameters have a gradient on some rank: those keep (or get) the mean; the others stay
  // without one, as in a single process.
  at::Tensor has_grad = at::zeros({static_cast<int64_t>(slots_.size())}, at::TensorOptions().dtype(at::kFloat));
  auto* flags = has_grad.data_ptr<float>();
  for (size_t s = 0; s < slots_.size(); ++s) {
    Slot& slot = slots_[s];
    flags[s] = (slot.ready || parameters_[slot.parameter].grad().defined()) ? 1.0f : 0.0f;
    if (slot.ready) continue;
    fill_slot(slot);
    slot.ready = true;
    --buckets_[slot.bucket].missing;
  }
  start_ready_buckets(/*by_hook=*/false);
  std::vector<at::Tensor> used = {has_grad.to(comm_.device())};
  comm_.all_reduce(used, ReduceOp::Sum);
  const at::Tensor used_cpu = used[0].to(at::kCPU);
  const auto* any = used_cpu.data_ptr<float>();
  for (Bucket& bucket : buckets_) {
    bucket.work->wait();
    bucket.work.reset();
  }
  at::NoGradGuard no_grad;
  const at::Tensor world = at::scalar_tensor(static_cast<double>(comm_.world_size()),
                                             at::TensorOptions().dtype(at::kDouble).device(comm_.device()));
  for (size_t s = 0; s < slots_.size(); ++s) {
    Slot& slot = slots_[s];
    slot.ready = false;
    if (any[s] == 0.0f) continue;
    at::Tensor& p = parameters_[slot.parameter];
    const at::Tensor sum = buckets_[slot.bucket].buffer.narrow(0, slot.offset, slot.numel).view(p.sizes());
    // The mean, written in the same pass that copies it out of the bucket.
    if (p.grad().defined() && p.grad().device() == sum.device())
      at::div_out(p.mutable_grad(), sum, world);
    else
      p.mutable_grad() = sum.div(world).to(p.device());
  }
  for (Bucket& bucket : buckets_) bucket.missing = bucket.slots.size();
  next_bucket_ = 0;
  in_step_ = false;
}

void GradientReducer::rebuild(std::vector<at::Tensor> parameters) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (in_step_)
    fail("GradientReducer::rebuild", "called in the middle of a step (gradients reduced, finish() not called)");
  remove_hooks();
  build(std::move(parameters));
}

std::vector<std::vector<size_t>> GradientReducer::buckets() const {
  std::vector<std::vector<size_t>> out;
  for (const Bucket& bucket : buckets_) {
    out.emplace_back();
    for (size_t s : bucket.slots) out.back().push_back(slots_[s].parameter);
  }
  return out;
}

}  // namespace earlybert
