// Prediction heads on top of BertModel, with Hugging Face's names:
//
//   BertPredictionHeadTransform  dense, activation, LayerNorm      (cls.predictions.transform.…)
//   BertLMPredictionHead         transform, bias                   (cls.predictions.…)
//   BertOnlyMLMHead              predictions                        (cls.…, masked LM)
//   BertPreTrainingHeads         predictions, seq_relationship      (cls.…, pre-training)
//
// The decoder (vocabulary projection) has no weight of its own: it is tied to
// bert.embeddings.word_embeddings.weight, which the owning model passes in. Hugging Face's state dict
// also lists that tie as cls.predictions.decoder.weight (and cls.predictions.decoder.bias as an alias
// of cls.predictions.bias); see tied_parameter_aliases().
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <utility>
#include <vector>

#include "earlybert/model/activation.h"
#include "earlybert/model/bert_config.h"

namespace earlybert {

class BertPredictionHeadTransformImpl : public torch::nn::Cloneable<BertPredictionHeadTransformImpl> {
 public:
  explicit BertPredictionHeadTransformImpl(BertConfig config);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& hidden);

  BertConfig config;
  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};

 private:
  Activation act_ = Activation::GeluErf;
};
TORCH_MODULE(BertPredictionHeadTransform);

class BertLMPredictionHeadImpl : public torch::nn::Cloneable<BertLMPredictionHeadImpl> {
 public:
  explicit BertLMPredictionHeadImpl(BertConfig config);
  void reset() override;
  /// hidden [...,hidden] -> vocabulary logits [...,vocab] with the tied `decoder_weight` [vocab,hidden].
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& decoder_weight);

  BertConfig config;
  BertPredictionHeadTransform transform{nullptr};
  torch::Tensor bias;  ///< [vocab] (cls.predictions.bias)
};
TORCH_MODULE(BertLMPredictionHead);

class BertOnlyMLMHeadImpl : public torch::nn::Cloneable<BertOnlyMLMHeadImpl> {
 public:
  explicit BertOnlyMLMHeadImpl(BertConfig config);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& decoder_weight) {
    return predictions->forward(hidden, decoder_weight);
  }

  BertConfig config;
  BertLMPredictionHead predictions{nullptr};
};
TORCH_MODULE(BertOnlyMLMHead);

class BertPreTrainingHeadsImpl : public torch::nn::Cloneable<BertPreTrainingHeadsImpl> {
 public:
  explicit BertPreTrainingHeadsImpl(BertConfig config);
  void reset() override;

  BertConfig config;
  BertLMPredictionHead predictions{nullptr};
  torch::nn::Linear seq_relationship{nullptr};  ///< [2,hidden] next-sentence classifier on the pooler
};
TORCH_MODULE(BertPreTrainingHeads);

/// Names Hugging Face checkpoints may carry for the tied decoder, each with the parameter it aliases
/// here: {"cls.predictions.decoder.weight", "bert.embeddings.word_embeddings.weight"} and
/// {"cls.predictions.decoder.bias", "cls.predictions.bias"}. A loader maps the first name to the second
/// (or skips it when the second is also present); a writer may omit the first.
std::vector<std::pair<std::string, std::string>> tied_parameter_aliases();

/// Masked-LM logits and loss computed only at the masked positions.
struct MaskedLMScores {
  torch::Tensor logits;            ///< [M,vocab], one row per position with label != -100
  torch::Tensor masked_positions;  ///< [M] int64 flat indices into the [B*S] positions, ascending
  torch::Tensor loss;              ///< mean cross-entropy over the M positions (0 when M == 0)
};

/// Gathers the rows of `sequence_output` [B,S,hidden] whose `labels` [B,S] are not -100, and runs the
/// transform and the vocabulary projection on those rows only (≈15% of the tokens in pre-training),
/// instead of on all B·S positions: the projection is the largest matrix product of a small BERT.
MaskedLMScores masked_lm_scores(BertLMPredictionHead& predictions, const torch::Tensor& sequence_output,
                                const torch::Tensor& labels, const torch::Tensor& decoder_weight);

}  // namespace earlybert
