// BertEncoder — the stack of encoder layers, registered as `layer` (keys encoder.layer.N.…).
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

#include "earlybert/model/bert_config.h"
#include "earlybert/model/bert_layer.h"

namespace earlybert {

class BertEncoderImpl : public torch::nn::Cloneable<BertEncoderImpl> {
 public:
  explicit BertEncoderImpl(BertConfig config);
  void reset() override;

  /// hidden [B,S,hidden], additive_mask [B,1,1,S] or undefined -> last layer's output.
  torch::Tensor forward(torch::Tensor hidden, const torch::Tensor& additive_mask = {});

  int64_t num_layers() const { return static_cast<int64_t>(layer->size()); }
  /// Layer i. (No separate vector of typed handles is kept: clone() replaces the list's entries.)
  BertLayerImpl& at(int64_t i) { return layer->at<BertLayerImpl>(static_cast<size_t>(i)); }
  const BertLayerImpl& at(int64_t i) const { return layer->at<BertLayerImpl>(static_cast<size_t>(i)); }

  BertConfig config;
  torch::nn::ModuleList layer{nullptr};  ///< registered name "layer" (Hugging Face)
};
TORCH_MODULE(BertEncoder);

}  // namespace earlybert
