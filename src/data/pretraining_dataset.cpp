// A directory of pre-training shards — see include/earlybert/data/pretraining_dataset.h.
#include "earlybert/data/pretraining_dataset.h"

#include <algorithm>
#include <cstdio>

#include "base/json_fields.h"
#include "earlybert/base/error.h"
#include "earlybert/base/files.h"

namespace earlybert {

namespace {

std::string hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

std::string shard_file_name(size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "shard-%05zu.ebsh", i);
  return buf;
}

PretrainingDataset PretrainingDataset::open(const std::string& dir) {
  using json_fields::JsonReader;
  PretrainingDataset ds;
  ds.dir_ = dir;
  const std::string index_path = join_path(dir, kPretrainingIndexFile);
  if (!path_exists(dir)) fail(dir, "pre-training data directory does not exist");
  if (!path_exists(index_path))
    fail(dir, std::string("not a pre-training data directory (no ") + kPretrainingIndexFile +
                  "; create one with `earlybert prepare-pretraining`)");
  const auto doc = json_fields::parse_file(index_path);
  const JsonReader index(doc, index_path);
  const std::string format = index.require<std::string>("format");
  if (format != "earlybert-pretraining")
    fail(index.where("format"), "expected \"earlybert-pretraining\", got \"" + format + "\"");
  const auto& shards = index.raw("shards");
  if (!shards.is_array() || shards.empty()) fail(index.where("shards"), "expected a non-empty array");

  for (size_t s = 0; s < shards.size(); ++s) {
    const JsonReader entry(shards[s], index_path, "shards[" + std::to_string(s) + "]");
    const std::string file = entry.require<std::string>("file");
    if (file.empty() || file.find('/') != std::string::npos)
      fail(entry.where("file"), "expected a file name inside the directory");
    const auto records = entry.require<uint64_t>("records");
    ShardFile shard = ShardFile::open(join_path(dir, file));
    if (shard.size() != records)
      fail(shard.path(), "has " + std::to_string(shard.size()) + " records, " + kPretrainingIndexFile + " says " +
                             std::to_string(records));
    const ShardHeader& h = shard.header();
    if (s == 0) {
      ds.header_ = h;
      ds.header_.num_records = 0;
      ds.header_.num_tokens = 0;
    } else {
      const ShardHeader& f = ds.header_;
      if (h.max_seq_length != f.max_seq_length || h.vocab_size != f.vocab_size ||
          h.vocab_fingerprint != f.vocab_fingerprint || h.has_nsp != f.has_nsp || h.special.cls != f.special.cls ||
          h.special.sep != f.special.sep || h.special.mask != f.special.mask || h.special.pad != f.special.pad ||
          h.special.unk != f.special.unk)
        fail(shard.path(), "was prepared differently from " + ds.shards_.front().path() +
                               " (max_seq_length, vocabulary, special ids or NSP differ)");
    }
    ds.header_.num_records += h.num_records;
    ds.header_.num_tokens += h.num_tokens;
    ds.starts_.push_back(ds.total_);
    ds.total_ += shard.size();
    ds.shards_.push_back(std::move(shard));
  }
  ds.default_masking_.max_predictions_per_seq = default_max_predictions(ds.header_.max_seq_length);
  ds.default_masking_.whole_word_mask = ds.header_.whole_word_mask;
  if (index.has("masking")) {
    const JsonReader m = index.child("masking");
    MaskingOptions& dm = ds.default_masking_;
    dm.masked_lm_prob = m.optional<double>("masked_lm_prob", dm.masked_lm_prob);
    dm.max_predictions_per_seq = m.optional<size_t>("max_predictions_per_seq", dm.max_predictions_per_seq);
    dm.mask_token_prob = m.optional<double>("mask_token_prob", dm.mask_token_prob);
    dm.random_token_prob = m.optional<double>("random_token_prob", dm.random_token_prob);
    dm.whole_word_mask = m.optional<bool>("whole_word_mask", dm.whole_word_mask);
    validate_masking_options(dm, m.where("").c_str());
  }
  const auto announced = index.require<uint64_t>("instances");
  if (announced != ds.total_)
    fail(index.where("instances"),
         "says " + std::to_string(announced) + " but the shards hold " + std::to_string(ds.total_));
  return ds;
}

void PretrainingDataset::check_vocabulary(const Tokenizer& tokenizer) const {
  check_vocabulary(vocab_fingerprint(tokenizer), tokenizer.vocab_size(), "the tokenizer's");
}

void PretrainingDataset::check_vocabulary(uint64_t fingerprint, size_t vocab_size,
                                          const std::string& vocab_name) const {
  if (fingerprint == header_.vocab_fingerprint && vocab_size == header_.vocab_size) return;
  fail(dir_, "prepared with a different vocabulary (" + std::to_string(header_.vocab_size) + " entries, fingerprint " +
                 hex64(header_.vocab_fingerprint) + ") than " + vocab_name + " (" + std::to_string(vocab_size) +
                 " entries, fingerprint " + hex64(fingerprint) +
                 "); run prepare-pretraining again with this vocabulary");
}

PretrainingInstance PretrainingDataset::get(size_t i) const {
  if (i >= total_)
    fail(dir_, "example " + std::to_string(i) + " out of range (" + std::to_string(total_) + " examples)");
  const size_t s = static_cast<size_t>(std::upper_bound(starts_.begin(), starts_.end(), i) - starts_.begin()) - 1;
  return shards_[s].get(i - starts_[s]);
}

PretrainingExample PretrainingDataset::example(size_t i, uint64_t epoch, uint64_t seed,
                                               const MaskingOptions& masking) const {
  return mask_instance(get(i), header_, continuation(), masking, masking_seed(seed, epoch, i));
}

PretrainingExample mask_instance(const PretrainingInstance& inst, const ShardHeader& header,
                                 const std::vector<uint8_t>& continuation, const MaskingOptions& masking,
                                 uint64_t seed) {
  const size_t n = inst.input_ids.size();
  std::vector<uint8_t> special(n, 0);
  std::vector<uint8_t> cont;
  if (masking.whole_word_mask) cont.resize(n, 0);
  for (size_t k = 0; k < n; ++k) {
    const int32_t id = inst.input_ids[k];
    const bool structural = k == 0 || k + 1 == n || k + 1 == inst.segment_a_length;
    special[k] = structural || id == header.special.cls || id == header.special.sep || id == header.special.pad;
    if (!cont.empty() && id >= 0 && static_cast<size_t>(id) < continuation.size()) cont[k] = continuation[id];
  }
  MaskedTokens masked =
      mask_tokens(inst.input_ids, special, cont, header.special.mask, header.vocab_size, masking, seed);
  PretrainingExample ex;
  ex.input_ids = std::move(masked.input_ids);
  ex.labels = std::move(masked.labels);
  ex.token_type_ids = inst.token_type_ids();
  ex.next_sentence_label = inst.next_sentence_label < 0 ? kIgnoreLabel : inst.next_sentence_label;
  return ex;
}

}  // namespace earlybert
