// Physical pruning of heads and FFN neurons, keeping the surviving weights exactly.
#include "earlybert/prune/apply_plan.h"

#include <algorithm>

namespace earlybert {

namespace {

struct Pruner {
  PruneReport& report;
  std::string prefix;

  // Replaces `param`'s data by its entries `index` along `dim` (same leaf tensor, grad cleared).
  void select(torch::Tensor& param, int64_t dim, const torch::Tensor& index, const std::string& name) {
    const auto old_shape = param.sizes().vec();
    auto kept = param.detach().index_select(dim, index.to(param.device())).clone();
    param.set_data(kept);
    param.mutable_grad() = torch::Tensor();
    report.changed.push_back({prefix + name, old_shape, param.sizes().vec()});
  }
};

torch::Tensor to_index(const std::vector<int64_t>& v) {
  return torch::tensor(v, torch::TensorOptions().dtype(torch::kLong));
}

// Rows h·d … h·d+d−1 of every kept head h.
torch::Tensor head_rows(const std::vector<int64_t>& heads, int64_t d) {
  std::vector<int64_t> rows;
  for (int64_t h : heads) {
    for (int64_t j = 0; j < d; ++j) rows.push_back(h * d + j);
  }
  return to_index(rows);
}

int64_t count_params(torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

void set_layer_options(BertLayerImpl& layer, const BertLayerOptions& o) {
  layer.options = o;
  layer.attention->options = o;
  layer.attention->self->options = o;
  layer.attention->output->options = o;
  layer.intermediate->options = o;
  layer.output->options = o;
}

void prune_heads(BertLayerImpl& layer, const std::vector<int64_t>& kept, Pruner& pr, const std::string& base) {
  auto& self = *layer.attention->self;
  auto& out = *layer.attention->output;
  const auto rows = head_rows(kept, self.options.head_dim());
  const int64_t width = rows.numel();
  pr.select(self.query->weight, 0, rows, base + "attention.self.query.weight");
  pr.select(self.query->bias, 0, rows, base + "attention.self.query.bias");
  pr.select(self.key->weight, 0, rows, base + "attention.self.key.weight");
  pr.select(self.key->bias, 0, rows, base + "attention.self.key.bias");
  pr.select(self.value->weight, 0, rows, base + "attention.self.value.weight");
  pr.select(self.value->bias, 0, rows, base + "attention.self.value.bias");
  pr.select(out.dense->weight, 1, rows, base + "attention.output.dense.weight");
  if (self.slimming_coef.defined()) {
    pr.select(self.slimming_coef, 0, to_index(kept), base + "attention.self.slimming_coef");
  }
  self.query->options.out_features(width);
  self.key->options.out_features(width);
  self.value->options.out_features(width);
  out.dense->options.in_features(width);
  set_layer_options(layer, BertLayerOptions(layer.options).num_heads(static_cast<int64_t>(kept.size())));
}

void prune_neurons(BertLayerImpl& layer, const std::vector<int64_t>& kept, Pruner& pr, const std::string& base) {
  const auto index = to_index(kept);
  auto& inter = *layer.intermediate;
  auto& out = *layer.output;
  pr.select(inter.dense->weight, 0, index, base + "intermediate.dense.weight");
  pr.select(inter.dense->bias, 0, index, base + "intermediate.dense.bias");
  pr.select(out.dense->weight, 1, index, base + "output.dense.weight");
  if (layer.slimming_coef.defined()) pr.select(layer.slimming_coef, 0, index, base + "slimming_coef");
  const auto width = static_cast<int64_t>(kept.size());
  inter.dense->options.out_features(width);
  out.dense->options.in_features(width);
  set_layer_options(layer, BertLayerOptions(layer.options).intermediate_size(width));
}

// Original (unpruned) indices of the heads a layer has now, from config.pruned_heads.
std::vector<int64_t> current_original_heads(const BertConfig& c, int64_t layer) {
  std::vector<int64_t> removed;
  if (auto it = c.pruned_heads.find(layer); it != c.pruned_heads.end()) removed = it->second;
  std::vector<int64_t> out;
  for (int64_t h = 0; h < c.num_attention_heads; ++h) {
    if (std::find(removed.begin(), removed.end(), h) == removed.end()) out.push_back(h);
  }
  return out;
}

}  // namespace

PruneReport apply_plan(BertModelImpl& bert, const PruningPlan& plan, const std::string& prefix) {
  BertConfig& config = bert.mutable_config();
  validate_plan(plan, config);
  PruneReport report;
  report.params_before = count_params(bert);
  Pruner pr{report, prefix};
  torch::NoGradGuard no_grad;

  BertConfig next = config;
  next.heads_per_layer.resize(static_cast<size_t>(config.num_hidden_layers));
  next.intermediate_sizes.resize(static_cast<size_t>(config.num_hidden_layers));
  for (int64_t i = 0; i < config.num_hidden_layers; ++i) {
    const auto& lp = plan.layers[static_cast<size_t>(i)];
    auto& layer = bert.encoder->at(i);
    const std::string base = "encoder.layer." + std::to_string(i) + ".";
    const auto original = current_original_heads(config, i);
    if (static_cast<int64_t>(lp.kept_heads.size()) < lp.num_heads) prune_heads(layer, lp.kept_heads, pr, base);
    if (static_cast<int64_t>(lp.kept_neurons.size()) < lp.intermediate_size) {
      prune_neurons(layer, lp.kept_neurons, pr, base);
    }
    next.heads_per_layer[static_cast<size_t>(i)] = static_cast<int64_t>(lp.kept_heads.size());
    next.intermediate_sizes[static_cast<size_t>(i)] = static_cast<int64_t>(lp.kept_neurons.size());
    // Hugging Face's pruned_heads is in the original numbering: map the kept local heads back. A
    // layer built with fewer heads but no pruned_heads record has no original numbering: record none.
    std::vector<int64_t> removed;
    if (static_cast<int64_t>(original.size()) == lp.num_heads) {
      for (int64_t h = 0; h < config.num_attention_heads; ++h) {
        bool kept = false;
        for (int64_t k : lp.kept_heads) kept = kept || original[static_cast<size_t>(k)] == h;
        if (!kept) removed.push_back(h);
      }
    }
    if (removed.empty()) {
      next.pruned_heads.erase(i);
    } else {
      next.pruned_heads[i] = removed;
    }
  }
  next.validate("pruned config");
  config = next;
  bert.encoder->config = next;
  bert.embeddings->config = next;
  if (bert.pooler) bert.pooler->config = next;
  report.params_after = count_params(bert);
  return report;
}

PruneReport apply_plan(BertModel& bert, const PruningPlan& plan) { return apply_plan(*bert.ptr(), plan, ""); }
PruneReport apply_plan(BertForPreTraining& m, const PruningPlan& plan) {
  return apply_plan(*m->bert.ptr(), plan, "bert.");
}
PruneReport apply_plan(BertForMaskedLM& m, const PruningPlan& plan) {
  return apply_plan(*m->bert.ptr(), plan, "bert.");
}
PruneReport apply_plan(BertForSequenceClassification& m, const PruningPlan& plan) {
  return apply_plan(*m->bert.ptr(), plan, "bert.");
}
PruneReport apply_plan(BertForQuestionAnswering& m, const PruningPlan& plan) {
  return apply_plan(*m->bert.ptr(), plan, "bert.");
}
PruneReport apply_plan(BertForTokenClassification& m, const PruningPlan& plan) {
  return apply_plan(*m->bert.ptr(), plan, "bert.");
}
PruneReport apply_plan(AnyBertModel& model, const PruningPlan& plan) {
  return apply_plan(*model.bert().ptr(), plan, "bert.");
}

AnyBertModel pruned_clone(const AnyBertModel& model, const PruningPlan& plan) {
  validate_plan(plan, model.config());
  auto copy = model.clone();
  apply_plan(copy, plan);
  return copy;
}

}  // namespace earlybert
