// Launch: the launcher's environment and the communicator it asks for — see
// include/earlybert/distributed/launch.h.
#include "earlybert/distributed/launch.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "earlybert/base/error.h"
#include "earlybert/distributed/gloo_communicator.h"
#include "earlybert/distributed/nccl_communicator.h"

namespace earlybert {
namespace {

using Lookup = std::function<std::optional<std::string>(const std::string&)>;

std::string variable(const std::string& name) { return "environment variable " + name; }

/// The variable's value; set-but-empty is an error (a wrapper whose own variable was unset, e.g.
/// RANK=$SLURM_PROCID outside Slurm, must not silently start N independent single-process runs).
std::optional<std::string> get(const Lookup& lookup, const std::string& name) {
  auto v = lookup(name);
  if (v && v->empty()) fail(variable(name), "set but empty");
  return v;
}

int parse_int(const std::string& name, const std::string& text, int64_t minimum, int64_t maximum) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value < minimum || value > maximum)
    fail(variable(name), "expected an integer in [" + std::to_string(minimum) + ", " + std::to_string(maximum) +
                             "], got '" + text + "'");
  return static_cast<int>(value);
}

bool is_loopback_name(const std::string& addr) {
  return addr == "localhost" || addr == "::1" || addr.rfind("127.", 0) == 0;
}

}  // namespace

CommBackend parse_comm_backend(const std::string& text, const std::string& where) {
  if (text == "auto") return CommBackend::Auto;
  if (text == "single") return CommBackend::Single;
  if (text == "gloo") return CommBackend::Gloo;
  if (text == "nccl") return CommBackend::Nccl;
  fail(where, "unknown distributed backend '" + text + "' (expected auto, single, gloo or nccl)");
}

std::string to_string(CommBackend backend) {
  switch (backend) {
    case CommBackend::Auto:
      return "auto";
    case CommBackend::Single:
      return "single";
    case CommBackend::Gloo:
      return "gloo";
    case CommBackend::Nccl:
      return "nccl";
  }
  return "?";
}

bool comm_backend_available(CommBackend backend) {
  switch (backend) {
    case CommBackend::Gloo:
#ifdef EARLYBERT_HAVE_GLOO
      return true;
#else
      return false;
#endif
    case CommBackend::Nccl:
#ifdef EARLYBERT_HAVE_NCCL
      return true;
#else
      return false;
#endif
    default:
      return true;
  }
}

LaunchEnvironment LaunchEnvironment::parse(const Lookup& lookup) {
  constexpr int64_t kMaxRanks = int64_t{1} << 20;
  LaunchEnvironment env;
  const auto world = get(lookup, "WORLD_SIZE");
  const auto rank = get(lookup, "RANK");
  if (!world) {
    if (rank) fail(variable("WORLD_SIZE"), "not set, but RANK is (a launcher sets both)");
    return env;
  }
  env.launched = true;
  env.world_size = parse_int("WORLD_SIZE", *world, 1, kMaxRanks);
  if (rank) {
    env.rank = parse_int("RANK", *rank, 0, kMaxRanks);
    if (env.rank >= env.world_size)
      fail(variable("RANK"), std::to_string(env.rank) + " is not below WORLD_SIZE " + std::to_string(env.world_size));
  } else if (env.world_size > 1) {
    fail(variable("RANK"), "not set (WORLD_SIZE is " + std::to_string(env.world_size) + ")");
  }
  env.local_world_size = env.world_size;
  if (auto v = get(lookup, "LOCAL_WORLD_SIZE")) {
    env.local_world_size = parse_int("LOCAL_WORLD_SIZE", *v, 1, kMaxRanks);
    if (env.local_world_size > env.world_size)
      fail(variable("LOCAL_WORLD_SIZE"),
           std::to_string(env.local_world_size) + " is above WORLD_SIZE " + std::to_string(env.world_size));
  }
  env.local_rank = env.rank % env.local_world_size;
  if (auto v = get(lookup, "LOCAL_RANK")) {
    env.local_rank = parse_int("LOCAL_RANK", *v, 0, kMaxRanks);
    if (env.local_rank >= env.local_world_size)
      fail(variable("LOCAL_RANK"),
           std::to_string(env.local_rank) + " is not below LOCAL_WORLD_SIZE " + std::to_string(env.local_world_size));
  }
  if (auto v = get(lookup, "MASTER_ADDR")) {
    env.master_addr = *v;
  } else if (env.world_size > 1) {
    fail(variable("MASTER_ADDR"),
         "not set (WORLD_SIZE is " + std::to_string(env.world_size) + "; the address of rank 0's machine)");
  }
  if (auto v = get(lookup, "MASTER_PORT")) {
    env.master_port = parse_int("MASTER_PORT", *v, 1, 65535);
  } else if (env.world_size > 1) {
    fail(variable("MASTER_PORT"),
         "not set (WORLD_SIZE is " + std::to_string(env.world_size) + "; a free TCP port on rank 0's machine)");
  }
  if (auto v = get(lookup, "TORCHELASTIC_USE_AGENT_STORE")) {
    if (*v != "True" && *v != "False")
      fail(variable("TORCHELASTIC_USE_AGENT_STORE"), "expected True or False, got '" + *v + "'");
    env.use_agent_store = *v == "True";
  }
  if (auto v = get(lookup, "TORCHELASTIC_RESTART_COUNT"))
    env.restart_count = parse_int("TORCHELASTIC_RESTART_COUNT", *v, 0, kMaxRanks);
  return env;
}

