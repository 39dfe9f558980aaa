// earlybert_dist_worker — one rank of a multi-process test of the dist area.
//
// tests/distributed/test_gloo_ranks.cpp starts several of these with RANK, WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT (... ) set, as torchrun would (torchrun can start it too: see the usage below). Each
// scenario checks its results itself, against references computed in the same process without
// communication (the exact sum of known per-rank values, a plain all-reduce, one process over the
// whole batch), prints one line "check <name> ok" (or "check <name> FAIL <why>") per check, and
// exits 0 only when every check passed. An earlybert::Error ends the process with status 1 and the
// one-line message "error: <what>" on stderr.
//
//   earlybert_dist_worker collectives <dir>      broadcast, all_reduce, barrier, conveniences, gather
//   earlybert_dist_worker reducer <bucket bytes> GradientReducer vs plain all-reduce and one process
//   earlybert_dist_worker no_sync                gradient accumulation with set_sync(false)
//   earlybert_dist_worker rebuild                rebuild() after a shape change (pruning)
//   earlybert_dist_worker rebuild_mismatch       ranks that prune differently: Error on every rank
//   earlybert_dist_worker die | hang             rank 1 dies (SIGKILL) / stops answering mid-run
//   earlybert_dist_worker bench [iterations]     timing of a bert-small-sized gradient all-reduce
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "earlybert/base/error.h"
#include "earlybert/distributed/gather.h"
#include "earlybert/distributed/gradient_reducer.h"
#include "earlybert/distributed/launch.h"

namespace eb = earlybert;

