// Private: finds and loads libearlybert_spm.so (the sentencepiece plugin, see
// src/spm_plugin/spm_plugin_api.h) and resolves its C functions.
//
// Where the plugin is looked for, first match wins:
//   1. $EARLYBERT_SPM_PLUGIN (the full path of the .so);
//   2. the directory of the module that holds libearlybert's code (dladdr): in the build tree and in
//      an install tree alike, the plugin is built / installed next to libearlybert.so;
//   3. the dynamic loader's own search (LD_LIBRARY_PATH, the caller's RUNPATH) for the bare name.
// It is opened with RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND: its own symbols (and libsentencepiece's
// embedded protobuf) resolve inside the plugin first and never enter the global scope, where
// LibTorch's libprotobuf lives. The plugin is loaded once per process and never unloaded.
#pragma once

#include <string>

#include "spm_plugin/spm_plugin_api.h"

namespace earlybert::spm {

struct Api {
  std::string path;  ///< the file that was loaded
  decltype(&ebspm_load) load = nullptr;
  decltype(&ebspm_free_model) free_model = nullptr;
  decltype(&ebspm_encode) encode = nullptr;
  decltype(&ebspm_free_pieces) free_pieces = nullptr;
  decltype(&ebspm_decode) decode = nullptr;
  decltype(&ebspm_vocab_size) vocab_size = nullptr;
  decltype(&ebspm_piece_to_id) piece_to_id = nullptr;
  decltype(&ebspm_id_to_piece) id_to_piece = nullptr;
  decltype(&ebspm_special_id) special_id = nullptr;
  decltype(&ebspm_train) train = nullptr;
  decltype(&ebspm_free_string) free_string = nullptr;
};

/// The plugin's functions; loads it on first use. Error naming the path (and what to set) when it
/// cannot be found or loaded, or was built for another interface version.
const Api& plugin();

/// The path plugin() loads (or would try first), for messages and `earlybert version`-like output.
std::string plugin_candidate_path();

/// Takes ownership of a plugin-allocated message and returns it as a std::string.
std::string take_error(const Api& api, char* error);

}  // namespace earlybert::spm
