// SQuAD JSON reading: code-point answer offsets, JSON-path errors, and the real dev-v1.1.json.
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <string>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/data/squad.h"
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

std::string fixture(const std::string& name) {
  const char* f = std::getenv("EARLYBERT_FIXTURES");
  return f ? join_path(f, "data/squad/" + name) : "";
}

/// A one-question document around `context` and `answers` (JSON text).
std::string doc(const std::string& context, const std::string& answers, const std::string& extra = "") {
  return R"({"version": "1.1", "data": [{"title": "T", "paragraphs": [{"context": ")" + context +
         R"(", "qas": [{"id": "x1", "question": "Q?", "answers": )" + answers + extra + "}]}]}]}";
}

TEST(Squad, ReadsFixtureWithCodePointOffsets) {
  if (fixture("").empty()) GTEST_SKIP() << "EARLYBERT_FIXTURES is not set";
  const SquadDataset d = read_squad(fixture("tiny-v1.1.json"));
  EXPECT_EQ(d.version, "1.1");
  ASSERT_EQ(d.examples.size(), 3u);
  EXPECT_EQ(d.num_answers, 6u);
  EXPECT_EQ(d.answer_mismatches, 0u);
  EXPECT_FALSE(d.has_impossible);
  const SquadExample& q1 = d.examples[0];
  EXPECT_EQ(q1.id, "q1");
  EXPECT_EQ(q1.title, "Café");
  EXPECT_EQ(q1.json_path, "data[0].paragraphs[0].qas[0]");
  ASSERT_EQ(q1.answers.size(), 3u);
  // "The café opened in 1998": character 19, byte 20 (é is two bytes).
  EXPECT_EQ(q1.answers[0].char_start, 19u);
  EXPECT_EQ(q1.answers[0].byte_begin, 20u);
  EXPECT_EQ(q1.answers[0].byte_end, 24u);
  EXPECT_EQ(q1.context_text().substr(20, 4), "1998");
  const SquadAnswer& anna = d.examples[1].answers[0];  // after é and ü: character 46, byte 48
  EXPECT_EQ(anna.char_start, 46u);
  EXPECT_EQ(anna.byte_begin, 48u);
  EXPECT_EQ(d.examples[1].context_text().substr(anna.byte_begin, anna.byte_end - anna.byte_begin), "Anna Müller");
  EXPECT_EQ(d.examples[0].context.get(), d.examples[1].context.get());  // shared paragraph context
  EXPECT_EQ(d.examples[2].json_path, "data[1].paragraphs[0].qas[0]");
}

TEST(Squad, ReadsV2ImpossibleQuestions) {
  if (fixture("").empty()) GTEST_SKIP() << "EARLYBERT_FIXTURES is not set";
  const SquadDataset d = read_squad(fixture("tiny-v2.0.json"));
  EXPECT_EQ(d.version, "v2.0");
  ASSERT_EQ(d.examples.size(), 2u);
  EXPECT_TRUE(d.has_impossible);
  EXPECT_FALSE(d.examples[0].is_impossible);
  EXPECT_TRUE(d.examples[1].is_impossible);
  EXPECT_TRUE(d.examples[1].answers.empty());  // plausible_answers are not gold
}

TEST(Squad, AnswerOutsideContextIsAnErrorWithJsonPath) {
  std::string msg =
      error_of([] { parse_squad(doc("short text", R"([{"text": "text", "answer_start": 8}])"), "s.json"); });
  EXPECT_NE(msg.find("s.json: key 'data[0].paragraphs[0].qas[0].answers[0].answer_start': answer_start 8 with a "
                     "4-character answer is outside the 10-character context"),
            std::string::npos)
      << msg;
  msg = error_of([] { parse_squad(doc("short text", R"([{"text": "s", "answer_start": -1}])"), "s.json"); });
  EXPECT_NE(msg.find("answers[0].answer_start"), std::string::npos) << msg;
  // Counting code points, not bytes: "é" is one character.
  EXPECT_NO_THROW(parse_squad(doc("caf\u00e9", R"([{"text": "é", "answer_start": 3}])"), "s.json"));
  EXPECT_THROW(parse_squad(doc("caf\u00e9", R"([{"text": "é", "answer_start": 4}])"), "s.json"), Error);
}

TEST(Squad, MismatchedAnswerTextIsCountedAndKept) {
  const SquadDataset d = parse_squad(doc("one two three", R"([{"text": "two", "answer_start": 0}])"), "m.json");
  EXPECT_EQ(d.answer_mismatches, 1u);
  ASSERT_EQ(d.examples.size(), 1u);
  EXPECT_FALSE(d.examples[0].answers[0].matches_context);
  EXPECT_EQ(d.examples[0].answers[0].text, "two");
}

TEST(Squad, StructuralErrorsNameTheJsonPath) {
  const auto err = [](const std::string& json) { return error_of([&] { parse_squad(json, "e.json"); }); };
  EXPECT_NE(err(R"({"data": {}})").find("e.json: key 'data': expected an array"), std::string::npos);
  EXPECT_NE(err(R"({"version": "1.1"})").find("key 'data': missing required field"), std::string::npos);
  EXPECT_NE(err(doc("abc", R"([{"text": "a"}])")).find("answers[0].answer_start': missing required field"),
            std::string::npos);
  EXPECT_NE(err(doc("abc", R"([{"text": "a", "answer_start": "0"}])")).find("expected an integer"), std::string::npos);
  EXPECT_NE(err(doc("abc", "[]")).find("qas[0].answers': an answerable question needs"), std::string::npos);
  EXPECT_NE(err(doc("abc", R"([{"text": "a", "answer_start": 0}])", R"(, "is_impossible": true)"))
                .find("an impossible question"),
            std::string::npos);
  EXPECT_NE(err(doc("abc", R"([{"text": "", "answer_start": 0}])")).find("empty answer text"), std::string::npos);
  const std::string two = R"({"data": [{"paragraphs": [{"context": "abc", "qas": [
      {"id": "d", "question": "?", "answers": [{"text": "a", "answer_start": 0}]},
      {"id": "d", "question": "?", "answers": [{"text": "b", "answer_start": 1}]}]}]}]})";
  EXPECT_NE(err(two).find("data[0].paragraphs[0].qas[1].id': question id 'd' repeats data[0].paragraphs[0].qas[0]"),
            std::string::npos)
      << err(two);
  EXPECT_NE(err("{not json").find("e.json: malformed JSON"), std::string::npos);
}

TEST(Squad, RealDevV11Has10570Questions) {
  const char* d = std::getenv("EARLYBERT_SHARED_DATA");
  const std::string path = d ? join_path(d, "squad/dev-v1.1.json") : "";
  if (path.empty() || !path_exists(path)) GTEST_SKIP() << "EARLYBERT_SHARED_DATA/squad/dev-v1.1.json is absent";
  const SquadDataset data = read_squad(path);
  EXPECT_EQ(data.examples.size(), 10570u);
  EXPECT_EQ(data.num_answers, 34726u);
  EXPECT_EQ(data.answer_mismatches, 0u);
  // The first gold answer as the prediction scores 100 / 100 with the official normalization.
  std::map<std::string, std::string> gold;
  for (const auto& ex : data.examples) gold[ex.id] = ex.answers.front().text;
  const MetricValues m = evaluate_squad(data.examples, gold, SquadVersion::V1, "gold");
  EXPECT_DOUBLE_EQ(m.at("exact_match"), 100.0);
  EXPECT_DOUBLE_EQ(m.at("f1"), 100.0);
}

}  // namespace
}  // namespace earlybert
