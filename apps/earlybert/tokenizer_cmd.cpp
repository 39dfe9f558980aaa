// `earlybert tokenizer train`: a new SentencePiece vocabulary from text files, through
// libsentencepiece's trainer (loaded from the sentencepiece plugin, see
// include/earlybert/tokenize/sentencepiece.h).
//
//   earlybert tokenizer train --input corpus1.txt corpus2.txt --vocab-size 8000
//                             --model-type unigram --output out/spm
// writes out/spm.model and out/spm.vocab (replaced atomically) and prints a JSON summary. The BERT
// special tokens [PAD] [UNK] [CLS] [SEP] [MASK] take ids 0..4 unless --no-bert-special-tokens.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "earlybert/tokenize/sentencepiece.h"

namespace earlybert::cli {

void add_tokenizer_command(CLI::App& app) {
  auto* group = app.add_subcommand("tokenizer", "Build tokenizers");
  group->require_subcommand(1);
  auto opts = std::make_shared<SentencePieceTrainOptions>();
  auto no_specials = std::make_shared<bool>(false);
  auto verbose = std::make_shared<bool>(false);
  auto* train = group->add_subcommand("train", "Train a SentencePiece model (unigram or BPE) on text files");
  train->add_option("--input", opts->inputs, "Text files, one sentence per line")->required()->check(CLI::ExistingFile);
  train->add_option("--vocab-size", opts->vocab_size, "Vocabulary size")->required();
  train->add_option("--model-type", opts->model_type, "unigram | bpe")->capture_default_str();
  train->add_option("--output", opts->model_prefix, "Output prefix: writes PREFIX.model and PREFIX.vocab")->required();
  train->add_option("--character-coverage", opts->character_coverage, "Share of characters covered")
      ->capture_default_str();
  train->add_option("--input-sentence-size", opts->input_sentence_size, "Sentences sampled for training (0: all)")
      ->capture_default_str();
  train->add_option("--seed", opts->seed, "Seed for the sampling of sentences")->capture_default_str();
  train->add_option("--threads", opts->num_threads, "Trainer threads (0: all usable cores)")->capture_default_str();
  train->add_flag("--no-bert-special-tokens", *no_specials, "Do not reserve [PAD] [UNK] [CLS] [SEP] [MASK]");
  train->add_flag("--verbose", *verbose, "Show sentencepiece's training log");
  train->callback([opts, no_specials, verbose] {
    SentencePieceTrainOptions o = *opts;
    o.bert_special_tokens = !*no_specials;
    o.quiet = !*verbose;
    train_sentencepiece(o);
    SentencePieceTokenizer tok(o.model_prefix + ".model");
    nlohmann::json j;
    j["model"] = o.model_prefix + ".model";
    j["vocab"] = o.model_prefix + ".vocab";
    j["model_type"] = o.model_type;
    j["vocab_size"] = tok.vocab_size();
    std::cout << j.dump() << '\n';
  });
}

}  // namespace earlybert::cli
