// Official SQuAD v1.1 / v2.0 scoring; see include/earlybert/data/squad_eval.h.
#include "earlybert/data/squad_eval.h"

#include <utf8proc.h>

#include <algorithm>
#include <tuple>
#include <unordered_map>

#include "earlybert/base/error.h"
#include "earlybert/tokenize/utf8.h"

namespace earlybert {
namespace {

// Python's string.punctuation.
bool is_ascii_punctuation(char32_t c) {
  return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}

// Python re's \w for str patterns: alphanumeric (str.isalnum: letters and numbers) or '_'.
bool is_word_char(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

// Python's str.isspace: bidirectional class WS, B or S, or category Zs.
bool is_python_space(char32_t c) {
  if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
  const utf8proc_property_t* p = utf8proc_get_property(static_cast<utf8proc_int32_t>(c));
  return p->category == UTF8PROC_CATEGORY_ZS || p->bidi_class == UTF8PROC_BIDI_CLASS_WS ||
         p->bidi_class == UTF8PROC_BIDI_CLASS_B || p->bidi_class == UTF8PROC_BIDI_CLASS_S;
}

std::vector<char32_t> decode(std::string_view text) {
  std::vector<char32_t> cps;
  cps.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte < 0x80) {
      cps.push_back(byte);
      ++pos;
      continue;
    }
    char32_t cp = 0;
    const size_t n = decode_utf8(text, pos, cp);
    if (n == 0) {  // not UTF-8: Python would not have a str; keep a replacement character
      cps.push_back(0xFFFD);
      ++pos;
    } else {
      cps.push_back(cp);
      pos += n;
    }
  }
  return cps;
}

std::vector<std::string> tokens(std::string_view text) {
  std::vector<std::string> out;
  const std::string norm = normalize_squad_answer(text);
  size_t start = 0;
  while (start < norm.size()) {
    size_t space = norm.find(' ', start);
    if (space == std::string::npos) space = norm.size();
    out.push_back(norm.substr(start, space - start));
    start = space + 1;
  }
  return out;
}

}  // namespace

std::string normalize_squad_answer(std::string_view text) {
  // lower(), then remove_punc()
  std::vector<char32_t> cps;
  for (char32_t c : decode(text)) {
    const char32_t lower = static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c)));
    if (!is_ascii_punctuation(lower)) cps.push_back(lower);
  }
  // remove_articles(): re.sub(r"\b(a|an|the)\b", " ", text), scanning left to right; a match is
  // "a", else "an", else "the" at a word start, followed by a word boundary.
  std::vector<char32_t> no_articles;
  no_articles.reserve(cps.size());
  const size_t n = cps.size();
  auto boundary_after = [&](size_t end) { return end == n || !is_word_char(cps[end]); };
  size_t i = 0;
  while (i < n) {
    size_t match = 0;
    if (i == 0 || !is_word_char(cps[i - 1])) {
      if (cps[i] == 'a' && boundary_after(i + 1)) {
        match = 1;
      } else if (cps[i] == 'a' && i + 1 < n && cps[i + 1] == 'n' && boundary_after(i + 2)) {
        match = 2;
      } else if (cps[i] == 't' && i + 2 < n && cps[i + 1] == 'h' && cps[i + 2] == 'e' && boundary_after(i + 3)) {
        match = 3;
      }
    }
    if (match > 0) {
      no_articles.push_back(' ');
      i += match;
    } else {
      no_articles.push_back(cps[i]);
      ++i;
    }
  }
  // white_space_fix(): " ".join(text.split())
  std::string out;
  bool pending_space = false;
  for (char32_t c : no_articles) {
    if (is_python_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    append_utf8(out, c);
  }
  return out;
}

double squad_exact_match(std::string_view prediction, std::string_view gold) {
  return normalize_squad_answer(prediction) == normalize_squad_answer(gold) ? 1.0 : 0.0;
}

double squad_f1(std::string_view prediction, std::string_view gold, SquadVersion version) {
  const std::vector<std::string> pred = tokens(prediction);
  const std::vector<std::string> ref = tokens(gold);
  if (version == SquadVersion::V2 && (pred.empty() || ref.empty())) return pred == ref ? 1.0 : 0.0;
  std::unordered_map<std::string, long> counts;
  for (const auto& t : ref) ++counts[t];
  long same = 0;
  for (const auto& t : pred) {
    auto it = counts.find(t);
    if (it != counts.end() && it->second > 0) {
      --it->second;
      ++same;
    }
  }
  if (same == 0) return 0.0;
  const double precision = static_cast<double>(same) / static_cast<double>(pred.size());
  const double recall = static_cast<double>(same) / static_cast<double>(ref.size());
  return 2.0 * precision * recall / (precision + recall);
}

std::vector<std::string> squad_gold_answers(const SquadExample& example, SquadVersion version) {
  std::vector<std::string> gold;
  for (const auto& a : example.answers) {
    if (version == SquadVersion::V1 || !normalize_squad_answer(a.text).empty()) gold.push_back(a.text);
  }
  if (version == SquadVersion::V2 && gold.empty()) gold.emplace_back();
  return gold;
}

