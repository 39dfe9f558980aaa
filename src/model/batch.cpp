// Batch::to — moves the defined tensors of a batch to a device.
#include "earlybert/model/batch.h"

namespace earlybert {

Batch Batch::to(const torch::Device& device, bool non_blocking) const {
  auto move = [&](const torch::Tensor& t) { return t.defined() ? t.to(device, non_blocking) : t; };
  Batch b;
  b.input_ids = move(input_ids);
  b.token_type_ids = move(token_type_ids);
  b.attention_mask = move(attention_mask);
  b.labels = move(labels);
  b.next_sentence_label = move(next_sentence_label);
  b.start_positions = move(start_positions);
  b.end_positions = move(end_positions);
  return b;
}

}  // namespace earlybert
