// CSV / TSV / JSON Lines tables — see include/earlybert/data/text_table.h.
#include "earlybert/data/text_table.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/tokenize/utf8.h"

namespace earlybert {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string at_line(const std::string& source, size_t line) { return source + ":" + std::to_string(line); }

void check_header(const std::vector<std::string>& columns, const std::string& where) {
  std::set<std::string> seen;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].empty()) fail(where, "column " + std::to_string(i + 1) + " has an empty name");
    if (!seen.insert(columns[i]).second) fail(where, "column name '" + columns[i] + "' appears twice");
  }
}

/// CSV (quoted fields, `quoting`) or TSV (no quoting): header, then records of the header's width.
TextTable parse_delimited(const std::string& text, size_t start, char delim, bool quoting, const std::string& source) {
  TextTable t;
  t.path = source;
  t.format = quoting ? TableFormat::Csv : TableFormat::Tsv;
  const size_t n = text.size();
  size_t pos = start, line = 1;
  bool header = true;
  while (pos < n) {
    // Empty lines are skipped.
    if (text[pos] == '\n' || (text[pos] == '\r' && pos + 1 < n && text[pos + 1] == '\n')) {
      pos += text[pos] == '\r' ? 2 : 1;
      ++line;
      continue;
    }
    const size_t record_line = line;
    std::vector<std::string> fields;
    for (;;) {
      std::string value;
      if (quoting && pos < n && text[pos] == '"') {
        const size_t quote_line = line;
        ++pos;
        for (;;) {
          if (pos >= n) fail(at_line(source, quote_line), "quoted field is never closed");
          const char c = text[pos];
          if (c == '"') {
            if (pos + 1 < n && text[pos + 1] == '"') {
              value += '"';
              pos += 2;
              continue;
            }
            ++pos;
            break;
          }
          if (c == '\n') ++line;
          value += c;
          ++pos;
        }
        const bool at_end = pos >= n || text[pos] == delim || text[pos] == '\n' ||
                            (text[pos] == '\r' && (pos + 1 >= n || text[pos + 1] == '\n'));
        if (!at_end) fail(at_line(source, line), "text after the closing quote of a field");
        if (pos < n && text[pos] == '\r') ++pos;
      } else {
        const size_t end = text.find_first_of(std::string(1, delim) + "\n", pos);
        value = text.substr(pos, (end == std::string::npos ? n : end) - pos);
        pos = end == std::string::npos ? n : end;
        if (!value.empty() && value.back() == '\r' && (pos >= n || text[pos] == '\n')) value.pop_back();
      }
      fields.push_back(std::move(value));
      if (pos < n && text[pos] == delim) {
        ++pos;
        continue;
      }
      if (pos < n && text[pos] == '\n') {
        ++pos;
        ++line;
      }
      break;
    }
    if (header) {
      t.columns = std::move(fields);
      check_header(t.columns, at_line(source, record_line));
      header = false;
      continue;
    }
    if (fields.size() != t.columns.size()) {
      fail(at_line(source, record_line),
           "has " + std::to_string(fields.size()) + " fields, the header has " + std::to_string(t.columns.size()));
    }
    std::vector<TableCell> row;
    for (auto& f : fields) row.push_back({std::move(f), CellType::String});
    t.rows.push_back(std::move(row));
    t.lines.push_back(record_line);
  }
  if (header) fail(source, "is empty (expected a header line with the column names)");
  return t;
}

TableCell json_cell(const nlohmann::ordered_json& v) {
  using json = nlohmann::ordered_json;
  switch (v.type()) {
    case json::value_t::string:
      return {v.get<std::string>(), CellType::String};
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return {v.dump(), CellType::Integer};
    case json::value_t::number_float:
      return {v.dump(), CellType::Float};
    case json::value_t::boolean:
      return {v.get<bool>() ? "true" : "false", CellType::Bool};
    case json::value_t::null:
      return {"", CellType::Null};
    default:
      return {v.dump(), CellType::Other};
  }
}

