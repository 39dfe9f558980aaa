// The tokenizer of a run: where it comes from, and how it travels with the checkpoints.
//
// Tasks tokenize their text once, with the tokenizer the model was trained with:
//   * `tokenizer_name`: a WordPiece vocab.txt, a SentencePiece .model file, or a directory holding one;
//   * otherwise the model directory (`model_name_or_path`): its vocab.txt, or spiece.model /
//     tokenizer.model / sentencepiece.bpe.model (Hugging Face's names for SentencePiece files), or
//     the WordPiece vocabulary inside a fast tokenizer's tokenizer.json.
// A file ending in ".model" is read as SentencePiece; anything else as a WordPiece vocabulary.
//
// Casing (resolve_casing), as Hugging Face's AutoTokenizer decides it: an explicit do_lower_case
// wins; else the tokenizer_config.json next to the tokenizer file (do_lower_case, strip_accents,
// tokenize_chinese_chars — bert-base-cased has do_lower_case false there); else tokenizer.json's
// BertNormalizer (lowercase, strip_accents, handle_chinese_chars); else lowercase (BertTokenizer's
// default). A cased model is therefore no longer lowercased silently; the run logs which it used.
//
// The trainer copies the file into every checkpoint and into output_dir under its Hugging Face name
// (vocab.txt or spiece.model) with a tokenizer_config.json, so `--model_name_or_path <checkpoint>`
// finds it again: a model fine-tuned from `earlybert pretrain` output needs nothing else.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "earlybert/model/bert_config.h"
#include "earlybert/tokenize/tokenizer.h"

namespace earlybert {

struct TaskOptions;

/// The tokenizer file of a run (see above); "" when neither tokenizer_name nor the model directory
/// names one. Error naming 'tokenizer_name' when it names something that does not exist or a
/// directory without a tokenizer file.
std::string resolve_tokenizer_file(const TaskOptions& args);

/// How WordPiece normalizes text, and where that was decided (for the log).
struct TokenizerCasing {
  bool do_lower_case = true;
  std::optional<bool> strip_accents;  ///< unset: follow do_lower_case (BERT's rule)
  bool tokenize_chinese_chars = true;
  std::string source;  ///< "do_lower_case", ".../tokenizer_config.json", ".../tokenizer.json" or "default"
};

/// The casing of a run's WordPiece tokenizer `tokenizer_file` (see above). Malformed JSON files are
/// Errors naming the file and key.
TokenizerCasing resolve_casing(const TaskOptions& args, const std::string& tokenizer_file);

/// Loads `path`: ".model" → SentencePiece; tokenizer.json → its WordPiece vocabulary; otherwise a
/// WordPiece vocab.txt; normalized per `casing`.
std::unique_ptr<Tokenizer> load_tokenizer_file(const std::string& path, const TokenizerCasing& casing);
/// The same with do_lower_case alone (accents follow it).
std::unique_ptr<Tokenizer> load_tokenizer_file(const std::string& path, bool do_lower_case);

/// resolve_tokenizer_file() + resolve_casing() + load_tokenizer_file(), logging the casing; Error naming
/// 'tokenizer_name' when the run has none.
std::unique_ptr<Tokenizer> load_run_tokenizer(const TaskOptions& args);

/// Sizes a new model's vocabulary to `tokenizer` (no model_name_or_path) or checks that a loaded
/// model's covers it, and that max_seq_length fits max_position_embeddings. Errors name
/// 'model_name_or_path' / 'max_seq_length'. What every fine-tuning task's configure_model() starts with.
void fit_model_to_tokenizer(BertConfig& config, const Tokenizer& tokenizer, const TaskOptions& args);

/// Copies `tokenizer_file` into `dir` as vocab.txt (WordPiece; from a tokenizer.json its vocabulary) or
/// spiece.model (SentencePiece) and writes tokenizer_config.json ({"do_lower_case": ...,
/// "tokenizer_class": ...}). Atomic per file.
void save_tokenizer_files(const std::string& tokenizer_file, bool do_lower_case, const std::string& dir);

}  // namespace earlybert
