// Unit scores and masking through the slimming coefficients — see include/earlybert/prune/unit_scores.h.
#include "earlybert/prune/unit_scores.h"

#include <torch/nn/module.h>
#include <torch/utils.h>

#include "earlybert/base/error.h"
#include "earlybert/model/slimming.h"

namespace earlybert {
namespace {

std::vector<float> to_host(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

void check_masks(const std::vector<LayerSlimming>& coefs, const LayerMasks& heads, const LayerMasks& ffn) {
  if (heads.size() != coefs.size() || ffn.size() != coefs.size())
    fail("unit masks", "masks for " + std::to_string(heads.size()) + "/" + std::to_string(ffn.size()) +
                           " layers, the model has " + std::to_string(coefs.size()));
  for (size_t l = 0; l < coefs.size(); ++l) {
    if (static_cast<int64_t>(heads[l].size()) != coefs[l].heads.size(0) ||
        static_cast<int64_t>(ffn[l].size()) != coefs[l].ffn.size(0))
      fail("unit masks", "layer " + std::to_string(l) + " has other sizes than the masks");
  }
}

torch::Tensor mask_tensor(const std::vector<bool>& keep, const torch::Tensor& like) {
  std::vector<float> v(keep.begin(), keep.end());
  return torch::tensor(v, torch::kFloat32).to(like.device(), like.scalar_type());
}

}  // namespace

UnitScores magnitude_scores(BertModelImpl& bert) {
  torch::NoGradGuard no_grad;
  UnitScores s;
  for (int64_t l = 0; l < bert.encoder->num_layers(); ++l) {
    BertLayerImpl& layer = bert.encoder->at(l);
    const int64_t heads = layer.options.num_heads(), d = layer.options.head_dim();
    auto rows = [&](const torch::Tensor& w) { return w.abs().view({heads, d, -1}).sum(std::vector<int64_t>{1, 2}); };
    const torch::Tensor out = layer.attention->output->dense->weight.abs();  // [hidden, heads·d]
    const torch::Tensor head_scores =
        rows(layer.attention->self->query->weight) + rows(layer.attention->self->key->weight) +
        rows(layer.attention->self->value->weight) + out.view({out.size(0), heads, d}).sum(std::vector<int64_t>{0, 2});
    s.heads.push_back(to_host(head_scores));
    const torch::Tensor ffn_scores =
        layer.intermediate->dense->weight.abs().sum(1) + layer.output->dense->weight.abs().sum(0);
    s.ffn.push_back(to_host(ffn_scores));
  }
  return s;
}

UnitScores unit_scores(BertModelImpl& bert, UnitScore kind) {
  if (kind == UnitScore::Magnitude) return magnitude_scores(bert);
  if (!bert.config().slimming) fail("ticket_score", "slimming scores need a model with slimming coefficients");
  const SlimmingScores sc = slimming_scores(slimming_coefficients(bert));
  return UnitScores{sc.heads, sc.ffn};
}

void mask_units_by_coefficients(BertModelImpl& bert, const LayerMasks& heads, const LayerMasks& ffn) {
  if (!bert.config().slimming) fail("unit masks", "masking units needs a model with slimming coefficients");
  torch::NoGradGuard no_grad;
  auto coefs = slimming_coefficients(bert);
  check_masks(coefs, heads, ffn);
  for (size_t l = 0; l < coefs.size(); ++l) {
    coefs[l].heads.copy_(mask_tensor(heads[l], coefs[l].heads));
    coefs[l].ffn.copy_(mask_tensor(ffn[l], coefs[l].ffn));
  }
}

void zero_unit_outputs(BertModelImpl& bert, const std::vector<std::vector<int64_t>>& heads,
                       const std::vector<std::vector<int64_t>>& neurons) {
  torch::NoGradGuard no_grad;
  const int64_t layers = bert.encoder->num_layers();
  if (static_cast<int64_t>(heads.size()) != layers || static_cast<int64_t>(neurons.size()) != layers)
    fail("zero unit outputs",
         "unit lists for " + std::to_string(heads.size()) + " layers, the model has " + std::to_string(layers));
  for (int64_t l = 0; l < layers; ++l) {
    BertLayerImpl& layer = bert.encoder->at(l);
    const int64_t n_heads = layer.options.num_heads(), d = layer.options.head_dim();
    torch::Tensor out = layer.attention->output->dense->weight;
    for (int64_t h : heads[static_cast<size_t>(l)]) {
      if (h < 0 || h >= n_heads)
        fail("zero unit outputs", "layer " + std::to_string(l) + " has no head " + std::to_string(h));
      out.narrow(1, h * d, d).zero_();
    }
    torch::Tensor w2 = layer.output->dense->weight;
    for (int64_t n : neurons[static_cast<size_t>(l)]) {
      if (n < 0 || n >= w2.size(1))
        fail("zero unit outputs", "layer " + std::to_string(l) + " has no FFN neuron " + std::to_string(n));
      w2.narrow(1, n, 1).zero_();
    }
  }
}

}  // namespace earlybert
