// The tokenizer of a run — see include/earlybert/tasks/task_tokenizer.h.
#include "earlybert/tasks/task_tokenizer.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/base/log.h"
#include "earlybert/tasks/task_options.h"
#include "earlybert/tokenize/sentencepiece.h"
#include "earlybert/tokenize/wordpiece.h"

namespace fs = std::filesystem;

namespace earlybert {
namespace {

const char* const kTokenizerFileNames[] = {"vocab.txt", "spiece.model", "tokenizer.model", "sentencepiece.bpe.model",
                                           "tokenizer.json"};

bool is_sentencepiece(const std::string& path) { return fs::path(path).extension() == ".model"; }
bool is_fast_tokenizer_file(const std::string& path) { return fs::path(path).filename() == "tokenizer.json"; }

nlohmann::json parse_json_file(const std::string& path) {
  const std::string text = read_file(path);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    fail(path, std::string("malformed JSON: ") + e.what());
  }
}

/// A boolean key of a JSON object: absent or null → unset; another type → Error naming file and key.
std::optional<bool> optional_bool(const nlohmann::json& j, const char* key, const std::string& path) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return std::nullopt;
  if (!j[key].is_boolean()) fail(path + ": key '" + key + "'", "expected true or false");
  return j[key].get<bool>();
}

/// The tokens of a fast tokenizer's WordPiece model in id order (tokenizer.json: model.vocab).
std::vector<std::string> fast_tokenizer_vocab(const std::string& path) {
  const nlohmann::json j = parse_json_file(path);
  if (!j.is_object() || !j.contains("model") || !j["model"].is_object())
    fail(path + ": key 'model'", "expected an object (a Hugging Face tokenizer.json)");
  const auto& model = j["model"];
  if (!model.contains("type") || model["type"] != "WordPiece")
    fail(path + ": key 'model.type'", "only WordPiece tokenizers are supported here");
  if (!model.contains("vocab") || !model["vocab"].is_object())
    fail(path + ": key 'model.vocab'", "expected an object of token: id");
  std::vector<std::string> tokens(model["vocab"].size());
  for (const auto& [token, id] : model["vocab"].items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<size_t>() >= tokens.size() ||
        !tokens[id.get<size_t>()].empty())
      fail(path + ": key 'model.vocab." + token + "'", "ids must be 0..n-1, each once");
    tokens[id.get<size_t>()] = token;
  }
  return tokens;
}

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

TokenizerCasing resolve_casing(const TaskOptions& args, const std::string& tokenizer_file) {
  TokenizerCasing c;
  if (args.do_lower_case) {
    c.do_lower_case = *args.do_lower_case;
    c.source = "do_lower_case";
    return c;
  }
  const std::string dir = tokenizer_file.empty() ? std::string() : fs::path(tokenizer_file).parent_path().string();
  std::error_code ec;
  const std::string config = join_path(dir.empty() ? "." : dir, "tokenizer_config.json");
  if (!tokenizer_file.empty() && fs::is_regular_file(config, ec)) {
    const nlohmann::json j = parse_json_file(config);
    if (const auto lower = optional_bool(j, "do_lower_case", config)) {
      c.do_lower_case = *lower;
      c.strip_accents = optional_bool(j, "strip_accents", config);
      c.tokenize_chinese_chars = optional_bool(j, "tokenize_chinese_chars", config).value_or(true);
      c.source = config;
      return c;
    }
  }
  const std::string fast = join_path(dir.empty() ? "." : dir, "tokenizer.json");
  if (!tokenizer_file.empty() && fs::is_regular_file(fast, ec)) {
    const nlohmann::json j = parse_json_file(fast);
    if (j.is_object() && j.contains("normalizer") && j["normalizer"].is_object() &&
        j["normalizer"].value("type", "") == "BertNormalizer") {
      const auto& n = j["normalizer"];
      const std::string where = fast + ": normalizer";
      c.do_lower_case = optional_bool(n, "lowercase", where).value_or(true);
      c.strip_accents = optional_bool(n, "strip_accents", where);
      c.tokenize_chinese_chars = optional_bool(n, "handle_chinese_chars", where).value_or(true);
      c.source = fast;
      return c;
    }
  }
  c.source = "default";
  return c;
}

std::unique_ptr<Tokenizer> load_tokenizer_file(const std::string& path, const TokenizerCasing& casing) {
  if (is_sentencepiece(path)) return std::make_unique<SentencePieceTokenizer>(path);
  WordPieceOptions options;
  options.basic.do_lower_case = casing.do_lower_case;
  options.basic.strip_accents = casing.strip_accents;
  options.basic.tokenize_chinese_chars = casing.tokenize_chinese_chars;
  WordPieceVocab vocab = is_fast_tokenizer_file(path) ? WordPieceVocab::from_tokens(fast_tokenizer_vocab(path), path)
                                                      : WordPieceVocab::from_file(path);
  return std::make_unique<WordPieceTokenizer>(std::move(vocab), options);
}

std::unique_ptr<Tokenizer> load_tokenizer_file(const std::string& path, bool do_lower_case) {
  TokenizerCasing casing;
  casing.do_lower_case = do_lower_case;
  return load_tokenizer_file(path, casing);
}

std::unique_ptr<Tokenizer> load_run_tokenizer(const TaskOptions& args) {
  const std::string path = resolve_tokenizer_file(args);
  if (path.empty()) {
    fail("tokenizer_name", args.model_name_or_path.empty()
                               ? "no tokenizer: set tokenizer_name to a vocab.txt or SentencePiece .model file"
                               : "no tokenizer: model directory '" + args.model_name_or_path +
                                     "' has no vocab.txt or .model file; set tokenizer_name");
  }
  const TokenizerCasing casing = resolve_casing(args, path);
  if (!is_sentencepiece(path))
    logging::info("tokenizer {}: {} (from {})", path, casing.do_lower_case ? "uncased (lowercased)" : "cased",
                  casing.source);
  return load_tokenizer_file(path, casing);
}

void save_tokenizer_files(const std::string& tokenizer_file, bool do_lower_case, const std::string& dir) {
  const bool spm = is_sentencepiece(tokenizer_file);
  std::string content;
  if (is_fast_tokenizer_file(tokenizer_file)) {
    for (const auto& t : fast_tokenizer_vocab(tokenizer_file)) content += t + "\n";
  } else {
    content = read_file(tokenizer_file);
  }
  write_file_atomic(join_path(dir, spm ? "spiece.model" : "vocab.txt"), content);
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