namespace {

int failures = 0;

void check(bool ok, const std::string& name, const std::string& why = "") {
  std::cout << "check " << name << (ok ? " ok" : " FAIL " + why) << std::endl;
  if (!ok) ++failures;
}

double max_diff(const at::Tensor& a, const at::Tensor& b) {
  if (!a.defined() || !b.defined()) return a.defined() == b.defined() ? 0.0 : 1e300;
  if (a.sizes() != b.sizes()) return 1e300;
  return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

std::string str(double v) { return std::to_string(v); }

// --- collectives ------------------------------------------------------------------------------------

void scenario_collectives(eb::Communicator& comm, const std::string& dir) {
  const int r = comm.rank();
  const int w = comm.world_size();
  const auto env = eb::LaunchEnvironment::from_environment();
  std::cout << "launch use_agent_store=" << env.use_agent_store << std::endl;
  check(r == env.rank && w == env.world_size && comm.local_rank() == env.local_rank && comm.backend() == "gloo",
        "identity");

  // broadcast from the last rank: a list of several dtypes, one of them not contiguous.
  const int root = w - 1;
  const double v = 10.0 * (r + 1);
  at::Tensor a = at::full({3}, v, at::kFloat);
  at::Tensor b = at::arange(4, at::kLong).reshape({2, 2}) + static_cast<int64_t>(r);
  at::Tensor c = (at::arange(6, at::kDouble).reshape({2, 3}) * v).t();  // a transposed view
  at::Tensor d = at::full({5}, r + 1, at::kByte);
  std::vector<at::Tensor> list = {a, b, c, d};
  comm.broadcast(list, root);
  const double vr = 10.0 * (root + 1);
  check(at::equal(a, at::full({3}, vr, at::kFloat)) && at::equal(b, at::arange(4, at::kLong).reshape({2, 2}) + root) &&
            at::equal(c, (at::arange(6, at::kDouble).reshape({2, 3}) * vr).t()) &&
            at::equal(d, at::full({5}, root + 1, at::kByte)),
        "broadcast");

  // all_reduce: rank i contributes i+1 (and a per-element pattern); sum, max and min are known.
  const int64_t sum = static_cast<int64_t>(w) * (w + 1) / 2;
  at::Tensor f = at::arange(5, at::kFloat) * (r + 1);
  at::Tensor l = at::full({2, 3}, r + 1, at::kLong);
  std::vector<at::Tensor> reduce = {f, l};
  comm.all_reduce(reduce, eb::ReduceOp::Sum);
  check(at::equal(f, at::arange(5, at::kFloat) * static_cast<double>(sum)) &&
            at::equal(l, at::full({2, 3}, sum, at::kLong)),
        "all_reduce_sum");
  std::vector<at::Tensor> hi = {at::full({4}, r, at::kDouble)}, lo = {at::full({4}, r, at::kDouble)};
  comm.all_reduce(hi, eb::ReduceOp::Max);
  comm.all_reduce(lo, eb::ReduceOp::Min);
  check(at::equal(hi[0], at::full({4}, w - 1, at::kDouble)) && at::equal(lo[0], at::zeros({4}, at::kDouble)),
        "all_reduce_max_min");

  // all_reduce_async on a non-contiguous tensor (staged and copied back by wait()).
  at::Tensor base = at::zeros({4, 4}, at::kFloat);
  at::Tensor column = base.select(1, 2);
  column.fill_(static_cast<double>(r + 1));
  auto pending = comm.all_reduce_async(column);
  pending->wait();
  check(at::equal(base.select(1, 2), at::full({4}, static_cast<double>(sum), at::kFloat)) &&
            base.sum().item<double>() == 4.0 * static_cast<double>(sum),
        "all_reduce_async_staged");

  // barrier: the last rank writes a file after a pause, then enters the barrier; rank 0 must see the
  // file once the barrier returns.
  const std::string marker = dir + "/arrived";
  if (r == root) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    std::ofstream(marker) << "x";
  }
  comm.barrier();
  check(std::filesystem::exists(marker), "barrier");
  comm.barrier();  // nobody leaves before everyone has looked

  check(comm.all_reduce_scalar(r + 0.5) == static_cast<double>(sum) - w * 0.5, "all_reduce_scalar_sum");
  check(comm.all_reduce_scalar(r, eb::ReduceOp::Max) == w - 1, "all_reduce_scalar_max");
  check(comm.all_reduce_scalar(r, eb::ReduceOp::Min) == 0, "all_reduce_scalar_min");
  const std::string text = std::string("plan of rank ") + std::to_string(r) + std::string("\0bytes", 6);
  const std::string expect = std::string("plan of rank ") + std::to_string(root) + std::string("\0bytes", 6);
  check(comm.broadcast_string(text, root) == expect, "broadcast_string");
  check(comm.broadcast_string(r == 0 ? "" : "ignored", 0).empty(), "broadcast_string_empty");

  // gather: rank i has i rows (rank 0 none) of [i, j] pairs, float and bool; in rank order.
  at::Tensor rows = at::empty({r, 2}, at::kFloat);
  for (int i = 0; i < r; ++i) {
    rows[i][0] = r;
    rows[i][1] = i;
  }
  at::Tensor gathered = eb::gather_in_rank_order(comm, rows);
  std::vector<float> expect_rows;
  for (int k = 0; k < w; ++k)
    for (int i = 0; i < k; ++i) expect_rows.insert(expect_rows.end(), {static_cast<float>(k), static_cast<float>(i)});
  const auto n_rows = static_cast<int64_t>(expect_rows.size() / 2);
  at::Tensor expected = at::from_blob(expect_rows.data(), {n_rows, 2}, at::kFloat).clone();
  check(gathered.scalar_type() == at::kFloat && at::equal(gathered, expected), "gather_rows");
  at::Tensor flags = at::full({r + 1}, r % 2 == 1, at::kBool);
  at::Tensor all_flags = eb::gather_in_rank_order(comm, flags);
  bool flags_ok = all_flags.scalar_type() == at::kBool && all_flags.size(0) == sum;
  int64_t at_row = 0;
  for (int k = 0; flags_ok && k < w; ++k)
    for (int i = 0; i <= k; ++i) flags_ok = flags_ok && all_flags[at_row++].item<bool>() == (k % 2 == 1);
  check(flags_ok, "gather_bool");
}

// --- a tiny model for the reducer scenarios ---------------------------------------------------------

constexpr int64_t kIn = 8, kOut = 4;

at::Tensor leaf(const at::Tensor& t) { return t.detach().clone().set_requires_grad(true); }

/// y = W2 tanh(W1 x + b1) + b2, plus `unused` (never in any graph) and `rank0_only` (in rank 0's loss
/// only: locally unused on the others).
struct TinyModel {
  at::Tensor unused, w1, b1, w2, b2, rank0_only;

