// BERT basic tokenization — see include/earlybert/tokenize/basic_tokenizer.h.
//
// One pass over the input: ASCII characters are classified through a 128-entry table, everything
// else through utf8proc's property table. Words are appended to the PreTokenized buffers as they
// are found, so the loop allocates nothing once the buffers have grown to the text's size.
#include "earlybert/tokenize/basic_tokenizer.h"

#include <utf8proc.h>

#include <array>

#include "earlybert/base/error.h"
#include "earlybert/tokenize/utf8.h"

namespace earlybert {

namespace {

// --- character classes ---------------------------------------------------------------------------

enum AsciiClass : uint8_t { kOther, kUpper, kDrop, kSpace, kPunct };

constexpr std::array<uint8_t, 128> make_ascii_table() {
  std::array<uint8_t, 128> t{};
  for (int c = 0; c < 128; ++c) {
    uint8_t k = kOther;
    if (c < 32 || c == 127) k = kDrop;  // Cc (and NUL)
    if (c == '\t' || c == '\n' || c == '\r' || c == ' ') k = kSpace;
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) k = kPunct;
    if (c >= 'A' && c <= 'Z') k = kUpper;
    t[static_cast<size_t>(c)] = k;
  }
  return t;
}
constexpr std::array<uint8_t, 128> kAscii = make_ascii_table();

inline int category_of(char32_t cp) { return utf8proc_get_property(static_cast<utf8proc_int32_t>(cp))->category; }

inline bool is_control_category(int cat) {
  return cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF || cat == UTF8PROC_CATEGORY_CS ||
         cat == UTF8PROC_CATEGORY_CO || cat == UTF8PROC_CATEGORY_CN;
}

inline bool is_punct_category(int cat) { return cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_PO; }

// Python's str.split() also splits on U+2028/U+2029 (categories Zl/Zp), which survive cleaning.
inline bool is_python_extra_space(char32_t cp) { return cp == 0x2028 || cp == 0x2029; }

// Python's "cased" and "case-ignorable" properties (used by str.lower() for the final sigma). utf8proc
// has no such derived properties; these follow their Unicode definitions closely enough: cased =
// Lu/Ll/Lt or having a case mapping; case-ignorable = Mn Me Cf Lm Sk or Word_Break MidLetter,
// MidNumLet, Single_Quote.
bool is_cased(char32_t cp) {
  const int cat = category_of(cp);
  if (cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT) return true;
  const auto c = static_cast<utf8proc_int32_t>(cp);
  return utf8proc_tolower(c) != c || utf8proc_toupper(c) != c;
}

bool is_case_ignorable(char32_t cp) {
  switch (cp) {
    case 0x27:
    case 0x2E:
    case 0x3A:
    case 0xB7:
    case 0x387:
    case 0x55F:
    case 0x5F4:
    case 0x2018:
    case 0x2019:
    case 0x2024:
    case 0x2027:
    case 0xFE13:
    case 0xFE52:
    case 0xFE55:
    case 0xFF07:
    case 0xFF0E:
    case 0xFF1A:
      return true;
    default:
      break;
  }
  const int cat = category_of(cp);
  return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_ME || cat == UTF8PROC_CATEGORY_CF ||
         cat == UTF8PROC_CATEGORY_LM || cat == UTF8PROC_CATEGORY_SK;
}

}  // namespace

bool bert_is_whitespace(char32_t cp) {
  if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') return true;
  return category_of(cp) == UTF8PROC_CATEGORY_ZS;
}

bool bert_is_control(char32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  return is_control_category(category_of(cp));
}

bool bert_is_punctuation(char32_t cp) {
  if (cp < 128) return kAscii[cp] == kPunct;
  return is_punct_category(category_of(cp));
}

