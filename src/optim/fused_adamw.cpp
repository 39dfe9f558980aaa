// Fused AdamW on CUDA — see include/earlybert/optim/fused_adamw.h.
#include "earlybert/optim/fused_adamw.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <torch/version.h>

// at::_fused_adamw_ (CUDA) is in LibTorch from 2.1 on.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
#define EARLYBERT_HAVE_FUSED_ADAMW 1
#endif

namespace earlybert {

bool fused_adamw_available(const std::vector<at::Tensor>& params) {
#ifdef EARLYBERT_HAVE_FUSED_ADAMW
  if (params.empty()) return false;
  const auto device = params.front().device();
  if (!device.is_cuda()) return false;
  for (const auto& p : params) {
    if (p.device() != device || !p.is_floating_point()) return false;
  }
  return true;
#else
  (void)params;
  return false;
#endif
}

void fused_adamw_step(const std::vector<at::Tensor>& params, const std::vector<at::Tensor>& grads,
                      const std::vector<at::Tensor>& exp_avgs, const std::vector<at::Tensor>& exp_avg_sqs, int64_t step,
                      const AdamWHyper& hyper) {
#ifdef EARLYBERT_HAVE_FUSED_ADAMW
  TORCH_CHECK(fused_adamw_available(params), "fused AdamW: parameters must be on one CUDA device");
  if (params.empty()) return;
  // The kernel reads each tensor's step count from a float tensor on the device (and does not write
  // it); the tensors of one call share theirs.
  const auto step_tensor = at::full({}, static_cast<double>(step), params.front().options().dtype(at::kFloat));
  const std::vector<at::Tensor> steps(params.size(), step_tensor);
  at::_fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, /*max_exp_avg_sqs=*/{}, steps, hyper.lr, hyper.beta1,
                    hyper.beta2, hyper.weight_decay, hyper.eps, /*amsgrad=*/false, /*maximize=*/false);
#else
  (void)params, (void)grads, (void)exp_avgs, (void)exp_avg_sqs, (void)step, (void)hyper;
  TORCH_CHECK(false, "fused AdamW needs LibTorch >= 2.1 with CUDA");
#endif
}

}  // namespace earlybert