  static TinyModel make(uint64_t seed, int64_t hidden) {
    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(seed);
    TinyModel m;
    m.unused = leaf(at::randn({3}, g, at::kFloat));
    m.w1 = leaf(at::randn({hidden, kIn}, g, at::kFloat) * 0.5);
    m.b1 = leaf(at::randn({hidden}, g, at::kFloat) * 0.1);
    m.w2 = leaf(at::randn({kOut, hidden}, g, at::kFloat) * 0.5);
    m.b2 = leaf(at::randn({kOut}, g, at::kFloat) * 0.1);
    m.rank0_only = leaf(at::randn({2, 2}, g, at::kFloat));
    return m;
  }
  TinyModel copy() const { return {leaf(unused), leaf(w1), leaf(b1), leaf(w2), leaf(b2), leaf(rank0_only)}; }
  // rank0_only and unused first: they end up in the last bucket, so that on every rank the buckets
  // before it can start from the hooks.
  std::vector<at::Tensor> parameters() const { return {rank0_only, unused, w1, b1, w2, b2}; }
  std::vector<std::string> names() const { return {"rank0_only", "unused", "w1", "b1", "w2", "b2"}; }
  at::Tensor forward(const at::Tensor& x) const { return at::tanh(x.matmul(w1.t()) + b1).matmul(w2.t()) + b2; }

