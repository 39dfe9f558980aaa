// WordNet corpus and classification task — see include/earlybert/data/wordnet.h.
#include "earlybert/data/wordnet.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "fnv1a.h"

namespace earlybert {

namespace {

constexpr std::array<std::string_view, kWordNetCategories> kCategories = {
    "adj.all",             // 00
    "adj.pert",            // 01
    "adv.all",             // 02
    "noun.Tops",           // 03
    "noun.act",            // 04
    "noun.animal",         // 05
    "noun.artifact",       // 06
    "noun.attribute",      // 07
    "noun.body",           // 08
    "noun.cognition",      // 09
    "noun.communication",  // 10
    "noun.event",          // 11
    "noun.feeling",        // 12
    "noun.food",           // 13
    "noun.group",          // 14
    "noun.location",       // 15
    "noun.motive",         // 16
    "noun.object",         // 17
    "noun.person",         // 18
    "noun.phenomenon",     // 19
    "noun.plant",          // 20
    "noun.possession",     // 21
    "noun.process",        // 22
    "noun.quantity",       // 23
    "noun.relation",       // 24
    "noun.shape",          // 25
    "noun.state",          // 26
    "noun.substance",      // 27
    "noun.time",           // 28
    "verb.body",           // 29
    "verb.change",         // 30
    "verb.cognition",      // 31
    "verb.communication",  // 32
    "verb.competition",    // 33
    "verb.consumption",    // 34
    "verb.contact",        // 35
    "verb.creation",       // 36
    "verb.emotion",        // 37
    "verb.motion",         // 38
    "verb.perception",     // 39
    "verb.possession",     // 40
    "verb.social",         // 41
    "verb.stative",        // 42
    "verb.weather",        // 43
    "adj.ppl",             // 44
};

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

std::vector<std::string_view> split_spaces(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    const size_t b = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > b) out.push_back(s.substr(b, i - b));
  }
  return out;
}

bool parse_number(std::string_view s, int base, uint64_t& out) {
  if (s.empty() || s.size() > 16) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return false;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  out = v;
  return true;
}

bool category_fits(int lex_filenum, char pos) {
  const std::string_view name = kCategories[static_cast<size_t>(lex_filenum)];
  const std::string_view kind = name.substr(0, name.find('.'));
  switch (pos) {
    case 'n':
      return kind == "noun";
    case 'v':
      return kind == "verb";
    case 'a':
    case 's':
      return kind == "adj";
    case 'r':
      return kind == "adv";
  }
  return false;
}

std::string clean_word(std::string_view w) {
  // Adjective position markers: "(a)" attributive, "(p)" predicative, "(ip)" immediately postnominal.
  for (std::string_view marker : {"(a)", "(p)", "(ip)"}) {
    if (w.size() > marker.size() && w.substr(w.size() - marker.size()) == marker) {
      w = w.substr(0, w.size() - marker.size());
      break;
    }
  }
  std::string s(w);
  for (char& c : s)
    if (c == '_') c = ' ';
  return s;
}

const char* kDataFiles[] = {"data.noun", "data.verb", "data.adj", "data.adv"};

}  // namespace

const std::array<std::string_view, kWordNetCategories>& wordnet_category_names() { return kCategories; }

std::string_view wordnet_category_name(int n) {
  if (n < 0 || n >= static_cast<int>(kWordNetCategories))
    fail("wordnet", "lexicographer file number " + std::to_string(n) + " outside 0..44");
  return kCategories[static_cast<size_t>(n)];
}

std::string default_wordnet_dir() {
  const char* env = std::getenv("EARLYBERT_WORDNET_DIR");
  return env != nullptr && *env != '\0' ? env : "/usr/share/wordnet";
}

void split_wordnet_gloss(std::string_view gloss, std::string& definition, std::vector<std::string>& examples) {
  examples.clear();
  const size_t quote = gloss.find('"');
  std::string_view def = trim(gloss.substr(0, quote));
  while (!def.empty() && (def.back() == ';' || def.back() == ':')) def = trim(def.substr(0, def.size() - 1));
  definition.assign(def);
  if (quote == std::string_view::npos) return;
  // Quoted parts alternate with separators ("; ") and attributions (" - Author"); an unclosed last
  // quote (a handful of glosses) still yields its text.
  size_t pos = quote;
  while (pos != std::string_view::npos && pos < gloss.size()) {
    const size_t close = gloss.find('"', pos + 1);
    const std::string_view ex =
        trim(gloss.substr(pos + 1, close == std::string_view::npos ? std::string_view::npos : close - pos - 1));
    if (!ex.empty()) examples.emplace_back(ex);
    if (close == std::string_view::npos) break;
    pos = gloss.find('"', close + 1);
  }
}

