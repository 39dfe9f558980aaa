// Fuzz target: SentencePiece tokenization of arbitrary bytes, invalid UTF-8 included
// (tokenize/sentencepiece.h, through the dlopen()ed plugin). The model is trained once per process on
// tests/fixtures/tokenize/spm_corpus.txt (a 150-piece unigram model with the BERT special tokens, as
// the unit tests train). The first byte picks max_length and truncation; the rest is the text.
#include <cstdlib>
#include <memory>

#include "earlybert/tokenize/sentencepiece.h"
#include "fuzz_input.h"
#include "tokenizer_checks.h"

namespace {

std::unique_ptr<earlybert::fuzz::InputFile> model_dir;
std::unique_ptr<earlybert::SentencePieceTokenizer> tokenizer;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  using namespace earlybert;
  ::setenv("EARLYBERT_SPM_PLUGIN", EARLYBERT_FUZZ_SPM_PLUGIN, 0);
  model_dir = std::make_unique<fuzz::InputFile>("spm");
  SentencePieceTrainOptions o;
  o.inputs = {fuzz::fixture("tokenize/spm_corpus.txt")};
  o.model_prefix = model_dir->path();
  o.vocab_size = 150;
  o.character_coverage = 1.0;
  o.num_threads = 1;
  train_sentencepiece(o);
  tokenizer = std::make_unique<SentencePieceTokenizer>(model_dir->path() + ".model");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  earlybert::fuzz::check_tokenizer(*tokenizer, data[0], earlybert::fuzz::as_text(data + 1, size - 1));
  return 0;
}
