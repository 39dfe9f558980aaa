// Rank-ordered concatenation of per-rank outputs — see include/earlybert/distributed/gather.h.
#include "earlybert/distributed/gather.h"

#include <ATen/Functions.h>
#include <ATen/core/grad_mode.h>

#include <string>

#include "earlybert/base/error.h"

namespace earlybert {
namespace {

/// The dtype the sum runs in: one that every backend reduces and that holds `type` exactly.
at::ScalarType transport_type(at::ScalarType type) {
  switch (type) {
    case at::kBool:
      return at::kByte;
    case at::kHalf:
    case at::kBFloat16:
      return at::kFloat;
    default:
      return type;
  }
}

}  // namespace

at::Tensor gather_in_rank_order(Communicator& comm, const at::Tensor& local) {
  const std::string where = "gather_in_rank_order (rank " + std::to_string(comm.rank()) + ")";
  if (!local.defined() || local.dim() < 1) fail(where, "needs a tensor with at least one dimension (rows)");
  at::NoGradGuard no_grad;
  if (comm.world_size() == 1) return local.to(comm.device());

  // Row counts per rank, and a signature of dtype and trailing shape that must agree (max == min).
  const auto on_long = at::TensorOptions().dtype(at::kLong);
  std::vector<int64_t> header(static_cast<size_t>(comm.world_size()), 0);
  header[static_cast<size_t>(comm.rank())] = local.size(0);
  uint64_t hash = static_cast<uint64_t>(local.scalar_type()) * 1000003u + static_cast<uint64_t>(local.dim());
  for (int64_t d = 1; d < local.dim(); ++d) hash = hash * 1000003u + static_cast<uint64_t>(local.size(d));
  const auto signature = static_cast<int64_t>(hash >> 1);
  std::vector<at::Tensor> rows = {at::tensor(header, on_long).to(comm.device())};
  comm.all_reduce(rows, ReduceOp::Sum);
  std::vector<at::Tensor> high = {at::tensor({signature}, on_long).to(comm.device())};
  std::vector<at::Tensor> low = {high[0].clone()};
  comm.all_reduce(high, ReduceOp::Max);
  comm.all_reduce(low, ReduceOp::Min);
  if (!at::equal(high[0].cpu(), low[0].cpu()))
    fail(where, "the ranks' outputs differ in dtype or trailing shape (this rank: " +
                    std::string(c10::toString(local.scalar_type())) + " with " + std::to_string(local.dim()) +
                    " dimensions)");

  const at::Tensor counts = rows[0].cpu();
  const auto* n = counts.data_ptr<int64_t>();
  int64_t total = 0, offset = 0;
  for (int r = 0; r < comm.world_size(); ++r) {
    if (r == comm.rank()) offset = total;
    total += n[r];
  }
  std::vector<int64_t> shape = local.sizes().vec();
  shape[0] = total;
  const at::ScalarType wire = transport_type(local.scalar_type());
  std::vector<at::Tensor> all = {at::zeros(shape, at::TensorOptions().dtype(wire).device(comm.device()))};
  if (local.size(0) > 0) all[0].narrow(0, offset, local.size(0)).copy_(local);
  comm.all_reduce(all, ReduceOp::Sum);
  return all[0].to(local.scalar_type());
}

}  // namespace earlybert
