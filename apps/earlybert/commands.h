// The earlybert CLI's subcommands. Each lives in its own file and adds itself to the CLI11 app;
// main.cpp calls every add_*_command and runs the chosen one. A subcommand's callback throws
// earlybert::Error for bad input; main prints it as one line and exits with status 2.
#pragma once

namespace CLI {
class App;
}

namespace earlybert::cli {

void add_version_command(CLI::App& app);

}  // namespace earlybert::cli
