// Generated documentation of the training keys — see include/earlybert/train/config_docs.h.
#include "earlybert/train/config_docs.h"

#include <algorithm>

#include "earlybert/train/training_args.h"

namespace earlybert {
namespace {

std::string join(const std::vector<std::string>& items, const std::string& sep, const std::string& quote = "") {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += quote + (s.empty() ? std::string("\"\"") : s) + quote;
  }
  return out;
}

/// A table cell: pipes escaped so that a help text cannot break the table.
std::string cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\";
    out += c;
  }
  return out;
}

const char* group_title(const std::string& group) {
  if (group == "run") return "Run";
  if (group == "model") return "Model";
  if (group == "data") return "Task and data";
  if (group == "optimization") return "Optimization";
  if (group == "logging") return "Logging, evaluation and checkpoints";
  if (group == "earlybert") return "EarlyBERT: search, draw, efficient training";
  return nullptr;
}

std::string title_of(const std::string& group) {
  const char* t = group_title(group);
  return t != nullptr ? t : group;
}

}  // namespace

std::string training_arguments_markdown() {
  std::string md =
      "# Configuration keys\n\n"
      "<!-- Generated from the key table in src/train/training_args.cpp by `earlybert config --markdown`;\n"
      "     do not edit by hand (a test fails when this file is stale). -->\n\n"
      "Every key of `earlybert pretrain`, `finetune`, `eval` and `predict` can be given three ways, resolved\n"
      "in this order (a later source wins): built-in defaults < `--config FILE.yaml` files (flat `key: value`\n"
      "mappings, in the order given) < command-line flags (`--key value`, `--key=value`, a bool `--key` alone\n"
      "or `--no_key`) < `--set key=value`. Flags are spelled with underscores or dashes alike\n"
      "(`--max_seq_length` = `--max-seq-length`), in every subcommand. `--dump-config` prints the resolved\n"
      "configuration (loadable with `--config`); `earlybert finetune --task T` without `--config` applies\n"
      "the task's preset `configs/finetune/T.yaml` first. Unknown keys, wrong types and out-of-range values\n"
      "are errors naming the key (and `file:line`).\n";
  std::string group;
  for (const auto& k : training_argument_infos()) {
    if (k.group != group) {
      group = k.group;
      md += "\n## " + title_of(group) + "\n\n| key | type | default | values | help |\n|---|---|---|---|---|\n";
    }
    std::string name = "`" + k.name + "`";
    if (!k.aliases.empty()) name += " (alias " + join(k.aliases, ", ", "`") + ")";
    const std::string def = k.default_value.empty() ? "" : "`" + k.default_value + "`";
    md += "| " + name + " | " + k.type + " | " + def + " | " + cell(join(k.choices, ", ")) + " | " + cell(k.help) +
          " |\n";
  }
  return md;
}

std::string training_arguments_help() {
  const auto infos = training_argument_infos();
  size_t width = 0;
  for (const auto& k : infos) width = std::max(width, k.name.size() + k.type.size() + 3);
  std::string text =
      "Training keys (each a flag --key value, a YAML key in --config files, or --set key=value; "
      "docs/CONFIG.md):\n";
  std::string group;
  for (const auto& k : infos) {
    if (k.group != group) {
      group = k.group;
      text += "\n" + title_of(group) + ":\n";
    }
    std::string head = "--" + k.name + " " + (k.choices.empty() ? k.type : "{" + join(k.choices, ",") + "}");
    std::string line = "  " + head;
    line += std::string(head.size() < width + 2 ? width + 2 - head.size() : 1, ' ');
    line += k.help;
    if (!k.default_value.empty()) line += " (default " + k.default_value + ")";
    for (const auto& alias : k.aliases) line += " (alias --" + alias + ")";
    text += line + "\n";
  }
  return text;
}

}  // namespace earlybert
