// `earlybert version`: versions of earlybert and LibTorch, and the CPU/GPU runtime in effect.
#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "commands.h"
#include "earlybert/base/version.h"
#include "earlybert/runtime/matmul.h"
#include "earlybert/runtime/precision.h"
#include "earlybert/runtime/threads.h"

namespace earlybert::cli {

void add_version_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("version", "Print versions and the runtime configuration");
  cmd->callback([] {
    configure_threads(0);
    const char* omp = std::getenv("OMP_WAIT_POLICY");
    std::cout << "earlybert " << version() << "\n"
              << "libtorch " << TORCH_VERSION << "\n"
              << "intra-op threads " << at::get_num_threads() << "\n"
              << "OMP_WAIT_POLICY " << (omp ? omp : "(unset)") << "\n"
              << "cuda devices " << torch::cuda::device_count() << "\n"
              << "cpu matmul fp32 " << to_string(effective_matmul_backend(at::kFloat)) << ", bf16 "
              << to_string(effective_matmul_backend(at::kBFloat16)) << " (EARLYBERT_MATMUL "
              << to_string(matmul_backend()) << ", oneDNN " << (onednn_built() ? "built in" : "not built") << ")\n"
              << "cpu bf16 fast " << (bf16_is_fast(torch::kCPU) ? "yes" : "no") << "\n"
              << at::get_parallel_info();
  });
}

}  // namespace earlybert::cli
