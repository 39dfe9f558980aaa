// Masked-language-model masking — see include/earlybert/data/masking.h.
#include "earlybert/data/masking.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "earlybert/base/error.h"
#include "earlybert/data/pretraining_random.h"

namespace earlybert {

void validate_masking_options(const MaskingOptions& o, const char* where) {
  auto prob = [&](double p, const char* name) {
    if (!(p >= 0.0 && p <= 1.0)) fail(where, std::string(name) + " must be in [0, 1], got " + std::to_string(p));
  };
  prob(o.masked_lm_prob, "masked_lm_prob");
  prob(o.mask_token_prob, "mask_token_prob");
  prob(o.random_token_prob, "random_token_prob");
  if (o.mask_token_prob + o.random_token_prob > 1.0 + 1e-12)
    fail(where, "mask_token_prob + random_token_prob must be at most 1");
  if (o.max_predictions_per_seq == 0) fail(where, "max_predictions_per_seq must be at least 1");
}

size_t default_max_predictions(size_t max_seq_length) { return (max_seq_length * 5 + 31) / 32; }

MaskedTokens mask_tokens(const std::vector<int32_t>& ids, const std::vector<uint8_t>& special,
                         const std::vector<uint8_t>& continuation, int32_t mask_id, size_t vocab_size,
                         const MaskingOptions& options, uint64_t seed) {
  if (special.size() != ids.size()) fail("masking", "special-token mask and ids differ in length");
  const bool whole_words = options.whole_word_mask && !continuation.empty();
  if (whole_words && continuation.size() != ids.size()) fail("masking", "continuation mask and ids differ in length");
  if (vocab_size == 0) fail("masking", "vocabulary size is 0");

  MaskedTokens out{ids, std::vector<int32_t>(ids.size(), kIgnoreLabel)};

  // Candidate groups: single tokens, or whole words. A special token ends a word, so a "##" piece
  // after [SEP] starts a group of its own rather than joining the word before the separator.
  std::vector<std::vector<uint32_t>> groups;
  bool previous_special = true;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (special[i]) {
      previous_special = true;
      continue;
    }
    if (whole_words && continuation[i] && !previous_special && !groups.empty())
      groups.back().push_back(static_cast<uint32_t>(i));
    else
      groups.push_back({static_cast<uint32_t>(i)});
    previous_special = false;
  }

  PretrainingRng rng(seed);
  rng.shuffle(groups);
  const double wanted = std::round(static_cast<double>(ids.size()) * options.masked_lm_prob);
  const size_t to_predict = std::min(options.max_predictions_per_seq, std::max<size_t>(1, static_cast<size_t>(wanted)));

  size_t predicted = 0;
  for (const auto& group : groups) {
    if (predicted >= to_predict) break;
    // Google skips a word that would overshoot the budget and tries the next (shorter) one.
    if (predicted + group.size() > to_predict) continue;
    for (uint32_t i : group) {
      out.labels[i] = ids[i];
      const double r = rng.uniform();
      if (r < options.mask_token_prob) {
        out.input_ids[i] = mask_id;
      } else if (r < options.mask_token_prob + options.random_token_prob) {
        out.input_ids[i] = static_cast<int32_t>(rng.below(vocab_size));
      }
    }
    predicted += group.size();
  }
  return out;
}

uint64_t masking_seed(uint64_t seed, uint64_t epoch, uint64_t example_index) {
  return mix_seed(seed ^ 0x6D61736B696E6700ULL /* "masking" */, epoch, example_index);
}

}  // namespace earlybert
