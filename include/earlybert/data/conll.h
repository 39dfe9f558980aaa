// CoNLL-style tagged text (CoNLL-2003 NER, and the many corpora written the same way): one token per
// line with whitespace-separated columns, the word first and the tag in a chosen column (CoNLL-2003:
// word POS chunk NER, the NER tag last); a blank line ends a sentence; "-DOCSTART-" lines mark
// documents and are skipped, as Hugging Face's conll2003 loader does.
//
// A line with a different number of columns than the first token line of the file, or a tag column
// the line lacks, is an Error naming "<file>:<line>". Together with data/token_labels.h (words ->
// sub-token labels) and data/seqeval.h (entity-level F1), this is what a NER task needs.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace earlybert {

struct TaggedSentence {
  std::vector<std::string> words;
  std::vector<std::string> tags;
  size_t line = 0;  ///< 1-based line of the first word
};

/// Parses CoNLL text; `tag_column` counts from 0, negative from the end (-1: the last column).
std::vector<TaggedSentence> parse_conll(const std::string& text, const std::string& source, int tag_column = -1);

/// Reads a CoNLL file (see parse_conll).
std::vector<TaggedSentence> read_conll(const std::string& path, int tag_column = -1);

/// The sorted set of tags of `sentences` ("O" included): a label list for the task.
std::vector<std::string> conll_tag_set(const std::vector<TaggedSentence>& sentences);

}  // namespace earlybert
