// Entity-level precision, recall and F1 over tag sequences, as seqeval computes them — the metric of
// Hugging Face's run_ner.py (evaluate's "seqeval": overall_precision, overall_recall, overall_f1,
// overall_accuracy, and the same three plus "number" per entity type).
//
// Entities are read from each sequence with seqeval's default (lenient, not "strict") rules for the
// IOB2 / IOBES tags "B-X", "I-X", "E-X", "S-X", "O" (a bare "B" has the type "_"):
//   * an entity starts at B or S, at an I or E that follows O or a different type, or at an I/E
//     right after an E or S;
//   * it ends before O, B or S, after E or S, and where the type changes.
// So "I-PER I-PER" (no B) is one PER entity, and "B-PER I-LOC" two. An entity is right when its
// type, start and end all match a gold entity. precision = right / predicted, recall = right / gold,
// F1 their harmonic mean; 0 where a denominator is 0 (seqeval's zero_division default). Overall
// scores are micro-averaged over all entities; accuracy is the fraction of tags equal to the gold
// tag. A tag that is none of the forms above is an Error naming the sequence and position.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace earlybert {

/// One entity: tags [begin, end] (inclusive, seqeval's convention) of one sequence.
struct Entity {
  std::string type;
  size_t begin = 0;
  size_t end = 0;
  bool operator==(const Entity& o) const { return type == o.type && begin == o.begin && end == o.end; }
  bool operator<(const Entity& o) const {
    return begin != o.begin ? begin < o.begin : end != o.end ? end < o.end : type < o.type;
  }
};

/// seqeval's get_entities() for one sequence. `where` names the sequence in errors.
std::vector<Entity> tag_entities(const std::vector<std::string>& tags, const std::string& where = "tags");

struct EntityScores {
  double precision = 0.0;
  double recall = 0.0;
  double f1 = 0.0;
  int64_t gold = 0;       ///< entities in the reference ("number" in seqeval's report)
  int64_t predicted = 0;  ///< entities predicted
  int64_t correct = 0;    ///< predicted entities that are in the reference
};

struct SeqevalResult {
  EntityScores overall;
  std::map<std::string, EntityScores> per_type;  ///< every type seen in the gold or the predictions
  double accuracy = 0.0;                         ///< tag-level
};

/// Scores `predictions` against `references` (one tag sequence per sentence; every pair the same
/// length, else an Error naming the sentence).
SeqevalResult seqeval(const std::vector<std::vector<std::string>>& references,
                      const std::vector<std::vector<std::string>>& predictions);

}  // namespace earlybert