std::optional<WordNetSynset> parse_wordnet_line(std::string_view line, const std::string& where) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() >= 2 && line[0] == ' ' && line[1] == ' ') return std::nullopt;  // licence header
  if (trim(line).empty()) return std::nullopt;
  const size_t bar = line.find(" | ");
  if (bar == std::string_view::npos) fail(where, "malformed synset line: no ' | ' before the gloss");
  const std::vector<std::string_view> f = split_spaces(line.substr(0, bar));
  auto need = [&](size_t k, const char* what) {
    if (k >= f.size()) fail(where, std::string("malformed synset line: missing ") + what);
  };
  need(3, "fields (synset_offset lex_filenum ss_type w_cnt)");
  WordNetSynset s;
  uint64_t v = 0;
  if (!parse_number(f[0], 10, v) || v > UINT32_MAX) fail(where, "malformed synset offset '" + std::string(f[0]) + "'");
  s.offset = static_cast<uint32_t>(v);
  if (!parse_number(f[1], 10, v)) fail(where, "malformed lex_filenum '" + std::string(f[1]) + "'");
  if (v >= kWordNetCategories) fail(where, "lex_filenum " + std::to_string(v) + " outside 0..44");
  s.lex_filenum = static_cast<int>(v);
  if (f[2].size() != 1 || std::string_view("nvasr").find(f[2][0]) == std::string_view::npos)
    fail(where, "unknown synset type '" + std::string(f[2]) + "'");
  s.pos = f[2][0];
  if (!category_fits(s.lex_filenum, s.pos))
    fail(where, "category " + std::string(kCategories[static_cast<size_t>(s.lex_filenum)]) +
                    " does not fit synset type '" + std::string(1, s.pos) + "'");
  uint64_t w_cnt = 0;
  if (!parse_number(f[3], 16, w_cnt) || w_cnt == 0) fail(where, "malformed word count '" + std::string(f[3]) + "'");
  size_t k = 4;
  for (uint64_t w = 0; w < w_cnt; ++w, k += 2) {
    need(k + 1, "word/lex_id pairs");
    s.words.push_back(clean_word(f[k]));
  }
  need(k, "pointer count");
  uint64_t p_cnt = 0;
  if (!parse_number(f[k], 10, p_cnt)) fail(where, "malformed pointer count '" + std::string(f[k]) + "'");
  k += 1 + 4 * p_cnt;
  if (s.pos == 'v') {
    need(k, "verb frame count");
    uint64_t f_cnt = 0;
    if (!parse_number(f[k], 10, f_cnt)) fail(where, "malformed frame count '" + std::string(f[k]) + "'");
    k += 1 + 3 * f_cnt;
  }
  if (k != f.size())
    fail(where, "malformed synset line: " + std::to_string(f.size()) +
                    " fields before the gloss, the counts announce " + std::to_string(k));
  split_wordnet_gloss(line.substr(bar + 3), s.definition, s.examples);
  if (s.definition.empty()) fail(where, "synset without a definition");
  return s;
}

std::vector<WordNetSynset> read_wordnet_file(const std::string& path) {
  if (!path_exists(path))
    fail(path,
         "WordNet data file not found (install it with `apt-get install wordnet-base`, or point "
         "EARLYBERT_WORDNET_DIR at a WordNet 3.0 dict directory)");
  std::vector<WordNetSynset> out;
  const std::vector<std::string> lines = read_lines(path);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (auto s = parse_wordnet_line(lines[i], path + ":" + std::to_string(i + 1))) out.push_back(std::move(*s));
  }
  return out;
}

