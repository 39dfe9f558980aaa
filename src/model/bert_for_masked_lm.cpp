// BertForMaskedLM: masked-LM head without pooler or NSP.
#include "earlybert/model/bert_for_masked_lm.h"

namespace earlybert {

BertForMaskedLMImpl::BertForMaskedLMImpl(BertConfig config) : init_config_(std::move(config)) { reset(); }

void BertForMaskedLMImpl::reset() {
  const BertConfig config = bert ? bert->config() : init_config_;
  bert = register_module("bert", BertModel(config, /*add_pooling_layer=*/false));
  cls = register_module("cls", BertOnlyMLMHead(config));
}

MaskedLMOutput BertForMaskedLMImpl::forward(const Batch& batch) {
  MaskedLMOutput out;
  const auto body = bert->forward(batch);
  if (batch.labels.defined()) {
    auto mlm = masked_lm_scores(cls->predictions, body.sequence_output, batch.labels, decoder_weight());
    out.loss = mlm.loss;
    out.logits = mlm.logits;
    out.masked_positions = mlm.masked_positions;
  } else {
    out.logits = cls->forward(body.sequence_output, decoder_weight());
  }
  return out;
}

}  // namespace earlybert
