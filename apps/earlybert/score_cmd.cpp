// `earlybert score`: metrics of a prediction file against a labelled split, printed as one JSON object
// with Hugging Face's keys.
//
//   earlybert score --task mrpc --data_dir glue_data --predictions MRPC.tsv
//       {"accuracy": ..., "combined_score": ..., "f1": ...}
//   earlybert score --task squad --data_file dev-v1.1.json --predictions predictions.json
//       {"exact_match": ..., "f1": ...}
//
// GLUE-style tasks (every registered task: cola, sst-2, mrpc, sts-b, qqp, mnli, mnli-mm, qnli, rte,
// wnli, and tasks such as wordnet): the predictions are a GLUE submission file (index<TAB>prediction,
// see glue_submission.h) scored against the dev split (--split train or test picks another labelled split).
// MNLI: --task mnli scores dev_matched.tsv, --task mnli-mm dev_mismatched.tsv. --data_dir is the GLUE
// root or the task's own folder; --data_file names one TSV file directly instead.
// SQuAD: --task squad (v1.1) or squad_v2 (v2.0), --data_file the official JSON, --predictions a
// predictions.json (id -> answer text). EM and F1 are percentages, as the official scripts print them.
// Every example must have exactly one prediction: a missing or unknown index/id is an error naming it.
// NaN (a correlation of constant predictions) is printed as null.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <iostream>
#include <memory>

#include "commands.h"
#include "earlybert/base/error.h"
#include "earlybert/data/glue.h"
#include "earlybert/data/glue_submission.h"
#include "earlybert/data/metrics.h"
#include "earlybert/data/squad.h"
#include "earlybert/data/squad_decode.h"
#include "earlybert/data/squad_eval.h"

namespace earlybert::cli {
namespace {

struct ScoreOptions {
  std::string task;
  std::string data_dir;
  std::string data_file;
  std::string predictions;
  std::string split = "dev";
};

bool squad_version(std::string name, SquadVersion& version) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  if (name == "squad" || name == "squad_v1" || name == "squad-v1") {
    version = SquadVersion::V1;
    return true;
  }
  if (name == "squad_v2" || name == "squad-v2" || name == "squad2") {
    version = SquadVersion::V2;
    return true;
  }
  return false;
}

MetricValues score_squad(const ScoreOptions& o, SquadVersion version) {
  if (o.data_file.empty()) fail("--data_file", "required for --task " + o.task + " (e.g. dev-v1.1.json)");
  if (!o.data_dir.empty()) fail("--data_dir", "not used for SQuAD: give the JSON file with --data_file");
  const SquadDataset data = read_squad(o.data_file);
  const auto predictions = read_squad_predictions(o.predictions);
  return evaluate_squad(data.examples, predictions, version, o.predictions);
}

MetricValues score_glue(const ScoreOptions& o) {
  const TaskSpec& task = find_task(o.task);
  const Split split = parse_split(o.split, "--split");
  if (!o.data_dir.empty() && !o.data_file.empty()) fail("--data_file", "give either --data_dir or --data_file");
  if (o.data_dir.empty() && o.data_file.empty() && !task.load) {
    fail("--data_dir", "required for task '" + task.name + "' (the GLUE root or its " + task.dir_name + " folder)");
  }
  const TaskExamples gold =
      o.data_file.empty() ? load_task_examples(task, o.data_dir, split) : read_task_tsv(task, o.data_file, split);
  const std::vector<GluePrediction> predictions = read_glue_predictions(task, o.predictions);
  return score_glue_predictions(task, gold, predictions, o.predictions);
}

}  // namespace

void add_score_command(CLI::App& app) {
  auto opts = std::make_shared<ScoreOptions>();
  auto* cmd = app.add_subcommand("score", "Score a prediction file against labelled data; prints metrics as JSON");
  cmd->add_option("--task", opts->task,
                  "Task: cola, sst-2, mrpc, sts-b, qqp, mnli (matched), mnli-mm (mismatched), qnli, rte, wnli, "
                  "other registered tasks, or squad / squad_v2")
      ->required();
  cmd->add_option("--data_dir,--data-dir", opts->data_dir, "GLUE root (holding MRPC/, ...) or the task's folder");
  cmd->add_option("--data_file,--data-file", opts->data_file,
                  "SQuAD JSON file (dev-v1.1.json), or one GLUE TSV file instead of --data_dir");
  cmd->add_option("--predictions", opts->predictions,
                  "GLUE submission TSV (index<TAB>prediction) or SQuAD predictions.json")
      ->required();
  cmd->add_option("--split", opts->split,
                  "Split to score against: dev (default), train, or test for tasks whose test split has labels")
      ->capture_default_str();
  cmd->callback([opts] {
    SquadVersion version = SquadVersion::V1;
    const MetricValues m = squad_version(opts->task, version) ? score_squad(*opts, version) : score_glue(*opts);
    std::cout << metrics_to_json(m) << "\n";
  });
}

}  // namespace earlybert::cli
