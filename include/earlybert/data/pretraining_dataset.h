// A directory of pre-training shards, read as one dataset.
//
// `earlybert prepare-pretraining` writes DIR/shard-00000.ebsh, shard-00001.ebsh, ... and
// DIR/pretraining.json, which lists the shards, their record counts and how the data was made (the
// corpus statistics, the options, the vocabulary fingerprint). The directory is committed with one
// rename, so it is either complete or absent. PretrainingDataset::open() memory-maps every listed
// shard, checks that they agree with each other and with the index (same max_seq_length, vocabulary,
// NSP setting; the announced counts), and numbers the records 0..size()-1 across shards in order.
//
// example(i, epoch, seed, masking) returns a masked, model-ready example: masks are drawn when read
// (see masking.h), so every epoch sees new masks and any example can be re-created exactly.
// The mapping is read-only and get()/example() are const, so loader threads may share one dataset.
// Which examples a rank reads, in which order, is DistributedSampler's job (pretraining_sampler.h):
//   DistributedSampler sampler(ds.size(), seed, rank, world);
//   SampledIndex at = sampler.next();
//   PretrainingExample ex = ds.example(at.example, at.epoch, seed, ds.default_masking());
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "earlybert/data/masking.h"
#include "earlybert/data/shard.h"
#include "earlybert/tokenize/tokenizer.h"

namespace earlybert {

/// The index file of a pre-training data directory.
inline constexpr const char* kPretrainingIndexFile = "pretraining.json";

/// File name of shard `i` ("shard-00012.ebsh").
std::string shard_file_name(size_t i);

/// One masked example, unpadded.
struct PretrainingExample {
  std::vector<int32_t> input_ids;
  std::vector<int32_t> token_type_ids;
  /// Original id at positions to predict, kIgnoreLabel elsewhere.
  std::vector<int32_t> labels;
  /// 0 is next, 1 random next; kIgnoreLabel when the data has no NSP pairs.
  int32_t next_sentence_label = kIgnoreLabel;
};

class PretrainingDataset {
 public:
  /// Opens DIR; Error naming the directory or file for a missing index, a missing or corrupt shard, or
  /// shards that disagree.
  static PretrainingDataset open(const std::string& dir);

  const std::string& directory() const { return dir_; }
  size_t size() const { return total_; }
  size_t num_shards() const { return shards_.size(); }
  /// The common header (num_records and num_tokens are totals over all shards).
  const ShardHeader& header() const { return header_; }
  bool has_nsp() const { return header_.has_nsp; }
  /// The masking options recorded by prepare-pretraining (masked_lm_prob, max_predictions_per_seq,
  /// whole_word_mask); library defaults for what the index does not say.
  const MaskingOptions& default_masking() const { return default_masking_; }
  /// One byte per vocabulary id: 1 for word continuations (for whole-word masking).
  const std::vector<uint8_t>& continuation() const { return shards_.front().continuation(); }

  /// Error unless the data was prepared with this tokenizer's vocabulary.
  void check_vocabulary(const Tokenizer& tokenizer) const;
  /// Same, from a fingerprint (vocab_fingerprint()) and size; `vocab_name` is used in the message.
  void check_vocabulary(uint64_t fingerprint, size_t vocab_size, const std::string& vocab_name) const;

  /// Record i, unmasked.
  PretrainingInstance get(size_t i) const;
  /// Record i masked with masking_seed(seed, epoch, i).
  PretrainingExample example(size_t i, uint64_t epoch, uint64_t seed, const MaskingOptions& masking) const;

 private:
  std::string dir_;
  std::vector<ShardFile> shards_;
  std::vector<size_t> starts_;  // index of each shard's first record
  size_t total_ = 0;
  ShardHeader header_;
  MaskingOptions default_masking_;
};

/// Masks one instance: [CLS] and [SEP] positions are never chosen.
PretrainingExample mask_instance(const PretrainingInstance& instance, const ShardHeader& header,
                                 const std::vector<uint8_t>& continuation, const MaskingOptions& masking,
                                 uint64_t seed);

}  // namespace earlybert