std::vector<WordNetSynset> read_wordnet(const std::string& dir) {
  std::vector<WordNetSynset> all;
  for (const char* name : kDataFiles) {
    auto part = read_wordnet_file(join_path(dir, name));
    all.insert(all.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
  }
  return all;
}

Split wordnet_split(std::string_view text) {
  const uint64_t bucket = detail::fnv1a64(text) % 10;
  return bucket < 8 ? Split::Train : bucket == 8 ? Split::Dev : Split::Test;
}

WordNetTask build_wordnet_task(const std::vector<WordNetSynset>& synsets) {
  WordNetTask task;
  task.synsets = synsets.size();
  // First pass: the categories each definition occurs with.
  std::unordered_map<std::string_view, int> category;  // -1: conflicting
  for (const auto& s : synsets) {
    auto [it, inserted] = category.emplace(s.definition, s.lex_filenum);
    if (!inserted && it->second != s.lex_filenum) it->second = -1;
  }
  std::unordered_map<std::string_view, bool> taken;
  for (const auto& s : synsets) {
    if (category[s.definition] < 0) {
      task.dropped_conflicting += 1;
      continue;
    }
    if (taken[s.definition]) {
      task.merged_duplicates += 1;
      continue;
    }
    taken[s.definition] = true;
    const Split split = wordnet_split(s.definition);
    auto& examples = task.splits[static_cast<size_t>(split)];
    TextExample ex;
    char id[16];
    std::snprintf(id, sizeof id, "%c%08u", s.pos, s.offset);
    ex.guid = std::string(split_name(split)) + "-" + id;
    ex.index = static_cast<int64_t>(examples.size());
    ex.text_a = s.definition;
    ex.label = std::string(kCategories[static_cast<size_t>(s.lex_filenum)]);
    ex.label_id = s.lex_filenum;
    examples.push_back(std::move(ex));
  }
  return task;
}

namespace {

// The task is read once per directory and process; every split request after that is a copy.
std::shared_ptr<const WordNetTask> cached_task(const std::string& dir) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const WordNetTask>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(dir);
  if (it != cache.end()) return it->second;
  auto task = std::make_shared<const WordNetTask>(build_wordnet_task(read_wordnet(dir)));
  cache.emplace(dir, task);
  return task;
}

}  // namespace

TaskExamples wordnet_task_examples(Split split, const std::string& dir) {
  const std::string d = dir.empty() ? default_wordnet_dir() : dir;
  const auto task = cached_task(d);
  TaskExamples out;
  out.task = "wordnet";
  out.split = split;
  out.source = join_path(d, "data.{noun,verb,adj,adv}") + " (" + split_name(split) + " split)";
  out.examples = (*task)[split];
  return out;
}

TaskSpec wordnet_task_spec() {
  TaskSpec spec;
  spec.name = "wordnet";
  spec.is_pair = false;
  spec.is_regression = false;
  for (std::string_view c : kCategories) spec.label_names.emplace_back(c);
  spec.metric_names = {"accuracy"};
  spec.submission_file = "WordNet.tsv";
  spec.load = [](const TaskSpec&, const std::string& data_dir, Split split) {
    return wordnet_task_examples(split, data_dir);
  };
  return spec;
}

namespace {
// Registers the task when the library is loaded, unless the registry already has it (so that the
// GLUE built-ins may list it too without a clash).
const bool kWordNetRegistered = [] {
  if (lookup_task("wordnet") == nullptr) register_task(wordnet_task_spec());
  return true;
}();
}  // namespace

std::vector<std::vector<std::string>> wordnet_corpus_documents(const std::vector<WordNetSynset>& synsets,
                                                               bool include_eval_splits) {
  std::vector<std::vector<std::string>> docs(kWordNetCategories);
  for (const auto& s : synsets) {
    if (!include_eval_splits && wordnet_split(s.definition) != Split::Train) continue;
    std::string head;
    for (size_t i = 0; i < s.words.size(); ++i) {
      if (i) head += ", ";
      head += s.words[i];
    }
    auto& doc = docs[static_cast<size_t>(s.lex_filenum)];
    doc.push_back(head + ": " + s.definition);
    for (const auto& ex : s.examples) doc.push_back(ex);
  }
  std::vector<std::vector<std::string>> out;
  for (auto& d : docs)
    if (!d.empty()) out.push_back(std::move(d));
  return out;
}

std::string wordnet_corpus_text(const std::vector<std::vector<std::string>>& documents) {
  std::string text;
  for (size_t d = 0; d < documents.size(); ++d) {
    if (d) text += '\n';
    for (const auto& s : documents[d]) {
      text += s;
      text += '\n';
    }
  }
  return text;
}

}  // namespace earlybert
