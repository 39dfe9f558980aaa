// Tests for the seqeval metric against seqeval's own documented examples (its README: f1 0.50,
// accuracy 0.80 and the per-type report; get_entities' docstring) and the lenient chunk rules its
// default mode applies (I- without B-, type changes, IOBES tags), plus bad input.
#include <gtest/gtest.h>

#include "earlybert/data/seqeval.h"
#include "expect_error.h"

namespace earlybert {
namespace {

using test::expect_error;

TEST(Seqeval, ReadmeExample) {
  const std::vector<std::vector<std::string>> y_true = {{"O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"},
                                                        {"B-PER", "I-PER", "O"}};
  const std::vector<std::vector<std::string>> y_pred = {{"O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"},
                                                        {"B-PER", "I-PER", "O"}};
  const auto r = seqeval(y_true, y_pred);
  EXPECT_DOUBLE_EQ(r.overall.f1, 0.5);
  EXPECT_DOUBLE_EQ(r.overall.precision, 0.5);
  EXPECT_DOUBLE_EQ(r.overall.recall, 0.5);
  EXPECT_DOUBLE_EQ(r.accuracy, 0.8);
  ASSERT_EQ(r.per_type.size(), 2u);
  EXPECT_EQ(r.per_type.at("MISC").gold, 1);
  EXPECT_DOUBLE_EQ(r.per_type.at("MISC").f1, 0.0);
  EXPECT_EQ(r.per_type.at("PER").gold, 1);
  EXPECT_DOUBLE_EQ(r.per_type.at("PER").precision, 1.0);
  EXPECT_DOUBLE_EQ(r.per_type.at("PER").recall, 1.0);
}

TEST(Seqeval, EntitiesFollowTheLenientChunkRules) {
  using E = std::vector<Entity>;
  EXPECT_EQ(tag_entities({"B-PER", "I-PER", "O", "B-LOC"}), (E{{"PER", 0, 1}, {"LOC", 3, 3}}));
  EXPECT_EQ(tag_entities({"I-PER", "I-PER"}), (E{{"PER", 0, 1}}));                 // no B- needed
  EXPECT_EQ(tag_entities({"B-PER", "I-LOC"}), (E{{"PER", 0, 0}, {"LOC", 1, 1}}));  // type change
  EXPECT_EQ(tag_entities({"B-PER", "B-PER"}), (E{{"PER", 0, 0}, {"PER", 1, 1}}));
  EXPECT_EQ(tag_entities({"B-PER", "O", "I-PER"}), (E{{"PER", 0, 0}, {"PER", 2, 2}}));
  EXPECT_EQ(tag_entities({"S-LOC", "B-ORG", "E-ORG", "I-ORG"}), (E{{"LOC", 0, 0}, {"ORG", 1, 2}, {"ORG", 3, 3}}));
  EXPECT_EQ(tag_entities({"O", "B", "I"}), (E{{"_", 1, 2}}));
  EXPECT_TRUE(tag_entities({}).empty());
  EXPECT_TRUE(tag_entities({"O", "O"}).empty());
}

TEST(Seqeval, ScoresCountWholeEntitiesOnly) {
  // Gold: PER(0,1), LOC(3,3) | ORG(0,0). Predicted: PER(0,0) (boundary wrong), LOC(3,3) | ORG(0,0), LOC(2,2).
  const auto r = seqeval({{"B-PER", "I-PER", "O", "B-LOC"}, {"B-ORG", "O", "O"}},
                         {{"B-PER", "O", "O", "B-LOC"}, {"B-ORG", "O", "B-LOC"}});
  EXPECT_EQ(r.overall.gold, 3);
  EXPECT_EQ(r.overall.predicted, 4);
  EXPECT_EQ(r.overall.correct, 2);
  EXPECT_DOUBLE_EQ(r.overall.precision, 0.5);
  EXPECT_DOUBLE_EQ(r.overall.recall, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(r.overall.f1, 2 * 0.5 * (2.0 / 3.0) / (0.5 + 2.0 / 3.0));
  EXPECT_DOUBLE_EQ(r.per_type.at("LOC").precision, 0.5);
  EXPECT_DOUBLE_EQ(r.per_type.at("LOC").recall, 1.0);
  EXPECT_DOUBLE_EQ(r.per_type.at("PER").f1, 0.0);
  EXPECT_DOUBLE_EQ(r.accuracy, 5.0 / 7.0);
  // Nothing predicted and nothing to find: zeros, not NaN.
  const auto empty = seqeval({{"O"}}, {{"O"}});
  EXPECT_EQ(empty.overall.f1, 0.0);
  EXPECT_EQ(empty.accuracy, 1.0);
}

TEST(Seqeval, BadInputIsAnError) {
  expect_error([] { seqeval({{"O", "X-PER"}}, {{"O", "O"}}); }, {"sentence 0 (reference)[1]", "invalid tag 'X-PER'"});
  expect_error([] { seqeval({{"O"}}, {{"O", "O"}}); }, {"sentence 0", "2 predicted tags for 1 reference tags"});
  expect_error([] { seqeval({{"O"}}, {}); }, {"0 sequences for 1 references"});
}

}  // namespace
}  // namespace earlybert
