// SentencePiece tokenizers (.model files) and training new ones, through libsentencepiece.
//
//   SentencePieceTrainOptions opt;
//   opt.inputs = {"corpus.txt"};
//   opt.model_prefix = "out/spm";                     // writes out/spm.model and out/spm.vocab
//   train_sentencepiece(opt);
//   SentencePieceTokenizer tok("out/spm.model");
//   Encoding e = tok.encode("Hello world.");
//
// libsentencepiece is never linked into libearlybert: Debian's build embeds a protobuf that clashes
// with LibTorch's and crashes the process. It lives in a plugin, libearlybert_spm.so, installed next
// to libearlybert.so and loaded on first use (override its location with $EARLYBERT_SPM_PLUGIN).
//
// Special tokens of a loaded model (the first piece that exists wins):
//   [CLS]  "[CLS]", "<s>", the model's bos piece         (Error when none)
//   [SEP]  "[SEP]", "</s>", the model's eos piece        (Error when none)
//   [UNK]  "[UNK]", the model's unk piece ("<unk>")
//   [PAD]  "[PAD]", "<pad>", the model's pad piece, else the [UNK] id
//   [MASK] "[MASK]", "<mask>", else the [UNK] id
// Models trained with bert_special_tokens (the default) have [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3
// [MASK]=4, laid out as ALBERT's: [CLS]/[SEP] are control symbols (never produced from text),
// [MASK] is a user-defined symbol (kept whole when it appears in text).
//
// Token offsets are sentencepiece's byte alignment to the input: a piece that starts with "▁"
// covers the whitespace before its word. Lowercasing is not applied: a model normalizes text its
// own way (nmt_nfkc by default).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "earlybert/tokenize/tokenizer.h"

namespace earlybert {

class SentencePieceTokenizer : public Tokenizer {
 public:
  /// Loads a .model file. Error naming the file when it is missing or not a sentencepiece model,
  /// or has no piece for [CLS]/[SEP]; Error naming the plugin when it cannot be loaded.
  explicit SentencePieceTokenizer(const std::string& model_path);
  ~SentencePieceTokenizer() override;
  SentencePieceTokenizer(SentencePieceTokenizer&&) noexcept;
  SentencePieceTokenizer& operator=(SentencePieceTokenizer&&) noexcept;

  std::vector<Token> tokenize(std::string_view text) const override;
  int32_t token_to_id(const std::string& token) const override;
  std::string id_to_token(int32_t id) const override;
  size_t vocab_size() const override;
  SpecialTokenIds special_ids() const override;
  /// sentencepiece's decoding of the ids with the special tokens left out.
  std::string decode(const std::vector<int32_t>& ids) const override;

  const std::string& path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct SentencePieceTrainOptions {
  /// Text files, one sentence per line.
  std::vector<std::string> inputs;
  /// Writes <model_prefix>.model and <model_prefix>.vocab (both replaced atomically).
  std::string model_prefix;
  int vocab_size = 8000;
  /// "unigram" or "bpe".
  std::string model_type = "unigram";
  /// Share of characters the vocabulary must cover (sentencepiece's default).
  double character_coverage = 0.9995;
  /// Reserve [PAD] [UNK] [CLS] [SEP] [MASK] as ids 0..4 (see above).
  bool bert_special_tokens = true;
  /// Sentences sampled from the inputs for training (0: all of them).
  size_t input_sentence_size = 0;
  /// Seed of sentencepiece's random generator (sampling of input sentences).
  unsigned int seed = 42;
  /// Trainer threads (0: the cores this process may use).
  int num_threads = 0;
  /// Silence the trainer's progress log.
  bool quiet = true;
};

/// Trains a model with sentencepiece's trainer. Error for a missing input, an invalid option, or
/// when the trainer fails (e.g. a vocab_size too large for the corpus).
void train_sentencepiece(const SentencePieceTrainOptions& options);

/// Where the sentencepiece plugin is found ($EARLYBERT_SPM_PLUGIN, else next to libearlybert).
std::string sentencepiece_plugin_path();

}  // namespace earlybert
