// The documentation of the training keys, generated from the one key table (training_args.h's
// training_argument_infos()): docs/CONFIG.md and the key listing at the end of `--help` of the
// training commands. A key added to the table appears in both with no further work; a test fails when
// docs/CONFIG.md differs from training_arguments_markdown() (regenerate it with
// `earlybert config --markdown > docs/CONFIG.md`).
#pragma once

#include <string>

namespace earlybert {

/// docs/CONFIG.md: how keys are given, then one table per group (key, type, default, allowed values,
/// aliases, help).
std::string training_arguments_markdown();

/// The keys by group as `--key TYPE  help (default X)` lines, for a command's --help.
std::string training_arguments_help();

}  // namespace earlybert
