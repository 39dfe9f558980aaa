// GLUE metrics against hand-computed values (sklearn / scipy semantics), degenerate cases included.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "earlybert/base/error.h"
#include "earlybert/data/metrics.h"

namespace earlybert {
namespace {

using metrics::accuracy;
using metrics::average_ranks;
using metrics::f1_binary;
using metrics::matthews_correlation;
using metrics::pearson;
using metrics::spearman;

TEST(Metrics, Accuracy) {
  EXPECT_DOUBLE_EQ(accuracy({1, 0, 1, 1}, {1, 0, 0, 1}), 0.75);
  EXPECT_DOUBLE_EQ(accuracy({0, 0, 0}, {0, 0, 0}), 1.0);
  EXPECT_DOUBLE_EQ(accuracy({2, 1}, {0, 0}), 0.0);
}

TEST(Metrics, F1BinaryPositiveClassOne) {
  // tp = 2, fp = 1, fn = 0: P = 2/3, R = 1, F1 = 0.8.
  EXPECT_DOUBLE_EQ(f1_binary({1, 0, 1, 1}, {1, 0, 0, 1}), 0.8);
  // tp = 1, fp = 1, fn = 2: P = 1/2, R = 1/3, F1 = 0.4.
  EXPECT_DOUBLE_EQ(f1_binary({1, 1, 0, 0, 0}, {1, 0, 1, 1, 0}), 0.4);
  // All predictions positive: tp = 2, fp = 2 -> P = 1/2, R = 1 -> 2/3.
  EXPECT_DOUBLE_EQ(f1_binary({1, 1, 1, 1}, {1, 0, 1, 0}), 2.0 / 3.0);
  // No positive prediction: precision undefined -> 0 (sklearn zero_division).
  EXPECT_DOUBLE_EQ(f1_binary({0, 0, 0}, {1, 1, 0}), 0.0);
  // No positive anywhere: 0, not 1.
  EXPECT_DOUBLE_EQ(f1_binary({0, 0}, {0, 0}), 0.0);
}

TEST(Metrics, MatthewsBinaryAndMulticlass) {
  // tp 2, tn 1, fp 1, fn 0: (2·1 − 1·0) / sqrt(3·2·2·1).
  EXPECT_NEAR(matthews_correlation({1, 0, 1, 1}, {1, 0, 0, 1}), 2.0 / std::sqrt(12.0), 1e-12);
  EXPECT_DOUBLE_EQ(matthews_correlation({1, 0, 1, 0}, {1, 0, 1, 0}), 1.0);
  EXPECT_DOUBLE_EQ(matthews_correlation({0, 1, 0, 1}, {1, 0, 1, 0}), -1.0);
  // 3 classes: n = 6, correct = 3, t = (2,2,2), p = (3,1,2): 6 / sqrt(24·22).
  EXPECT_NEAR(matthews_correlation({0, 2, 1, 0, 0, 2}, {0, 1, 2, 0, 1, 2}), 6.0 / std::sqrt(528.0), 1e-12);
}

TEST(Metrics, MatthewsDegenerateIsZero) {
  // All predictions one class (CoLA's classic failure mode): the denominator is 0 -> 0.
  EXPECT_DOUBLE_EQ(matthews_correlation({1, 1, 1, 1}, {1, 0, 1, 0}), 0.0);
  // All labels one class.
  EXPECT_DOUBLE_EQ(matthews_correlation({1, 0, 1}, {1, 1, 1}), 0.0);
  // Everything one class, even when all correct.
  EXPECT_DOUBLE_EQ(matthews_correlation({0, 0}, {0, 0}), 0.0);
}

TEST(Metrics, Pearson) {
  // mean x 2.5, mean y 5: Σdxdy = 11, Σdx² = 5, Σdy² = 26.
  EXPECT_NEAR(pearson({1, 2, 3, 4}, {2, 4, 5, 9}), 11.0 / std::sqrt(130.0), 1e-12);
  EXPECT_DOUBLE_EQ(pearson({1, 2, 3}, {2, 4, 6}), 1.0);
  EXPECT_DOUBLE_EQ(pearson({1, 2, 3}, {3, 2, 1}), -1.0);
}

TEST(Metrics, ConstantInputGivesNan) {
  EXPECT_TRUE(std::isnan(pearson({2.5, 2.5, 2.5}, {1, 2, 3})));
  EXPECT_TRUE(std::isnan(pearson({1, 2, 3}, {0.1, 0.1, 0.1})));
  EXPECT_TRUE(std::isnan(spearman({3, 3, 3, 3}, {1, 2, 3, 4})));
}

TEST(Metrics, AverageRanksAndSpearmanWithTies) {
  EXPECT_EQ(average_ranks({10, 20, 10, 30, 10}), (std::vector<double>{2, 4, 2, 5, 2}));
  EXPECT_EQ(average_ranks({3, 1, 2}), (std::vector<double>{3, 1, 2}));
  // ranks x (1, 2.5, 2.5, 4), y (1, 3, 2, 4): Σdxdy = 4.5, Σdx² = 4.5, Σdy² = 5.
  EXPECT_NEAR(spearman({1, 2, 2, 3}, {1, 3, 2, 4}), 4.5 / std::sqrt(22.5), 1e-12);
  // Monotone but non-linear: Spearman 1, Pearson below 1.
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 4}, {1, 8, 27, 64}), 1.0);
  EXPECT_LT(pearson({1, 2, 3, 4}, {1, 8, 27, 64}), 1.0);
}

TEST(Metrics, BadInputIsAnError) {
  EXPECT_THROW(accuracy({1, 0}, {1}), Error);
  EXPECT_THROW(accuracy({}, {}), Error);
  EXPECT_THROW(pearson({1}, {1}), Error);
  EXPECT_THROW(metrics::classification({"pearson"}, {1}, {1}), Error);
  EXPECT_THROW(metrics::regression({"accuracy"}, {1, 2}, {1, 2}), Error);
}

TEST(Metrics, NamedSetsAndJsonWithNull) {
  const MetricValues m = metrics::classification({"accuracy", "f1"}, {1, 0, 1, 1}, {1, 0, 0, 1});
  EXPECT_DOUBLE_EQ(m.at("accuracy"), 0.75);
  EXPECT_DOUBLE_EQ(m.at("f1"), 0.8);
  const MetricValues r = metrics::regression({"pearson", "spearmanr"}, {1, 1, 1}, {1, 2, 3});
  const auto j = nlohmann::json::parse(metrics_to_json(r));
  EXPECT_TRUE(j.at("pearson").is_null());
  EXPECT_TRUE(j.at("spearmanr").is_null());
  const auto k = nlohmann::json::parse(metrics_to_json(m, -1));
  EXPECT_DOUBLE_EQ(k.at("accuracy").get<double>(), 0.75);
}

}  // namespace
}  // namespace earlybert
