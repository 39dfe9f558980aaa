// Fuzz target: command-line values (train/training_args.h) — parse_set_override() (`--set key=value`)
// and parse_hf_flags() (`--key value`, `--key=value`, `--no_key`), then apply_override() of what they
// return. The input is split at NUL bytes into argv-style arguments; each one is also tried as a
// `--set` value. Kept thin: moving the file changes only the include.
#include <vector>

#include "earlybert/train/training_args.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace earlybert;
  std::vector<std::string> argv;
  const std::string_view text = fuzz::as_text(data, size);
  for (size_t start = 0; start <= text.size();) {
    const size_t end = std::min(text.find('\0', start), text.size());
    argv.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  TrainingArguments args;
  for (const std::string& arg : argv) {
    fuzz::parse_or_reject([&] { apply_override(args, parse_set_override(arg)); });
  }
  TrainingArguments flagged;
  fuzz::parse_or_reject([&] {
    for (const ConfigOverride& o : parse_hf_flags(argv)) apply_override(flagged, o);
  });
  return 0;
}
