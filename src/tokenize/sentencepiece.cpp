// SentencePiece through the plugin — see include/earlybert/tokenize/sentencepiece.h.
#include "earlybert/tokenize/sentencepiece.h"

#include <sched.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/tokenize/utf8.h"
#include "tokenize/spm_plugin_loader.h"

namespace earlybert {

struct SentencePieceTokenizer::Impl {
  const spm::Api* api = nullptr;
  ebspm_model* model = nullptr;
  std::string path;
  SpecialTokenIds special;
  int32_t size = 0;

  ~Impl() {
    if (model != nullptr) api->free_model(model);
  }

  int32_t find(const std::string& piece) const { return api->piece_to_id(model, piece.data(), piece.size()); }
};

SentencePieceTokenizer::SentencePieceTokenizer(const std::string& model_path) : impl_(std::make_unique<Impl>()) {
  if (!path_exists(model_path)) fail(model_path, "no such file");
  impl_->api = &spm::plugin();
  impl_->path = model_path;
  char* error = nullptr;
  if (impl_->api->load(model_path.c_str(), &impl_->model, &error) != 0) {
    fail(model_path, "not a sentencepiece model: " + spm::take_error(*impl_->api, error));
  }
  impl_->size = impl_->api->vocab_size(impl_->model);

  // The first candidate present in the vocabulary, else the model's own special id, else -1.
  auto pick = [&](std::initializer_list<const char*> names, int model_special) {
    for (const char* name : names) {
      const int32_t id = impl_->find(name);
      if (id >= 0) return id;
    }
    return model_special >= 0 ? impl_->api->special_id(impl_->model, model_special) : int32_t{-1};
  };
  SpecialTokenIds& s = impl_->special;
  s.unk = pick({"[UNK]"}, EBSPM_UNK);
  s.cls = pick({"[CLS]", "<s>"}, EBSPM_BOS);
  s.sep = pick({"[SEP]", "</s>"}, EBSPM_EOS);
  s.pad = pick({"[PAD]", "<pad>"}, EBSPM_PAD);
  s.mask = pick({"[MASK]", "<mask>"}, -1);
  if (s.unk < 0) fail(model_path, "sentencepiece model has no unknown piece");
  if (s.cls < 0) fail(model_path, "sentencepiece model has no [CLS] or <s> piece");
  if (s.sep < 0) fail(model_path, "sentencepiece model has no [SEP] or </s> piece");
  if (s.pad < 0) s.pad = s.unk;
  if (s.mask < 0) s.mask = s.unk;
}

SentencePieceTokenizer::~SentencePieceTokenizer() = default;
SentencePieceTokenizer::SentencePieceTokenizer(SentencePieceTokenizer&&) noexcept = default;
SentencePieceTokenizer& SentencePieceTokenizer::operator=(SentencePieceTokenizer&&) noexcept = default;

std::vector<Token> SentencePieceTokenizer::tokenize(std::string_view text) const {
  check_utf8(text, "text");
  const spm::Api& api = *impl_->api;
  ebspm_pieces* pieces = nullptr;
  char* error = nullptr;
  if (api.encode(impl_->model, text.data(), text.size(), &pieces, &error) != 0) {
    fail(impl_->path, "sentencepiece encode failed: " + spm::take_error(api, error));
  }
  std::vector<Token> out;
  out.reserve(pieces->size);
  for (size_t i = 0; i < pieces->size; ++i) {
    out.push_back(Token{pieces->pieces[i], pieces->ids[i], pieces->begins[i], pieces->ends[i]});
  }
  api.free_pieces(pieces);
  return out;
}

int32_t SentencePieceTokenizer::token_to_id(const std::string& token) const {
  const int32_t id = impl_->find(token);
  return id >= 0 ? id : impl_->special.unk;
}

std::string SentencePieceTokenizer::id_to_token(int32_t id) const {
  const char* piece = impl_->api->id_to_piece(impl_->model, id);
  if (piece == nullptr) {
    fail(impl_->path, "token id " + std::to_string(id) + " out of range [0, " + std::to_string(impl_->size) + ")");
  }
  return piece;
}

size_t SentencePieceTokenizer::vocab_size() const { return static_cast<size_t>(impl_->size); }

SpecialTokenIds SentencePieceTokenizer::special_ids() const { return impl_->special; }

std::string SentencePieceTokenizer::decode(const std::vector<int32_t>& ids) const {
  const SpecialTokenIds& s = impl_->special;
  std::vector<int32_t> kept;
  kept.reserve(ids.size());
  for (int32_t id : ids) {
    if (id == s.pad || id == s.unk || id == s.cls || id == s.sep || id == s.mask) continue;
    kept.push_back(id);
  }
  const spm::Api& api = *impl_->api;
  char* text = nullptr;
  size_t len = 0;
  char* error = nullptr;
  if (api.decode(impl_->model, kept.data(), kept.size(), &text, &len, &error) != 0) {
    fail(impl_->path, "sentencepiece decode failed: " + spm::take_error(api, error));
  }
  std::string out(text, len);
  api.free_string(text);
  return out;
}

const std::string& SentencePieceTokenizer::path() const { return impl_->path; }

std::string sentencepiece_plugin_path() { return spm::plugin_candidate_path(); }

namespace {

int usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return 1;
}

}  // namespace

