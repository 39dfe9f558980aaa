// The tokenizer of a run — see include/earlybert/tasks/task_tokenizer.h.
#include "earlybert/tasks/task_tokenizer.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/tasks/task_options.h"
#include "earlybert/tokenize/sentencepiece.h"
#include "earlybert/tokenize/wordpiece.h"

namespace fs = std::filesystem;

namespace earlybert {
namespace {

const char* const kTokenizerFileNames[] = {"vocab.txt", "spiece.model", "tokenizer.model", "sentencepiece.bpe.model"};

bool is_sentencepiece(const std::string& path) { return fs::path(path).extension() == ".model"; }

/// The tokenizer file inside directory `dir`, or "".
std::string find_in_directory(const std::string& dir) {
  for (const char* name : kTokenizerFileNames) {
    const std::string p = join_path(dir, name);
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return p;
  }
  return "";
}

}  // namespace

std::string resolve_tokenizer_file(const TaskOptions& args) {
  std::error_code ec;
  if (!args.tokenizer_name.empty()) {
    const std::string& t = args.tokenizer_name;
    if (fs::is_directory(t, ec)) {
      const std::string found = find_in_directory(t);
      if (found.empty())
        fail("tokenizer_name", "directory '" + t + "' holds no vocab.txt or SentencePiece .model file");
      return found;
    }
    if (!fs::is_regular_file(t, ec)) fail("tokenizer_name", "no such file: '" + t + "'");
    return t;
  }
  if (!args.model_name_or_path.empty() && fs::is_directory(args.model_name_or_path, ec))
    return find_in_directory(args.model_name_or_path);
  return "";
}

std::unique_ptr<Tokenizer> load_tokenizer_file(const std::string& path, bool do_lower_case) {
  if (is_sentencepiece(path)) return std::make_unique<SentencePieceTokenizer>(path);
  return std::make_unique<WordPieceTokenizer>(WordPieceTokenizer::from_file(path, do_lower_case));
}

std::unique_ptr<Tokenizer> load_run_tokenizer(const TaskOptions& args) {
  const std::string path = resolve_tokenizer_file(args);
  if (path.empty()) {
    fail("tokenizer_name", args.model_name_or_path.empty()
                               ? "no tokenizer: set tokenizer_name to a vocab.txt or SentencePiece .model file"
                               : "no tokenizer: model directory '" + args.model_name_or_path +
                                     "' has no vocab.txt or .model file; set tokenizer_name");
  }
  return load_tokenizer_file(path, args.do_lower_case);
}

void save_tokenizer_files(const std::string& tokenizer_file, bool do_lower_case, const std::string& dir) {
  const bool spm = is_sentencepiece(tokenizer_file);
  write_file_atomic(join_path(dir, spm ? "spiece.model" : "vocab.txt"), read_file(tokenizer_file));
  nlohmann::ordered_json cfg;
  cfg["do_lower_case"] = do_lower_case;
  cfg["tokenizer_class"] = spm ? "AlbertTokenizer" : "BertTokenizer";
  write_file_atomic(join_path(dir, "tokenizer_config.json"), cfg.dump(2) + "\n");
}

void fit_model_to_tokenizer(BertConfig& config, const Tokenizer& tokenizer, const TaskOptions& args) {
  const auto vocab = static_cast<int64_t>(tokenizer.vocab_size());
  if (args.model_name_or_path.empty()) {
    config.vocab_size = vocab;  // a new model is sized to its tokenizer
  } else if (config.vocab_size < vocab) {
    fail("model_name_or_path", "the model's vocab_size (" + std::to_string(config.vocab_size) +
                                   ") is smaller than the tokenizer's vocabulary (" + std::to_string(vocab) + ")");
  }
  if (args.max_seq_length > config.max_position_embeddings)
    fail("max_seq_length", std::to_string(args.max_seq_length) + " exceeds the model's max_position_embeddings (" +
                               std::to_string(config.max_position_embeddings) + ")");
}

}  // namespace earlybert
