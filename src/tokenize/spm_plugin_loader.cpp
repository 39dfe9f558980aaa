// Loading the sentencepiece plugin — see spm_plugin_loader.h.
#include "tokenize/spm_plugin_loader.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "earlybert/base/error.h"

namespace earlybert::spm {

namespace {

constexpr const char* kPluginName = "libearlybert_spm.so";
constexpr const char* kEnvVar = "EARLYBERT_SPM_PLUGIN";

// AddressSanitizer refuses RTLD_DEEPBIND (it would let the plugin bypass ASan's malloc) and aborts the
// process. A sanitized build (EARLYBERT_SANITIZE, the fuzz targets) loads the plugin without it: fine
// in a process without LibTorch (the tokenizer tests and fuzz targets), not where LibTorch's protobuf
// is loaded too (see docs/RELIABILITY.md).
#if defined(__SANITIZE_ADDRESS__)
constexpr int kDeepBind = 0;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr int kDeepBind = 0;
#else
constexpr int kDeepBind = RTLD_DEEPBIND;
#endif
#else
constexpr int kDeepBind = RTLD_DEEPBIND;
#endif

// Any function compiled into libearlybert: dladdr() on it names the module holding our code.
void anchor() {}

std::string directory_of_this_module() {
  Dl_info info{};
  if (::dladdr(reinterpret_cast<void*>(&anchor), &info) == 0 || info.dli_fname == nullptr ||
      info.dli_fname[0] == '\0') {
    return "";
  }
  std::error_code ec;
  auto path = std::filesystem::canonical(info.dli_fname, ec);
  if (ec) return "";
  return path.parent_path().string();
}

Api load_api() {
  Api api;
  std::string path;
  bool from_env = false;
  if (const char* env = std::getenv(kEnvVar); env != nullptr && env[0] != '\0') {
    path = env;
    from_env = true;
    if (!std::filesystem::exists(path)) fail(std::string("$") + kEnvVar, "no such file: " + path);
  } else {
    path = plugin_candidate_path();
  }
  // RTLD_DEEPBIND: the plugin and libsentencepiece bind to their own definitions (protobuf-lite
  // included) before the global scope, where LibTorch's libprotobuf.so.32 is. RTLD_LOCAL: none of
  // their symbols becomes visible to later loads.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | kDeepBind);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    fail("sentencepiece plugin " + path,
         std::string("cannot load: ") + (why ? why : "unknown error") +
             (from_env ? "" : std::string(" (set $") + kEnvVar + " to the path of " + kPluginName + ")"));
  }
  auto sym = [&](auto& fn, const char* name) {
    void* p = ::dlsym(handle, name);
    if (p == nullptr) fail("sentencepiece plugin " + path, std::string("missing symbol ") + name);
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(p);
  };
  decltype(&ebspm_abi_version) abi = nullptr;
  sym(abi, "ebspm_abi_version");
  if (abi() != EBSPM_ABI_VERSION) {
    fail("sentencepiece plugin " + path, "interface version " + std::to_string(abi()) + ", expected " +
                                             std::to_string(EBSPM_ABI_VERSION) + " (a stale build?)");
  }
  sym(api.load, "ebspm_load");
  sym(api.free_model, "ebspm_free_model");
  sym(api.encode, "ebspm_encode");
  sym(api.free_pieces, "ebspm_free_pieces");
  sym(api.decode, "ebspm_decode");
  sym(api.vocab_size, "ebspm_vocab_size");
  sym(api.piece_to_id, "ebspm_piece_to_id");
  sym(api.id_to_piece, "ebspm_id_to_piece");
  sym(api.special_id, "ebspm_special_id");
  sym(api.train, "ebspm_train");
  sym(api.free_string, "ebspm_free_string");
  api.path = path;
  return api;
}

}  // namespace

std::string plugin_candidate_path() {
  if (const char* env = std::getenv(kEnvVar); env != nullptr && env[0] != '\0') return env;
  const std::string dir = directory_of_this_module();
  if (!dir.empty()) {
    const std::string beside = dir + "/" + kPluginName;
    if (std::filesystem::exists(beside)) return beside;
  }
  return kPluginName;  // left to the dynamic loader's search path
}

const Api& plugin() {
  static std::mutex mutex;
  // Never destroyed (and the plugin never unloaded): a tokenizer that outlives main() — a static, or a
  // global a program frees at exit — still calls free_model() from its destructor, after function-local
  // statics constructed later than it are gone (a use-after-free found by fuzzing,
  // fuzz/regressions/sentencepiece).
  static const Api* loaded = nullptr;
  std::lock_guard<std::mutex> lock(mutex);
  if (loaded == nullptr) loaded = new Api(load_api());  // a failure is retried on the next call
  return *loaded;
}

std::string take_error(const Api& api, char* error) {
  if (error == nullptr) return "unknown error";
  std::string message(error);
  api.free_string(error);
  return message;
}

}  // namespace earlybert::spm
