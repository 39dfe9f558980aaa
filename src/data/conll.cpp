// CoNLL-style tagged text — see include/earlybert/data/conll.h.
#include "earlybert/data/conll.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/tokenize/utf8.h"

namespace earlybert {

std::vector<TaggedSentence> parse_conll(const std::string& text, const std::string& source, int tag_column) {
  std::vector<TaggedSentence> out;
  TaggedSentence current;
  size_t columns = 0, line = 0, pos = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  auto flush = [&] {
    if (!current.words.empty()) out.push_back(std::move(current));
    current = TaggedSentence{};
  };
  while (pos < text.size()) {
    ++line;
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string l = text.substr(pos, end - pos);
    pos = end + 1;
    const std::string where = source + ":" + std::to_string(line);
    check_utf8(l, where);
    std::istringstream fields(l);
    std::vector<std::string> f;
    for (std::string s; fields >> s;) f.push_back(s);
    if (f.empty()) {
      flush();
      continue;
    }
    if (f[0] == "-DOCSTART-") {
      flush();
      continue;
    }
    if (columns == 0) columns = f.size();
    if (f.size() != columns) {
      fail(where,
           "has " + std::to_string(f.size()) + " columns, the file's first token line has " + std::to_string(columns));
    }
    const int index = tag_column < 0 ? static_cast<int>(f.size()) + tag_column : tag_column;
    if (index < 1 || index >= static_cast<int>(f.size())) {
      fail(where, "no tag column " + std::to_string(tag_column) + " (the line has " + std::to_string(f.size()) +
                      " columns, the word first)");
    }
    if (current.words.empty()) current.line = line;
    current.words.push_back(f[0]);
    current.tags.push_back(f[static_cast<size_t>(index)]);
  }
  flush();
  return out;
}

std::vector<TaggedSentence> read_conll(const std::string& path, int tag_column) {
  return parse_conll(read_file(path), path, tag_column);
}

std::vector<std::string> conll_tag_set(const std::vector<TaggedSentence>& sentences) {
  std::set<std::string> tags;
  for (const auto& s : sentences) tags.insert(s.tags.begin(), s.tags.end());
  return {tags.begin(), tags.end()};
}

}  // namespace earlybert
