// Reading pre-training text — see include/earlybert/data/pretraining_corpus.h.
#include "earlybert/data/pretraining_corpus.h"

#include <utf8proc.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "earlybert/base/error.h"

namespace earlybert {

namespace {

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n\f\v";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  const size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(s.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) return false;
    p += n;
    left -= n;
  }
  return true;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
}

bool starts_sentence(std::string_view word) {
  if (word.empty()) return false;
  const unsigned char c = static_cast<unsigned char>(word[0]);
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '"' || c == '\'' || c >= 0x80;
}

}  // namespace

TextFormat parse_text_format(const std::string& name, const std::string& where) {
  if (name == "auto") return TextFormat::Auto;
  if (name == "lines") return TextFormat::Lines;
  if (name == "wikitext") return TextFormat::WikiText;
  fail(where, "unknown text format '" + name + "' (expected auto, lines or wikitext)");
}

const char* text_format_name(TextFormat f) {
  switch (f) {
    case TextFormat::Auto:
      return "auto";
    case TextFormat::Lines:
      return "lines";
    case TextFormat::WikiText:
      return "wikitext";
  }
  return "?";
}

bool is_wikitext_heading(std::string_view line) {
  const std::string_view t = trim(line);
  return t.size() >= 5 && t.substr(0, 2) == "= " && t.substr(t.size() - 2) == " =";
}

bool is_wikitext_title(std::string_view line) {
  const std::string_view t = trim(line);
  return is_wikitext_heading(t) && t.substr(0, 3) != "= =";
}

std::string clean_wikitext(std::string_view line) {
  std::string s(trim(line));
  replace_all(s, " @-@ ", "-");
  replace_all(s, " @,@ ", ",");
  replace_all(s, " @.@ ", ".");
  replace_all(s, "<unk>", "[UNK]");
  return s;
}

std::vector<std::string> split_wikitext_sentences(std::string_view paragraph) {
  std::vector<std::string> out;
  const std::string_view p = trim(paragraph);
  size_t start = 0;
  size_t pos = 0;
  while (pos < p.size()) {
    // A sentence end is a standalone ".", "?" or "!" word followed by a sentence-starting word.
    const size_t space = p.find(' ', pos);
    const size_t word_end = space == std::string_view::npos ? p.size() : space;
    const std::string_view word = p.substr(pos, word_end - pos);
    pos = word_end == p.size() ? p.size() : word_end + 1;
    if ((word == "." || word == "?" || word == "!") && pos < p.size()) {
      const size_t next_end = std::min(p.find(' ', pos), p.size());
      if (starts_sentence(p.substr(pos, next_end - pos))) {
        const std::string_view sentence = trim(p.substr(start, word_end - start));
        if (!sentence.empty()) out.emplace_back(sentence);
        start = pos;
      }
    }
  }
  const std::string_view rest = trim(p.substr(std::min(start, p.size())));
  if (!rest.empty()) out.emplace_back(rest);
  return out;
}

TextFormat read_text_documents(const std::string& path, TextFormat format,
                               const std::function<void(std::vector<std::string>&&)>& on_document,
                               TextCorpusStats* stats, const std::function<void(size_t)>& on_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno));
  TextCorpusStats local;
  TextCorpusStats& st = stats ? *stats : local;
  st.files += 1;

  std::vector<std::string> document;
  auto flush = [&] {
    if (document.empty()) return;
    st.documents += 1;
    st.sentences += document.size();
    on_document(std::move(document));
    document.clear();
  };

  std::string line;
  size_t line_no = 0;
  size_t bytes = 0;
  bool format_known = format != TextFormat::Auto;
  while (std::getline(in, line)) {
    ++line_no;
    bytes += line.size() + 1;
    st.bytes += line.size() + 1;
    st.lines += 1;
    if (!valid_utf8(line)) fail(path + ":" + std::to_string(line_no), "invalid UTF-8");
    const std::string_view text = trim(line);
    if (!format_known && !text.empty()) {
      format = is_wikitext_title(text) ? TextFormat::WikiText : TextFormat::Lines;
      format_known = true;
    }
    if (format == TextFormat::WikiText) {
      if (text.empty()) continue;
      if (is_wikitext_heading(text)) {
        st.headings += 1;
        if (is_wikitext_title(text)) flush();
        continue;
      }
      for (auto& s : split_wikitext_sentences(clean_wikitext(text))) document.push_back(std::move(s));
    } else {
      if (text.empty()) {
        flush();
      } else {
        document.emplace_back(text);
      }
    }
    if (on_bytes && (line_no & 1023) == 0) on_bytes(bytes);
  }
  if (in.bad()) fail(path, "read error");
  flush();
  if (on_bytes) on_bytes(bytes);
  return format_known ? format : TextFormat::Lines;
}

}  // namespace earlybert