LaunchEnvironment LaunchEnvironment::from_environment() {
  return parse([](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  });
}

std::chrono::milliseconds collective_timeout_from_environment(std::chrono::milliseconds fallback) {
  const char* v = std::getenv("EARLYBERT_DIST_TIMEOUT");
  if (v == nullptr) return fallback;
  const std::string text(v);
  char* end = nullptr;
  const double seconds = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(seconds) || seconds <= 0 || seconds > 1e7)
    fail(variable("EARLYBERT_DIST_TIMEOUT"), "expected a number of seconds > 0, got '" + text + "'");
  return std::chrono::milliseconds(std::max<int64_t>(1, static_cast<int64_t>(std::ceil(seconds * 1000.0))));
}

std::unique_ptr<Communicator> make_communicator(const LaunchEnvironment& env, const DistributedOptions& options) {
  if (options.timeout.count() <= 0) fail("distributed timeout", "must be positive");
  CommBackend backend = options.backend;
  if (backend == CommBackend::Auto)
    backend = env.world_size == 1 ? CommBackend::Single : (options.use_cuda ? CommBackend::Nccl : CommBackend::Gloo);
  const std::string where = "distributed backend " + to_string(backend);
  if (backend == CommBackend::Single) {
    if (env.world_size > 1)
      fail(where, "cannot run " + std::to_string(env.world_size) + " ranks (WORLD_SIZE); use gloo or nccl");
    return std::make_unique<SingleProcessCommunicator>();
  }
  if (!comm_backend_available(backend))
    fail(where, backend == CommBackend::Nccl
                    ? "not in this build (needs a CUDA LibTorch with c10d NCCL and nccl.h at configure time)"
                    : "not in this build (needs LibTorch's c10d Gloo and the gloo headers, Debian's libgloo-dev)");
  if (!env.launched || env.master_addr.empty() || env.master_port == 0)
    fail(where, "needs WORLD_SIZE, RANK, MASTER_ADDR and MASTER_PORT (start it with torchrun)");
  if (backend == CommBackend::Nccl && !options.use_cuda) fail(where, "reduces CUDA tensors; train on CUDA or use gloo");
  // A loopback MASTER_ADDR with ranks on several machines cannot work; say so before the rendezvous
  // times out.
  if (is_loopback_name(env.master_addr) && env.local_world_size < env.world_size)
    fail(variable("MASTER_ADDR"), "'" + env.master_addr +
                                      "' is a loopback address but the ranks span more than one machine "
                                      "(LOCAL_WORLD_SIZE " +
                                      std::to_string(env.local_world_size) + " < WORLD_SIZE " +
                                      std::to_string(env.world_size) + ")");
#ifdef EARLYBERT_HAVE_GLOO
  if (backend == CommBackend::Gloo) return std::make_unique<GlooCommunicator>(env, options.timeout);
#endif
#ifdef EARLYBERT_HAVE_NCCL
  if (backend == CommBackend::Nccl) return std::make_unique<NcclCommunicator>(env, options.timeout);
#endif
  fail(where, "not in this build");
}

std::unique_ptr<Communicator> communicator_from_environment(DistributedOptions options) {
  options.timeout = collective_timeout_from_environment(options.timeout);
  return make_communicator(LaunchEnvironment::from_environment(), options);
}

}  // namespace earlybert
