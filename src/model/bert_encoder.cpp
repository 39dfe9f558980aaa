// BertEncoder: the layer stack.
#include "earlybert/model/bert_encoder.h"

namespace earlybert {

BertEncoderImpl::BertEncoderImpl(BertConfig config_) : config(std::move(config_)) { reset(); }

void BertEncoderImpl::reset() {
  layer = register_module("layer", torch::nn::ModuleList());
  for (int64_t i = 0; i < config.num_hidden_layers; ++i) {
    layer->push_back(BertLayer(BertLayerOptions::for_layer(config, i)));
  }
}

torch::Tensor BertEncoderImpl::forward(torch::Tensor hidden, const torch::Tensor& additive_mask) {
  for (size_t i = 0; i < layer->size(); ++i) {
    hidden = layer->at<BertLayerImpl>(i).forward(hidden, additive_mask);
  }
  return hidden;
}

}  // namespace earlybert
