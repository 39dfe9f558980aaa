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

}  // namespace

EarlyBirdDetector::EarlyBirdDetector(double threshold, int64_t window) : threshold_(threshold), window_(window) {
  if (!(threshold >= 0.0)) fail("ticket_threshold", "must be >= 0");
  if (window < 1) fail("ticket_window", "must be >= 1");
}

bool EarlyBirdDetector::observe(int64_t step, const LayerMasks& heads, const LayerMasks& ffn) {
  if (!history_.empty() && step <= history_.back().step)
    fail("early-bird detector", "observations must have increasing steps (got " + std::to_string(step) + " after " +
                                    std::to_string(history_.back().step) + ")");
  EarlyBirdRecord rec;
  rec.step = step;
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
    rec.drawn = rec.window_max_heads <= threshold_ && rec.window_max_ffn <= threshold_;
  }
  if (rec.drawn && draw_step_ < 0) draw_step_ = step;
  history_.push_back(rec);
  recent_.push_back({step, heads, ffn});
  if (static_cast<int64_t>(recent_.size()) > window_) recent_.pop_front();
  return drawn();
}

std::string EarlyBirdDetector::to_json() const {
  json j;
  j["threshold"] = threshold_;
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
  EarlyBirdDetector d(r.require<double>("threshold"), r.require<int64_t>("window"));
  d.draw_step_ = r.require<int64_t>("draw_step");
  for (const auto& h : r.list("history")) d.history_.push_back(prune_detail::early_bird_record_from_json(h));
  const auto recent = r.list("recent_masks");
  if (static_cast<int64_t>(recent.size()) > d.window_) fail(r.where("recent_masks"), "more masks than the window");
  for (const auto& e : recent) {
    d.recent_.push_back({e.require<int64_t>("step"), masks_from_json(e.raw("heads"), e.where("heads")),
                         masks_from_json(e.raw("ffn"), e.where("ffn"))});
  }
  return d;
}

}  // namespace earlybert
