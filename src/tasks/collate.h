// Private: the part of batch collation every fine-tuning task shares — features of different
// lengths padded into input_ids / token_type_ids / attention_mask tensors of one batch.
#pragma once

#include <torch/torch.h>

#include <algorithm>
#include <string>
#include <vector>

#include "earlybert/base/error.h"
#include "earlybert/model/batch.h"

namespace earlybert::train_detail {

/// Pads features[indices] (anything with input_ids and token_type_ids) to the longest of them with
/// `pad_id`; attention_mask is 1 on real tokens. Labels are the caller's. Error naming 'batch' for
/// an empty or out-of-range index list (`unit` names the elements in the message).
template <class Feature>
Batch pad_features(const std::vector<Feature>& features, const std::vector<int64_t>& indices, int32_t pad_id,
                   const std::string& unit) {
  if (indices.empty()) fail("batch", "no " + unit + "s to collate");
  size_t len = 0;
  for (int64_t i : indices) {
    if (i < 0 || static_cast<size_t>(i) >= features.size())
      fail("batch", unit + " index " + std::to_string(i) + " out of range (" + std::to_string(features.size()) + ")");
    len = std::max(len, features[static_cast<size_t>(i)].input_ids.size());
  }
  const auto B = static_cast<int64_t>(indices.size());
  const auto S = static_cast<int64_t>(len);
  auto ids = torch::full({B, S}, static_cast<int64_t>(pad_id), torch::kLong);
  auto types = torch::zeros({B, S}, torch::kLong);
  auto mask = torch::zeros({B, S}, torch::kLong);
  auto ids_a = ids.accessor<int64_t, 2>();
  auto types_a = types.accessor<int64_t, 2>();
  auto mask_a = mask.accessor<int64_t, 2>();
  for (int64_t r = 0; r < B; ++r) {
    const Feature& f = features[static_cast<size_t>(indices[static_cast<size_t>(r)])];
    for (size_t j = 0; j < f.input_ids.size(); ++j) {
      ids_a[r][static_cast<int64_t>(j)] = f.input_ids[j];
      types_a[r][static_cast<int64_t>(j)] = f.token_type_ids[j];
      mask_a[r][static_cast<int64_t>(j)] = 1;
    }
  }
  Batch batch;
  batch.input_ids = ids;
  batch.token_type_ids = types;
  batch.attention_mask = mask;
  return batch;
}

}  // namespace earlybert::train_detail
