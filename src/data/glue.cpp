// GLUE task registry and TSV example reading; see include/earlybert/data/glue.h.
#include "earlybert/data/glue.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <numeric>
#include <set>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/data/tsv.h"

namespace earlybert {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// ---- built-in GLUE tasks ------------------------------------------------------------------------

TsvLayout layout(bool header, size_t num_fields, int a, std::optional<int> b, std::optional<int> label,
                 std::optional<int> guid) {
  TsvLayout l;
  l.header = header;
  l.num_fields = num_fields;
  l.text_a = a;
  l.text_b = b;
  l.label = label;
  l.guid = guid;
  return l;
}

TaskSpec classification_task(std::string name, std::string dir, bool pair, std::vector<std::string> labels,
                             std::vector<std::string> metrics, std::string submission) {
  TaskSpec t;
  t.name = std::move(name);
  t.dir_name = std::move(dir);
  t.is_pair = pair;
  t.label_names = std::move(labels);
  t.metric_names = std::move(metrics);
  t.submission_file = std::move(submission);
  return t;
}

std::vector<TaskSpec> builtin_tasks() {
  const std::vector<std::string> binary = {"0", "1"};
  const std::vector<std::string> nli3 = {"contradiction", "entailment", "neutral"};
  const std::vector<std::string> nli2 = {"entailment", "not_entailment"};
  std::vector<TaskSpec> tasks;

  // CoLA: train/dev are headerless (source, label, author's mark, sentence); test has "index sentence".
  TaskSpec cola = classification_task("cola", "CoLA", false, binary, {"matthews_correlation"}, "CoLA.tsv");
  cola.labeled_layout = layout(false, 4, 3, std::nullopt, 1, std::nullopt);
  cola.test_layout = layout(true, 0, 1, std::nullopt, std::nullopt, 0);
  tasks.push_back(cola);

  TaskSpec sst2 = classification_task("sst-2", "SST-2", false, binary, {"accuracy"}, "SST-2.tsv");
  sst2.aliases = {"sst2"};
  sst2.labeled_layout = layout(true, 0, 0, std::nullopt, 1, std::nullopt);
  sst2.test_layout = layout(true, 0, 1, std::nullopt, std::nullopt, std::nullopt);
  tasks.push_back(sst2);

  TaskSpec mrpc = classification_task("mrpc", "MRPC", true, binary, {"accuracy", "f1"}, "MRPC.tsv");
  mrpc.labeled_layout = layout(true, 0, 3, 4, 0, std::nullopt);
  mrpc.test_layout = layout(true, 0, 3, 4, std::nullopt, std::nullopt);
  tasks.push_back(mrpc);

  TaskSpec stsb;
  stsb.name = "sts-b";
  stsb.aliases = {"stsb"};
  stsb.dir_name = "STS-B";
  stsb.is_pair = true;
  stsb.is_regression = true;
  stsb.min_value = 0.0;
  stsb.max_value = 5.0;
  stsb.metric_names = {"pearson", "spearmanr"};
  stsb.submission_file = "STS-B.tsv";
  stsb.labeled_layout = layout(true, 0, 7, 8, -1, 0);
  stsb.test_layout = layout(true, 0, 7, 8, std::nullopt, 0);
  tasks.push_back(stsb);

  TaskSpec qqp = classification_task("qqp", "QQP", true, binary, {"accuracy", "f1"}, "QQP.tsv");
  qqp.labeled_layout = layout(true, 0, 3, 4, 5, 0);
  qqp.test_layout = layout(true, 0, 1, 2, std::nullopt, 0);
  qqp.skip_malformed_rows = true;
  tasks.push_back(qqp);

  TaskSpec mnli = classification_task("mnli", "MNLI", true, nli3, {"accuracy"}, "MNLI-m.tsv");
  mnli.aliases = {"mnli-m", "mnli_matched"};
  mnli.dev_file = "dev_matched.tsv";
  mnli.test_file = "test_matched.tsv";
  mnli.labeled_layout = layout(true, 0, 8, 9, -1, 0);
  mnli.test_layout = layout(true, 0, 8, 9, std::nullopt, 0);
  tasks.push_back(mnli);

  TaskSpec mnli_mm = mnli;
  mnli_mm.name = "mnli-mm";
  mnli_mm.aliases = {"mnli_mismatched"};
  mnli_mm.dev_file = "dev_mismatched.tsv";
  mnli_mm.test_file = "test_mismatched.tsv";
  mnli_mm.submission_file = "MNLI-mm.tsv";
  mnli_mm.trainable = false;
  tasks.push_back(mnli_mm);

  for (auto [name, dir, labels] :
       {std::tuple{"qnli", "QNLI", nli2}, std::tuple{"rte", "RTE", nli2}, std::tuple{"wnli", "WNLI", binary}}) {
    TaskSpec t = classification_task(name, dir, true, labels, {"accuracy"}, std::string(dir) + ".tsv");
    t.labeled_layout = layout(true, 0, 1, 2, -1, 0);
    t.test_layout = layout(true, 0, 1, 2, std::nullopt, 0);
    tasks.push_back(t);
  }
  return tasks;
}

// ---- registry -----------------------------------------------------------------------------------

void check_layout(const TaskSpec& t, const TsvLayout& l, bool labeled, const std::string& where) {
  if (!l.header && l.num_fields == 0) fail(where, "a layout without a header needs num_fields");
  if (l.text_b.has_value() != t.is_pair) {
    fail(where, t.is_pair ? "a pair task needs a text_b column" : "a single-text task has no text_b column");
  }
  if (l.label.has_value() != labeled) {
    fail(where, labeled ? "the train/dev layout needs a label column" : "the test layout has no label column");
  }
  if (!l.header) {
    const long n = static_cast<long>(l.num_fields);
    for (const std::optional<int>& c : {std::optional<int>(l.text_a), l.text_b, l.label, l.guid}) {
      if (c && (*c >= n || *c < -n))
        fail(where, "column " + std::to_string(*c) + " outside " + std::to_string(n) + " fields");
    }
  }
}

void validate(const TaskSpec& t) {
  const std::string where = "task '" + t.name + "'";
  if (t.name.empty()) fail("register_task", "a task needs a name");
  if (t.name != lower(t.name)) fail(where, "task names are lower-case");
  if (t.is_regression) {
    if (!t.label_names.empty()) fail(where, "a regression task has no label names");
  } else {
    if (t.label_names.size() < 2) fail(where, "a classification task needs at least two labels");
    std::set<std::string> unique(t.label_names.begin(), t.label_names.end());
    if (unique.size() != t.label_names.size()) fail(where, "duplicate label names");
  }
  if (t.metric_names.empty()) fail(where, "no metrics");
  for (const auto& m : t.metric_names) {
    const bool ok = t.is_regression ? metrics::is_regression_metric(m) : metrics::is_classification_metric(m);
    if (!ok) {
      fail(where,
           "metric '" + m + "' does not apply to a " + (t.is_regression ? "regression" : "classification") + " task");
    }
  }
  if (!t.load) {
    if (t.dir_name.empty()) fail(where, "a TSV task needs dir_name (or a custom load function)");
    check_layout(t, t.labeled_layout, true, where + " labeled_layout");
    check_layout(t, t.test_layout, false, where + " test_layout");
  }
}

struct Registry {
  std::mutex mutex;
  std::vector<std::unique_ptr<TaskSpec>> tasks;

