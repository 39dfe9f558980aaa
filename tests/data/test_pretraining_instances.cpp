// Tests for instance creation: lengths, [CLS]/[SEP] layout, segment ids, both NSP labels, truncation.
#include <gtest/gtest.h>

#include <algorithm>

#include "earlybert/base/error.h"
#include "earlybert/data/pretraining_instances.h"

namespace earlybert {
namespace {

constexpr int32_t kCls = 2, kSep = 3;

// Token ids encode where they come from: 100000 * (document + 1) + position in the document, so a test
// can tell which document and which order any token of an instance came from.
std::vector<TokenizedDocument> make_corpus(size_t docs, size_t sentences, size_t min_len, size_t max_len,
                                           uint64_t seed) {
  PretrainingRng rng(seed);
  std::vector<TokenizedDocument> corpus(docs);
  for (size_t d = 0; d < docs; ++d) {
    int32_t pos = 0;
    for (size_t s = 0; s < sentences; ++s) {
      const size_t len = min_len + rng.below(max_len - min_len + 1);
      std::vector<int32_t> sentence;
      for (size_t k = 0; k < len; ++k) sentence.push_back(static_cast<int32_t>(100000 * (d + 1)) + pos++);
      corpus[d].push_back(sentence);
    }
  }
  return corpus;
}

int doc_of(int32_t id) { return id / 100000 - 1; }
int pos_of(int32_t id) { return id % 100000; }

void check_layout(const PretrainingInstance& inst, size_t max_len) {
  const auto& ids = inst.input_ids;
  ASSERT_LE(ids.size(), max_len);
  ASSERT_GE(ids.size(), 3u);
  EXPECT_EQ(ids.front(), kCls);
  EXPECT_EQ(ids.back(), kSep);
  ASSERT_GE(inst.segment_a_length, 3u);
  EXPECT_EQ(ids[inst.segment_a_length - 1], kSep);
  for (size_t i = 1; i < ids.size() - 1; ++i) {
    if (i + 1 != inst.segment_a_length) {
      EXPECT_GE(ids[i], 100000) << "special token inside a segment";
    }
  }
  const auto types = inst.token_type_ids();
  for (size_t i = 0; i < types.size(); ++i) EXPECT_EQ(types[i], i < inst.segment_a_length ? 0 : 1);
}

TEST(PretrainingInstances, NspPairsHaveBothLabelsAndValidLayout) {
  const auto corpus = make_corpus(40, 30, 3, 25, 1);
  InstanceOptions o;
  o.max_seq_length = 64;
  const auto instances = create_instances(corpus, o, kCls, kSep, 7);
  ASSERT_GT(instances.size(), 300u);
  size_t next = 0, random = 0;
  for (const auto& inst : instances) {
    check_layout(inst, 64);
    ASSERT_LT(inst.segment_a_length, inst.input_ids.size()) << "B must not be empty";
    const std::vector<int32_t> a(inst.input_ids.begin() + 1, inst.input_ids.begin() + inst.segment_a_length - 1);
    const std::vector<int32_t> b(inst.input_ids.begin() + inst.segment_a_length, inst.input_ids.end() - 1);
    ASSERT_FALSE(a.empty());
    ASSERT_FALSE(b.empty());
    // A is one document's consecutive tokens (truncation only removes from the ends).
    for (size_t k = 1; k < a.size(); ++k) {
      ASSERT_EQ(doc_of(a[k]), doc_of(a[0]));
      ASSERT_EQ(pos_of(a[k]), pos_of(a[k - 1]) + 1);
    }
    if (inst.next_sentence_label == 0) {
      ++next;
      ASSERT_EQ(doc_of(b[0]), doc_of(a[0]));
      ASSERT_GT(pos_of(b[0]), pos_of(a.back())) << "B must follow A";
    } else {
      ASSERT_EQ(inst.next_sentence_label, 1);
      ++random;
      ASSERT_NE(doc_of(b[0]), doc_of(a[0])) << "random B from the same document";
    }
  }
  const double share = static_cast<double>(next) / static_cast<double>(instances.size());
  // Random next is 50% plus the forced cases (one gathered sentence), so "is next" is a bit under half.
  EXPECT_GT(share, 0.30);
  EXPECT_LT(share, 0.55);
  EXPECT_GT(random, 0u);
}

TEST(PretrainingInstances, ShortSequenceProbability) {
  const auto corpus = make_corpus(20, 200, 5, 15, 2);
  InstanceOptions o;
  o.max_seq_length = 128;
  o.short_seq_prob = 0.0;
  auto full = create_instances(corpus, o, kCls, kSep, 3);
  size_t long_ones = 0;
  for (const auto& inst : full) long_ones += inst.input_ids.size() >= 100;
  // Without short sequences nearly every instance is filled (only document tails are shorter).
  EXPECT_GT(static_cast<double>(long_ones) / full.size(), 0.9);
  o.short_seq_prob = 1.0;
  auto short_ones = create_instances(corpus, o, kCls, kSep, 3);
  size_t small = 0;
  for (const auto& inst : short_ones) {
    check_layout(inst, 128);
    small += inst.input_ids.size() < 64;
  }
  EXPECT_GT(static_cast<double>(small) / short_ones.size(), 0.3);
}

TEST(PretrainingInstances, WithoutNspEveryTokenIsKeptInOrder) {
  const auto corpus = make_corpus(5, 50, 1, 90, 3);  // sentences up to 90 tokens: some longer than a window
  InstanceOptions o;
  o.max_seq_length = 32;
  o.next_sentence_prediction = false;
  const auto instances = create_instances(corpus, o, kCls, kSep, 4);
  std::vector<int32_t> joined;
  for (const auto& inst : instances) {
    ASSERT_LE(inst.input_ids.size(), 32u);
    EXPECT_EQ(inst.next_sentence_label, -1);
    EXPECT_EQ(inst.segment_a_length, inst.input_ids.size());
    EXPECT_EQ(inst.input_ids.front(), kCls);
    EXPECT_EQ(inst.input_ids.back(), kSep);
    joined.insert(joined.end(), inst.input_ids.begin() + 1, inst.input_ids.end() - 1);
  }
  std::vector<int32_t> expected;
  for (const auto& doc : corpus)
    for (const auto& s : doc) expected.insert(expected.end(), s.begin(), s.end());
  EXPECT_EQ(joined, expected);
}

TEST(PretrainingInstances, LongSentencesAreTruncatedToMax) {
  const auto corpus = make_corpus(6, 4, 200, 300, 4);
  InstanceOptions o;
  o.max_seq_length = 128;
  for (const auto& inst : create_instances(corpus, o, kCls, kSep, 5)) check_layout(inst, 128);
}

TEST(PretrainingInstances, OneDocumentCorpusStillWorks) {
  const auto corpus = make_corpus(1, 40, 3, 10, 5);
  InstanceOptions o;
  o.max_seq_length = 32;
  const auto instances = create_instances(corpus, o, kCls, kSep, 6);
  ASSERT_FALSE(instances.empty());
  for (const auto& inst : instances) check_layout(inst, 32);
}

TEST(PretrainingInstances, DeterministicAndSeedDependent) {
  const auto corpus = make_corpus(10, 20, 3, 20, 6);
  InstanceOptions o;
  o.max_seq_length = 64;
  const auto a = create_instances(corpus, o, kCls, kSep, 1);
  const auto b = create_instances(corpus, o, kCls, kSep, 1);
  const auto c = create_instances(corpus, o, kCls, kSep, 2);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].input_ids, b[i].input_ids);
    EXPECT_EQ(a[i].segment_a_length, b[i].segment_a_length);
    EXPECT_EQ(a[i].next_sentence_label, b[i].next_sentence_label);
  }
  bool differ = a.size() != c.size();
  for (size_t i = 0; !differ && i < a.size(); ++i) differ = a[i].input_ids != c[i].input_ids;
  EXPECT_TRUE(differ);
  // Two passes (dupe_factor 2) give the corpus twice, cut differently.
  EXPECT_GT(create_instances(corpus, o, kCls, kSep, 1, 2).size(), a.size() * 3 / 2);
}

