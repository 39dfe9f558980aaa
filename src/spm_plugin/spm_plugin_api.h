/* The C interface of libearlybert_spm.so, the plugin that wraps libsentencepiece.
 *
 * Why a plugin: Debian's libsentencepiece.so.0 carries its own copy of protobuf-lite and exports its
 * symbols. LibTorch loads libprotobuf.so.32; in one process the two copies resolve each other's
 * symbols and the process crashes while the libraries initialise. So libearlybert never links
 * libsentencepiece: it dlopen()s this plugin with RTLD_LOCAL | RTLD_DEEPBIND, which makes the
 * plugin and libsentencepiece resolve their own symbols first and keeps them out of the global
 * scope (src/tokenize/spm_plugin_loader.cpp).
 *
 * Rules of the interface: plain C types only; every function catches all exceptions; memory that
 * the plugin returns is allocated and freed by the plugin (ebspm_free_*). Functions returning int
 * return 0 on success; on failure they store a message in *error (free it with ebspm_free_string).
 * EBSPM_ABI_VERSION changes whenever a signature or a struct below changes.
 */
#ifndef EARLYBERT_SPM_PLUGIN_API_H
#define EARLYBERT_SPM_PLUGIN_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EBSPM_ABI_VERSION 1

typedef struct ebspm_model ebspm_model;

/* The pieces of one encoded text. pieces[i] is NUL-terminated; begins/ends are byte offsets of the
 * input each piece covers (sentencepiece's alignment through its normalizer). */
typedef struct ebspm_pieces {
  size_t size;
  int32_t* ids;
  uint32_t* begins;
  uint32_t* ends;
  char** pieces;
} ebspm_pieces;

/* Special ids of a model (-1 when the model has none); ebspm_special_id's `which`. */
enum { EBSPM_UNK = 0, EBSPM_BOS = 1, EBSPM_EOS = 2, EBSPM_PAD = 3 };

int ebspm_abi_version(void);

int ebspm_load(const char* path, ebspm_model** out, char** error);
void ebspm_free_model(ebspm_model* model);

int ebspm_encode(const ebspm_model* model, const char* text, size_t len, ebspm_pieces** out, char** error);
void ebspm_free_pieces(ebspm_pieces* pieces);

/* Text for ids; *out is NUL-terminated, its length in *out_len. */
int ebspm_decode(const ebspm_model* model, const int32_t* ids, size_t n, char** out, size_t* out_len, char** error);

int32_t ebspm_vocab_size(const ebspm_model* model);
/* Id of `piece`, or -1 when it is not in the vocabulary. */
int32_t ebspm_piece_to_id(const ebspm_model* model, const char* piece, size_t len);
/* The piece of `id` (valid while the model lives), or NULL when out of range. */
const char* ebspm_id_to_piece(const ebspm_model* model, int32_t id);
int32_t ebspm_special_id(const ebspm_model* model, int which);

/* Trains a model with sentencepiece's trainer from n key/value options (the trainer's flag names
 * without "--": input, model_prefix, vocab_size, model_type, ...). Writes <model_prefix>.model and
 * <model_prefix>.vocab. `quiet` silences the trainer's progress log. The extra key "random_seed"
 * seeds sentencepiece's random generator (used when sampling input sentences). */
int ebspm_train(const char* const* keys, const char* const* values, size_t n, int quiet, char** error);

void ebspm_free_string(char* s);

#ifdef __cplusplus
}
#endif

#endif /* EARLYBERT_SPM_PLUGIN_API_H */