bool bert_is_chinese_char(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
         (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

BasicTokenizer::BasicTokenizer(BasicTokenizerOptions options) : options_(std::move(options)) {
  for (const auto& tok : options_.never_split) {
    if (tok.empty()) fail("never_split", "empty token");
    check_utf8(tok, "never_split token");
    const auto b = static_cast<unsigned char>(tok[0]);
    never_split_first_[b >> 6] |= uint64_t{1} << (b & 63);
  }
}

namespace {

/// The pass over one stretch of text between never-split tokens.
class Splitter {
 public:
  Splitter(const BasicTokenizerOptions& o, std::string_view text, PreTokenized& out)
      : lower_(o.do_lower_case), strip_(o.strips_accents()), cjk_(o.tokenize_chinese_chars), text_(text), out_(out) {}

  void run(size_t begin, size_t end) {
    token_begin_ = begin;
    size_t pos = begin;
    while (pos < end) {
      const auto b = static_cast<unsigned char>(text_[pos]);
      if (b < 0x80) {
        switch (kAscii[b]) {
          case kOther:
            push_char(b, pos, pos + 1);
            break;
          case kUpper:
            push_char(lower_ ? b + 32 : b, pos, pos + 1);
            break;
          case kSpace:
            end_word();
            token_begin_ = pos + 1;
            break;
          case kPunct:
            end_word();
            push_char(b, pos, pos + 1);
            end_word();
            break;
          default:  // kDrop
            break;
        }
        ++pos;
        continue;
      }
      char32_t cp = 0;
      const size_t n = decode_utf8(text_, pos, cp);
      if (n == 0 || pos + n > end) fail("text", "invalid UTF-8 at byte " + std::to_string(pos));
      non_ascii(cp, pos, pos + n, end);
      pos += n;
    }
    end_word();
  }

 private:
  void non_ascii(char32_t cp, size_t ob, size_t oe, size_t seg_end) {
    const int cat = category_of(cp);
    if (cp == 0xFFFD || is_control_category(cat)) return;  // cleaned away
    if (cat == UTF8PROC_CATEGORY_ZS || is_python_extra_space(cp)) {
      end_word();
      token_begin_ = oe;
      return;
    }
    if (cjk_ && bert_is_chinese_char(cp)) {
      end_word();
      push_char(cp, ob, oe);
      end_word();
      token_begin_ = oe;
      return;
    }
    if (!lower_ && !strip_) {
      normalized_char(cp, cat, ob, oe);
      return;
    }
    char32_t lowered[2] = {cp, 0};
    int n_lowered = 1;
    if (lower_) {
      if (cp == 0x130) {  // İ: Python's full lowercase mapping is "i" + COMBINING DOT ABOVE
        lowered[0] = 'i';
        lowered[1] = 0x307;
        n_lowered = 2;
      } else if (cp == 0x3A3) {
        lowered[0] = final_sigma(ob, oe, seg_end) ? 0x3C2 : 0x3C3;
      } else {
        lowered[0] = static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp)));
      }
    }
    for (int i = 0; i < n_lowered; ++i) {
      const char32_t l = lowered[i];
      if (!strip_) {
        normalized_char(l, category_of(l), ob, oe);
        continue;
      }
      utf8proc_int32_t buf[8];
      int boundclass = 0;
      const auto nd =
          utf8proc_decompose_char(static_cast<utf8proc_int32_t>(l), buf, 8, UTF8PROC_DECOMPOSE, &boundclass);
      if (nd < 0 || nd > 8) {  // cannot happen for canonical decompositions; keep the character
        normalized_char(l, category_of(l), ob, oe);
        continue;
      }
      for (utf8proc_ssize_t k = 0; k < nd; ++k) {
        const auto d = static_cast<char32_t>(buf[k]);
        const int dcat = category_of(d);
        if (dcat == UTF8PROC_CATEGORY_MN) continue;
        normalized_char(d, dcat, ob, oe);
      }
    }
  }

  void normalized_char(char32_t cp, int cat, size_t ob, size_t oe) {
    if ((cp < 128 && kAscii[cp] == kPunct) || (cp >= 128 && is_punct_category(cat))) {
      end_word();
      push_char(cp, ob, oe);
      end_word();
    } else {
      push_char(cp, ob, oe);
    }
  }

  // Python's str.lower() maps Σ (at [ob, oe)) to ς when a cased letter precedes it and no cased
  // letter follows it within the same whitespace token, case-ignorable characters skipped both
  // ways. Rare, so the context is scanned only here instead of being tracked in the main loop.
  bool final_sigma(size_t ob, size_t oe, size_t seg_end) const {
    bool cased_before = false;
    for (size_t pos = ob; pos > token_begin_;) {
      size_t start = pos - 1;
      while (start > token_begin_ && (static_cast<unsigned char>(text_[start]) & 0xC0) == 0x80) --start;
      char32_t cp = 0;
      if (decode_utf8(text_, start, cp) == 0) return false;
      pos = start;
      if (cp == 0 || cp == 0xFFFD || bert_is_control(cp) || is_case_ignorable(cp)) continue;
      cased_before = is_cased(cp);
      break;
    }
    if (!cased_before) return false;
    for (size_t pos = oe; pos < seg_end;) {
      char32_t cp = 0;
      const size_t n = decode_utf8(text_, pos, cp);
      if (n == 0) return true;  // reported as invalid when the main loop gets there
      pos += n;
      if (cp == 0 || cp == 0xFFFD || bert_is_control(cp)) continue;  // cleaned away
      if (bert_is_whitespace(cp) || is_python_extra_space(cp)) return true;
      if (cjk_ && bert_is_chinese_char(cp)) return true;
      if (is_case_ignorable(cp)) continue;
      return !is_cased(cp);
    }
    return true;
  }

  void push_char(char32_t cp, size_t ob, size_t oe) {
    if (!in_word_) {
      word_first_ = static_cast<uint32_t>(out_.char_origin.size());
      in_word_ = true;
    }
    out_.char_start.push_back(static_cast<uint32_t>(out_.normalized.size()));
    if (cp < 0x80) {
      out_.normalized.push_back(static_cast<char>(cp));
    } else {
      append_utf8(out_.normalized, cp);
    }
    out_.char_origin.emplace_back(ob, oe);
  }

  void end_word() {
    if (!in_word_) return;
    out_.words.push_back({word_first_, static_cast<uint32_t>(out_.char_origin.size()), false});
    in_word_ = false;
  }

  const bool lower_, strip_, cjk_;
  std::string_view text_;
  PreTokenized& out_;
  bool in_word_ = false;
  uint32_t word_first_ = 0;
  size_t token_begin_ = 0;  // where the current whitespace token starts (final-sigma context)
};

}  // namespace

