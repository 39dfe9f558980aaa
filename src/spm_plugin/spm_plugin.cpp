// libearlybert_spm.so — the sentencepiece plugin (C interface in spm_plugin_api.h, which says why it
// exists). The only translation unit of earlybert that includes sentencepiece's headers; it is
// built as a MODULE library linked against libsentencepiece and libsentencepiece_train, and is only
// ever loaded with dlopen(RTLD_LOCAL | RTLD_DEEPBIND).
#include "spm_plugin_api.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

// Defined in libsentencepiece (sentencepiece::logging), not declared by its installed headers.
namespace sentencepiece::logging {
int GetMinLogLevel();
void SetMinLogLevel(int v);
}  // namespace sentencepiece::logging

struct ebspm_model {
  sentencepiece::SentencePieceProcessor sp;
};

namespace {

char* copy_string(const std::string& s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (out == nullptr) return nullptr;
  std::memcpy(out, s.data(), s.size());
  out[s.size()] = '\0';
  return out;
}

int set_error(char** error, const std::string& message) {
  if (error != nullptr) *error = copy_string(message);
  return 1;
}

template <typename F>
int guarded(char** error, F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    return set_error(error, e.what());
  } catch (...) {
    return set_error(error, "unknown exception in the sentencepiece plugin");
  }
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) int ebspm_abi_version(void) { return EBSPM_ABI_VERSION; }

__attribute__((visibility("default"))) int ebspm_load(const char* path, ebspm_model** out, char** error) {
  return guarded(error, [&] {
    auto model = new ebspm_model();
    const auto status = model->sp.Load(path);
    if (!status.ok()) {
      delete model;
      return set_error(error, status.ToString());
    }
    *out = model;
    return 0;
  });
}

__attribute__((visibility("default"))) void ebspm_free_model(ebspm_model* model) { delete model; }

__attribute__((visibility("default"))) int ebspm_encode(const ebspm_model* model, const char* text, size_t len,
                                                        ebspm_pieces** out, char** error) {
  return guarded(error, [&] {
    sentencepiece::ImmutableSentencePieceText spt;
    const auto status = model->sp.Encode(std::string_view(text, len), spt.mutable_proto());
    if (!status.ok()) return set_error(error, status.ToString());
    const size_t n = spt.pieces_size();
    auto* p = static_cast<ebspm_pieces*>(std::calloc(1, sizeof(ebspm_pieces)));
    if (p == nullptr) throw std::bad_alloc();
    p->size = n;
    p->ids = static_cast<int32_t*>(std::calloc(n + 1, sizeof(int32_t)));
    p->begins = static_cast<uint32_t*>(std::calloc(n + 1, sizeof(uint32_t)));
    p->ends = static_cast<uint32_t*>(std::calloc(n + 1, sizeof(uint32_t)));
    p->pieces = static_cast<char**>(std::calloc(n + 1, sizeof(char*)));
    if (!p->ids || !p->begins || !p->ends || !p->pieces) {
      ebspm_free_pieces(p);
      throw std::bad_alloc();
    }
    for (size_t i = 0; i < n; ++i) {
      const auto piece = spt.pieces(static_cast<int>(i));
      p->ids[i] = static_cast<int32_t>(piece.id());
      p->begins[i] = piece.begin();
      p->ends[i] = piece.end();
      p->pieces[i] = copy_string(piece.piece());
      if (p->pieces[i] == nullptr) {
        ebspm_free_pieces(p);
        throw std::bad_alloc();
      }
    }
    *out = p;
    return 0;
  });
}

__attribute__((visibility("default"))) void ebspm_free_pieces(ebspm_pieces* p) {
  if (p == nullptr) return;
  if (p->pieces != nullptr) {
    for (size_t i = 0; i < p->size; ++i) std::free(p->pieces[i]);
  }
  std::free(p->pieces);
  std::free(p->ids);
  std::free(p->begins);
  std::free(p->ends);
  std::free(p);
}

__attribute__((visibility("default"))) int ebspm_decode(const ebspm_model* model, const int32_t* ids, size_t n,
                                                        char** out, size_t* out_len, char** error) {
  return guarded(error, [&] {
    const int size = model->sp.GetPieceSize();
    std::vector<int> v(ids, ids + n);
    for (int id : v) {
      if (id < 0 || id >= size) {
        return set_error(error, "token id " + std::to_string(id) + " out of range [0, " + std::to_string(size) + ")");
      }
    }
    std::string text;
    const auto status = model->sp.Decode(v, &text);
    if (!status.ok()) return set_error(error, status.ToString());
    *out = copy_string(text);
    if (*out == nullptr) throw std::bad_alloc();
    *out_len = text.size();
    return 0;
  });
}

__attribute__((visibility("default"))) int32_t ebspm_vocab_size(const ebspm_model* model) {
  return model->sp.GetPieceSize();
}

__attribute__((visibility("default"))) int32_t ebspm_piece_to_id(const ebspm_model* model, const char* piece,
                                                                 size_t len) {
  try {
    const std::string_view p(piece, len);
    const int id = model->sp.PieceToId(p);
    // PieceToId answers the unk id for unknown pieces; only the unk piece itself maps there.
    if (id == model->sp.unk_id() && model->sp.IdToPiece(id) != p) return -1;
    return id;
  } catch (...) {
    return -1;
  }
}

__attribute__((visibility("default"))) const char* ebspm_id_to_piece(const ebspm_model* model, int32_t id) {
  if (id < 0 || id >= model->sp.GetPieceSize()) return nullptr;
  try {
    return model->sp.IdToPiece(id).c_str();
  } catch (...) {
    return nullptr;
  }
}

__attribute__((visibility("default"))) int32_t ebspm_special_id(const ebspm_model* model, int which) {
  switch (which) {
    case EBSPM_UNK:
      return model->sp.unk_id();
    case EBSPM_BOS:
      return model->sp.bos_id();
    case EBSPM_EOS:
      return model->sp.eos_id();
    case EBSPM_PAD:
      return model->sp.pad_id();
    default:
      return -1;
  }
}

__attribute__((visibility("default"))) int ebspm_train(const char* const* keys, const char* const* values, size_t n,
                                                       int quiet, char** error) {
  return guarded(error, [&] {
    std::unordered_map<std::string, std::string> kwargs;
    for (size_t i = 0; i < n; ++i) {
      // The trainer has no seed flag of its own; its sampling uses the library's generator.
      if (std::strcmp(keys[i], "random_seed") == 0) {
        sentencepiece::SetRandomGeneratorSeed(static_cast<unsigned int>(std::stoul(values[i])));
        continue;
      }
      kwargs[keys[i]] = values[i];
    }
    const int saved = sentencepiece::logging::GetMinLogLevel();
    if (quiet) sentencepiece::logging::SetMinLogLevel(2);  // errors only
    const auto status = sentencepiece::SentencePieceTrainer::Train(kwargs);
    sentencepiece::logging::SetMinLogLevel(saved);
    if (!status.ok()) return set_error(error, status.ToString());
    return 0;
  });
}

__attribute__((visibility("default"))) void ebspm_free_string(char* s) { std::free(s); }

}  // extern "C"
