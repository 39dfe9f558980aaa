// prepare_pretraining(): text files (or WordNet's glosses) → tokenized, cut into instances → shards.
// The engine behind `earlybert prepare-pretraining`.
//
//   1. read every input (pretraining_corpus.h) and tokenize each sentence once with the given
//      tokenizer; sentences that tokenize to nothing are dropped (counted);
//   2. cut the documents into instances (pretraining_instances.h), `dupe_factor` passes;
//   3. shuffle the instances (so each shard is a fair sample of the corpus) and write them as shards of
//      `shard_size` instances plus pretraining.json, into a temporary directory that is renamed to
//      `output_dir` when complete.
// The corpus is held in memory as token ids (4 bytes per token), like Google's script.
// Everything random derives from `seed`: the same inputs, tokenizer and options give byte-identical
// output. Masking is not done here; the options recorded under "masking" in pretraining.json are the
// defaults PretrainingDataset::default_masking() returns to the trainer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "earlybert/data/masking.h"
#include "earlybert/data/pretraining_corpus.h"
#include "earlybert/data/pretraining_instances.h"
#include "earlybert/tokenize/tokenizer.h"

namespace earlybert {

struct PreparePretrainingOptions {
  std::vector<std::string> inputs;
  TextFormat format = TextFormat::Auto;
  /// Add WordNet's gloss corpus (wordnet.h) as a further input.
  bool wordnet = false;
  std::string wordnet_dir;            ///< empty: default_wordnet_dir()
  bool wordnet_include_eval = false;  ///< also the glosses of the wordnet task's dev/test splits
  std::string output_dir;
  InstanceOptions instances;
  size_t dupe_factor = 1;
  uint64_t seed = 12345;
  size_t shard_size = 100000;  ///< instances per shard
  bool do_lower_case = true;   ///< recorded (the tokenizer does the lowercasing)
  MaskingOptions masking;      ///< recorded as the readers' default
};

/// Checks the options; Error naming the offending flag (spelled as on the command line).
void validate_prepare_options(const PreparePretrainingOptions& options);

struct PreparePretrainingSummary {
  size_t files = 0;
  size_t bytes = 0;
  size_t documents = 0;
  size_t sentences = 0;        ///< sentences kept (non-empty after tokenization)
  size_t empty_sentences = 0;  ///< sentences that tokenized to nothing
  size_t corpus_tokens = 0;    ///< subword tokens of the kept sentences
  size_t instances = 0;
  size_t instance_tokens = 0;  ///< positions used by all instances, [CLS]/[SEP] included
  size_t nsp_is_next = 0;
  size_t nsp_random_next = 0;
  size_t shards = 0;
  double seconds = 0.0;
};

struct PrepareProgress {
  enum class Stage { Tokenizing, Creating, Writing };
  Stage stage = Stage::Tokenizing;
  size_t done = 0;   ///< bytes read / documents cut / shards written
  size_t total = 0;  ///< of the same unit
};

using PrepareProgressFn = std::function<void(const PrepareProgress&)>;

/// Runs the whole preparation. Error for unreadable or invalid input, no text at all, an output path
/// that exists and is not a pre-training data directory, or a failed write.
PreparePretrainingSummary prepare_pretraining(const PreparePretrainingOptions& options, const Tokenizer& tokenizer,
                                              const PrepareProgressFn& progress = {});

}  // namespace earlybert
