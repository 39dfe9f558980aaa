// Where the shipped configs (configs/finetune/<task>.yaml, configs/models, ...) are found at run time,
// so that `earlybert finetune --task mrpc` can apply the task's preset from any working directory.
//
// Looked up in this order, relative to the running executable (/proc/self/exe), not the working
// directory:
//   1. $EARLYBERT_CONFIG_DIR, when set (a user's own presets);
//   2. <exe dir>/configs and <exe dir>/../configs — the build tree (build/earlybert next to the
//      repository's configs/);
//   3. <exe dir>/../share/earlybert/configs — an installed tree (cmake --install puts bin/earlybert and
//      share/earlybert/configs under one prefix).
// A directory counts when it has a finetune/ sub-directory.
#pragma once

#include <string>

namespace earlybert::cli {

/// The configs directory, or "" when none of the places above has one.
std::string find_config_dir();

/// configs/finetune/<task>.yaml when it exists, else "".
std::string find_task_preset(const std::string& task);

}  // namespace earlybert::cli
