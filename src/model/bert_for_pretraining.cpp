// BertForPreTraining: masked LM (at the masked positions only) + next-sentence prediction.
#include "earlybert/model/bert_for_pretraining.h"

#include "earlybert/runtime/matmul.h"

namespace earlybert {

BertForPreTrainingImpl::BertForPreTrainingImpl(BertConfig config) : init_config_(std::move(config)) { reset(); }

void BertForPreTrainingImpl::reset() {
  // On clone() `bert` still points at the original, whose config may describe a pruned model.
  const BertConfig config = bert ? bert->config() : init_config_;
  bert = register_module("bert", BertModel(config, /*add_pooling_layer=*/true));
  cls = register_module("cls", BertPreTrainingHeads(config));
}

PreTrainingOutput BertForPreTrainingImpl::forward(const Batch& batch) {
  PreTrainingOutput out;
  const auto body = bert->forward(batch);
  if (batch.labels.defined()) {
    auto mlm = masked_lm_scores(cls->predictions, body.sequence_output, batch.labels, decoder_weight());
    out.prediction_logits = mlm.logits;
    out.masked_positions = mlm.masked_positions;
    out.mlm_loss = mlm.loss;
  } else {
    out.prediction_logits = cls->predictions->forward(body.sequence_output, decoder_weight());
  }
  out.seq_relationship_logits =
      earlybert::linear(body.pooled_output, cls->seq_relationship->weight, cls->seq_relationship->bias,
                        cls->seq_relationship->weight.scalar_type());
  if (batch.next_sentence_label.defined()) {
    out.nsp_loss = at::cross_entropy_loss(out.seq_relationship_logits, batch.next_sentence_label.reshape({-1}));
  }
  if (out.mlm_loss.defined() && out.nsp_loss.defined()) {
    out.loss = out.mlm_loss + out.nsp_loss;
  } else {
    out.loss = out.mlm_loss.defined() ? out.mlm_loss : out.nsp_loss;
  }
  return out;
}

}  // namespace earlybert
