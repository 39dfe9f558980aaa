// Early-bird detector — see include/earlybert/prune/early_bird.h.
#include "earlybert/prune/early_bird.h"

#include <algorithm>

#include "base/json_fields.h"
#include "earlybert/base/error.h"
#include "prune/early_bird_json.h"

namespace earlybert {
namespace {

using json = nlohmann::json;

/// A mask layer as "1101..." (compact and readable in trainer_state.json).
std::string bits(const std::vector<bool>& layer) {
  std::string s(layer.size(), '0');
  for (size_t i = 0; i < layer.size(); ++i)
    if (layer[i]) s[i] = '1';
  return s;
}

json masks_json(const LayerMasks& m) {
  json arr = json::array();
  for (const auto& layer : m) arr.push_back(bits(layer));
  return arr;
}

LayerMasks masks_from_json(const json& arr, const std::string& where) {
  if (!arr.is_array()) fail(where, "expected a list of mask strings");
  LayerMasks m;
  for (const auto& item : arr) {
    if (!item.is_string()) fail(where, "expected a list of mask strings");
    std::vector<bool> layer;
    for (char c : item.get<std::string>()) {
      if (c != '0' && c != '1') fail(where, "mask strings contain only 0 and 1");
      layer.push_back(c == '1');
    }
    m.push_back(std::move(layer));
  }
  return m;
}

int64_t entry_count(const LayerMasks& m) {
  int64_t n = 0;
  for (const auto& layer : m) n += static_cast<int64_t>(layer.size());
  return n;
}

}  // namespace

double allowed_mask_distance(double threshold, int64_t min_swaps, int64_t entries) {
  if (entries <= 0) return threshold;
  return std::max(threshold, 2.0 * static_cast<double>(min_swaps) / static_cast<double>(entries));
}

EarlyBirdDetector::EarlyBirdDetector(double threshold, int64_t window)
    : EarlyBirdDetector(EarlyBirdCriterion{threshold, threshold, 0}, window) {
  if (!(threshold >= 0.0)) fail("ticket_threshold", "must be >= 0");
}

EarlyBirdDetector::EarlyBirdDetector(EarlyBirdCriterion criterion, int64_t window)
    : criterion_(criterion), window_(window) {
  if (!(criterion.threshold_heads >= 0.0)) fail("ticket_threshold_heads", "must be >= 0");
  if (!(criterion.threshold_ffn >= 0.0)) fail("ticket_threshold_ffn", "must be >= 0");
  if (criterion.min_swaps < 0) fail("ticket_min_swaps", "must be >= 0");
  if (window < 1) fail("ticket_window", "must be >= 1");
}

bool EarlyBirdDetector::observe(int64_t step, const LayerMasks& heads, const LayerMasks& ffn) {
  if (!history_.empty() && step <= history_.back().step)
    fail("early-bird detector", "observations must have increasing steps (got " + std::to_string(step) + " after " +
                                    std::to_string(history_.back().step) + ")");
  EarlyBirdRecord rec;
  rec.step = step;
  allowed_heads_ = allowed_mask_distance(criterion_.threshold_heads, criterion_.min_swaps, entry_count(heads));
  allowed_ffn_ = allowed_mask_distance(criterion_.threshold_ffn, criterion_.min_swaps, entry_count(ffn));
  if (!recent_.empty()) {
    rec.dist_heads = mask_distance(heads, recent_.back().heads);
    rec.dist_ffn = mask_distance(ffn, recent_.back().ffn);
  }
  if (static_cast<int64_t>(recent_.size()) == window_) {
    rec.window_max_heads = 0;
    rec.window_max_ffn = 0;
    for (const auto& e : recent_) {
      rec.window_max_heads = std::max(rec.window_max_heads, mask_distance(heads, e.heads));
      rec.window_max_ffn = std::max(rec.window_max_ffn, mask_distance(ffn, e.ffn));
    }
    rec.drawn = rec.window_max_heads <= allowed_heads_ && rec.window_max_ffn <= allowed_ffn_;
  }
  if (rec.drawn && draw_step_ < 0) draw_step_ = step;
  history_.push_back(rec);
  recent_.push_back({step, heads, ffn});
  if (static_cast<int64_t>(recent_.size()) > window_) recent_.pop_front();
  return drawn();
}

std::string EarlyBirdDetector::to_json() const {
  json j;
  j["threshold_heads"] = criterion_.threshold_heads;
  j["threshold_ffn"] = criterion_.threshold_ffn;
  j["min_swaps"] = criterion_.min_swaps;
  j["window"] = window_;
  j["draw_step"] = draw_step_;
  json hist = json::array();
  for (const auto& r : history_) hist.push_back(prune_detail::early_bird_record_to_json<json>(r));
  j["history"] = hist;
  json recent = json::array();
  for (const auto& e : recent_) {
    recent.push_back({{"step", e.step}, {"heads", masks_json(e.heads)}, {"ffn", masks_json(e.ffn)}});
  }
  j["recent_masks"] = recent;
  return j.dump();
}

EarlyBirdDetector EarlyBirdDetector::from_json(const std::string& text, const std::string& source) {
  const json doc = json_fields::parse(text, source);
  json_fields::JsonReader r(doc, source);
  // Files from before per-kind thresholds have one "threshold" and no floor.
  const double old = r.optional<double>("threshold", 0.1);
  EarlyBirdCriterion c{r.optional<double>("threshold_heads", old), r.optional<double>("threshold_ffn", old),
                       r.optional<int64_t>("min_swaps", 0)};
  EarlyBirdDetector d(c, r.require<int64_t>("window"));
  d.draw_step_ = r.require<int64_t>("draw_step");
  for (const auto& h : r.list("history")) d.history_.push_back(prune_detail::early_bird_record_from_json(h));
  const auto recent = r.list("recent_masks");
  if (!recent.empty()) {
    // The allowed distances depend only on the mask sizes, which the newest recorded mask has.
    const json& heads = recent.back().raw("heads");
    const json& ffn = recent.back().raw("ffn");
    d.allowed_heads_ = allowed_mask_distance(c.threshold_heads, c.min_swaps,
                                             entry_count(masks_from_json(heads, recent.back().where("heads"))));
    d.allowed_ffn_ = allowed_mask_distance(c.threshold_ffn, c.min_swaps,
                                           entry_count(masks_from_json(ffn, recent.back().where("ffn"))));
  }
  if (static_cast<int64_t>(recent.size()) > d.window_) fail(r.where("recent_masks"), "more masks than the window");
  for (const auto& e : recent) {
    d.recent_.push_back({e.require<int64_t>("step"), masks_from_json(e.raw("heads"), e.where("heads")),
                         masks_from_json(e.raw("ffn"), e.where("ffn"))});
  }
  return d;
}

}  // namespace earlybert