TextTable parse_json_lines(const std::string& text, size_t start, const std::string& source) {
  TextTable t;
  t.path = source;
  t.format = TableFormat::JsonLines;
  size_t pos = start, line = 0;
  while (pos < text.size()) {
    ++line;
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string l = text.substr(pos, end - pos);
    pos = end + 1;
    if (std::all_of(l.begin(), l.end(), [](unsigned char c) { return std::isspace(c); })) continue;
    nlohmann::ordered_json obj;
    try {
      obj = nlohmann::ordered_json::parse(l);
    } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for a number like 1e400
      fail(at_line(source, line), std::string("malformed JSON: ") + e.what());
    }
    if (!obj.is_object()) fail(at_line(source, line), std::string("expected a JSON object, got ") + obj.type_name());
    std::vector<TableCell> row(t.columns.size(), TableCell{"", CellType::Null});
    for (const auto& [key, value] : obj.items()) {
      auto it = std::find(t.columns.begin(), t.columns.end(), key);
      size_t c = static_cast<size_t>(it - t.columns.begin());
      if (it == t.columns.end()) {
        if (key.empty()) fail(at_line(source, line), "empty key");
        t.columns.push_back(key);
        for (auto& earlier : t.rows) earlier.push_back({"", CellType::Null});
        row.push_back({"", CellType::Null});
      }
      row[c] = json_cell(value);
    }
    t.rows.push_back(std::move(row));
    t.lines.push_back(line);
  }
  if (t.rows.empty()) fail(source, "has no JSON lines");
  return t;
}

/// pyarrow's integer / floating-point literals (no hex, no inf/nan).
bool is_integer_text(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i >= s.size()) return false;
  return std::all_of(s.begin() + static_cast<std::ptrdiff_t>(i), s.end(),
                     [](unsigned char c) { return std::isdigit(c); });
}

bool is_float_text(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    const size_t exp_start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == exp_start) return false;
  }
  return i == s.size();
}

}  // namespace

TableFormat table_format_for(const std::string& path) {
  const size_t dot = path.find_last_of('.');
  const size_t slash = path.find_last_of('/');
  const std::string ext =
      dot == std::string::npos || (slash != std::string::npos && dot < slash) ? "" : lower(path.substr(dot + 1));
  if (ext == "csv") return TableFormat::Csv;
  if (ext == "tsv" || ext == "tab") return TableFormat::Tsv;
  if (ext == "json" || ext == "jsonl") return TableFormat::JsonLines;
  fail(path, "unknown data file format '" + ext + "' (expected .csv, .tsv or .json/.jsonl)");
}

int TextTable::column(const std::string& name) const {
  auto it = std::find(columns.begin(), columns.end(), name);
  return it == columns.end() ? -1 : static_cast<int>(it - columns.begin());
}

std::string TextTable::where(size_t row) const { return at_line(path, lines.at(row)); }

ColumnType TextTable::column_type(size_t index) const {
  bool all_int = true, all_number = true, all_bool = true, any = false;
  for (const auto& row : rows) {
    const TableCell& c = row.at(index);
    const bool null = c.type == CellType::Null || (format != TableFormat::JsonLines && c.text.empty());
    if (null) continue;
    any = true;
    if (format == TableFormat::JsonLines) {
      all_int = all_int && c.type == CellType::Integer;
      all_number = all_number && (c.type == CellType::Integer || c.type == CellType::Float);
      all_bool = all_bool && c.type == CellType::Bool;
    } else {
      all_int = all_int && is_integer_text(c.text);
      all_number = all_number && is_float_text(c.text);
      all_bool = false;
    }
  }
  if (!any) return ColumnType::String;
  if (all_int) return ColumnType::Int;
  if (all_number) return ColumnType::Float;
  if (all_bool) return ColumnType::Bool;
  return ColumnType::String;
}

TextTable parse_text_table(const std::string& text, TableFormat format, const std::string& source) {
  if (auto bad = find_invalid_utf8(text)) {
    const size_t line =
        1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(*bad), '\n'));
    fail(at_line(source, line), "invalid UTF-8");
  }
  const size_t start = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  switch (format) {
    case TableFormat::Csv:
      return parse_delimited(text, start, ',', true, source);
    case TableFormat::Tsv:
      return parse_delimited(text, start, '\t', false, source);
    case TableFormat::JsonLines:
      return parse_json_lines(text, start, source);
  }
  fail(source, "unknown format");
}

TextTable read_text_table(const std::string& path) {
  const TableFormat format = table_format_for(path);
  return parse_text_table(read_file(path), format, path);
}

}  // namespace earlybert