TEST(PretrainingInstances, TruncateSeqPairTrimsTheLongerSideFromEitherEnd) {
  PretrainingRng rng(9);
  bool front = false, back = false;
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<int32_t> a(40), b(10);
    for (int i = 0; i < 40; ++i) a[static_cast<size_t>(i)] = i;
    for (int i = 0; i < 10; ++i) b[static_cast<size_t>(i)] = 100 + i;
    truncate_seq_pair(a, b, 30, rng);
    ASSERT_EQ(a.size() + b.size(), 30u);
    ASSERT_EQ(b.size(), 10u) << "the shorter side was cut";
    for (size_t k = 1; k < a.size(); ++k) ASSERT_EQ(a[k], a[k - 1] + 1) << "not a contiguous slice";
    front |= a.front() > 0;
    back |= a.back() < 39;
  }
  EXPECT_TRUE(front);
  EXPECT_TRUE(back);
  std::vector<int32_t> a(20, 1), b(20, 2);
  truncate_seq_pair(a, b, 10, rng);
  EXPECT_EQ(a.size(), 5u);
  EXPECT_EQ(b.size(), 5u);
}

TEST(PretrainingInstances, RejectsBadOptions) {
  InstanceOptions o;
  o.max_seq_length = 4;
  EXPECT_THROW(validate_instance_options(o), Error);
  o.next_sentence_prediction = false;
  EXPECT_NO_THROW(validate_instance_options(o));
  o.max_seq_length = 70000;
  EXPECT_THROW(validate_instance_options(o), Error);
  o = InstanceOptions{};
  o.short_seq_prob = -0.1;
  EXPECT_THROW(validate_instance_options(o), Error);
}

}  // namespace
}  // namespace earlybert
