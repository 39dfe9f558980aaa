// Batch — the tensors one training or evaluation step feeds a model.
//
// Every model kind takes the same struct and reads the fields it needs; the data pipeline fills the
// ones its task has. Shapes ([B] batch, [S] sequence length):
//   input_ids            [B,S] int64   token ids (required)
//   token_type_ids       [B,S] int64   segment ids; undefined = all segment 0
//   attention_mask       [B,S]         1 = real token, 0 = padding; undefined = no padding
//   labels               masked LM / pre-training: [B,S] int64 token ids, -100 where not masked
//                        sequence classification: [B] int64 class ids, or [B] float targets for
//                        regression (num_labels == 1) / [B,num_labels] float for multi-label
//                        token classification: [B,S] int64 class ids, -100 where no label
//   next_sentence_label  [B] int64, 0 = sentence B follows A, 1 = random (pre-training)
//   start_positions      [B] int64 answer span start token (question answering)
//   end_positions        [B] int64 answer span end token
// Undefined label tensors mean "no loss": the model then returns logits only.
#pragma once

#include <torch/types.h>

namespace earlybert {

struct Batch {
  torch::Tensor input_ids;
  torch::Tensor token_type_ids;
  torch::Tensor attention_mask;
  torch::Tensor labels;
  torch::Tensor next_sentence_label;
  torch::Tensor start_positions;
  torch::Tensor end_positions;

  /// A copy with every defined tensor moved to `device` (undefined ones stay undefined).
  Batch to(const torch::Device& device, bool non_blocking = false) const;

  int64_t batch_size() const { return input_ids.size(0); }
  int64_t seq_len() const { return input_ids.size(1); }
};

}  // namespace earlybert