void BasicTokenizer::split(std::string_view text, PreTokenized& out) const {
  out.clear();
  if (text.size() >= UINT32_MAX) fail("text", "longer than 4 GiB");
  Splitter splitter(options_, text, out);
  size_t seg_begin = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const auto b = static_cast<unsigned char>(text[pos]);
    if (!(never_split_first_[b >> 6] & (uint64_t{1} << (b & 63)))) {
      ++pos;
      continue;
    }
    size_t best = 0;
    for (const auto& tok : options_.never_split) {
      if (tok.size() > best && text.compare(pos, tok.size(), tok) == 0) best = tok.size();
    }
    if (best == 0) {
      ++pos;
      continue;
    }
    splitter.run(seg_begin, pos);
    const auto first = static_cast<uint32_t>(out.char_origin.size());
    for (size_t p = pos; p < pos + best;) {
      char32_t cp = 0;
      const size_t n = decode_utf8(text, p, cp);  // valid: the token was checked in the constructor
      out.char_start.push_back(static_cast<uint32_t>(out.normalized.size()));
      out.normalized.append(text.substr(p, n));
      out.char_origin.emplace_back(p, p + n);
      p += n;
    }
    out.words.push_back({first, static_cast<uint32_t>(out.char_origin.size()), true});
    pos += best;
    seg_begin = pos;
  }
  splitter.run(seg_begin, text.size());
  out.char_start.push_back(static_cast<uint32_t>(out.normalized.size()));
}

std::vector<std::string> BasicTokenizer::tokenize(std::string_view text) const {
  PreTokenized pre;
  split(text, pre);
  std::vector<std::string> words;
  words.reserve(pre.size());
  for (size_t i = 0; i < pre.size(); ++i) words.emplace_back(pre.word(i));
  return words;
}

}  // namespace earlybert
