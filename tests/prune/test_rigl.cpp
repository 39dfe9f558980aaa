// Structured RigL's pure parts: the cosine-decayed fraction, the update count, and the drop and grow
// sets on constructed scores.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "earlybert/prune/rigl.h"
#include "expect_error.h"

namespace earlybert {
namespace {

using test::expect_error;

TEST(Rigl, UpdateFractionDecaysWithACosine) {
  EXPECT_DOUBLE_EQ(rigl_update_fraction(0, 0.3, 100), 0.3);
  EXPECT_NEAR(rigl_update_fraction(50, 0.3, 100), 0.15, 1e-12);
  EXPECT_NEAR(rigl_update_fraction(25, 0.3, 100), 0.15 * (1.0 + std::sqrt(0.5)), 1e-12);
  EXPECT_NEAR(rigl_update_fraction(99, 0.3, 100), 0.15 * (1.0 + std::cos(M_PI * 0.99)), 1e-12);
  EXPECT_EQ(rigl_update_fraction(100, 0.3, 100), 0.0);
  EXPECT_EQ(rigl_update_fraction(150, 0.3, 100), 0.0);
  expect_error([] { rigl_update_fraction(0, 0.0, 100); }, {"rigl_fraction", "(0, 1]"});
  expect_error([] { rigl_update_fraction(0, 0.3, 0); }, {"max_search_steps"});
}

TEST(Rigl, UpdateCountIsAFractionOfTheActiveUnitsCappedByTheInactive) {
  EXPECT_EQ(rigl_update_count(8, 4, 0.3), 2);   // floor(2.4)
  EXPECT_EQ(rigl_update_count(10, 4, 0.3), 3);  // floor(3.0), not 2 by a rounding error
  EXPECT_EQ(rigl_update_count(8, 1, 0.5), 1);   // only one unit to grow
  EXPECT_EQ(rigl_update_count(3, 5, 0.2), 0);
}

TEST(Rigl, DropsTheWeakestActiveAndGrowsTheLargestGradientInactive) {
  const std::vector<bool> active = {true, true, true, false, false, true};
  const std::vector<float> magnitude = {0.5f, 0.1f, 0.9f, 9.0f, 9.0f, 0.2f};
  const std::vector<float> gradient = {9.0f, 9.0f, 9.0f, 0.3f, -0.7f, 9.0f};
  DropGrow one = rigl_drop_grow(active, magnitude, gradient, 0.25);  // 4 active -> 1 moves
  EXPECT_EQ(one.dropped, (std::vector<int64_t>{1}));
  EXPECT_EQ(one.grown, (std::vector<int64_t>{4}));                  // |−0.7| is the largest
  DropGrow two = rigl_drop_grow(active, magnitude, gradient, 0.5);  // 2 move
  EXPECT_EQ(two.dropped, (std::vector<int64_t>{1, 5}));
  EXPECT_EQ(two.grown, (std::vector<int64_t>{3, 4}));
  const auto after = apply_drop_grow(active, two);
  EXPECT_EQ(after, (std::vector<bool>{true, false, true, true, true, false}));
  EXPECT_EQ(std::count(after.begin(), after.end(), true), std::count(active.begin(), active.end(), true));
}

TEST(Rigl, JustDroppedUnitsAreNotGrownAndTiesGoToTheLowerIndex) {
  // Unit 0 has the smallest magnitude and the largest gradient: it is dropped, not grown back.
  const std::vector<bool> active = {true, true, false, false};
  const DropGrow c = rigl_drop_grow(active, {0.1f, 0.5f, 0.0f, 0.0f}, {5.0f, 5.0f, 1.0f, 1.0f}, 0.5);
  EXPECT_EQ(c.dropped, (std::vector<int64_t>{0}));
  EXPECT_EQ(c.grown, (std::vector<int64_t>{2}));
  const DropGrow tie = rigl_drop_grow({true, true, true, false}, {0.4f, 0.4f, 0.4f, 0}, {0, 0, 0, 1}, 0.34);
  EXPECT_EQ(tie.dropped, (std::vector<int64_t>{0}));
  expect_error([] { rigl_drop_grow({true, false}, {0.1f}, {0.1f, 0.2f}, 0.5); }, {"rigl", "the layer has 2"});
}

}  // namespace
}  // namespace earlybert
