// TextTable — a user's own data file (CSV, TSV or JSON Lines) read into named columns.
//
// What Hugging Face's run_glue.py accepts as --train_file / --validation_file / --test_file (through
// the `datasets` csv and json loaders), plus TSV:
//   CSV          RFC 4180: a header line with the column names, then one record per line; fields
//                separated by commas; a field in double quotes may hold commas, line breaks and
//                doubled quotes (""); a quote inside an unquoted field is an ordinary character
//                (as in Python's csv module).
//   TSV          a header line, then tab-separated fields, no quoting (a quote is an ordinary
//                character: GLUE-style files contain unbalanced quotes).
//   JSON Lines   one JSON object per line; the columns are the keys in the order first seen; a row
//                without a key has a null cell there.
// The format comes from the extension (.csv; .tsv, .tab; .json, .jsonl). A UTF-8 byte-order mark
// is skipped, CRLF line ends are accepted, empty lines are skipped. Cells keep their JSON type
// (numbers stay numbers, so a float label column is recognised); CSV/TSV cells are text, and the
// column type is inferred as pyarrow does (all integers: Int; all numbers: Float; else String).
//
// Malformed input is an Error naming "<file>:<line>": a row with more or fewer fields than the header
// (ragged rows), an unterminated quoted field (naming the line where it starts), text after a closing
// quote, a line that is not a JSON object, invalid UTF-8, a duplicate or empty column name.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace earlybert {

enum class TableFormat { Csv, Tsv, JsonLines };

/// The format for `path`'s extension; Error naming the path for any other extension.
TableFormat table_format_for(const std::string& path);

enum class CellType { String, Integer, Float, Bool, Null, Other };

/// One cell. `text` is the value as text: the field itself for CSV/TSV, the string or the number as
/// written for JSON ("true"/"false" for booleans, "" for null, compact JSON for arrays/objects).
struct TableCell {
  std::string text;
  CellType type = CellType::String;
};

/// The type a column holds: Int/Float when every non-null cell is an integer / a number (CSV/TSV
/// text parsed as pyarrow would), Bool when every non-null cell is a boolean, else String.
enum class ColumnType { String, Int, Float, Bool };

struct TextTable {
  std::string path;
  TableFormat format = TableFormat::Csv;
  std::vector<std::string> columns;
  std::vector<std::vector<TableCell>> rows;  ///< each has columns.size() cells
  std::vector<size_t> lines;                 ///< 1-based line where each row starts

  /// Index of column `name`, or -1.
  int column(const std::string& name) const;
  /// "<path>:<line>" of row `row`.
  std::string where(size_t row) const;
  /// The inferred type of column `index` (see ColumnType).
  ColumnType column_type(size_t index) const;
};

/// Parses `text` in `format`; `source` names it in errors.
TextTable parse_text_table(const std::string& text, TableFormat format, const std::string& source);

/// Reads `path` in the format of its extension.
TextTable read_text_table(const std::string& path);

}  // namespace earlybert
