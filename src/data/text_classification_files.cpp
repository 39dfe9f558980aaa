// run_glue-style text classification files — see include/earlybert/data/text_classification_files.h.
#include "earlybert/data/text_classification_files.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "earlybert/base/error.h"

namespace earlybert {
namespace {

bool is_null(const TableCell& c, const TextTable& t) {
  return c.type == CellType::Null || (t.format != TableFormat::JsonLines && c.text.empty());
}

/// Integer labels by value ("01" and "1" are one label, as pyarrow reads them).
std::string canonical_integer(const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end == text.c_str() || *end != '\0') return text;
  return std::to_string(v);
}

int required_column(const TextTable& t, const std::string& name, const std::string& what) {
  const int c = t.column(name);
  if (c < 0)
    fail(
        t.path, "has no " + what + " column '" + name + "' (columns: " + [&] {
          std::string s;
          for (const auto& n : t.columns) s += (s.empty() ? "" : ", ") + n;
          return s;
        }() + ")");
  return c;
}

std::string cell_text(const TextTable& t, size_t row, int column, const std::string& name) {
  const TableCell& c = t.rows[row][static_cast<size_t>(column)];
  if (is_null(c, t)) fail(t.where(row), "column '" + name + "' is empty");
  if (c.type == CellType::Other) fail(t.where(row), "column '" + name + "' holds a JSON array or object, not text");
  return c.text;
}

}  // namespace

int32_t LabelSpace::id(const std::string& label) const {
  auto it = std::find(labels.begin(), labels.end(), label);
  return it == labels.end() ? -1 : static_cast<int32_t>(it - labels.begin());
}

TextColumns infer_text_columns(const TextTable& train, const TextColumnOptions& options) {
  TextColumns c;
  c.label = options.label_column;
  if (!options.text_column.empty()) {
    c.text_a = train.columns.at(static_cast<size_t>(required_column(train, options.text_column, "text")));
    if (!options.text_pair_column.empty()) {
      required_column(train, options.text_pair_column, "text pair");
      c.text_b = options.text_pair_column;
    }
    return c;
  }
  std::vector<std::string> texts;
  for (const auto& name : train.columns) {
    if (name != options.label_column) texts.push_back(name);
  }
  const bool glue_names = std::find(texts.begin(), texts.end(), "sentence1") != texts.end() &&
                          std::find(texts.begin(), texts.end(), "sentence2") != texts.end();
  if (glue_names) {
    c.text_a = "sentence1";
    c.text_b = "sentence2";
  } else if (texts.size() >= 2) {
    c.text_a = texts[0];
    c.text_b = texts[1];
  } else if (texts.size() == 1) {
    c.text_a = texts[0];
  } else {
    fail(train.path, "has no text column besides the label column '" + options.label_column + "'");
  }
  if (!options.text_pair_column.empty()) {
    required_column(train, options.text_pair_column, "text pair");
    c.text_b = options.text_pair_column;
  }
  return c;
}

LabelSpace infer_label_space(const TextTable& train, const std::string& label_column) {
  const int col = required_column(train, label_column, "label");
  const ColumnType type = train.column_type(static_cast<size_t>(col));
  LabelSpace s;
  s.regression = type == ColumnType::Float;
  for (size_t r = 0; r < train.rows.size(); ++r) {
    if (is_null(train.rows[r][static_cast<size_t>(col)], train)) fail(train.where(r), "the label is empty");
  }
  if (s.regression) return s;
  std::vector<std::string> labels;
  for (size_t r = 0; r < train.rows.size(); ++r) {
    const std::string t = cell_text(train, r, col, label_column);
    labels.push_back(type == ColumnType::Int ? canonical_integer(t) : t);
  }
  if (type == ColumnType::Int) {
    std::sort(labels.begin(), labels.end(),
              [](const std::string& a, const std::string& b) { return std::stoll(a) < std::stoll(b); });
  } else {
    std::sort(labels.begin(), labels.end());
  }
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  s.labels = std::move(labels);
  return s;
}

TaskExamples text_examples(const TextTable& table, const TextColumns& columns, const LabelSpace& labels, Split split) {
  TaskExamples out;
  out.task = "text_files";
  out.split = split;
  out.source = table.path;
  const int a = required_column(table, columns.text_a, "text");
  const int b = columns.text_b ? required_column(table, *columns.text_b, "text pair") : -1;
  const int l = columns.label.empty() ? -1 : table.column(columns.label);
  if (l < 0 && split != Split::Test) required_column(table, columns.label, "label");
  const std::string stem = std::filesystem::path(table.path).stem().string();
  for (size_t r = 0; r < table.rows.size(); ++r) {
    TextExample e;
    e.index = static_cast<int64_t>(r);
    e.line = table.lines[r];
    e.guid = stem + "-" + std::to_string(r);
    e.text_a = cell_text(table, r, a, columns.text_a);
    if (b >= 0) e.text_b = cell_text(table, r, b, *columns.text_b);
    if (l >= 0) {
      const TableCell& c = table.rows[r][static_cast<size_t>(l)];
      const bool none = is_null(c, table) || (split == Split::Test && !labels.regression && c.text == "-1");
      if (none) {
        if (split != Split::Test) fail(table.where(r), "the label is empty");
      } else if (labels.regression) {
        errno = 0;
        char* end = nullptr;
        const double v = std::strtod(c.text.c_str(), &end);
        if (c.type == CellType::String && (end == c.text.c_str() || *end != '\0' || errno != 0)) {
          fail(table.where(r), "label '" + c.text + "' is not a number (the training labels are a regression target)");
        }
        if (c.type != CellType::String && c.type != CellType::Integer && c.type != CellType::Float) {
          fail(table.where(r), "label '" + c.text + "' is not a number (the training labels are a regression target)");
        }
        e.label = c.text;
        e.label_value = static_cast<float>(v);
      } else {
        std::string text = cell_text(table, r, l, columns.label);
        if (labels.id(text) < 0 && labels.id(canonical_integer(text)) >= 0) text = canonical_integer(text);
        e.label_id = labels.id(text);
        if (e.label_id < 0) {
          std::string known;
          for (size_t i = 0; i < labels.labels.size() && i < 10; ++i) known += (i ? ", " : "") + labels.labels[i];
          fail(table.where(r), "label '" + text + "' is not among the training file's labels (" + known +
                                   (labels.labels.size() > 10 ? ", ..." : "") + ")");
        }
        e.label = text;
      }
    }
    out.examples.push_back(std::move(e));
  }
  return out;
}

TextClassificationFiles read_text_classification_files(const std::string& train_file,
                                                       const std::string& validation_file, const std::string& test_file,
                                                       const TextColumnOptions& options) {
  if (train_file.empty()) fail("train_file", "required: the columns and labels come from the training file");
  const TextTable train = read_text_table(train_file);
  TextClassificationFiles f;
  f.columns = infer_text_columns(train, options);
  f.labels = infer_label_space(train, f.columns.label);
  f.train = text_examples(train, f.columns, f.labels, Split::Train);
  if (!validation_file.empty()) {
    f.validation = text_examples(read_text_table(validation_file), f.columns, f.labels, Split::Dev);
  }
  if (!test_file.empty()) f.test = text_examples(read_text_table(test_file), f.columns, f.labels, Split::Test);
  return f;
}

}  // namespace earlybert
