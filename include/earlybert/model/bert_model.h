// BertModel — embeddings, encoder and (optionally) the pooler; the body every task model wraps as
// `bert`.
//
// Parameter names are Hugging Face's BertModel state-dict keys (embeddings.…, encoder.layer.N.…,
// pooler.dense.…) plus the slimming coefficients (see bert_attention.h and bert_layer.h). The model
// owns its BertConfig: after physical pruning config() describes the pruned shapes, so writing it as
// config.json and reading it back rebuilds the same model.
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "earlybert/model/batch.h"
#include "earlybert/model/bert_config.h"
#include "earlybert/model/bert_embeddings.h"
#include "earlybert/model/bert_encoder.h"

namespace earlybert {

/// [B,S] attention mask (1 keep / 0 pad, any dtype) -> additive [B,1,1,S] mask in `dtype`: 0 where
/// kept and the dtype's lowest finite value where padded. Computed once per forward, shared by layers.
torch::Tensor additive_attention_mask(const torch::Tensor& attention_mask, torch::ScalarType dtype);

/// pooler.dense + tanh on the first ([CLS]) token.
class BertPoolerImpl : public torch::nn::Cloneable<BertPoolerImpl> {
 public:
  explicit BertPoolerImpl(BertConfig config);
  void reset() override;
  /// sequence_output [B,S,hidden] -> [B,hidden].
  torch::Tensor forward(const torch::Tensor& sequence_output);

  BertConfig config;
  torch::nn::Linear dense{nullptr};
};
TORCH_MODULE(BertPooler);

struct BertModelOutput {
  torch::Tensor sequence_output;  ///< [B,S,hidden] last layer
  torch::Tensor pooled_output;    ///< [B,hidden], undefined without a pooler
};

class BertModelImpl : public torch::nn::Cloneable<BertModelImpl> {
 public:
  /// Validates `config`. Hugging Face builds the masked-LM and question-answering models without a
  /// pooler (add_pooling_layer=False); so do we, so that the keys match.
  explicit BertModelImpl(BertConfig config, bool add_pooling_layer = true);
  void reset() override;

  BertModelOutput forward(const torch::Tensor& input_ids, const torch::Tensor& token_type_ids = {},
                          const torch::Tensor& attention_mask = {});
  BertModelOutput forward(const Batch& batch) {
    return forward(batch.input_ids, batch.token_type_ids, batch.attention_mask);
  }

  const BertConfig& config() const { return config_; }
  /// For physical pruning only (prune/apply_plan.h), which keeps the config and the shapes in step.
  BertConfig& mutable_config() { return config_; }
  bool has_pooler() const { return add_pooling_layer_; }

  BertEmbeddings embeddings{nullptr};
  BertEncoder encoder{nullptr};
  BertPooler pooler{nullptr};  ///< null when built without a pooler

 private:
  BertConfig config_;
  bool add_pooling_layer_;
};
TORCH_MODULE(BertModel);

}  // namespace earlybert
