// SQuAD n-best span decoding and prediction files; see include/earlybert/data/squad_decode.h.
#include "earlybert/data/squad_decode.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_set>

#include "base/json_fields.h"
#include "earlybert/base/error.h"
#include "earlybert/base/files.h"

namespace earlybert {
namespace {

/// Positions of the n largest values, largest first, ties by lower position (Python's stable sort of
/// enumerate(logits) by value, reversed).
std::vector<size_t> best_indexes(const std::vector<float>& logits, size_t length, size_t n) {
  std::vector<size_t> idx(length);
  std::iota(idx.begin(), idx.end(), size_t{0});
  const size_t k = std::min(n, length);
  std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k), idx.end(),
                    [&](size_t a, size_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); });
  idx.resize(k);
  return idx;
}

struct Prelim {
  size_t feature = 0;
  size_t start = 0;  // sequence positions
  size_t end = 0;
  float start_logit = 0.0f;
  float end_logit = 0.0f;
  bool null = false;
};

}  // namespace

std::vector<SquadPrediction> decode_squad_predictions(const std::vector<SquadExample>& examples,
                                                      const std::vector<SquadFeature>& features,
                                                      const std::vector<SquadLogits>& logits,
                                                      const SquadDecodeOptions& options) {
  if (features.size() != logits.size()) {
    fail("squad decoding",
         std::to_string(logits.size()) + " logits for " + std::to_string(features.size()) + " features");
  }
  std::vector<std::vector<size_t>> features_of(examples.size());
  for (size_t i = 0; i < features.size(); ++i) {
    const SquadFeature& f = features[i];
    if (f.example_index >= examples.size()) {
      fail("squad decoding", "feature " + std::to_string(i) + " names example " + std::to_string(f.example_index) +
                                 " of " + std::to_string(examples.size()));
    }
    if (logits[i].start.size() < f.size() || logits[i].end.size() < f.size()) {
      fail("squad decoding", "feature " + std::to_string(i) + " has " + std::to_string(f.size()) + " positions but " +
                                 std::to_string(logits[i].start.size()) + " start and " +
                                 std::to_string(logits[i].end.size()) + " end logits");
    }
    features_of[f.example_index].push_back(i);
  }

  std::vector<SquadPrediction> out;
  out.reserve(examples.size());
  for (size_t e = 0; e < examples.size(); ++e) {
    const SquadExample& ex = examples[e];
    const std::string& context = ex.context_text();
    SquadPrediction pred;
    pred.id = ex.id;

    std::vector<Prelim> prelim;
    double null_score = std::numeric_limits<double>::infinity();
    Prelim null_entry;
    null_entry.null = true;
    for (size_t fi : features_of[e]) {
      const SquadFeature& f = features[fi];
      const SquadLogits& lg = logits[fi];
      const size_t len = f.size();
      if (options.version_2_with_negative) {
        const double s = static_cast<double>(lg.start[0]) + static_cast<double>(lg.end[0]);
        if (s < null_score) {
          null_score = s;
          null_entry.feature = fi;
          null_entry.start_logit = lg.start[0];
          null_entry.end_logit = lg.end[0];
        }
      }
      const size_t ctx_begin = f.context_start;
      const size_t ctx_end = f.context_start + f.context_offsets.size();
      for (size_t s : best_indexes(lg.start, len, options.n_best_size)) {
        if (s < ctx_begin || s >= ctx_end || !f.token_is_max_context[s - ctx_begin]) continue;
        for (size_t t : best_indexes(lg.end, len, options.n_best_size)) {
          if (t < ctx_begin || t >= ctx_end || t < s || t - s + 1 > options.max_answer_length) continue;
          prelim.push_back({fi, s, t, lg.start[s], lg.end[t], false});
        }
      }
    }
    if (options.version_2_with_negative && !features_of[e].empty()) prelim.push_back(null_entry);
    std::stable_sort(prelim.begin(), prelim.end(), [](const Prelim& a, const Prelim& b) {
      return static_cast<double>(a.start_logit) + a.end_logit > static_cast<double>(b.start_logit) + b.end_logit;
    });

    std::unordered_set<std::string> seen;
    for (const Prelim& p : prelim) {
      if (pred.nbest.size() >= options.n_best_size) break;
      SquadCandidate c;
      c.start_logit = p.start_logit;
      c.end_logit = p.end_logit;
      if (!p.null) {
        const SquadFeature& f = features[p.feature];
        c.byte_begin = f.context_offsets[p.start - f.context_start].first;
        c.byte_end = f.context_offsets[p.end - f.context_start].second;
        c.text = context.substr(c.byte_begin, c.byte_end - c.byte_begin);
      }
      if (!seen.insert(c.text).second) continue;
      pred.nbest.push_back(std::move(c));
    }
    if (options.version_2_with_negative && !features_of[e].empty() && seen.count("") == 0) {
      // The null answer always stays a candidate in v2.0, even when n_best_size spans outrank it.
      SquadCandidate c;
      c.start_logit = null_entry.start_logit;
      c.end_logit = null_entry.end_logit;
      pred.nbest.push_back(std::move(c));
    }
    if (!pred.nbest.empty()) {
      double max_score = -std::numeric_limits<double>::infinity();
      for (const auto& c : pred.nbest)
        max_score = std::max(max_score, static_cast<double>(c.start_logit) + c.end_logit);
      double total = 0.0;
      for (auto& c : pred.nbest) {
        c.probability = std::exp(static_cast<double>(c.start_logit) + c.end_logit - max_score);
        total += c.probability;
      }
      for (auto& c : pred.nbest) c.probability /= total;
    }

    const SquadCandidate* best_non_null = nullptr;
    for (const auto& c : pred.nbest) {
      if (!c.text.empty()) {
        best_non_null = &c;
        break;
      }
    }
    if (!options.version_2_with_negative) {
      pred.text = pred.nbest.empty() ? "" : pred.nbest.front().text;
    } else if (!features_of[e].empty()) {
      pred.null_score = null_score;
      if (best_non_null == nullptr) {
        pred.text = "";
        pred.score_diff = std::numeric_limits<double>::infinity();
      } else {
        pred.score_diff = null_score - static_cast<double>(best_non_null->start_logit) -
                          static_cast<double>(best_non_null->end_logit);
        pred.text = pred.score_diff > options.null_score_diff_threshold ? "" : best_non_null->text;
      }
    }
    out.push_back(std::move(pred));
  }
  return out;
}

