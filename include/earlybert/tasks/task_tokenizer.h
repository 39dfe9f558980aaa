// The tokenizer of a run: where it comes from, and how it travels with the checkpoints.
//
// Tasks tokenize their text once, with the tokenizer the model was trained with:
//   * `tokenizer_name`: a WordPiece vocab.txt, a SentencePiece .model file, or a directory holding one;
//   * otherwise the model directory (`model_name_or_path`): its vocab.txt, or spiece.model /
//     tokenizer.model / sentencepiece.bpe.model (Hugging Face's names for SentencePiece files).
// A file ending in ".model" is read as SentencePiece; anything else as a WordPiece vocabulary with
// `do_lower_case`. (Hugging Face's tokenizer_config.json is not consulted: pass --no_do_lower_case for
// a cased model.)
//
// The trainer copies the file into every checkpoint and into output_dir under its Hugging Face name
// (vocab.txt or spiece.model) with a tokenizer_config.json, so `--model_name_or_path <checkpoint>`
// finds it again: a model fine-tuned from `earlybert pretrain` output needs nothing else.
#pragma once

#include <memory>
#include <string>

#include "earlybert/model/bert_config.h"
#include "earlybert/tokenize/tokenizer.h"

namespace earlybert {

struct TaskOptions;

/// The tokenizer file of a run (see above); "" when neither tokenizer_name nor the model directory
/// names one. Error naming 'tokenizer_name' when it names something that does not exist or a
/// directory without a tokenizer file.
std::string resolve_tokenizer_file(const TaskOptions& args);

/// Loads `path`: ".model" → SentencePiece, otherwise WordPiece (lowercasing per `do_lower_case`).
std::unique_ptr<Tokenizer> load_tokenizer_file(const std::string& path, bool do_lower_case);

/// resolve_tokenizer_file() + load_tokenizer_file(); Error naming 'tokenizer_name' when the run has none.
std::unique_ptr<Tokenizer> load_run_tokenizer(const TaskOptions& args);

/// Sizes a new model's vocabulary to `tokenizer` (no model_name_or_path) or checks that a loaded
/// model's covers it, and that max_seq_length fits max_position_embeddings. Errors name
/// 'model_name_or_path' / 'max_seq_length'. What every fine-tuning task's configure_model() starts with.
void fit_model_to_tokenizer(BertConfig& config, const Tokenizer& tokenizer, const TaskOptions& args);

/// Copies `tokenizer_file` into `dir` as vocab.txt (WordPiece) or spiece.model (SentencePiece) and
/// writes tokenizer_config.json ({"do_lower_case": ..., "tokenizer_class": ...}). Atomic per file.
void save_tokenizer_files(const std::string& tokenizer_file, bool do_lower_case, const std::string& dir);

}  // namespace earlybert
