// BertForQuestionAnswering: per-token start/end logits and HF's clamped span loss.
#include "earlybert/model/bert_for_question_answering.h"

#include "earlybert/runtime/matmul.h"
#include "model/init.h"

namespace earlybert {

BertForQuestionAnsweringImpl::BertForQuestionAnsweringImpl(BertConfig config) : init_config_(std::move(config)) {
  reset();
}

void BertForQuestionAnsweringImpl::reset() {
  const BertConfig config = bert ? bert->config() : init_config_;
  bert = register_module("bert", BertModel(config, /*add_pooling_layer=*/false));
  qa_outputs = register_module("qa_outputs", torch::nn::Linear(config.hidden_size, 2));
  detail::init_linear(qa_outputs, config.initializer_range);
}

QuestionAnsweringOutput BertForQuestionAnsweringImpl::forward(const Batch& batch) {
  QuestionAnsweringOutput out;
  const auto body = bert->forward(batch);
  // [B,S,2], in the weights' dtype (fp32 under autocast too): the loss and the evaluation read them.
  const auto logits =
      earlybert::linear(body.sequence_output, qa_outputs->weight, qa_outputs->bias, qa_outputs->weight.scalar_type());
  out.start_logits = logits.select(-1, 0).contiguous();
  out.end_logits = logits.select(-1, 1).contiguous();
  if (batch.start_positions.defined() && batch.end_positions.defined()) {
    // Answers outside the window (position >= S) are clamped to S and ignored, as in Hugging Face.
    const int64_t ignored = out.start_logits.size(1);
    const auto start = batch.start_positions.reshape({-1}).clamp(0, ignored);
    const auto end = batch.end_positions.reshape({-1}).clamp(0, ignored);
    const auto start_loss = at::cross_entropy_loss(out.start_logits, start, {}, at::Reduction::Mean, ignored);
    const auto end_loss = at::cross_entropy_loss(out.end_logits, end, {}, at::Reduction::Mean, ignored);
    out.loss = (start_loss + end_loss) / 2;
  }
  return out;
}

}  // namespace earlybert