MetricValues evaluate_squad(const std::vector<SquadExample>& examples,
                            const std::map<std::string, std::string>& predictions, SquadVersion version,
                            const std::string& predictions_source) {
  if (examples.empty()) fail(predictions_source, "no questions to score");
  std::unordered_map<std::string, const SquadExample*> by_id;
  for (const auto& ex : examples) by_id.emplace(ex.id, &ex);
  for (const auto& [id, text] : predictions) {
    if (by_id.count(id) == 0) fail(predictions_source, "prediction for unknown question id '" + id + "'");
  }
  double exact = 0, f1 = 0, has_exact = 0, has_f1 = 0, no_exact = 0, no_f1 = 0;
  size_t has_total = 0, no_total = 0;
  for (const auto& ex : examples) {
    const auto it = predictions.find(ex.id);
    if (it == predictions.end()) {
      fail(predictions_source, "no prediction for question id '" + ex.id + "' (" + ex.json_path + "); " +
                                   std::to_string(examples.size() - predictions.size()) + " of " +
                                   std::to_string(examples.size()) + " questions have none");
    }
    if (version == SquadVersion::V1 && ex.answers.empty()) {
      fail(ex.json_path, "question '" + ex.id + "' has no answers: score SQuAD v2.0 data with squad_v2");
    }
    double best_exact = 0, best_f1 = 0;
    for (const auto& gold : squad_gold_answers(ex, version)) {
      best_exact = std::max(best_exact, squad_exact_match(it->second, gold));
      best_f1 = std::max(best_f1, squad_f1(it->second, gold, version));
    }
    exact += best_exact;
    f1 += best_f1;
    if (!ex.answers.empty()) {
      ++has_total;
      has_exact += best_exact;
      has_f1 += best_f1;
    } else {
      ++no_total;
      no_exact += best_exact;
      no_f1 += best_f1;
    }
  }
  const double total = static_cast<double>(examples.size());
  MetricValues m;
  m["exact_match"] = 100.0 * exact / total;
  m["f1"] = 100.0 * f1 / total;
  if (version == SquadVersion::V2) {
    m["exact"] = m["exact_match"];
    m["total"] = total;
    if (has_total > 0) {
      m["HasAns_exact"] = 100.0 * has_exact / static_cast<double>(has_total);
      m["HasAns_f1"] = 100.0 * has_f1 / static_cast<double>(has_total);
      m["HasAns_total"] = static_cast<double>(has_total);
    }
    if (no_total > 0) {
      m["NoAns_exact"] = 100.0 * no_exact / static_cast<double>(no_total);
      m["NoAns_f1"] = 100.0 * no_f1 / static_cast<double>(no_total);
      m["NoAns_total"] = static_cast<double>(no_total);
    }
  }
  return m;
}

MetricValues squad_v2_best_thresholds(const std::vector<SquadExample>& examples,
                                      const std::map<std::string, std::string>& predictions,
                                      const std::map<std::string, double>& na_probs,
                                      const std::string& predictions_source) {
  if (examples.empty()) fail(predictions_source, "no questions to score");
  struct Question {
    double na_prob, exact, f1;
    bool has_answer, predicted_answer;
  };
  std::vector<Question> qs;
  double no_answers = 0;
  for (const auto& ex : examples) {
    const auto p = predictions.find(ex.id);
    if (p == predictions.end()) fail(predictions_source, "no prediction for question id '" + ex.id + "'");
    const auto n = na_probs.find(ex.id);
    if (n == na_probs.end()) fail(predictions_source, "no null odds for question id '" + ex.id + "'");
    Question q{n->second, 0, 0, !ex.answers.empty(), !p->second.empty()};
    for (const auto& gold : squad_gold_answers(ex, SquadVersion::V2)) {
      q.exact = std::max(q.exact, squad_exact_match(p->second, gold));
      q.f1 = std::max(q.f1, squad_f1(p->second, gold, SquadVersion::V2));
    }
    if (!q.has_answer) no_answers += 1;
    qs.push_back(q);
  }
  std::stable_sort(qs.begin(), qs.end(), [](const Question& a, const Question& b) { return a.na_prob < b.na_prob; });
  // Start from "no answer for everything" (the unanswerable questions are right) and answer the
  // questions one by one in order of rising no-answer probability.
  auto best = [&](double Question::*score) {
    double cur = no_answers, best_score = cur, best_thresh = 0.0;
    for (const auto& q : qs) {
      cur += q.has_answer ? q.*score : (q.predicted_answer ? -1.0 : 0.0);
      if (cur > best_score) best_score = cur, best_thresh = q.na_prob;
    }
    return std::make_pair(100.0 * best_score / static_cast<double>(qs.size()), best_thresh);
  };
  MetricValues m;
  std::tie(m["best_exact"], m["best_exact_thresh"]) = best(&Question::exact);
  std::tie(m["best_f1"], m["best_f1_thresh"]) = best(&Question::f1);
  return m;
}

}  // namespace earlybert
