// `earlybert wordnet`: the embedded WordNet data (see wordnet.h).
//
//   earlybert wordnet stats                  sizes of the task and the corpus, as JSON
//   earlybert wordnet corpus --output FILE   the gloss corpus as text (a sentence per line, a blank
//                                            line between documents) for prepare-pretraining or others
//   earlybert wordnet task --split dev --output FILE
//                                            one split of the `wordnet` task as TSV: guid, text, label
// --wordnet-dir overrides /usr/share/wordnet (or $EARLYBERT_WORDNET_DIR). The task itself needs no
// export: `--task wordnet` reads it directly.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/data/wordnet.h"

namespace earlybert::cli {

namespace {

struct WordNetArgs {
  std::string dir;
  std::string output;
  std::string split = "train";
  bool include_eval = false;
};

std::string dir_of(const WordNetArgs& a) { return a.dir.empty() ? default_wordnet_dir() : a.dir; }

void stats(const WordNetArgs& a) {
  const auto synsets = read_wordnet(dir_of(a));
  const WordNetTask task = build_wordnet_task(synsets);
  nlohmann::json j;
  j["wordnet_dir"] = dir_of(a);
  j["synsets"] = synsets.size();
  j["task"] = {{"train", task[Split::Train].size()},
               {"dev", task[Split::Dev].size()},
               {"test", task[Split::Test].size()},
               {"labels", kWordNetCategories},
               {"merged_duplicates", task.merged_duplicates},
               {"dropped_conflicting", task.dropped_conflicting}};
  for (bool all : {false, true}) {
    const auto docs = wordnet_corpus_documents(synsets, all);
    size_t sentences = 0, bytes = 0;
    for (const auto& d : docs)
      for (const auto& s : d) {
        sentences += 1;
        bytes += s.size() + 1;
      }
    j[all ? "corpus_with_eval" : "corpus"] = {{"documents", docs.size()}, {"sentences", sentences}, {"bytes", bytes}};
  }
  std::cout << j.dump(2) << "\n";
}

void corpus(const WordNetArgs& a) {
  if (a.output.empty()) fail("--output", "required");
  const auto docs = wordnet_corpus_documents(read_wordnet(dir_of(a)), a.include_eval);
  write_file_atomic(a.output, wordnet_corpus_text(docs));
  size_t sentences = 0;
  for (const auto& d : docs) sentences += d.size();
  std::cout << "wrote " << a.output << ": " << docs.size() << " documents, " << sentences << " sentences\n";
}

void task(const WordNetArgs& a) {
  if (a.output.empty()) fail("--output", "required");
  const Split split = parse_split(a.split, "--split");
  const TaskExamples ex = wordnet_task_examples(split, a.dir);
  std::string tsv = "guid\ttext\tlabel\n";
  for (const auto& e : ex.examples) tsv += e.guid + "\t" + e.text_a + "\t" + e.label.value_or("") + "\n";
  write_file_atomic(a.output, tsv);
  std::cout << "wrote " << a.output << ": " << ex.examples.size() << " examples\n";
}

}  // namespace

void add_wordnet_command(CLI::App& app) {
  auto args = std::make_shared<WordNetArgs>();
  auto* cmd = app.add_subcommand("wordnet", "WordNet gloss corpus and the `wordnet` classification task");
  cmd->require_subcommand(1);
  cmd->add_option("--wordnet-dir", args->dir, "WordNet dict directory (default /usr/share/wordnet)");

  auto* s = cmd->add_subcommand("stats", "Sizes of the task splits and the corpus, as JSON");
  s->callback([args] { stats(*args); });

  auto* c = cmd->add_subcommand("corpus", "Write the gloss corpus as text");
  c->add_option("--output", args->output, "Text file to write")->required();
  c->add_flag("--include-eval", args->include_eval, "Also the glosses of the task's dev/test splits");
  c->callback([args] { corpus(*args); });

  auto* t = cmd->add_subcommand("task", "Write one split of the task as TSV (guid, text, label)");
  t->add_option("--split", args->split, "train, dev or test")->capture_default_str();
  t->add_option("--output", args->output, "TSV file to write")->required();
  t->callback([args] { task(*args); });
}

}  // namespace earlybert::cli
