// Tests for MLM masking: the 15% selection, the 80/10/10 split, specials, whole words, determinism.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "earlybert/base/error.h"
#include "earlybert/data/masking.h"
#include "earlybert/data/pretraining_random.h"

namespace earlybert {
namespace {

constexpr int32_t kMask = 4;
constexpr size_t kVocab = 30000;

std::vector<int32_t> random_ids(size_t n, uint64_t seed) {
  PretrainingRng rng(seed);
  std::vector<int32_t> ids(n);
  for (auto& id : ids) id = static_cast<int32_t>(5 + rng.below(kVocab - 5));
  return ids;
}

size_t count_selected(const MaskedTokens& m) {
  size_t n = 0;
  for (int32_t l : m.labels) n += l != kIgnoreLabel;
  return n;
}

TEST(Masking, SelectsFifteenPercentAndSplits80_10_10) {
  const size_t n = 200000;
  const auto ids = random_ids(n, 1);
  MaskingOptions o;
  o.max_predictions_per_seq = n;  // no cap: the share alone decides
  const auto m = mask_tokens(ids, std::vector<uint8_t>(n, 0), {}, kMask, kVocab, o, 42);
  const size_t selected = count_selected(m);
  EXPECT_EQ(selected, static_cast<size_t>(std::round(n * 0.15)));
  size_t masked = 0, kept = 0, random = 0;
  for (size_t i = 0; i < n; ++i) {
    if (m.labels[i] == kIgnoreLabel) {
      EXPECT_EQ(m.input_ids[i], ids[i]) << "an unselected token was changed at " << i;
      continue;
    }
    EXPECT_EQ(m.labels[i], ids[i]);
    if (m.input_ids[i] == kMask)
      ++masked;
    else if (m.input_ids[i] == ids[i])
      ++kept;
    else
      ++random;
  }
  const double s = static_cast<double>(selected);
  // Binomial standard deviations at s = 30000: 0.0023 (80%) and 0.0017 (10%); tolerances are > 4 sigma.
  EXPECT_NEAR(masked / s, 0.8, 0.01);
  EXPECT_NEAR(kept / s, 0.1, 0.008);
  EXPECT_NEAR(random / s, 0.1, 0.008);
}

TEST(Masking, RandomReplacementsSpreadOverTheVocabulary) {
  const size_t n = 100000;
  const std::vector<int32_t> ids(n, 7);
  MaskingOptions o;
  o.max_predictions_per_seq = n;
  o.mask_token_prob = 0.0;
  o.random_token_prob = 1.0;
  const auto m = mask_tokens(ids, std::vector<uint8_t>(n, 0), {}, kMask, 100, o, 3);
  std::set<int32_t> seen;
  for (size_t i = 0; i < n; ++i) {
    if (m.labels[i] == kIgnoreLabel) continue;
    ASSERT_GE(m.input_ids[i], 0);
    ASSERT_LT(m.input_ids[i], 100);
    seen.insert(m.input_ids[i]);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(Masking, SpecialsAreNeverSelected) {
  const size_t n = 128;
  auto ids = random_ids(n, 2);
  std::vector<uint8_t> special(n, 0);
  for (size_t i = 0; i < n; i += 3) special[i] = 1;
  MaskingOptions o;
  o.max_predictions_per_seq = n;
  o.masked_lm_prob = 0.6;  // more than the non-special share would allow: all of them get chosen
  for (uint64_t seed = 0; seed < 200; ++seed) {
    const auto m = mask_tokens(ids, special, {}, kMask, kVocab, o, seed);
    for (size_t i = 0; i < n; ++i) {
      if (special[i]) {
        ASSERT_EQ(m.labels[i], kIgnoreLabel) << "seed " << seed << " position " << i;
        ASSERT_EQ(m.input_ids[i], ids[i]);
      }
    }
  }
  const auto all_special = mask_tokens(ids, std::vector<uint8_t>(n, 1), {}, kMask, kVocab, o, 1);
  EXPECT_EQ(count_selected(all_special), 0u);
  EXPECT_EQ(all_special.input_ids, ids);
}

TEST(Masking, CapAndMinimum) {
  const auto ids = random_ids(128, 3);
  MaskingOptions o;  // 0.15 * 128 = 19.2 -> 19, cap 20
  EXPECT_EQ(count_selected(mask_tokens(ids, std::vector<uint8_t>(128, 0), {}, kMask, kVocab, o, 5)), 19u);
  o.max_predictions_per_seq = 7;
  EXPECT_EQ(count_selected(mask_tokens(ids, std::vector<uint8_t>(128, 0), {}, kMask, kVocab, o, 5)), 7u);
  // A short sequence still gets one prediction.
  o.max_predictions_per_seq = 20;
  const std::vector<int32_t> short_ids = {2, 10, 11, 3};
  const auto m = mask_tokens(short_ids, {1, 0, 0, 1}, {}, kMask, kVocab, o, 9);
  EXPECT_EQ(count_selected(m), 1u);
}

TEST(Masking, WholeWordsAreChosenTogether) {
  // Words of 1..4 tokens; continuation marks every token after a word's first.
  PretrainingRng rng(11);
  std::vector<int32_t> ids = {2};
  std::vector<uint8_t> special = {1}, cont = {0};
  std::vector<int> word_of = {-1};
  int words = 0;
  while (ids.size() < 500) {
    const size_t len = 1 + rng.below(4);
    for (size_t k = 0; k < len; ++k) {
      ids.push_back(static_cast<int32_t>(10 + rng.below(1000)));
      special.push_back(0);
      cont.push_back(k > 0);
      word_of.push_back(words);
    }
    ++words;
  }
  ids.push_back(3);
  special.push_back(1);
  cont.push_back(1);  // a continuation flag on a special must not glue it to a word
  word_of.push_back(-1);
  MaskingOptions o;
  o.whole_word_mask = true;
  o.max_predictions_per_seq = 80;
  for (uint64_t seed = 0; seed < 100; ++seed) {
    const auto m = mask_tokens(ids, special, cont, kMask, kVocab, o, seed);
    std::vector<int> chosen(static_cast<size_t>(words), 0), size(static_cast<size_t>(words), 0);
    for (size_t i = 0; i < ids.size(); ++i) {
      if (word_of[i] < 0) continue;
      size[static_cast<size_t>(word_of[i])] += 1;
      chosen[static_cast<size_t>(word_of[i])] += m.labels[i] != kIgnoreLabel;
    }
    size_t total = 0;
    for (int w = 0; w < words; ++w) {
      ASSERT_TRUE(chosen[static_cast<size_t>(w)] == 0 || chosen[static_cast<size_t>(w)] == size[static_cast<size_t>(w)])
          << "seed " << seed << ": word " << w << " partly chosen";
      total += static_cast<size_t>(chosen[static_cast<size_t>(w)]);
    }
    ASSERT_LE(total, static_cast<size_t>(std::round(ids.size() * 0.15)));
    ASSERT_GT(total, 0u);
  }
}

TEST(Masking, TokensAreChosenSinglyWithoutWholeWordMasking) {
  // Same ids with continuation flags, but whole_word_mask off: a partly chosen word must occur.
  const size_t n = 400;
  const auto ids = random_ids(n, 4);
  std::vector<uint8_t> cont(n, 0);
  for (size_t i = 0; i < n; ++i) cont[i] = i % 2;  // two-token words
  MaskingOptions o;
  o.max_predictions_per_seq = n;
  const auto m = mask_tokens(ids, std::vector<uint8_t>(n, 0), cont, kMask, kVocab, o, 8);
  size_t partial = 0;
  for (size_t i = 0; i + 1 < n; i += 2) partial += (m.labels[i] == kIgnoreLabel) != (m.labels[i + 1] == kIgnoreLabel);
  EXPECT_GT(partial, 0u);
}

TEST(Masking, DeterministicPerSeed) {
  const auto ids = random_ids(512, 5);
  const std::vector<uint8_t> special(512, 0);
  MaskingOptions o;
  o.max_predictions_per_seq = 80;
  const auto a = mask_tokens(ids, special, {}, kMask, kVocab, o, masking_seed(1, 0, 17));
  const auto b = mask_tokens(ids, special, {}, kMask, kVocab, o, masking_seed(1, 0, 17));
  const auto c = mask_tokens(ids, special, {}, kMask, kVocab, o, masking_seed(1, 1, 17));
  EXPECT_EQ(a.input_ids, b.input_ids);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_NE(a.labels, c.labels);
  EXPECT_NE(masking_seed(1, 0, 17), masking_seed(1, 0, 18));
  EXPECT_NE(masking_seed(1, 0, 17), masking_seed(2, 0, 17));
}

TEST(Masking, DefaultMaxPredictionsMatchesGoogle) {
  EXPECT_EQ(default_max_predictions(128), 20u);
  EXPECT_EQ(default_max_predictions(512), 80u);
}

TEST(Masking, RejectsBadOptions) {
  MaskingOptions o;
  o.masked_lm_prob = 1.5;
  EXPECT_THROW(validate_masking_options(o), Error);
  o = MaskingOptions{};
  o.mask_token_prob = 0.7;
  o.random_token_prob = 0.4;
  EXPECT_THROW(validate_masking_options(o), Error);
  o = MaskingOptions{};
  o.max_predictions_per_seq = 0;
  EXPECT_THROW(validate_masking_options(o), Error);
  EXPECT_NO_THROW(validate_masking_options(MaskingOptions{}));
  EXPECT_THROW(mask_tokens({1, 2}, {0}, {}, kMask, kVocab, MaskingOptions{}, 0), Error);
}

TEST(PretrainingRng, UniformIntegersAreUnbiasedAndPortable) {
  PretrainingRng rng(123);
  std::vector<int> counts(6, 0);
  for (int i = 0; i < 60000; ++i) counts[rng.below(6)] += 1;
  for (int c : counts) EXPECT_NEAR(c, 10000, 400);
  // SplitMix64's published first output for seed 0 (reference implementation by S. Vigna).
  PretrainingRng zero(0);
  EXPECT_EQ(zero.next_u64(), 0xE220A8397B1DCDAFULL);
}

}  // namespace
}  // namespace earlybert
