// `earlybert config`: the training keys, generated from the one key table (train/config_docs.h).
//
//   earlybert config               every key by group, as at the end of `earlybert finetune --help`
//   earlybert config --markdown    docs/CONFIG.md (regenerate it with `... > docs/CONFIG.md`; a test
//                                  fails when the committed file is stale)
//   earlybert config --dir         where the shipped presets are found (config_dir.h)
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "commands.h"
#include "config_dir.h"
#include "earlybert/base/error.h"
#include "earlybert/train/config_docs.h"

namespace earlybert::cli {

void add_config_command(CLI::App& app) {
  auto markdown = std::make_shared<bool>(false);
  auto dir = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("config", "List the training configuration keys (--markdown: docs/CONFIG.md)");
  cmd->add_flag("--markdown", *markdown, "print docs/CONFIG.md");
  cmd->add_flag("--dir", *dir, "print the directory the task presets (finetune/<task>.yaml) are read from");
  cmd->callback([markdown, dir] {
    if (*dir) {
      const std::string d = find_config_dir();
      if (d.empty()) fail("config --dir", "no configs directory next to the executable (set EARLYBERT_CONFIG_DIR)");
      std::cout << d << "\n";
      return;
    }
    std::cout << (*markdown ? training_arguments_markdown() : training_arguments_help());
  });
}

}  // namespace earlybert::cli
