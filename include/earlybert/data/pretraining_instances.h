// Pre-training instances: tokenized documents cut into BERT inputs, as Google's
// create_pretraining_data.py does, but without the masks (masking happens when examples are read; see
// masking.h).
//
// With next-sentence prediction (the BERT default) each instance is
//   [CLS] A [SEP] B [SEP]        token_type_ids 0 for [CLS] A [SEP], 1 for B [SEP]
// Sentences of a document are gathered until they reach a target length (max_seq_length - 3, or with
// probability short_seq_prob a random length in [2, max_seq_length - 3], to lessen the mismatch with
// short fine-tuning inputs); A is a random number of the first gathered sentences. Half of the time B
// is the rest of the gathered sentences (label 0, "is next"); otherwise (and always when only one
// sentence was gathered) B is taken from a random other document (label 1, "random next") and the
// unused sentences are put back. The pair is then trimmed to max_seq_length - 3 tokens by removing one
// token at a time from the longer side, from its front or back at random (Google's truncate_seq_pair).
//
// Without NSP (RoBERTa's DOC-SENTENCES) an instance is [CLS] A [SEP] with A packed from consecutive
// sentences of one document up to the target length (max_seq_length - 2); a sentence longer than a
// whole window is split across instances, so no token is dropped. next_sentence_label is -1.
//
// One deliberate difference from Google: the short target length is drawn for every instance, not once
// per document (there it made 10% of the *documents* short instead of 10% of the instances).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "earlybert/data/pretraining_random.h"

namespace earlybert {

/// A document as token ids: one vector per sentence (no special tokens; empty sentences not allowed).
using TokenizedDocument = std::vector<std::vector<int32_t>>;

struct InstanceOptions {
  size_t max_seq_length = 128;
  double short_seq_prob = 0.1;
  bool next_sentence_prediction = true;
};

/// Checks max_seq_length (>= 5 with NSP, >= 3 without, <= 65535) and short_seq_prob; Error naming `where`.
void validate_instance_options(const InstanceOptions& options, const char* where = "instances");

/// One model input before masking.
struct PretrainingInstance {
  /// [CLS] A [SEP] (B [SEP]); never longer than max_seq_length; no padding.
  std::vector<int32_t> input_ids;
  /// Number of leading positions with token_type_id 0 ([CLS] A [SEP]); the rest have 1.
  uint32_t segment_a_length = 0;
  /// 0: B follows A in the document; 1: B comes from a random document; -1: no NSP pair.
  int8_t next_sentence_label = -1;

  /// token_type_ids spelled out: segment_a_length zeros, then ones.
  std::vector<int32_t> token_type_ids() const;
};

/// Google's truncate_seq_pair: trims a and b to at most max_tokens together, one token at a time from
/// the longer one (b when equal), from its front or back with equal probability.
void truncate_seq_pair(std::vector<int32_t>& a, std::vector<int32_t>& b, size_t max_tokens, PretrainingRng& rng);

/// Instances from documents[doc_index]; `documents` is the whole corpus (random next sentences come
/// from it). Appends to `out`.
void create_instances_from_document(const std::vector<TokenizedDocument>& documents, size_t doc_index,
                                    const InstanceOptions& options, int32_t cls_id, int32_t sep_id, PretrainingRng& rng,
                                    std::vector<PretrainingInstance>& out);

/// Instances from every document, in document order. Each document uses its own random stream
/// mix_seed(seed, pass, doc_index), so the output does not depend on how the work is split. `passes`
/// (Google's dupe_factor) repeats the corpus with fresh cuts and NSP pairs.
std::vector<PretrainingInstance> create_instances(const std::vector<TokenizedDocument>& documents,
                                                  const InstanceOptions& options, int32_t cls_id, int32_t sep_id,
                                                  uint64_t seed, size_t passes = 1);

}  // namespace earlybert
