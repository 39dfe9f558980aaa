// Reading pre-training text: files → documents → sentences.
//
// Two layouts are understood:
//  * Lines (Google's BERT convention): one sentence per line, a blank (or whitespace-only) line
//    between documents. Lines are trimmed; a trailing '\r' is dropped.
//  * WikiText (Merity et al.; the wikitext-2/-103 files, tokenized or raw): a line " = Title = "
//    starts a new article (= document); section headings (" = = Section = = ", deeper levels too) are
//    dropped, as are blank lines, which in WikiText separate every paragraph rather than documents.
//    Each paragraph line is split into sentences after a " . ", " ? " or " ! " that is followed by a
//    word starting with a capital letter, a digit or a quote — without this a paragraph (often more
//    than 128 tokens) would be one "sentence", and next-sentence pairs would nearly always be random.
//    WikiText's escapes are undone (" @-@ " → "-", " @,@ " → ",", " @.@ " → ".") and its
//    out-of-vocabulary marker "<unk>" becomes "[UNK]", which the BERT tokenizer keeps as one token.
// TextFormat::Auto picks WikiText when the file's first non-blank line is an article title, else Lines.
// Text must be valid UTF-8; an invalid line is an Error naming file and line.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace earlybert {

enum class TextFormat { Auto, Lines, WikiText };

/// "auto", "lines" or "wikitext"; Error naming `where` for anything else.
TextFormat parse_text_format(const std::string& name, const std::string& where);
const char* text_format_name(TextFormat format);

/// Counts gathered while reading (added to, so one object can sum several files).
struct TextCorpusStats {
  size_t files = 0;
  size_t bytes = 0;
  size_t lines = 0;
  size_t documents = 0;  ///< non-empty documents passed on
  size_t sentences = 0;  ///< non-empty sentences passed on
  size_t headings = 0;   ///< WikiText title and section lines (not passed on as text)
};

/// True for a WikiText article title: " = Title = " (one '=' on each side).
bool is_wikitext_title(std::string_view line);
/// True for any WikiText heading: a title or a section heading (" = = ... = = ", deeper levels too).
bool is_wikitext_heading(std::string_view line);
/// Undoes WikiText's escapes and maps "<unk>" to "[UNK]" (see above); also trims.
std::string clean_wikitext(std::string_view line);
/// Splits a (cleaned) WikiText paragraph into sentences (see above).
std::vector<std::string> split_wikitext_sentences(std::string_view paragraph);

/// Reads `path` and calls `on_document` with each non-empty document's sentences. `on_bytes` (if
/// set) is called now and then with the bytes read so far. Returns the format used (Auto resolved).
TextFormat read_text_documents(const std::string& path, TextFormat format,
                               const std::function<void(std::vector<std::string>&&)>& on_document,
                               TextCorpusStats* stats = nullptr,
                               const std::function<void(size_t bytes_read)>& on_bytes = {});

}  // namespace earlybert
