// TsvReader — line-by-line reading of tab-separated files exactly as the GLUE files are laid out.
//
// GLUE's .tsv files are read by Hugging Face with csv.reader(delimiter="\t", quotechar=None), i.e.
// QUOTE_NONE: a field is everything between two tabs, quotes are ordinary characters (MRPC and QNLI
// sentences contain unbalanced '"'). This reader does the same, and adds what a silent Python reader
// lacks: every line is checked to be valid UTF-8 (as Python's "utf-8" codec checks it: no overlong
// forms, surrogates or code points above U+10FFFF) and every error names "<file>:<line>".
//
// Layout details handled here, once, so no task reader repeats them:
//   - a UTF-8 byte-order mark at the start of the file (MRPC train/dev) is skipped;
//   - a missing newline after the last line (CoLA dev) is fine;
//   - a "\r\n" line ending loses its '\r' (no GLUE file has one, but edited copies may);
//   - a final "\n" does not make an extra empty line; an empty line inside the file is a line with
//     one empty field, which the task readers reject as a malformed row.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace earlybert {

class TsvReader {
 public:
  /// Reads the whole file; Error naming the path when it cannot be read.
  explicit TsvReader(const std::string& path);
  /// Reads `text` as if it were a file called `source` (used for in-memory data and tests).
  static TsvReader from_string(std::string text, std::string source);

  /// Moves to the next line; false at the end of the file. Error "<file>:<line>: invalid UTF-8 ..."
  /// when the line is not valid UTF-8.
  bool next();

  /// 1-based number of the current line.
  size_t line() const { return line_; }
  /// Fields of the current line; views into the reader's buffer, valid until the reader is destroyed.
  const std::vector<std::string_view>& fields() const { return fields_; }
  /// "<file>:<line>" of the current line, the prefix of every error about it.
  std::string where() const;
  const std::string& source() const { return source_; }
  /// True when the file started with a UTF-8 byte-order mark.
  bool had_bom() const { return had_bom_; }

 private:
  TsvReader(std::string text, std::string source, int);

  std::string text_;
  std::string source_;
  size_t pos_ = 0;
  size_t line_ = 0;
  bool had_bom_ = false;
  std::vector<std::string_view> fields_;
};

/// Writes rows as TSV (one row per line, '\n' endings) atomically. A field containing a tab or a
/// line break cannot be written without quoting and is an Error naming `path` and the row.
void write_tsv_atomic(const std::string& path, const std::vector<std::vector<std::string>>& rows);

}  // namespace earlybert
