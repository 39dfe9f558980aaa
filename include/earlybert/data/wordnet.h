// WordNet 3.0 as earlybert's embedded default data: a pre-training corpus of glosses and a 45-class
// text classification task, built from Debian's `wordnet-base` (/usr/share/wordnet/data.{noun,verb,
// adj,adv}) with no download and no data directory.
//
// The data files (wndb(5WN)): lines starting with two spaces are the licence header. Each other line is
// one synset:
//   synset_offset lex_filenum ss_type w_cnt word lex_id [word lex_id...] p_cnt [ptr...] [frames] | gloss
// with w_cnt in hexadecimal, p_cnt decimal, each pointer 4 fields, and (verbs only) f_cnt followed by
// f_cnt "+ f_num w_num" triples. lex_filenum (0..44) names the lexicographer file the synset was
// written in — its coarse semantic category: adj.all, noun.animal, verb.motion, ... (lexnames(5WN);
// the full list is wordnet_category_names()). The gloss is a definition, then optionally examples in
// double quotes: `a member of the genus Canis ...; "the dog barked all night"`.
//
// Parsing: definition = the gloss up to its first '"', trimmed of spaces and a trailing ';' or ':';
// examples = the quoted parts (an attribution after a quote, `"..." - Shakespeare`, is dropped).
// Words: '_' becomes a space and the adjective markers (a), (p), (ip) are removed.
//
// (b) The task `wordnet` (registered in the GLUE task registry, see glue.h; `--task wordnet`):
//   text_a = the definition (no examples — they often name the word itself and are missing for most
//            synsets), label = the category name ("noun.animal"), 45 labels in lex_filenum order.
//   Split: by the text itself, FNV-1a 64 of the definition's UTF-8 bytes, mod 10: 0..7 train, 8 dev,
//   9 test. It depends neither on file order nor on any RNG, and identical texts necessarily share a
//   split. Identical definitions are merged into one example (the first synset in file order, files in
//   the order noun, verb, adj, adv); a definition that occurs with two different categories is dropped
//   as unlearnable (e.g. "one species": 12 noun.plant synsets and 1 noun.animal; "raise": four verb
//   categories).
//   Every split carries labels (the test split too, unlike GLUE's).
//   Measured on wordnet-base 1:3.0-37 (Debian; `earlybert wordnet stats`): 117659 synsets; 116697
//   distinct definitions; 80 of them (185 synsets) have conflicting categories and are dropped, 857
//   synsets repeat an earlier definition and are merged, leaving 116617 examples:
//   train 93443, dev 11467, test 11707 (80.1 / 9.8 / 10.0 %); all 45 categories occur in train.
//
// (a) The corpus (wordnet_corpus_documents(), `earlybert wordnet corpus`, or
//   `earlybert prepare-pretraining --wordnet`): one document per lexicographer file, synsets in file
//   order (WordNet's files keep related synsets together, so neighbouring sentences are on one topic and
//   next-sentence pairs are meaningful); per synset the sentence "w1, w2, ...: definition" followed by
//   each example as a sentence of its own. Synsets whose definition belongs to the task's dev or test
//   split are left out by default, so a model pre-trained on the corpus is never evaluated on a gloss it
//   has read. Measured (same package): 45 documents; with dev/test left out 94280 synsets, 133056
//   sentences, 9.1 MB of text; with everything 117659 synsets, 166004 sentences, 11.3 MB.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "earlybert/data/glue.h"

namespace earlybert {

inline constexpr size_t kWordNetCategories = 45;

/// The 45 lexicographer file names, index = lex_filenum (adj.all = 0 ... adj.ppl = 44).
const std::array<std::string_view, kWordNetCategories>& wordnet_category_names();
/// Name of lex_filenum `n`; Error when n is outside 0..44.
std::string_view wordnet_category_name(int n);

/// "/usr/share/wordnet" unless the environment variable EARLYBERT_WORDNET_DIR is set.
std::string default_wordnet_dir();

struct WordNetSynset {
  uint32_t offset = 0;
  /// ss_type: 'n' noun, 'v' verb, 'a' adjective, 's' adjective satellite, 'r' adverb.
  char pos = 'n';
  int lex_filenum = 0;
  std::vector<std::string> words;
  std::string definition;
  std::vector<std::string> examples;
};

/// Parses one line of a data file. nullopt for licence-header lines (two leading spaces) and empty
/// lines; Error naming `where` (file:line) for a malformed line, a lex_filenum outside 0..44, or a
/// category that does not fit the synset type (a noun in verb.motion).
std::optional<WordNetSynset> parse_wordnet_line(std::string_view line, const std::string& where);

/// The definition and examples of a gloss (see the parsing rules above).
void split_wordnet_gloss(std::string_view gloss, std::string& definition, std::vector<std::string>& examples);

/// All synsets of one data file, in file order.
std::vector<WordNetSynset> read_wordnet_file(const std::string& path);

/// All synsets of data.noun, data.verb, data.adj, data.adv in `dir` (in that order). A missing file is
/// an Error naming it and suggesting `apt-get install wordnet-base`.
std::vector<WordNetSynset> read_wordnet(const std::string& dir = default_wordnet_dir());

/// The split a task text belongs to: FNV-1a 64 of its bytes mod 10 → 0..7 train, 8 dev, 9 test.
Split wordnet_split(std::string_view text);

/// The deduplicated task over `synsets`, one vector per split (index = Split), as TextExamples with
/// guid "<split>-<pos><offset>" (e.g. "dev-n02084071"), label = category name, label_id = lex_filenum.
struct WordNetTask {
  std::array<std::vector<TextExample>, 3> splits;
  size_t synsets = 0;              ///< synsets read
  size_t merged_duplicates = 0;    ///< synsets whose definition repeats an earlier one (same category)
  size_t dropped_conflicting = 0;  ///< synsets dropped because their definition has several categories
  const std::vector<TextExample>& operator[](Split s) const { return splits[static_cast<size_t>(s)]; }
};
WordNetTask build_wordnet_task(const std::vector<WordNetSynset>& synsets);

/// One split of the task read from `dir` (default_wordnet_dir() when empty); the same examples the
/// registered task's loader returns.
TaskExamples wordnet_task_examples(Split split, const std::string& dir = "");

/// The task's TaskSpec (name "wordnet", 45 labels, accuracy; its loader treats a non-empty data_dir as
/// the WordNet directory). It is registered in the task registry when the library is loaded.
TaskSpec wordnet_task_spec();

/// The corpus documents (see above); each document is a list of sentences.
std::vector<std::vector<std::string>> wordnet_corpus_documents(const std::vector<WordNetSynset>& synsets,
                                                               bool include_eval_splits = false);

/// The corpus as text in the Lines format of pretraining_corpus.h (a sentence per line, a blank line
/// between documents).
std::string wordnet_corpus_text(const std::vector<std::vector<std::string>>& documents);

}  // namespace earlybert
