// Per-layer access to the slimming coefficients.
#include "earlybert/model/slimming.h"

#include "earlybert/base/error.h"

namespace earlybert {

std::vector<LayerSlimming> slimming_coefficients(BertModelImpl& bert) {
  std::vector<LayerSlimming> out;
  auto& encoder = *bert.encoder;
  for (int64_t i = 0; i < encoder.num_layers(); ++i) {
    auto& layer = encoder.at(i);
    out.push_back({layer.attention->self->slimming_coef, layer.slimming_coef});
  }
  return out;
}

SlimmingScores slimming_scores(const std::vector<LayerSlimming>& coefficients) {
  auto to_host = [](const torch::Tensor& t) {
    const auto c = t.detach().abs().to(torch::kCPU, torch::kFloat32).contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  };
  SlimmingScores s;
  for (size_t l = 0; l < coefficients.size(); ++l) {
    if (!coefficients[l].heads.defined() || !coefficients[l].ffn.defined()) {
      fail("slimming coefficients", "layer " + std::to_string(l) + " has none (config slimming is false)");
    }
    s.heads.push_back(to_host(coefficients[l].heads));
    s.ffn.push_back(to_host(coefficients[l].ffn));
  }
  return s;
}

}  // namespace earlybert