  Registry() {
    for (auto& t : builtin_tasks()) add(std::move(t));
  }

  const TaskSpec* find(const std::string& name) const {
    const std::string key = lower(name);
    for (const auto& t : tasks) {
      if (t->name == key) return t.get();
      for (const auto& a : t->aliases) {
        if (lower(a) == key) return t.get();
      }
    }
    return nullptr;
  }

  void add(TaskSpec spec) {
    validate(spec);
    for (const std::string& n : [&] {
           std::vector<std::string> all{spec.name};
           all.insert(all.end(), spec.aliases.begin(), spec.aliases.end());
           return all;
         }()) {
      if (const TaskSpec* other = find(n))
        fail("task '" + spec.name + "'", "name '" + n + "' is already used by task '" + other->name + "'");
    }
    tasks.push_back(std::make_unique<TaskSpec>(std::move(spec)));
  }
};

Registry& registry() {
  static Registry r;
  return r;
}

// ---- reading ------------------------------------------------------------------------------------

size_t resolve_column(int column, size_t num_fields) {
  return column < 0 ? num_fields - static_cast<size_t>(-column) : static_cast<size_t>(column);
}

std::string file_stem(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const size_t dot = name.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

float parse_score(std::string_view text, const TaskSpec& task, const std::string& where) {
  const std::string s(text);
  errno = 0;
  char* end = nullptr;
  const double v = s.empty() ? 0.0 : std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(v)) {
    fail(where, "score '" + s + "' is not a number");
  }
  if (task.max_value > task.min_value && (v < task.min_value || v > task.max_value)) {
    char range[64];
    std::snprintf(range, sizeof range, "[%g, %g]", task.min_value, task.max_value);
    fail(where, "score " + s + " is outside the task's range " + range);
  }
  return static_cast<float>(v);
}

}  // namespace

