// seqeval's entity extraction and scores — see include/earlybert/data/seqeval.h.
#include "earlybert/data/seqeval.h"

#include <set>
#include <tuple>

#include "earlybert/base/error.h"

namespace earlybert {
namespace {

struct Tag {
  char prefix;       // 'B', 'I', 'E', 'S', 'O'
  std::string type;  // "_" when the tag has none
};

Tag parse_tag(const std::string& t, const std::string& where) {
  if (t == "O" || t == "B" || t == "I" || t == "E" || t == "S") return {t[0], "_"};
  if (t.size() >= 2 && t[1] == '-' && (t[0] == 'B' || t[0] == 'I' || t[0] == 'E' || t[0] == 'S')) {
    const std::string type = t.substr(2);
    return {t[0], type.empty() ? "_" : type};
  }
  fail(where, "invalid tag '" + t + "' (expected O or B-, I-, E-, S- followed by a type)");
}

// seqeval's end_of_chunk / start_of_chunk.
bool chunk_ends(char prev, char tag, const std::string& prev_type, const std::string& type) {
  if (prev == 'E' || prev == 'S') return true;
  if ((prev == 'B' || prev == 'I') && (tag == 'B' || tag == 'S' || tag == 'O')) return true;
  return prev != 'O' && prev_type != type;
}

bool chunk_starts(char prev, char tag, const std::string& prev_type, const std::string& type) {
  if (tag == 'B' || tag == 'S') return true;
  if ((prev == 'E' || prev == 'S' || prev == 'O') && (tag == 'E' || tag == 'I')) return true;
  return tag != 'O' && prev_type != type;
}

double ratio(int64_t a, int64_t b) { return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b); }

void finish(EntityScores& s) {
  s.precision = ratio(s.correct, s.predicted);
  s.recall = ratio(s.correct, s.gold);
  s.f1 = s.precision + s.recall == 0.0 ? 0.0 : 2 * s.precision * s.recall / (s.precision + s.recall);
}

}  // namespace

std::vector<Entity> tag_entities(const std::vector<std::string>& tags, const std::string& where) {
  std::vector<Entity> out;
  char prev = 'O';
  std::string prev_type;
  size_t begin = 0;
  // One "O" past the end closes the last entity, as seqeval appends it.
  for (size_t i = 0; i <= tags.size(); ++i) {
    const Tag t = i < tags.size() ? parse_tag(tags[i], where + "[" + std::to_string(i) + "]") : Tag{'O', "_"};
    if (chunk_ends(prev, t.prefix, prev_type, t.type)) out.push_back({prev_type, begin, i - 1});
    if (chunk_starts(prev, t.prefix, prev_type, t.type)) begin = i;
    prev = t.prefix;
    prev_type = t.type;
  }
  return out;
}

SeqevalResult seqeval(const std::vector<std::vector<std::string>>& references,
                      const std::vector<std::vector<std::string>>& predictions) {
  if (references.size() != predictions.size()) {
    fail("predictions",
         std::to_string(predictions.size()) + " sequences for " + std::to_string(references.size()) + " references");
  }
  using Key = std::tuple<size_t, std::string, size_t, size_t>;  // sentence, type, begin, end
  std::set<Key> gold;
  SeqevalResult r;
  int64_t tags = 0, same = 0;
  for (size_t s = 0; s < references.size(); ++s) {
    const std::string where = "sentence " + std::to_string(s);
    if (references[s].size() != predictions[s].size()) {
      fail(where, std::to_string(predictions[s].size()) + " predicted tags for " +
                      std::to_string(references[s].size()) + " reference tags");
    }
    for (size_t i = 0; i < references[s].size(); ++i) same += references[s][i] == predictions[s][i];
    tags += static_cast<int64_t>(references[s].size());
    for (const auto& e : tag_entities(references[s], where + " (reference)")) {
      gold.insert({s, e.type, e.begin, e.end});
      ++r.per_type[e.type].gold;
    }
  }
  for (size_t s = 0; s < predictions.size(); ++s) {
    for (const auto& e : tag_entities(predictions[s], "sentence " + std::to_string(s) + " (prediction)")) {
      auto& t = r.per_type[e.type];
      ++t.predicted;
      if (gold.count({s, e.type, e.begin, e.end})) ++t.correct;
    }
  }
  for (auto& [type, s] : r.per_type) {
    finish(s);
    r.overall.gold += s.gold;
    r.overall.predicted += s.predicted;
    r.overall.correct += s.correct;
  }
  finish(r.overall);
  r.accuracy = ratio(same, tags);
  return r;
}

}  // namespace earlybert
