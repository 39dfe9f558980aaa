// UTF-8 validation and decoding helpers shared by the tokenizers and the data readers.
//
// Every text that enters a tokenizer must be valid UTF-8 (what Python's str guarantees for Hugging
// Face's tokenizers): overlong forms, surrogates, code points above U+10FFFF and truncated sequences
// are rejected, so that offsets always fall on character boundaries. Readers call check_utf8() with
// the place the text came from ("train.tsv:12", "--text") so the error names it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace earlybert {

/// Byte offset of the first invalid UTF-8 sequence in `text`, or nullopt when it is all valid.
std::optional<size_t> find_invalid_utf8(std::string_view text);

/// Throws Error("<where>: invalid UTF-8 at byte N") when `text` is not valid UTF-8.
void check_utf8(std::string_view text, const std::string& where);

/// Decodes the code point starting at text[pos]; returns its length in bytes (1..4) and stores the
/// code point in `cp`, or returns 0 for an invalid sequence.
size_t decode_utf8(std::string_view text, size_t pos, char32_t& cp);

/// Appends the UTF-8 encoding of `cp` (which must be a valid scalar value) to `out`.
void append_utf8(std::string& out, char32_t cp);

}  // namespace earlybert
