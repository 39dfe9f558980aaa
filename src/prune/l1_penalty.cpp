// L1 penalty over the slimming coefficients.
#include "earlybert/prune/l1_penalty.h"

#include "earlybert/base/error.h"

namespace earlybert {

L1Sums slimming_l1_sums(const std::vector<LayerSlimming>& coefficients) {
  std::vector<torch::Tensor> heads, ffn;
  for (size_t l = 0; l < coefficients.size(); ++l) {
    if (!coefficients[l].heads.defined() || !coefficients[l].ffn.defined()) {
      fail("L1 penalty", "layer " + std::to_string(l) + " has no slimming coefficients (config slimming is false)");
    }
    heads.push_back(coefficients[l].heads.abs().sum());
    ffn.push_back(coefficients[l].ffn.abs().sum());
  }
  if (heads.empty()) fail("L1 penalty", "the model has no layers");
  return {at::stack(heads).sum(), at::stack(ffn).sum()};
}

torch::Tensor slimming_l1_penalty(const std::vector<LayerSlimming>& coefficients, double lambda_heads,
                                  double lambda_ffn) {
  const auto sums = slimming_l1_sums(coefficients);
  return sums.heads * lambda_heads + sums.ffn * lambda_ffn;
}

}  // namespace earlybert