const char* split_name(Split split) {
  switch (split) {
    case Split::Train:
      return "train";
    case Split::Dev:
      return "dev";
    case Split::Test:
      return "test";
  }
  return "?";
}

Split parse_split(const std::string& name, const std::string& where) {
  const std::string n = lower(name);
  if (n == "train") return Split::Train;
  if (n == "dev" || n == "validation") return Split::Dev;
  if (n == "test") return Split::Test;
  fail(where, "unknown split '" + name + "' (expected train, dev or test)");
}

int32_t TaskSpec::label_id(const std::string& label) const {
  for (size_t i = 0; i < label_names.size(); ++i) {
    if (label_names[i] == label) return static_cast<int32_t>(i);
  }
  return -1;
}

const std::string& TaskSpec::file_name(Split split) const {
  switch (split) {
    case Split::Train:
      return train_file;
    case Split::Dev:
      return dev_file;
    case Split::Test:
      return test_file;
  }
  return train_file;
}

void register_task(TaskSpec spec) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.add(std::move(spec));
}

const TaskSpec* lookup_task(const std::string& name) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  return r.find(name);
}

const TaskSpec& find_task(const std::string& name) {
  if (const TaskSpec* t = lookup_task(name)) return *t;
  fail("--task", "unknown task '" + name + "' (known: " + join(task_names(), ", ") + ")");
}

std::vector<std::string> task_names() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& t : r.tasks) names.push_back(t->name);
  std::sort(names.begin(), names.end());
  return names;
}

std::string resolve_task_dir(const TaskSpec& task, const std::string& data_dir) {
  if (!task.dir_name.empty()) {
    const std::string sub = join_path(data_dir.empty() ? "." : data_dir, task.dir_name);
    if (is_directory(sub)) return sub;
  }
  return data_dir.empty() ? "." : data_dir;
}

TaskExamples load_task_examples(const TaskSpec& task, const std::string& data_dir, Split split) {
  if (task.load) return task.load(task, data_dir, split);
  const std::string dir = resolve_task_dir(task, data_dir);
  const std::string path = join_path(dir, task.file_name(split));
  if (!path_exists(path)) {
    fail(path, std::string("no such file: the ") + split_name(split) + " split of task '" + task.name +
                   "' (--data_dir may be the GLUE root holding " + task.dir_name + "/ or the task folder itself)");
  }
  return read_task_tsv(task, path, split);
}

