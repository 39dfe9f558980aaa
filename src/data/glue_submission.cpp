// GLUE submission files and scoring; see include/earlybert/data/glue_submission.h.
#include "earlybert/data/glue_submission.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include "earlybert/base/error.h"
#include "earlybert/data/tsv.h"

namespace earlybert {
namespace {

std::string format_score(float v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(v));
  return buf;
}

bool parse_index(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::string submission_file_name(const TaskSpec& task) {
  if (task.submission_file.empty()) fail("task '" + task.name + "'", "has no GLUE submission file name");
  return task.submission_file;
}

void write_glue_predictions(const TaskSpec& task, const std::string& path, const std::vector<int32_t>& label_ids) {
  if (task.is_regression) fail(path, "task '" + task.name + "' is a regression task: write values, not class ids");
  std::vector<std::vector<std::string>> rows{{"index", "prediction"}};
  rows.reserve(label_ids.size() + 1);
  for (size_t i = 0; i < label_ids.size(); ++i) {
    const int32_t id = label_ids[i];
    if (id < 0 || static_cast<size_t>(id) >= task.label_names.size()) {
      fail(path, "prediction " + std::to_string(i) + ": class id " + std::to_string(id) + " outside the " +
                     std::to_string(task.label_names.size()) + " labels of task '" + task.name + "'");
    }
    rows.push_back({std::to_string(i), task.label_names[static_cast<size_t>(id)]});
  }
  write_tsv_atomic(path, rows);
}

void write_glue_predictions(const TaskSpec& task, const std::string& path, const std::vector<float>& values) {
  if (!task.is_regression) fail(path, "task '" + task.name + "' is a classification task: write class ids");
  std::vector<std::vector<std::string>> rows{{"index", "prediction"}};
  rows.reserve(values.size() + 1);
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) fail(path, "prediction " + std::to_string(i) + " is not finite");
    rows.push_back({std::to_string(i), format_score(values[i])});
  }
  write_tsv_atomic(path, rows);
}

std::vector<GluePrediction> read_glue_predictions(const TaskSpec& task, const std::string& path) {
  TsvReader reader(path);
  if (!reader.next()) fail(path, "empty file: expected the header 'index<TAB>prediction'");
  const auto& header = reader.fields();
  if (header.size() != 2 || header[0] != "index" || header[1] != "prediction") {
    fail(reader.where(), "expected the header 'index<TAB>prediction' (GLUE submission format)");
  }
  std::vector<GluePrediction> out;
  std::unordered_map<int64_t, size_t> seen;  // index -> line
  while (reader.next()) {
    const auto& f = reader.fields();
    if (f.size() != 2) {
      fail(reader.where(),
           "malformed row: expected 2 tab-separated fields (index, prediction), found " + std::to_string(f.size()));
    }
    GluePrediction p;
    p.line = reader.line();
    if (!parse_index(f[0], p.index))
      fail(reader.where(), "index '" + std::string(f[0]) + "' is not a non-negative integer");
    if (auto it = seen.find(p.index); it != seen.end()) {
      fail(reader.where(), "index " + std::to_string(p.index) + " repeats line " + std::to_string(it->second));
    }
    seen.emplace(p.index, p.line);
    const std::string pred(f[1]);
    if (task.is_regression) {
      errno = 0;
      char* end = nullptr;
      const double v = pred.empty() ? 0.0 : std::strtod(pred.c_str(), &end);
      if (pred.empty() || end != pred.c_str() + pred.size() || errno == ERANGE || !std::isfinite(v)) {
        fail(reader.where(), "prediction '" + pred + "' is not a number");
      }
      p.value = static_cast<float>(v);
    } else {
      p.label_id = task.label_id(pred);
      if (p.label_id < 0) {
        std::string labels;
        for (const auto& l : task.label_names) labels += (labels.empty() ? "" : ", ") + l;
        fail(reader.where(), "prediction '" + pred + "' is not one of the " + task.name + " labels (" + labels + ")");
      }
    }
    out.push_back(p);
  }
  return out;
}

MetricValues score_glue_predictions(const TaskSpec& task, const TaskExamples& gold,
                                    const std::vector<GluePrediction>& predictions,
                                    const std::string& predictions_source) {
  const size_t n = gold.examples.size();
  if (n == 0) fail(gold.source, "no examples to score");
  for (const auto& ex : gold.examples) {
    if (!ex.has_label()) {
      fail(gold.source, std::string("the ") + split_name(gold.split) + " split has no labels to score against");
    }
  }
  std::vector<const GluePrediction*> by_index(n, nullptr);
  for (const auto& p : predictions) {
    if (p.index < 0 || static_cast<size_t>(p.index) >= n) {
      fail(predictions_source + (p.line ? ":" + std::to_string(p.line) : ""),
           "index " + std::to_string(p.index) + " is not an example of " + gold.source + " (" + std::to_string(n) +
               " examples, indices 0.." + std::to_string(n - 1) + ")");
    }
    if (by_index[static_cast<size_t>(p.index)] != nullptr) {
      fail(predictions_source, "index " + std::to_string(p.index) + " is predicted twice");
    }
    by_index[static_cast<size_t>(p.index)] = &p;
  }
  for (size_t i = 0; i < n; ++i) {
    if (by_index[i] == nullptr) {
      const TextExample& ex = gold.examples[i];
      const std::string place = ex.line > 0 ? gold.source + ":" + std::to_string(ex.line)
                                            : (ex.guid.empty() ? gold.source : "guid " + ex.guid);
      fail(predictions_source, "no prediction for index " + std::to_string(i) + " (" + place + "); " +
                                   std::to_string(n - predictions.size()) + " of " + std::to_string(n) +
                                   " examples have none");
    }
  }
  if (task.is_regression) {
    std::vector<float> pred(n), ref(n);
    for (size_t i = 0; i < n; ++i) {
      pred[i] = by_index[i]->value;
      ref[i] = gold.examples[i].label_value;
    }
    return task_metrics(task, pred, ref);
  }
  std::vector<int32_t> pred(n), ref(n);
  for (size_t i = 0; i < n; ++i) {
    pred[i] = by_index[i]->label_id;
    ref[i] = gold.examples[i].label_id;
  }
  return task_metrics(task, pred, ref);
}

}  // namespace earlybert
