// Communicator conveniences and the single-process communicator — see
// include/earlybert/distributed/communicator.h.
#include "earlybert/distributed/communicator.h"

#include <ATen/Functions.h>

namespace earlybert {
namespace {

/// A finished collective (the single process has nothing to wait for).
class DoneCollective final : public PendingCollective {
 public:
  void wait() override {}
};

}  // namespace

double Communicator::all_reduce_scalar(double value, ReduceOp op) {
  std::vector<at::Tensor> t = {at::full({1}, value, at::TensorOptions().dtype(at::kDouble).device(device()))};
  all_reduce(t, op);
  return t[0].item<double>();
}

std::string Communicator::broadcast_string(const std::string& text, int root) {
  const auto on = at::TensorOptions().device(device());
  std::vector<at::Tensor> size = {
      at::full({1}, static_cast<int64_t>(rank() == root ? text.size() : 0), on.dtype(at::kLong))};
  broadcast(size, root);
  const int64_t n = size[0].item<int64_t>();
  if (n == 0) return std::string();
  at::Tensor bytes = at::zeros({n}, at::TensorOptions().dtype(at::kByte));
  if (rank() == root) std::copy(text.begin(), text.end(), bytes.data_ptr<uint8_t>());
  std::vector<at::Tensor> payload = {bytes.to(device())};
  broadcast(payload, root);
  const at::Tensor back = payload[0].to(at::kCPU).contiguous();
  const auto* p = back.data_ptr<uint8_t>();
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
}

void SingleProcessCommunicator::broadcast(std::vector<at::Tensor>&, int) {}

void SingleProcessCommunicator::all_reduce(std::vector<at::Tensor>&, ReduceOp) {}

std::unique_ptr<PendingCollective> SingleProcessCommunicator::all_reduce_async(at::Tensor, ReduceOp) {
  return std::make_unique<DoneCollective>();
}

}  // namespace earlybert