void write_squad_predictions(const std::string& path, const std::vector<SquadPrediction>& predictions) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& p : predictions) j[p.id] = p.text;
  write_file_atomic(path, j.dump(4) + "\n");
}

void write_squad_nbest(const std::string& path, const std::vector<SquadPrediction>& predictions) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& p : predictions) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& c : p.nbest) {
      list.push_back({{"text", c.text},
                      {"probability", c.probability},
                      {"start_logit", c.start_logit},
                      {"end_logit", c.end_logit}});
    }
    j[p.id] = std::move(list);
  }
  write_file_atomic(path, j.dump(4) + "\n");
}

void write_squad_null_odds(const std::string& path, const std::vector<SquadPrediction>& predictions) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& p : predictions)
    j[p.id] = std::isfinite(p.score_diff) ? nlohmann::ordered_json(p.score_diff) : nullptr;
  write_file_atomic(path, j.dump(4) + "\n");
}

std::map<std::string, std::string> read_squad_predictions(const std::string& path) {
  const json_fields::json doc = json_fields::parse_file(path);
  const json_fields::JsonReader r(doc, path);
  std::map<std::string, std::string> out;
  for (const auto& [id, value] : doc.items()) out[id] = json_fields::convert<std::string>(value, r.where(id));
  return out;
}

}  // namespace earlybert
