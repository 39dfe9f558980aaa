// Data-parallel training seams of the trainer — see include/earlybert/train/data_parallel.h.
#include "earlybert/train/data_parallel.h"

#include <ATen/Context.h>
#include <ATen/Functions.h>
#include <torch/nn/module.h>

#include <chrono>
#include <cstring>
#include <functional>

#include "earlybert/base/error.h"
#include "earlybert/base/log.h"
#include "earlybert/distributed/rank_shard.h"

namespace earlybert {

std::vector<int64_t> rank_share_of_epoch(const std::vector<int64_t>& order, int rank, int world_size) {
  if (world_size == 1 && rank == 0) return order;
  // The order is already the epoch's permutation: pad and stride it without shuffling again.
  return shard_indices(order, rank, world_size, /*seed=*/0, /*epoch=*/0, /*shuffle=*/false);
}

uint64_t rank_stream_seed(int64_t seed, int rank) { return static_cast<uint64_t>(seed) + static_cast<uint64_t>(rank); }

namespace {

void put_bytes(std::string& out, const std::string& bytes) {
  out += std::to_string(bytes.size());
  out += ':';
  out += bytes;
}

std::string take_bytes(const std::string& in, size_t& at, const std::string& where) {
  const size_t colon = in.find(':', at);
  if (colon == std::string::npos || colon == at) fail(where, "malformed RNG state");
  size_t n = 0;
  for (size_t i = at; i < colon; ++i) {
    if (in[i] < '0' || in[i] > '9') fail(where, "malformed RNG state");
    n = n * 10 + static_cast<size_t>(in[i] - '0');
  }
  if (colon + 1 + n > in.size()) fail(where, "truncated RNG state");
  at = colon + 1 + n;
  return in.substr(colon + 1, n);
}

}  // namespace

std::string pack_rng_state(const RngState& state) {
  std::string out;
  put_bytes(out, state.torch_cpu);
  put_bytes(out, std::to_string(state.torch_cuda.size()));
  for (const auto& s : state.torch_cuda) put_bytes(out, s);
  return out;
}

RngState unpack_rng_state(const std::string& bytes, const std::string& where) {
  RngState s;
  size_t at = 0;
  s.torch_cpu = take_bytes(bytes, at, where);
  const std::string count = take_bytes(bytes, at, where);
  size_t n = 0;
  for (char c : count) {
    if (c < '0' || c > '9') fail(where, "malformed RNG state");
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  for (size_t i = 0; i < n; ++i) s.torch_cuda.push_back(take_bytes(bytes, at, where));
  if (at != bytes.size()) fail(where, "trailing bytes after the RNG state");
  return s;
}

DataParallel::DataParallel(Communicator& comm, GradientReducerOptions reducer_options)
    : comm_(comm), reducer_options_(reducer_options) {}

DataParallel::~DataParallel() {
  if (updates_ > 0)
    logging::info(
        "data parallelism: {} updates on {} ranks; {:.2f} s waiting for gradients and step totals "
        "({:.1f} ms per update, not overlapped with backward)",
        updates_, world_size(), wait_seconds_, 1e3 * wait_seconds_ / static_cast<double>(updates_));
}

c10::Device DataParallel::rank_device(c10::Device resolved) const {
  if (!active() || !resolved.is_cuda() || resolved.has_index()) return resolved;
  return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(comm_.local_rank()));
}

void DataParallel::seed_rank_stream(int64_t seed) const {
  if (active()) at::manual_seed(rank_stream_seed(seed, rank()));
}

std::string DataParallel::decided_on_rank_zero(const std::function<std::string()>& resolve) {
  if (!active()) return resolve();
  const std::string mine = comm_.is_main() ? resolve() : std::string();
  return comm_.broadcast_string(mine, 0);
}

void DataParallel::on_model_shapes_changed(AnyBertModel& model) {
  if (!active()) return;
  const auto module = model.module();
  if (reducer_ && attached_ == module.get()) {
    // The draw pruned this replica exactly as every other one (rank 0's plan): new buckets, no broadcast.
    reducer_->rebuild(module->parameters());
    return;
  }
  // A model built or loaded by this rank: rank 0's values win, so the replicas start identical.
  reducer_.reset();
  reducer_ = std::make_unique<GradientReducer>(comm_, module->parameters(), reducer_options_);
  attached_ = module.get();
}

void DataParallel::before_backward(bool last_micro_batch) {
  if (reducer_) reducer_->set_sync(last_micro_batch);
}

void DataParallel::gradients_ready() {
  if (!reducer_) return;
  const auto t0 = std::chrono::steady_clock::now();
  reducer_->finish();
  wait_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  updates_ += 1;
}

DataParallel::StepTotals DataParallel::reduce_step(double loss, int64_t tokens) {
  if (!active()) return {loss, tokens};
  const auto t0 = std::chrono::steady_clock::now();
  // One collective for both numbers (token counts stay exact in a double far beyond any run's size).
  std::vector<at::Tensor> t = {
      at::tensor({loss, static_cast<double>(tokens)}, at::TensorOptions().dtype(at::kDouble)).to(comm_.device())};
  comm_.all_reduce(t, ReduceOp::Sum);
  const at::Tensor back = t[0].to(at::kCPU);
  const auto* p = back.data_ptr<double>();
  wait_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return {p[0] / static_cast<double>(world_size()), static_cast<int64_t>(p[1])};
}

bool DataParallel::any_rank(bool flag) {
  if (!active()) return flag;
  return comm_.all_reduce_scalar(flag ? 1.0 : 0.0, ReduceOp::Max) > 0.5;
}

DrawReason DataParallel::agree_on_draw(EarlyBirdSearch& search, DrawReason local, int64_t step) {
  if (!active()) return local;
  const bool drew_here = local != DrawReason::NotYet;
  // One scalar per check: did rank 0 draw? Only then does the ticket travel.
  const bool rank_zero_drew = comm_.all_reduce_scalar(comm_.is_main() && drew_here ? 1.0 : 0.0, ReduceOp::Max) > 0.5;
  if (!rank_zero_drew) {
    if (drew_here)
      fail("data parallelism", "rank " + std::to_string(rank()) + " drew the ticket at step " + std::to_string(step) +
                                   " but rank 0 did not: the replicas' slimming coefficients diverged");
    return DrawReason::NotYet;
  }
  const std::string text = comm_.broadcast_string(comm_.is_main() ? search.ticket().to_json() : std::string(), 0);
  if (!comm_.is_main()) {
    Ticket ticket = Ticket::from_json(text, "the ticket broadcast by rank 0 at step " + std::to_string(step));
    if (drew_here && !(ticket.plan == search.ticket().plan))
      logging::warn("rank {}: the ticket drawn here at step {} differs from rank 0's; rank 0's plan is used", rank(),
                    step);
    search.restore(search.detector(), std::move(ticket));
  }
  const Ticket t = search.ticket();
  logging::info("rank {} of {}: ticket drawn at step {} by {}; plan {} heads, {} FFN neurons, digest {:016x}", rank(),
                world_size(), t.draw_step, to_string(t.reason), t.plan.kept_heads(), t.plan.kept_neurons(),
                static_cast<unsigned long long>(std::hash<std::string>{}(t.plan.to_json())));
  return t.reason;
}

std::vector<RngState> DataParallel::gather_rng_states(const RngState& mine) {
  if (!active()) return {};
  std::vector<RngState> all;
  const std::string packed = pack_rng_state(mine);
  for (int r = 0; r < world_size(); ++r) {
    const std::string text = comm_.broadcast_string(r == rank() ? packed : std::string(), r);
    if (comm_.is_main()) all.push_back(unpack_rng_state(text, "the RNG state of rank " + std::to_string(r)));
  }
  return all;
}

const RngState& DataParallel::rng_state_of_this_rank(const TrainerState& state, const std::string& where) const {
  if (!active()) return state.rng;
  if (state.rank_rng.size() != static_cast<size_t>(world_size()))
    fail(where, "has " + std::to_string(state.rank_rng.size()) + " per-rank RNG state(s); this run has " +
                    std::to_string(world_size()) + " ranks");
  return state.rank_rng[static_cast<size_t>(rank())];
}

void DataParallel::barrier() {
  if (active()) comm_.barrier();
}

}  // namespace earlybert
