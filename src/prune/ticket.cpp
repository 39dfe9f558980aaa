// ticket.json and the mask/ticket helpers — see include/earlybert/prune/ticket.h.
#include "earlybert/prune/ticket.h"

#include <algorithm>
#include <cmath>

#include "base/json_fields.h"
#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/prune/draw_rule.h"
#include "prune/early_bird_json.h"

namespace earlybert {
namespace {

using json = nlohmann::ordered_json;
using json_fields::JsonReader;

constexpr const char* kFormat = "earlybert.ticket";
constexpr int64_t kVersion = 1;

json float_rows(const std::vector<std::vector<float>>& rows) {
  json out = json::array();
  for (const auto& r : rows) out.push_back(r);
  return out;
}

template <typename T>
std::vector<T> vector_of(const nlohmann::json& v, const std::string& where) {
  if (!v.is_array()) fail(where, "expected a list");
  std::vector<T> out;
  for (const auto& x : v) out.push_back(json_fields::convert<T>(x, where));
  return out;
}

std::vector<std::vector<float>> float_rows_from(const nlohmann::json& v, const std::string& where) {
  if (!v.is_array()) fail(where, "expected a list of lists");
  std::vector<std::vector<float>> out;
  for (const auto& row : v) out.push_back(vector_of<float>(row, where));
  return out;
}

std::vector<int64_t> counts(const LayerMasks& masks) {
  std::vector<int64_t> out;
  for (const auto& layer : masks) out.push_back(static_cast<int64_t>(std::count(layer.begin(), layer.end(), true)));
  return out;
}

}  // namespace

Ticket Ticket::for_options(const TicketOptions& o, int64_t resolved_max_search_steps) {
  Ticket t;
  t.mode = o.mode;
  t.self_pruning_ratio = o.ratios.heads;
  t.self_pruning_method = o.ratios.heads_scope;
  t.inter_pruning_ratio = o.ratios.ffn;
  t.inter_pruning_method = o.ratios.ffn_scope;
  t.ticket_check_steps = o.check_steps;
  t.ticket_threshold_heads = o.threshold_heads;
  t.ticket_threshold_ffn = o.threshold_ffn;
  t.ticket_min_swaps = o.min_swaps;
  t.ticket_window = o.window;
  t.max_search_steps = resolved_max_search_steps;
  t.random_ticket_seed = o.random_seed;
  return t;
}

std::vector<int64_t> Ticket::kept_heads_per_layer() const {
  std::vector<int64_t> out;
  for (const auto& l : plan.layers) out.push_back(static_cast<int64_t>(l.kept_heads.size()));
  return out;
}

std::vector<int64_t> Ticket::kept_neurons_per_layer() const {
  std::vector<int64_t> out;
  for (const auto& l : plan.layers) out.push_back(static_cast<int64_t>(l.kept_neurons.size()));
  return out;
}

std::string Ticket::to_json() const {
  json j;
  j["format"] = kFormat;
  j["version"] = kVersion;
  j["draw_step"] = draw_step;
  j["mode"] = to_string(mode);
  j["reason"] = to_string(reason);
  j["self_pruning_ratio"] = self_pruning_ratio;
  j["self_pruning_method"] = to_string(self_pruning_method);
  j["inter_pruning_ratio"] = inter_pruning_ratio;
  j["inter_pruning_method"] = to_string(inter_pruning_method);
  j["ticket_check_steps"] = ticket_check_steps;
  j["ticket_threshold_heads"] = ticket_threshold_heads;
  j["ticket_threshold_ffn"] = ticket_threshold_ffn;
  j["ticket_min_swaps"] = ticket_min_swaps;
  j["ticket_window"] = ticket_window;
  j["max_search_steps"] = max_search_steps;
  j["random_ticket_seed"] = random_ticket_seed;
  j["kept_heads_per_layer"] = kept_heads_per_layer();
  j["kept_neurons_per_layer"] = kept_neurons_per_layer();
  j["plan"] = plan.layers.empty() ? json(nullptr) : json::parse(plan.to_json());
  json hist = json::array();
  for (const auto& r : distance_history) hist.push_back(prune_detail::early_bird_record_to_json<json>(r));
  j["distance_history"] = hist;
  json snaps = json::array();
  for (const auto& s : coefficient_snapshots) {
    json o;
    o["step"] = s.step;
    o["kept_heads"] = s.kept_heads;
    o["kept_neurons"] = s.kept_neurons;
    o["heads"] = float_rows(s.heads);
    if (!s.ffn.empty()) o["ffn"] = float_rows(s.ffn);
    snaps.push_back(o);
  }
  j["coefficient_snapshots"] = snaps;
  return j.dump(1) + "\n";
}

Ticket Ticket::from_json(const std::string& text, const std::string& source) {
  const nlohmann::json doc = json_fields::parse(text, source);
  JsonReader r(doc, source);
  if (r.require<std::string>("format") != kFormat)
    fail(r.where("format"), std::string("not a ticket file (expected \"") + kFormat + "\")");
  if (r.require<int64_t>("version") != kVersion) fail(r.where("version"), "unsupported version");
  Ticket t;
  t.draw_step = r.require<int64_t>("draw_step");
  t.mode = parse_enum<TicketMode>(r.require<std::string>("mode"), r.where("mode"));
  t.reason = parse_enum<DrawReason>(r.require<std::string>("reason"), r.where("reason"));
  t.self_pruning_ratio = r.optional<double>("self_pruning_ratio", 0.0);
  t.self_pruning_method = parse_enum<PruneScope>(
      r.optional<std::string>("self_pruning_method", to_string(PruneScope::Layerwise)), r.where("self_pruning_method"));
  t.inter_pruning_ratio = r.optional<double>("inter_pruning_ratio", 0.0);
  t.inter_pruning_method = parse_enum<PruneScope>(
      r.optional<std::string>("inter_pruning_method", to_string(PruneScope::Global)), r.where("inter_pruning_method"));
  t.ticket_check_steps = r.optional<int64_t>("ticket_check_steps", 0);
  // Tickets from before per-kind thresholds have one "ticket_threshold" and no floor.
  const double threshold = r.optional<double>("ticket_threshold", 0.0);
  t.ticket_threshold_heads = r.optional<double>("ticket_threshold_heads", threshold);
  t.ticket_threshold_ffn = r.optional<double>("ticket_threshold_ffn", threshold);
  t.ticket_min_swaps = r.optional<int64_t>("ticket_min_swaps", 0);
  t.ticket_window = r.optional<int64_t>("ticket_window", 0);
  t.max_search_steps = r.optional<int64_t>("max_search_steps", 0);
  t.random_ticket_seed = r.optional<int64_t>("random_ticket_seed", 0);
  if (r.has("plan")) t.plan = PruningPlan::from_json(r.raw("plan").dump(), r.where("plan"));
  if (t.draw_step >= 0 && t.plan.layers.empty()) fail(r.where("plan"), "a drawn ticket needs a plan");
  if (r.has("distance_history")) {
    for (const auto& h : r.list("distance_history"))
      t.distance_history.push_back(prune_detail::early_bird_record_from_json(h));
  }
  if (r.has("coefficient_snapshots")) {
    const auto& snaps = r.raw("coefficient_snapshots");
    if (!snaps.is_array()) fail(r.where("coefficient_snapshots"), "expected a list");
    for (size_t i = 0; i < snaps.size(); ++i) {
      JsonReader s(snaps[i], source, "coefficient_snapshots[" + std::to_string(i) + "]");
      CoefficientSnapshot snap;
      snap.step = s.require<int64_t>("step");
      snap.kept_heads = vector_of<int64_t>(s.raw("kept_heads"), s.where("kept_heads"));
      snap.kept_neurons = vector_of<int64_t>(s.raw("kept_neurons"), s.where("kept_neurons"));
      snap.heads = float_rows_from(s.raw("heads"), s.where("heads"));
      if (s.has("ffn")) snap.ffn = float_rows_from(s.raw("ffn"), s.where("ffn"));
      t.coefficient_snapshots.push_back(std::move(snap));
    }
  }
  return t;
}

void Ticket::save(const std::string& path) const { write_file_atomic(path, to_json()); }

Ticket Ticket::load(const std::string& path) { return from_json(read_file(path), path); }

Ticket Ticket::load_drawn(const std::string& path) {
  Ticket t = load(path);
  if (!t.drawn()) fail(path + ": key 'draw_step'", "this ticket was not drawn yet (a search still in progress)");
  return t;
}

bool Ticket::operator==(const Ticket& o) const {
  return draw_step == o.draw_step && mode == o.mode && reason == o.reason &&
         self_pruning_ratio == o.self_pruning_ratio && self_pruning_method == o.self_pruning_method &&
         inter_pruning_ratio == o.inter_pruning_ratio && inter_pruning_method == o.inter_pruning_method &&
         ticket_check_steps == o.ticket_check_steps && ticket_threshold_heads == o.ticket_threshold_heads &&
         ticket_threshold_ffn == o.ticket_threshold_ffn && ticket_min_swaps == o.ticket_min_swaps &&
         ticket_window == o.ticket_window && max_search_steps == o.max_search_steps &&
         random_ticket_seed == o.random_ticket_seed && plan == o.plan && distance_history == o.distance_history &&
         coefficient_snapshots == o.coefficient_snapshots;
}

TicketMasks current_masks(const SlimmingScores& scores, const PruningRatios& ratios) {
  TicketMasks m;
  m.heads = draw_masks(scores.heads, ratios.heads, ratios.heads_scope);
  m.ffn = draw_masks(scores.ffn, ratios.ffn, ratios.ffn_scope);
  return m;
}

CoefficientSnapshot make_snapshot(int64_t step, const SlimmingScores& scores, const TicketMasks& masks, bool with_ffn) {
  CoefficientSnapshot s;
  s.step = step;
  s.kept_heads = counts(masks.heads);
  s.kept_neurons = counts(masks.ffn);
  s.heads = scores.heads;
  if (with_ffn) s.ffn = scores.ffn;
  return s;
}

PruningPlan random_ticket_plan(const BertConfig& config, const PruningRatios& ratios, uint64_t seed) {
  PruningPlan like;
  for (int64_t l = 0; l < config.num_hidden_layers; ++l) {
    LayerPlan lp;
    lp.num_heads = config.layer_heads(l);
    lp.intermediate_size = config.layer_intermediate_size(l);
    const int64_t heads = lp.num_heads - units_to_prune(lp.num_heads, ratios.heads);
    const int64_t neurons = lp.intermediate_size - units_to_prune(lp.intermediate_size, ratios.ffn);
    for (int64_t i = 0; i < heads; ++i) lp.kept_heads.push_back(i);
    for (int64_t i = 0; i < neurons; ++i) lp.kept_neurons.push_back(i);
    like.layers.push_back(std::move(lp));
  }
  return random_plan(like, seed);
}

bool already_pruned_by(const BertConfig& config, const PruningPlan& plan) {
  if (!config.is_pruned()) return false;
  if (static_cast<int64_t>(plan.layers.size()) != config.num_hidden_layers) return false;
  for (size_t l = 0; l < plan.layers.size(); ++l) {
    const auto& lp = plan.layers[l];
    const auto layer = static_cast<int64_t>(l);
    if (lp.num_heads != config.num_attention_heads || lp.intermediate_size != config.intermediate_size) return false;
    if (config.layer_heads(layer) != static_cast<int64_t>(lp.kept_heads.size())) return false;
    if (config.layer_intermediate_size(layer) != static_cast<int64_t>(lp.kept_neurons.size())) return false;
    std::vector<int64_t> removed;
    for (int64_t h = 0; h < lp.num_heads; ++h)
      if (!std::binary_search(lp.kept_heads.begin(), lp.kept_heads.end(), h)) removed.push_back(h);
    auto it = config.pruned_heads.find(layer);
    std::vector<int64_t> recorded = it == config.pruned_heads.end() ? std::vector<int64_t>{} : it->second;
    std::sort(recorded.begin(), recorded.end());
    if (recorded != removed) return false;
  }
  return true;
}

}  // namespace earlybert
