// Escaping for the report's HTML/SVG — see include/earlybert/report/html.h.
#include "earlybert/report/html.h"

#include <vector>

#include "earlybert/tokenize/utf8.h"

namespace earlybert::report {
namespace {

constexpr const char* kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  size_t pos = 0;
  while (pos < text.size()) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte < 0x80) {
      switch (byte) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&#39;";
          break;
        case '\t':
        case '\n':
        case '\r':
          out += static_cast<char>(byte);
          break;
        default:
          if (byte < 0x20) {
            out += kReplacement;  // not a character XML allows, even escaped
          } else {
            out += static_cast<char>(byte);
          }
      }
      ++pos;
      continue;
    }
    char32_t cp = 0;
    const size_t n = decode_utf8(text, pos, cp);
    if (n == 0) {
      out += kReplacement;
      ++pos;
    } else {
      if (cp == 0xFFFE || cp == 0xFFFF) {
        out += kReplacement;
      } else {
        out.append(text.substr(pos, n));
      }
      pos += n;
    }
  }
  return out;
}

std::string truncate_label(std::string_view text, size_t max_chars) {
  // Byte offsets where the first max_chars + 1 code points start (an invalid byte counts as one).
  std::vector<size_t> starts;
  size_t pos = 0;
  while (pos < text.size() && starts.size() <= max_chars) {
    starts.push_back(pos);
    char32_t cp = 0;
    const size_t n = static_cast<unsigned char>(text[pos]) < 0x80 ? 1 : decode_utf8(text, pos, cp);
    pos += n == 0 ? 1 : n;
  }
  if (starts.size() <= max_chars) return std::string(text);  // it fits
  if (max_chars == 0) return "";
  return std::string(text.substr(0, starts[max_chars - 1])) + "\xE2\x80\xA6";  // "…"
}

}  // namespace earlybert::report
