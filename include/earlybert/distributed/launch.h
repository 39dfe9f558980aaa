// Launch — the Communicator of this process, built from what the launcher put into the environment.
//
// torchrun (and any wrapper that sets the same variables: a Slurm script, a hand-written loop) starts
// one process per device and tells each who it is:
//   RANK, WORLD_SIZE                 this process among all of them
//   LOCAL_RANK, LOCAL_WORLD_SIZE     this process among those on this machine (picks cuda:LOCAL_RANK)
//   MASTER_ADDR, MASTER_PORT         where the rendezvous store listens
//   TORCHELASTIC_USE_AGENT_STORE     "True" when torchrun's agent already hosts that store: every rank
//   TORCHELASTIC_RESTART_COUNT       then connects as a client, under the prefix of this restart
// Otherwise rank 0 hosts the store (a c10d TCPStore) and the others connect to it, as
// torch.distributed's env:// rendezvous does. Without WORLD_SIZE the process runs alone
// (SingleProcessCommunicator). Malformed or inconsistent values are Errors naming the variable.
//
// Backend: gloo for CPU training, nccl for CUDA training (one GPU per local rank); either can be asked
// for explicitly. Every collective has a timeout (DistributedOptions::timeout; the environment variable
// EARLYBERT_DIST_TIMEOUT, in seconds, overrides it — tests use it to fail fast): a rank that died or
// stopped answering makes the others fail with a one-line Error instead of hanging the job.
//
//   DistributedOptions o;  o.use_cuda = args.device == "cuda";
//   std::unique_ptr<Communicator> comm = communicator_from_environment(o);
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "earlybert/distributed/communicator.h"

namespace earlybert {

/// Which communicator to build. Auto: single process when WORLD_SIZE is 1 (or unset), else gloo for
/// CPU training and nccl for CUDA training.
enum class CommBackend { Auto, Single, Gloo, Nccl };

/// "auto", "single", "gloo", "nccl" (Error naming `where` otherwise).
CommBackend parse_comm_backend(const std::string& text, const std::string& where);
std::string to_string(CommBackend backend);

/// True when this build has the backend (gloo needs LibTorch's c10d Gloo and the gloo headers; nccl
/// needs a CUDA LibTorch with c10d NCCL). Single and Auto are always available.
bool comm_backend_available(CommBackend backend);

/// What the launcher said about this process (see the header comment).
struct LaunchEnvironment {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  int local_world_size = 1;
  std::string master_addr;
  int master_port = 0;
  bool use_agent_store = false;  ///< TORCHELASTIC_USE_AGENT_STORE=True
  int restart_count = 0;         ///< TORCHELASTIC_RESTART_COUNT (the agent store's key prefix)
  bool launched = false;         ///< WORLD_SIZE was set (a launcher or a wrapper started us)

  /// Reads the variables through `lookup` (nullopt: unset). Defaults for a launched process:
  /// LOCAL_WORLD_SIZE = WORLD_SIZE, LOCAL_RANK = RANK mod LOCAL_WORLD_SIZE; MASTER_ADDR and MASTER_PORT
  /// are required when WORLD_SIZE > 1.
  static LaunchEnvironment parse(const std::function<std::optional<std::string>(const std::string&)>& lookup);
  /// parse() of this process's environment.
  static LaunchEnvironment from_environment();
};

struct DistributedOptions {
  CommBackend backend = CommBackend::Auto;
  /// Training runs on CUDA: Auto picks nccl, and nccl uses cuda:local_rank.
  bool use_cuda = false;
  /// How long a collective (and the rendezvous) may wait for the other ranks. torch.distributed's
  /// default: long enough for rank 0 to write a checkpoint while the others wait at a barrier.
  std::chrono::milliseconds timeout = std::chrono::minutes(30);
};

/// The timeout: EARLYBERT_DIST_TIMEOUT (seconds, > 0, may have a fraction) if set, else `fallback`.
std::chrono::milliseconds collective_timeout_from_environment(std::chrono::milliseconds fallback);

/// The communicator for `env` with `options` (no environment read here). Errors: backend not built,
/// nccl without use_cuda, the rendezvous failing or timing out.
std::unique_ptr<Communicator> make_communicator(const LaunchEnvironment& env, const DistributedOptions& options);

/// make_communicator(LaunchEnvironment::from_environment(), options with the EARLYBERT_DIST_TIMEOUT
/// override applied).
std::unique_ptr<Communicator> communicator_from_environment(DistributedOptions options = {});

}  // namespace earlybert