TaskExamples read_task_tsv(const TaskSpec& task, const std::string& path, Split split) {
  const TsvLayout& l = split == Split::Test ? task.test_layout : task.labeled_layout;
  TsvReader reader(path);
  TaskExamples out;
  out.task = task.name;
  out.split = split;
  out.source = path;
  const std::string stem = file_stem(path);

  size_t num_fields = l.num_fields;
  if (l.header) {
    if (!reader.next()) fail(path, "empty file: expected a header line");
    num_fields = reader.fields().size();
    long needed = 0;
    for (const std::optional<int>& c : {std::optional<int>(l.text_a), l.text_b, l.label, l.guid}) {
      if (c) needed = std::max<long>(needed, *c >= 0 ? *c + 1 : -*c);
    }
    if (static_cast<long>(num_fields) < needed) {
      fail(reader.where(), "header has " + std::to_string(num_fields) + " columns; task '" + task.name + "' " +
                               split_name(split) + " files need at least " + std::to_string(needed));
    }
  }

  while (reader.next()) {
    const auto& f = reader.fields();
    if (f.size() != num_fields) {
      if (task.skip_malformed_rows) {
        ++out.skipped_rows;
        out.skipped_lines.push_back(reader.line());
        continue;
      }
      fail(reader.where(), "malformed row: expected " + std::to_string(num_fields) + " tab-separated fields, found " +
                               std::to_string(f.size()));
    }
    TextExample ex;
    ex.index = static_cast<int64_t>(out.examples.size());
    ex.line = reader.line();
    ex.text_a = std::string(f[resolve_column(l.text_a, num_fields)]);
    if (l.text_b) ex.text_b = std::string(f[resolve_column(*l.text_b, num_fields)]);
    if (l.label) {
      const std::string label(f[resolve_column(*l.label, num_fields)]);
      if (task.is_regression) {
        ex.label_value = parse_score(label, task, reader.where());
      } else {
        ex.label_id = task.label_id(label);
        if (ex.label_id < 0) {
          fail(reader.where(), "label '" + label + "' is not one of the " + task.name + " labels (" +
                                   join(task.label_names, ", ") + ")");
        }
      }
      ex.label = label;
    }
    ex.guid =
        stem + "-" + (l.guid ? std::string(f[resolve_column(*l.guid, num_fields)]) : std::to_string(reader.line() - 1));
    out.examples.push_back(std::move(ex));
  }
  if (out.skipped_rows > 0) {
    spdlog::warn(
        "{}: skipped {} malformed row(s) with a wrong number of fields, as Hugging Face's {} reader does "
        "(first at line {})",
        path, out.skipped_rows, task.name, out.skipped_lines.front());
  }
  return out;
}

MetricValues task_metrics(const TaskSpec& task, const std::vector<int32_t>& predicted_ids,
                          const std::vector<int32_t>& label_ids) {
  if (task.is_regression) fail("task '" + task.name + "'", "a regression task is scored from values, not class ids");
  MetricValues m = metrics::classification(task.metric_names, predicted_ids, label_ids);
  if (m.size() > 1) {
    double sum = 0;
    for (const auto& [k, v] : m) sum += v;
    m["combined_score"] = sum / static_cast<double>(m.size());
  }
  return m;
}

MetricValues task_metrics(const TaskSpec& task, const std::vector<float>& predicted_values,
                          const std::vector<float>& label_values) {
  if (!task.is_regression) fail("task '" + task.name + "'", "a classification task is scored from class ids");
  const std::vector<double> p(predicted_values.begin(), predicted_values.end());
  const std::vector<double> g(label_values.begin(), label_values.end());
  MetricValues m = metrics::regression(task.metric_names, p, g);
  if (m.size() > 1) {
    double sum = 0;
    for (const auto& [k, v] : m) sum += v;
    m["combined_score"] = sum / static_cast<double>(m.size());
  }
  return m;
}

}  // namespace earlybert