void train_sentencepiece(const SentencePieceTrainOptions& o) {
  if (o.inputs.empty()) fail("--input", "no input files");
  std::string inputs;
  for (const auto& in : o.inputs) {
    if (in.find(',') != std::string::npos) fail(in, "input file names may not contain ','");
    if (!std::filesystem::is_regular_file(in)) fail(in, "no such file");
    if (!inputs.empty()) inputs += ',';
    inputs += in;
  }
  if (o.model_prefix.empty()) fail("--output", "empty model prefix");
  if (o.model_type != "unigram" && o.model_type != "bpe") {
    fail("--model-type", "'" + o.model_type + "' is not one of unigram, bpe");
  }
  if (o.vocab_size <= (o.bert_special_tokens ? 5 : 3)) {
    fail("--vocab-size", std::to_string(o.vocab_size) + " is too small");
  }
  if (!(o.character_coverage > 0.0 && o.character_coverage <= 1.0)) {
    fail("--character-coverage", "must be in (0, 1]");
  }

  // Train under a temporary prefix in the destination directory, then rename both files: readers
  // never see a half-written model, and a failed run leaves the old files in place.
  const std::filesystem::path prefix(o.model_prefix);
  if (prefix.has_parent_path()) make_directories(prefix.parent_path().string());
  const std::string tmp = o.model_prefix + ".tmp." + std::to_string(::getpid());

  std::vector<std::pair<std::string, std::string>> kv = {
      {"input", inputs},
      {"model_prefix", tmp},
      {"vocab_size", std::to_string(o.vocab_size)},
      {"model_type", o.model_type},
      {"character_coverage",
       [&] {
         std::ostringstream s;
         s << o.character_coverage;
         return s.str();
       }()},
      {"num_threads", std::to_string(o.num_threads > 0 ? o.num_threads : usable_cores())},
      {"random_seed", std::to_string(o.seed)},
  };
  if (o.input_sentence_size > 0) {
    kv.emplace_back("input_sentence_size", std::to_string(o.input_sentence_size));
    kv.emplace_back("shuffle_input_sentence", "true");
  }
  if (o.bert_special_tokens) {
    kv.insert(kv.end(), {{"pad_id", "0"},
                         {"pad_piece", "[PAD]"},
                         {"unk_id", "1"},
                         {"unk_piece", "[UNK]"},
                         {"bos_id", "-1"},
                         {"eos_id", "-1"},
                         {"control_symbols", "[CLS],[SEP]"},
                         {"user_defined_symbols", "[MASK]"}});
  }
  std::vector<const char*> keys, values;
  for (const auto& [k, v] : kv) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  const spm::Api& api = spm::plugin();
  char* error = nullptr;
  if (api.train(keys.data(), values.data(), keys.size(), o.quiet ? 1 : 0, &error) != 0) {
    remove_all(tmp + ".model");
    remove_all(tmp + ".vocab");
    fail(o.model_prefix, "sentencepiece training failed: " + spm::take_error(api, error));
  }
  for (const char* ext : {".model", ".vocab"}) {
    std::error_code ec;
    std::filesystem::rename(tmp + ext, o.model_prefix + ext, ec);
    if (ec) fail(o.model_prefix + ext, "cannot write: " + ec.message());
  }
}

}  // namespace earlybert
