// A user's program linking the installed libearlybert: builds a tiny BERT sequence classifier from a
// config.json text through the installed headers, prunes one head, and runs one forward pass.
#include <earlybert/model/bert_config.h>
#include <earlybert/model/bert_for_sequence_classification.h>
#include <earlybert/prune/apply_plan.h>
#include <earlybert/runtime/threads.h>

#include <torch/torch.h>

#include <cmath>
#include <iostream>

int main() {
  const int n = earlybert::configure_threads(1);
  std::cout << "consumer: threads=" << n << "\n";
  if (n != 1) return 1;

  const auto config = earlybert::BertConfig::from_json(
      R"({"vocab_size": 64, "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 4,
          "intermediate_size": 32, "max_position_embeddings": 16, "num_labels": 3})",
      "consumer config");
  torch::manual_seed(0);
  earlybert::BertForSequenceClassification model(config);
  model->eval();

  earlybert::PruningPlan plan = earlybert::full_plan(config);
  plan.layers[0].kept_heads = {0, 1, 3};
  earlybert::apply_plan(model, plan);

  earlybert::Batch batch;
  batch.input_ids = torch::randint(1, config.vocab_size, {2, 8}, torch::kLong);
  batch.labels = torch::tensor({0, 2}, torch::kLong);
  const auto out = model->forward(batch);
  std::cout << "consumer: logits " << out.logits.sizes() << " loss " << out.loss.item<double>()
            << " heads in layer 0: " << model->config().layer_heads(0) << "\n";
  const bool ok = out.logits.size(0) == 2 && out.logits.size(1) == 3 && std::isfinite(out.loss.item<double>()) &&
                  model->config().layer_heads(0) == 3;
  return ok ? 0 : 1;
}
