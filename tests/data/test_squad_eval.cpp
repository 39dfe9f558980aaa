// SQuAD EM/F1 and answer normalization against hand-computed values of the official scripts.
#include <gtest/gtest.h>

#include <functional>

#include "earlybert/base/error.h"
#include "earlybert/data/squad_eval.h"

namespace earlybert {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

SquadExample example(const std::string& id, std::vector<std::string> answers) {
  SquadExample ex;
  ex.id = id;
  ex.json_path = "data[0].paragraphs[0].qas[" + id + "]";
  ex.context = std::make_shared<const std::string>("context");
  for (auto& a : answers) {
    SquadAnswer ans;
    ans.text = a;
    ex.answers.push_back(ans);
  }
  ex.is_impossible = ex.answers.empty();
  return ex;
}

TEST(SquadNormalize, OfficialSteps) {
  EXPECT_EQ(normalize_squad_answer("The Quick, brown fox!"), "quick brown fox");
  EXPECT_EQ(normalize_squad_answer("  an   apple\ta day\n"), "apple day");
  // Articles only as whole words: "another", "theory", "a.b" (after punctuation removal: "ab").
  EXPECT_EQ(normalize_squad_answer("another theory"), "another theory");
  EXPECT_EQ(normalize_squad_answer("a.b"), "ab");
  EXPECT_EQ(normalize_squad_answer("the-the"), "thethe");  // '-' removed first, then no word boundary
  EXPECT_EQ(normalize_squad_answer("A AN THE an"), "");
  EXPECT_EQ(normalize_squad_answer("$1,000.00"), "100000");
  EXPECT_EQ(normalize_squad_answer("under_score"), "underscore");  // '_' is punctuation
  // Unicode: lower-cased; non-ASCII punctuation kept (string.punctuation is ASCII); letters are word
  // characters for \b, so "éa" keeps its 'a'; NBSP is whitespace for str.split().
  EXPECT_EQ(normalize_squad_answer("CAFÉ Zürich"), "café zürich");
  EXPECT_EQ(normalize_squad_answer("«the» éa"), "« » éa");
  EXPECT_EQ(normalize_squad_answer("New\u00a0York"), "new york");
  // A combining mark is not a word character for Python's \b: the 'a' after it is a whole word.
  EXPECT_EQ(normalize_squad_answer("x\u0301a"), "x\u0301");
  EXPECT_EQ(normalize_squad_answer(""), "");
}

TEST(SquadScores, ExactAndF1HandComputed) {
  EXPECT_DOUBLE_EQ(squad_exact_match("The Eiffel Tower", "eiffel tower."), 1.0);
  EXPECT_DOUBLE_EQ(squad_exact_match("Eiffel", "eiffel tower"), 0.0);
  // pred {eiffel}, gold {eiffel, tower}: P = 1, R = 1/2, F1 = 2/3.
  EXPECT_NEAR(squad_f1("Eiffel", "the Eiffel Tower", SquadVersion::V1), 2.0 / 3.0, 1e-12);
  // pred {in, 1998, in, paris} vs gold {1998, paris}: common 2, P = 1/2, R = 1, F1 = 2/3.
  EXPECT_NEAR(squad_f1("in 1998 in Paris", "1998, Paris", SquadVersion::V1), 2.0 / 3.0, 1e-12);
  // Multiset intersection: pred tokens {x, x, y}, gold {x, y, y}: common x1 + y1 = 2, P = R = 2/3.
  EXPECT_NEAR(squad_f1("x x y", "x y y", SquadVersion::V1), 2.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(squad_f1("cat", "dog", SquadVersion::V1), 0.0);
}

TEST(SquadScores, EmptyAnswersDifferBetweenScripts) {
  EXPECT_DOUBLE_EQ(squad_f1("", "", SquadVersion::V1), 0.0);
  EXPECT_DOUBLE_EQ(squad_f1("", "", SquadVersion::V2), 1.0);
  EXPECT_DOUBLE_EQ(squad_f1("the", "", SquadVersion::V2), 1.0);  // normalizes to nothing
  EXPECT_DOUBLE_EQ(squad_f1("cat", "", SquadVersion::V2), 0.0);
  EXPECT_DOUBLE_EQ(squad_exact_match("", ""), 1.0);
}

TEST(SquadEvaluate, V1MaxOverGoldAnswers) {
  const std::vector<SquadExample> ex = {example("1", {"Denver Broncos", "the Broncos"}), example("2", {"Santa Clara"})};
  // q1: "Broncos" -> EM 1 vs "the Broncos"; q2: "Santa Clara, California" -> EM 0, F1 2·(2/3·1)/(5/3) = 0.8.
  const MetricValues m = evaluate_squad(ex, {{"1", "Broncos"}, {"2", "Santa Clara, California"}}, SquadVersion::V1);
  EXPECT_DOUBLE_EQ(m.at("exact_match"), 50.0);
  EXPECT_NEAR(m.at("f1"), 100.0 * (1.0 + 0.8) / 2.0, 1e-9);
  EXPECT_EQ(m.count("HasAns_exact"), 0u);
}

TEST(SquadEvaluate, V2NoAnswerQuestions) {
  const std::vector<SquadExample> ex = {example("a", {"Paris"}), example("b", {}), example("c", {}),
                                        example("d", {"blue sky"})};
  const MetricValues m =
      evaluate_squad(ex, {{"a", "Paris"}, {"b", ""}, {"c", "London"}, {"d", "sky"}}, SquadVersion::V2);
  // exact: a 1, b 1, c 0, d 0; f1: a 1, b 1, c 0, d 2·(1·1/2)/(3/2) = 2/3.
  EXPECT_DOUBLE_EQ(m.at("exact_match"), 50.0);
  EXPECT_DOUBLE_EQ(m.at("exact"), 50.0);
  EXPECT_NEAR(m.at("f1"), 100.0 * (2.0 + 2.0 / 3.0) / 4.0, 1e-9);
  EXPECT_DOUBLE_EQ(m.at("total"), 4.0);
  EXPECT_DOUBLE_EQ(m.at("HasAns_exact"), 50.0);
  EXPECT_NEAR(m.at("HasAns_f1"), 100.0 * (1.0 + 2.0 / 3.0) / 2.0, 1e-9);
  EXPECT_DOUBLE_EQ(m.at("HasAns_total"), 2.0);
  EXPECT_DOUBLE_EQ(m.at("NoAns_exact"), 50.0);
  EXPECT_DOUBLE_EQ(m.at("NoAns_f1"), 50.0);
  EXPECT_DOUBLE_EQ(m.at("NoAns_total"), 2.0);
}

TEST(SquadEvaluate, V2GoldAnswersThatNormalizeToNothingAreDropped) {
  const SquadExample ex = example("z", {"the", "An"});
  EXPECT_EQ(squad_gold_answers(ex, SquadVersion::V2), std::vector<std::string>{""});
  EXPECT_EQ(squad_gold_answers(ex, SquadVersion::V1), (std::vector<std::string>{"the", "An"}));
}

TEST(SquadEvaluate, MissingOrUnknownPredictionsAreErrors) {
  const std::vector<SquadExample> ex = {example("1", {"x"}), example("2", {"y"})};
  std::string msg = error_of([&] { evaluate_squad(ex, {{"1", "x"}}, SquadVersion::V1, "p.json"); });
  EXPECT_NE(msg.find("p.json: no prediction for question id '2'"), std::string::npos) << msg;
  msg = error_of([&] { evaluate_squad(ex, {{"1", "x"}, {"2", "y"}, {"3", "z"}}, SquadVersion::V1, "p.json"); });
  EXPECT_NE(msg.find("p.json: prediction for unknown question id '3'"), std::string::npos) << msg;
  const std::vector<SquadExample> v2 = {example("n", {})};
  msg = error_of([&] { evaluate_squad(v2, {{"n", ""}}, SquadVersion::V1, "p.json"); });
  EXPECT_NE(msg.find("squad_v2"), std::string::npos) << msg;
}

TEST(SquadV2BestThresholds, FindAllBestThreshAsTheOfficialScript) {
  // Hand-computed with evaluate-v2.0.py's find_best_thresh: start from "no answer everywhere" (2 of 4
  // right), then answer in order of rising no-answer probability: q1 (+1 / +1), q3 (+0 / +0.8 F1),
  // q2 (-1: an answer where there is none), q4 (0: it already says no answer).
  const std::vector<SquadExample> examples = {example("q1", {"Paris"}), example("q2", {}),
                                              example("q3", {"the big red dog"}), example("q4", {})};
  const std::map<std::string, std::string> preds = {{"q1", "paris"}, {"q2", "london"}, {"q3", "red dog"}, {"q4", ""}};
  const std::map<std::string, double> na = {{"q1", 0.1}, {"q2", 0.5}, {"q3", 0.3}, {"q4", 0.9}};
  const MetricValues m = squad_v2_best_thresholds(examples, preds, na);
  EXPECT_DOUBLE_EQ(m.at("best_exact"), 75.0);
  EXPECT_DOUBLE_EQ(m.at("best_exact_thresh"), 0.1);
  EXPECT_DOUBLE_EQ(m.at("best_f1"), 95.0);
  EXPECT_DOUBLE_EQ(m.at("best_f1_thresh"), 0.3);
  // Nothing beats "no answer everywhere": threshold 0, the no-answer share.
  const std::map<std::string, std::string> wrong = {{"q1", "x"}, {"q2", "y"}, {"q3", "z"}, {"q4", "w"}};
  const MetricValues n = squad_v2_best_thresholds(examples, wrong, na);
  EXPECT_DOUBLE_EQ(n.at("best_exact"), 50.0);
  EXPECT_DOUBLE_EQ(n.at("best_exact_thresh"), 0.0);
  EXPECT_NE(error_of([&] { squad_v2_best_thresholds(examples, preds, {{"q1", 0.1}}); }).find("q2"), std::string::npos);
}

}  // namespace
}  // namespace earlybert
