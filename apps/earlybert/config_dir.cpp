// The shipped configs at run time — see config_dir.h.
#include "config_dir.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace earlybert::cli {

namespace fs = std::filesystem;

std::string find_config_dir() {
  std::error_code ec;
  auto usable = [&](const fs::path& p) { return fs::is_directory(p / "finetune", ec); };
  if (const char* env = std::getenv("EARLYBERT_CONFIG_DIR"); env != nullptr && *env != '\0')
    return usable(env) ? std::string(env) : std::string();
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  const fs::path dir = exe.parent_path();
  for (const fs::path& candidate :
       {dir / "configs", dir.parent_path() / "configs", dir.parent_path() / "share" / "earlybert" / "configs"}) {
    if (usable(candidate)) return fs::weakly_canonical(candidate, ec).string();
  }
  return "";
}

std::string find_task_preset(const std::string& task) {
  const std::string dir = find_config_dir();
  if (dir.empty() || task.empty()) return "";
  const fs::path p = fs::path(dir) / "finetune" / (task + ".yaml");
  std::error_code ec;
  return fs::is_regular_file(p, ec) ? p.string() : "";
}

}  // namespace earlybert::cli
