// TSV reading with QUOTE_NONE semantics and file:line errors; see include/earlybert/data/tsv.h.
#include "earlybert/data/tsv.h"

#include <cstdio>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/tokenize/utf8.h"

namespace earlybert {

TsvReader::TsvReader(const std::string& path) : TsvReader(read_file(path), path, 0) {}

TsvReader TsvReader::from_string(std::string text, std::string source) {
  return TsvReader(std::move(text), std::move(source), 0);
}

TsvReader::TsvReader(std::string text, std::string source, int) : text_(std::move(text)), source_(std::move(source)) {
  if (text_.size() >= 3 && static_cast<unsigned char>(text_[0]) == 0xEF &&
      static_cast<unsigned char>(text_[1]) == 0xBB && static_cast<unsigned char>(text_[2]) == 0xBF) {
    had_bom_ = true;
    pos_ = 3;
  }
}

bool TsvReader::next() {
  fields_.clear();
  if (pos_ >= text_.size()) return false;
  ++line_;
  size_t end = text_.find('\n', pos_);
  const size_t next_pos = end == std::string::npos ? text_.size() : end + 1;
  if (end == std::string::npos) end = text_.size();
  std::string_view line(text_.data() + pos_, end - pos_);
  pos_ = next_pos;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

  if (const std::optional<size_t> bad = find_invalid_utf8(line)) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(line[*bad]));
    fail(where(), "invalid UTF-8 (byte " + std::string(byte) + " at column " + std::to_string(*bad + 1) + ")");
  }
  size_t start = 0;
  while (true) {
    const size_t tab = line.find('\t', start);
    if (tab == std::string_view::npos) {
      fields_.push_back(line.substr(start));
      break;
    }
    fields_.push_back(line.substr(start, tab - start));
    start = tab + 1;
  }
  return true;
}

std::string TsvReader::where() const { return source_ + ":" + std::to_string(line_); }

void write_tsv_atomic(const std::string& path, const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t f = 0; f < rows[r].size(); ++f) {
      const std::string& field = rows[r][f];
      if (field.find_first_of("\t\r\n") != std::string::npos) {
        fail(path, "row " + std::to_string(r + 1) + " field " + std::to_string(f + 1) +
                       " contains a tab or line break, which TSV without quoting cannot hold");
      }
      if (f > 0) out += '\t';
      out += field;
    }
    out += '\n';
  }
  write_file_atomic(path, out);
}

}  // namespace earlybert
