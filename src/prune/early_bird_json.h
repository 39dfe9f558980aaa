// Private: one early-bird mask check as JSON — the shape shared by ticket.json's distance_history
// and the detector state saved in checkpoints.
#pragma once

#include "base/json_fields.h"
#include "earlybert/prune/early_bird.h"

namespace earlybert::prune_detail {

template <class Json>
Json early_bird_record_to_json(const EarlyBirdRecord& r) {
  return Json{{"step", r.step},
              {"dist_heads", r.dist_heads},
              {"dist_ffn", r.dist_ffn},
              {"window_max_heads", r.window_max_heads},
              {"window_max_ffn", r.window_max_ffn},
              {"drawn", r.drawn}};
}

inline EarlyBirdRecord early_bird_record_from_json(const json_fields::JsonReader& h) {
  EarlyBirdRecord rec;
  rec.step = h.require<int64_t>("step");
  rec.dist_heads = h.require<double>("dist_heads");
  rec.dist_ffn = h.require<double>("dist_ffn");
  rec.window_max_heads = h.require<double>("window_max_heads");
  rec.window_max_ffn = h.require<double>("window_max_ffn");
  rec.drawn = h.require<bool>("drawn");
  return rec;
}

}  // namespace earlybert::prune_detail