  /// Keeps the hidden units with index % 4 != drop (new leaf tensors, as physical pruning makes).
  TinyModel pruned(int64_t drop) const {
    std::vector<int64_t> keep;
    for (int64_t i = 0; i < w1.size(0); ++i)
      if (i % 4 != drop) keep.push_back(i);
    const at::Tensor k = at::tensor(keep, at::kLong);
    return {leaf(unused),
            leaf(w1.index_select(0, k)),
            leaf(b1.index_select(0, k)),
            leaf(w2.index_select(1, k)),
            leaf(b2),
            leaf(rank0_only)};
  }
};

constexpr double kRank0Coef = 0.3;

/// The loss of rows [begin, end) of the batch; `rank0_share` weights the rank-0-only term.
at::Tensor loss_of(const TinyModel& m, const at::Tensor& x, const at::Tensor& y, double rank0_share) {
  at::Tensor loss = (m.forward(x) - y).pow(2).mean();
  if (rank0_share != 0.0) loss = loss + rank0_share * kRank0Coef * m.rank0_only.pow(2).sum();
  return loss;
}

void sgd(const std::vector<at::Tensor>& params, double lr) {
  at::NoGradGuard no_grad;
  for (const auto& p : params) {
    if (p.grad().defined()) p.sub_(p.grad() * lr);
    p.mutable_grad() = at::Tensor();
  }
}

struct Batch {
  at::Tensor x, y;
};

/// The global batch of `step`: rows [rank*n, (rank+1)*n) are rank `rank`'s.
Batch global_batch(int step, int64_t rows) {
  at::Generator g = at::make_generator<at::CPUGeneratorImpl>(1000 + step);
  return {at::randn({rows, kIn}, g, at::kFloat), at::randn({rows, kOut}, g, at::kFloat)};
}

/// Rank 0's parameter values broadcast to all; true when this rank's are bitwise the same.
bool replicas_identical(eb::Communicator& comm, const TinyModel& m) {
  std::vector<at::Tensor> copy;
  for (const auto& p : m.parameters()) copy.push_back(p.detach().clone());
  comm.broadcast(copy, 0);
  bool same = true;
  for (size_t i = 0; i < copy.size(); ++i) same = same && at::equal(copy[i], m.parameters()[i]);
  return same;
}

void compare_grads(const TinyModel& got, const TinyModel& want, double tolerance, const std::string& name) {
  double worst = 0;
  std::string which;
  const auto g = got.parameters(), r = want.parameters();
  for (size_t i = 0; i < g.size(); ++i) {
    const double d = max_diff(g[i].grad(), r[i].grad());
    if (d > worst) worst = d, which = got.names()[i];
  }
  check(worst <= tolerance, name, "max |diff| " + str(worst) + " at " + which);
}

void compare_params(const TinyModel& got, const TinyModel& want, double tolerance, const std::string& name) {
  double worst = 0;
  const auto g = got.parameters(), r = want.parameters();
  for (size_t i = 0; i < g.size(); ++i) worst = std::max(worst, max_diff(g[i], r[i]));
  check(worst <= tolerance, name, "max |diff| " + str(worst));
}

// --- reducer ------------------------------------------------------------------------------------------

void scenario_reducer(eb::Communicator& comm, int64_t bucket_bytes) {
  const int r = comm.rank(), w = comm.world_size();
  constexpr int64_t kRows = 6, kHidden = 16;
  // Every rank starts from different values: the reducer's broadcast must make them rank 0's.
  TinyModel model = TinyModel::make(42 + r, kHidden);
  eb::GradientReducerOptions options;
  options.bucket_cap_bytes = bucket_bytes;
  eb::GradientReducer reducer(comm, model.parameters(), options);
  TinyModel single = TinyModel::make(42, kHidden);  // one process over the whole batch, from rank 0's start
  compare_params(model, single, 0.0, "broadcast_from_rank0");
  const size_t buckets = reducer.buckets().size();
  check(bucket_bytes >= (int64_t{1} << 20) ? buckets == 1 : buckets > 2, "bucket_count",
        std::to_string(buckets) + " buckets");

  for (int step = 0; step < 3; ++step) {
    const Batch batch = global_batch(step, kRows * w);
    const at::Tensor x = batch.x.narrow(0, r * kRows, kRows), y = batch.y.narrow(0, r * kRows, kRows);
    const auto before = reducer.stats();
    loss_of(model, x, y, r == 0 ? 1.0 : 0.0).backward();
    // Reference 1: the same local gradients, reduced by a plain all-reduce per parameter (zeros for
    // none), sum then divide — after finish(): no other collective may run between a backward and
    // finish(), as the ranks' buckets may be in flight in different numbers.
    std::vector<at::Tensor> plain;
    std::vector<float> had;
    for (const auto& p : model.parameters()) {
      plain.push_back(p.grad().defined() ? p.grad().clone() : at::zeros_like(p));
      had.push_back(p.grad().defined() ? 1.0f : 0.0f);
    }
    reducer.finish();
    const auto after = reducer.stats();
    for (auto& t : plain) {
      std::vector<at::Tensor> one = {t};
      comm.all_reduce(one);
      t.div_(w);
    }
    std::vector<at::Tensor> anyone = {at::tensor(had, at::kFloat)};
    comm.all_reduce(anyone);
    if (step == 0) {
      // Every bucket but the last (which holds `unused`, never ready) started during backward.
      const int64_t by_hooks = after.started_by_hooks - before.started_by_hooks;
      const int64_t by_finish = after.started_by_finish - before.started_by_finish;
      check(by_hooks == static_cast<int64_t>(buckets) - 1 && by_finish == 1, "buckets_started_by_backward_hooks",
            std::to_string(by_hooks) + " by hooks, " + std::to_string(by_finish) + " by finish");
    }
    bool exact = true;
    std::string why;
    const auto params = model.parameters();
    for (size_t i = 0; i < params.size(); ++i) {
      const bool anyone_had = anyone[0][static_cast<int64_t>(i)].item<float>() > 0;
      if (!anyone_had) {
        if (params[i].grad().defined()) exact = false, why += model.names()[i] + " got a gradient; ";
      } else if (!params[i].grad().defined() || !at::equal(params[i].grad(), plain[i])) {
        exact = false;
        why += model.names()[i] + " differs by " + str(max_diff(params[i].grad(), plain[i])) + "; ";
      }
    }
    check(exact, "step" + std::to_string(step) + "_equals_plain_all_reduce", why);
    // Reference 2: one process over the concatenated batch (the rank-0 term once, weighted 1/w).
    loss_of(single, batch.x, batch.y, 1.0 / w).backward();
    compare_grads(model, single, 1e-6, "step" + std::to_string(step) + "_equals_single_process");
    check(!model.unused.grad().defined(), "step" + std::to_string(step) + "_unused_keeps_no_grad");
    sgd(model.parameters(), 0.1);
    sgd(single.parameters(), 0.1);
  }
  compare_params(model, single, 1e-6, "trained_like_single_process");
  check(replicas_identical(comm, model), "replicas_identical");
}

// --- no_sync ------------------------------------------------------------------------------------------

void scenario_no_sync(eb::Communicator& comm) {
  const int r = comm.rank(), w = comm.world_size();
  constexpr int64_t kRows = 4, kHidden = 16, kMicro = 3;
  TinyModel model = TinyModel::make(7, kHidden);
  eb::GradientReducerOptions options;
  options.bucket_cap_bytes = 128;
  eb::GradientReducer reducer(comm, model.parameters(), options);
  TinyModel single = model.copy();
  TinyModel local = model.copy();  // this rank's micro-batches alone: what no_sync must leave in .grad
  // Global batch: w * kMicro micro-batches of kRows; rank r's k-th is number r * kMicro + k.
  const Batch batch = global_batch(0, kRows * kMicro * w);
  auto rows = [&](const at::Tensor& t, int64_t number) { return t.narrow(0, number * kRows, kRows); };
  for (int64_t k = 0; k < kMicro; ++k) {
    const bool last = k == kMicro - 1;
    reducer.set_sync(last);
    const auto before = reducer.stats();
    const int64_t number = r * kMicro + k;
    loss_of(model, rows(batch.x, number), rows(batch.y, number), 0.0).div(kMicro).backward();
    if (!last) {
      loss_of(local, rows(batch.x, number), rows(batch.y, number), 0.0).div(kMicro).backward();
      check(reducer.stats().started_by_hooks == before.started_by_hooks,
            "micro" + std::to_string(k) + "_no_collective");
      compare_grads(model, local, 0.0, "micro" + std::to_string(k) + "_grads_stay_local");
    }
  }
  reducer.finish();
  for (int64_t m = 0; m < w * kMicro; ++m)
    loss_of(single, rows(batch.x, m), rows(batch.y, m), 0.0).div(kMicro * w).backward();
  compare_grads(model, single, 1e-6, "accumulated_equals_single_process");
}

// --- rebuild ------------------------------------------------------------------------------------------

void train_step(eb::Communicator& comm, eb::GradientReducer& reducer, TinyModel& model, TinyModel& single, int step,
                const std::string& name) {
  const int r = comm.rank(), w = comm.world_size();
  constexpr int64_t kRows = 5;
  const Batch batch = global_batch(step, kRows * w);
  loss_of(model, batch.x.narrow(0, r * kRows, kRows), batch.y.narrow(0, r * kRows, kRows), 0.0).backward();
  reducer.finish();
  loss_of(single, batch.x, batch.y, 0.0).backward();
  compare_grads(model, single, 1e-6, name);
  sgd(model.parameters(), 0.1);
  sgd(single.parameters(), 0.1);
}

void scenario_rebuild(eb::Communicator& comm) {
  TinyModel model = TinyModel::make(11, 16);
  eb::GradientReducerOptions options;
  options.bucket_cap_bytes = 200;
  eb::GradientReducer reducer(comm, model.parameters(), options);
  TinyModel single = model.copy();
  train_step(comm, reducer, model, single, 0, "dense_step_equals_single_process");

  TinyModel old = model;
  model = model.pruned(1);  // 12 of 16 hidden units, new tensors
  single = single.pruned(1);
  reducer.rebuild(model.parameters());
  int64_t elements = 0;
  for (const auto& bucket : reducer.buckets())
    for (size_t i : bucket) elements += model.parameters()[i].numel();
  check(elements == 3 + 12 * kIn + 12 + kOut * 12 + kOut + 4, "buckets_follow_new_shapes", std::to_string(elements));
  check(replicas_identical(comm, model), "pruned_replicas_identical");

  // The old tensors' hooks are gone: a backward through them does not reach the reducer.
  const auto before = reducer.stats();
  loss_of(old, global_batch(9, 3).x, global_batch(9, 3).y, 0.0).backward();
  check(reducer.stats().started_by_hooks == before.started_by_hooks, "old_hooks_removed");

  for (int step = 1; step < 3; ++step)
    train_step(comm, reducer, model, single, step, "pruned_step" + std::to_string(step) + "_equals_single_process");
  compare_params(model, single, 1e-6, "pruned_trained_like_single_process");
}

void scenario_rebuild_mismatch(eb::Communicator& comm) {
  TinyModel model = TinyModel::make(11, 16);
  eb::GradientReducer reducer(comm, model.parameters());
  // Rank 0 drops 4 hidden units, the others 4 different ones and one more: different shapes.
  TinyModel pruned = comm.rank() == 0 ? model.pruned(1) : model.pruned(2).pruned(0);
  reducer.rebuild(pruned.parameters());  // must throw on every rank
  check(false, "rebuild_mismatch_detected", "rebuild() returned");
}

// --- a rank that dies or stops answering --------------------------------------------------------------

void scenario_die(eb::Communicator& comm, bool hang) {
  at::Tensor t = at::ones({1000}, at::kFloat);
  for (int i = 0; i < 1000000; ++i) {
    if (comm.rank() == 1 && i == 3) {
      if (hang) {
        std::cout << "rank 1 stops answering" << std::endl;
        for (;;) ::pause();
      }
      std::cout << "rank 1 dies" << std::endl;
      std::raise(SIGKILL);
    }
    std::vector<at::Tensor> one = {t};
    comm.all_reduce(one);
    t.fill_(1.0);
  }
  check(false, "peer_failure_detected", "the loop ended");
}

// --- bench ----------------------------------------------------------------------------------------------

/// The parameter shapes of bert-small (L-4/H-512/A-8/I-2048, vocabulary 30522) with a 2-label
/// classification head, in registration order (Hugging Face's BertForSequenceClassification).
std::vector<std::vector<int64_t>> bert_small_shapes() {
  const int64_t h = 512, inter = 2048, layers = 4;
  std::vector<std::vector<int64_t>> s = {{30522, h}, {512, h}, {2, h}, {h}, {h}};
  for (int64_t l = 0; l < layers; ++l) {
    for (int q = 0; q < 4; ++q) s.insert(s.end(), {{h, h}, {h}});  // query, key, value, attention output
    s.insert(s.end(), {{h}, {h}, {inter, h}, {inter}, {h, inter}, {h}, {h}, {h}});
  }
  s.insert(s.end(), {{h, h}, {h}, {2, h}, {2}});  // pooler, classifier
  return s;
}

void scenario_bench(eb::Communicator& comm, int iterations) {
  std::vector<at::Tensor> params;
  int64_t elements = 0;
  for (const auto& shape : bert_small_shapes()) {
    params.push_back(leaf(at::randn(shape, at::kFloat) * 0.02));
    elements += params.back().numel();
  }
  eb::GradientReducer reducer(comm, params);
  using clock = std::chrono::steady_clock;
  auto ms = [](clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  // finish() with every gradient present: all buckets reduced back to back (what a step costs when
  // nothing overlaps), copies in and out of the buckets included.
  std::vector<double> times;
  for (int i = 0; i < iterations + 1; ++i) {
    for (auto& p : params) p.mutable_grad() = at::ones_like(p);
    comm.barrier();
    const auto t0 = clock::now();
    reducer.finish();
    const double t = ms(clock::now() - t0);
    if (i > 0) times.push_back(t);  // the first one warms up the connections and allocations
  }
  std::sort(times.begin(), times.end());
  // One flat all-reduce of the same size, for comparison.
  at::Tensor flat = at::ones({elements}, at::kFloat);
  std::vector<double> flat_times;
  for (int i = 0; i < iterations; ++i) {
    comm.barrier();
    const auto t0 = clock::now();
    std::vector<at::Tensor> one = {flat};
    comm.all_reduce(one);
    flat_times.push_back(ms(clock::now() - t0));
  }
  std::sort(flat_times.begin(), flat_times.end());
  if (comm.rank() == 0)
    std::cout << "bench parameters " << elements << " bytes " << elements * 4 << " buckets " << reducer.buckets().size()
              << " reducer_finish_ms_median " << times[times.size() / 2] << " min " << times.front()
              << " flat_all_reduce_ms_median " << flat_times[flat_times.size() / 2] << " min " << flat_times.front()
              << std::endl;
  check(true, "bench");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << "usage: earlybert_dist_worker collectives <dir> | reducer <bucket bytes> | no_sync | rebuild | "
                 "rebuild_mismatch | die | hang | bench [iterations]\n";
    return 2;
  }
  at::set_num_threads(1);  // one thread per rank
  try {
    eb::DistributedOptions options;
    options.backend = eb::CommBackend::Gloo;
    auto comm = eb::communicator_from_environment(options);
    const std::string& scenario = args[0];
    if (scenario == "collectives" && args.size() == 2) {
      scenario_collectives(*comm, args[1]);
    } else if (scenario == "reducer" && args.size() == 2) {
      scenario_reducer(*comm, std::stoll(args[1]));
    } else if (scenario == "no_sync") {
      scenario_no_sync(*comm);
    } else if (scenario == "rebuild") {
      scenario_rebuild(*comm);
    } else if (scenario == "rebuild_mismatch") {
      scenario_rebuild_mismatch(*comm);
    } else if (scenario == "die" || scenario == "hang") {
      scenario_die(*comm, scenario == "hang");
    } else if (scenario == "bench") {
      scenario_bench(*comm, args.size() > 1 ? std::stoi(args[1]) : 10);
    } else {
      std::cerr << "earlybert_dist_worker: unknown scenario or wrong arguments\n";
      return 2;
    }
    comm->barrier();  // every rank finished its checks before any tears the group down
  } catch (const eb::Error& e) {
    std::cerr << "error: " << e.what() << std::endl;
    return 1;
  }
  return failures == 0 ? 0 : 1;
}
