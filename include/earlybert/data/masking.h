// Masked-language-model masking: which tokens the model must predict, and what it sees instead.
//
// BERT's recipe (Devlin et al. 2019; Google's create_pretraining_data.py): choose
//   n = min(max_predictions_per_seq, max(1, round(len(ids) * masked_lm_prob)))
// positions among the non-special tokens, in a random order; of the chosen, 80% become [MASK], 10% a
// random vocabulary id, 10% stay as they are. The label of a chosen position is its original id; every
// other position is labelled -100 (ignored by the loss, as in PyTorch/Hugging Face).
// With whole-word masking a word — a token and its "##" continuations — is chosen or skipped as a
// whole (a word that would overshoot n is skipped, as Google does); the 80/10/10 choice is still made
// per token.
//
// Masking is dynamic in earlybert: shards store unmasked ids and the reader masks each example when it
// is read, with the seed masking_seed(seed, epoch, example) — a new mask every epoch (RoBERTa's finding:
// better than Google's static dup_factor copies) that is still exactly reproducible, so a resumed run
// sees the masks it would have seen. mask_tokens() is a pure function of its inputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace earlybert {

/// The label of a position the loss ignores.
inline constexpr int32_t kIgnoreLabel = -100;

struct MaskingOptions {
  /// Fraction of a sequence's positions (specials included in the count, as Google does) to predict.
  double masked_lm_prob = 0.15;
  /// Upper bound on predictions per sequence (Google: 20 for 128 tokens, 80 for 512).
  size_t max_predictions_per_seq = 20;
  /// Of the chosen positions: fraction replaced by [MASK] ...
  double mask_token_prob = 0.8;
  /// ... and fraction replaced by a uniformly random id in [0, vocab_size); the rest keep their id.
  double random_token_prob = 0.1;
  /// Choose whole words (a token plus its continuation tokens) instead of single tokens.
  bool whole_word_mask = false;
};

/// Checks the options (probabilities in [0, 1], mask + random <= 1); Error naming `where` otherwise.
void validate_masking_options(const MaskingOptions& options, const char* where = "masking");

/// Google's default for max_predictions_per_seq: ceil(max_seq_length * 5 / 32), i.e. 20 for 128 and
/// 80 for 512 (a little above 15%, so that a full sequence always has room for its share).
size_t default_max_predictions(size_t max_seq_length);

struct MaskedTokens {
  std::vector<int32_t> input_ids;  ///< ids the model sees
  std::vector<int32_t> labels;     ///< original id at chosen positions, kIgnoreLabel elsewhere
};

/// Masks `ids`. `special[i]` != 0 marks positions never chosen ([CLS], [SEP], padding).
/// `continuation[i]` != 0 marks a token that continues the previous token's word (a "##" piece); it may
/// be empty, and is only used when options.whole_word_mask is set. `vocab_size` bounds random ids.
/// The result depends only on the arguments (same seed → same masks, on every platform).
MaskedTokens mask_tokens(const std::vector<int32_t>& ids, const std::vector<uint8_t>& special,
                         const std::vector<uint8_t>& continuation, int32_t mask_id, size_t vocab_size,
                         const MaskingOptions& options, uint64_t seed);

/// The seed for masking example `example_index` in `epoch` of a run seeded with `seed`.
uint64_t masking_seed(uint64_t seed, uint64_t epoch, uint64_t example_index);

}  // namespace earlybert
