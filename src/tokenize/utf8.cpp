// UTF-8 helpers — see include/earlybert/tokenize/utf8.h. Decoding and encoding are utf8proc's
// (utf8proc_iterate rejects overlongs, surrogates and values above U+10FFFF); callers keep an ASCII
// fast path in their loops so that the library call is only paid for multi-byte characters.
#include "earlybert/tokenize/utf8.h"

#include <utf8proc.h>

#include "earlybert/base/error.h"

namespace earlybert {

size_t decode_utf8(std::string_view text, size_t pos, char32_t& cp) {
  utf8proc_int32_t c = 0;
  const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data()) + pos,
                                  static_cast<utf8proc_ssize_t>(text.size() - pos), &c);
  if (n <= 0 || c < 0) return 0;
  cp = static_cast<char32_t>(c);
  return static_cast<size_t>(n);
}

std::optional<size_t> find_invalid_utf8(std::string_view text) {
  size_t pos = 0;
  char32_t cp = 0;
  while (pos < text.size()) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    const size_t n = decode_utf8(text, pos, cp);
    if (n == 0) return pos;
    pos += n;
  }
  return std::nullopt;
}

void check_utf8(std::string_view text, const std::string& where) {
  if (auto bad = find_invalid_utf8(text)) {
    fail(where, "invalid UTF-8 at byte " + std::to_string(*bad));
  }
}

void append_utf8(std::string& out, char32_t cp) {
  utf8proc_uint8_t buf[4];
  const auto n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

}  // namespace earlybert
