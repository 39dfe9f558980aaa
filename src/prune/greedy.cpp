// Greedy forward selection's order — see include/earlybert/prune/greedy.h.
#include "earlybert/prune/greedy.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>

#include "earlybert/base/error.h"

namespace earlybert {

std::vector<GreedyCandidate> greedy_candidates(const std::vector<int64_t>& heads_per_layer,
                                               const std::vector<int64_t>& neurons_per_layer, int64_t group_size) {
  if (group_size < 1) fail("greedy_group_size", "must be >= 1");
  std::vector<GreedyCandidate> out;
  for (size_t l = 0; l < heads_per_layer.size(); ++l)
    for (int64_t h = 0; h < heads_per_layer[l]; ++h) out.push_back({UnitKind::Head, static_cast<int64_t>(l), {h}});
  for (size_t l = 0; l < neurons_per_layer.size(); ++l) {
    for (int64_t start = 0; start < neurons_per_layer[l]; start += group_size) {
      GreedyCandidate c{UnitKind::Neuron, static_cast<int64_t>(l), {}};
      for (int64_t n = start; n < std::min(neurons_per_layer[l], start + group_size); ++n) c.units.push_back(n);
      out.push_back(std::move(c));
    }
  }
  return out;
}

GreedyResult greedy_forward_selection(const std::vector<int64_t>& heads_per_layer,
                                      const std::vector<int64_t>& neurons_per_layer,
                                      const std::vector<int64_t>& heads_target,
                                      const std::vector<int64_t>& neurons_target,
                                      const std::vector<GreedyCandidate>& candidates, const MasksLoss& loss) {
  const size_t layers = heads_per_layer.size();
  if (neurons_per_layer.size() != layers || heads_target.size() != layers || neurons_target.size() != layers)
    fail("greedy selection", "sizes and targets must have one entry per layer");
  for (size_t l = 0; l < layers; ++l) {
    if (heads_target[l] < 1 || heads_target[l] > heads_per_layer[l] || neurons_target[l] < 1 ||
        neurons_target[l] > neurons_per_layer[l])
      fail("greedy selection", "layer " + std::to_string(l) + ": targets must be between 1 and the layer's size");
  }
  GreedyResult r;
  for (size_t l = 0; l < layers; ++l) {
    r.heads.emplace_back(static_cast<size_t>(heads_per_layer[l]), false);
    r.ffn.emplace_back(static_cast<size_t>(neurons_per_layer[l]), false);
  }
  std::vector<int64_t> heads_have(layers, 0), neurons_have(layers, 0);
  std::vector<bool> used(candidates.size(), false);
  // What a candidate would add now: its units not yet on, cut at its layer's remaining target.
  auto addition = [&](const GreedyCandidate& c) {
    const auto l = static_cast<size_t>(c.layer);
    if (l >= layers) fail("greedy selection", "a candidate names layer " + std::to_string(c.layer));
    const bool head = c.kind == UnitKind::Head;
    const LayerMasks& m = head ? r.heads : r.ffn;
    int64_t room = head ? heads_target[l] - heads_have[l] : neurons_target[l] - neurons_have[l];
    std::vector<int64_t> add;
    for (int64_t u : c.units) {
      if (room <= 0) break;
      if (u < 0 || u >= static_cast<int64_t>(m[l].size()))
        fail("greedy selection", "a candidate names unit " + std::to_string(u) + " of layer " + std::to_string(l));
      if (!m[l][static_cast<size_t>(u)]) add.push_back(u), --room;
    }
    return add;
  };
  auto set = [&](const GreedyCandidate& c, const std::vector<int64_t>& units, bool on) {
    LayerMasks& m = c.kind == UnitKind::Head ? r.heads : r.ffn;
    for (int64_t u : units) m[static_cast<size_t>(c.layer)][static_cast<size_t>(u)] = on;
  };
  r.empty_loss = loss(r.heads, r.ffn);
  while (true) {
    std::optional<GreedyPick> best;
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (used[i]) continue;
      const std::vector<int64_t> add = addition(candidates[i]);
      if (add.empty()) continue;
      set(candidates[i], add, true);
      const double value = loss(r.heads, r.ffn);
      set(candidates[i], add, false);
      if (!best || value < best->loss) best = GreedyPick{i, add, value};
    }
    if (!best) break;
    const GreedyCandidate& c = candidates[best->candidate];
    set(c, best->added, true);
    const auto l = static_cast<size_t>(c.layer);
    (c.kind == UnitKind::Head ? heads_have[l] : neurons_have[l]) += static_cast<int64_t>(best->added.size());
    used[best->candidate] = true;
    r.picks.push_back(*best);
  }
  for (size_t l = 0; l < layers; ++l) {
    if (heads_have[l] != heads_target[l] || neurons_have[l] != neurons_target[l])
      fail("greedy selection", "layer " + std::to_string(l) + ": the candidates do not cover the targets");
  }
  return r;
}

}  // namespace earlybert
