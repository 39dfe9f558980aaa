// Structured RigL's update fraction and drop/grow sets — see include/earlybert/prune/rigl.h.
#include "earlybert/prune/rigl.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "earlybert/base/error.h"

namespace earlybert {

double rigl_update_fraction(int64_t step, double alpha, int64_t end_step) {
  if (!(alpha > 0.0 && alpha <= 1.0)) fail("rigl_fraction", "must be in (0, 1], got " + std::to_string(alpha));
  if (end_step < 1) fail("max_search_steps", "rigl needs an end step >= 1");
  if (step >= end_step || step < 0) return 0.0;
  const double pi = std::acos(-1.0);
  return alpha / 2.0 * (1.0 + std::cos(pi * static_cast<double>(step) / static_cast<double>(end_step)));
}

int64_t rigl_update_count(int64_t active, int64_t inactive, double fraction) {
  const auto n = static_cast<int64_t>(std::floor(fraction * static_cast<double>(active) + 1e-9));
  return std::max<int64_t>(0, std::min(n, inactive));
}

DropGrow rigl_drop_grow(const std::vector<bool>& active, const std::vector<float>& magnitude,
                        const std::vector<float>& gradient, double fraction) {
  if (magnitude.size() != active.size() || gradient.size() != active.size())
    fail("rigl", "scores for " + std::to_string(magnitude.size()) + "/" + std::to_string(gradient.size()) +
                     " units, the layer has " + std::to_string(active.size()));
  std::vector<int64_t> on, off;
  for (size_t i = 0; i < active.size(); ++i) (active[i] ? on : off).push_back(static_cast<int64_t>(i));
  const int64_t n = rigl_update_count(static_cast<int64_t>(on.size()), static_cast<int64_t>(off.size()), fraction);
  DropGrow change;
  if (n == 0) return change;
  std::stable_sort(on.begin(), on.end(), [&](int64_t a, int64_t b) {
    return std::fabs(magnitude[static_cast<size_t>(a)]) < std::fabs(magnitude[static_cast<size_t>(b)]);
  });
  std::stable_sort(off.begin(), off.end(), [&](int64_t a, int64_t b) {
    return std::fabs(gradient[static_cast<size_t>(a)]) > std::fabs(gradient[static_cast<size_t>(b)]);
  });
  change.dropped.assign(on.begin(), on.begin() + n);
  change.grown.assign(off.begin(), off.begin() + n);
  std::sort(change.dropped.begin(), change.dropped.end());
  std::sort(change.grown.begin(), change.grown.end());
  return change;
}

std::vector<bool> apply_drop_grow(std::vector<bool> active, const DropGrow& change) {
  for (int64_t i : change.dropped) active.at(static_cast<size_t>(i)) = false;
  for (int64_t i : change.grown) active.at(static_cast<size_t>(i)) = true;
  return active;
}

}  // namespace earlybert
