// A user's own training loop with EarlyBERT, through libearlybert's public API only.
//
//   earlybert_own_loop [HF_BERT_DIR] OUTPUT_DIR
//
// It loads a Hugging Face BERT directory as a sequence classifier (or, without one, builds a tiny
// BERT), gives it slimming coefficients, and trains it on a small synthetic task (label = whether
// token 7 occurs in the sequence) with its own loop: AdamW + a linear schedule, the L1 penalty on the
// coefficients during the search, and EarlyBirdSearch deciding when the ticket is drawn. At the
// draw it writes ticket.json, rewinds and physically prunes the model, builds a fresh optimizer for the
// smaller tensors and trains on; at the end it saves the pruned model (config.json +
// model.safetensors) and loads it back to check that the shapes survive. Exit status 0 when a ticket
// was drawn, the model got smaller and the saved model reloads; 1 otherwise.
//
// The test suite builds and runs it (tests/CMakeLists.txt: example.own_loop).
#include <earlybert/earlybert.h>

#include <torch/torch.h>

#include <cstdio>
#include <iostream>
#include <string>

namespace eb = earlybert;

namespace {

/// A batch of the synthetic task: random tokens from [10, vocab), label 1 iff token 7 was planted.
eb::Batch synthetic_batch(int64_t batch_size, int64_t seq_len, int64_t vocab) {
  eb::Batch b;
  b.input_ids = torch::randint(10, vocab, {batch_size, seq_len}, torch::kLong);
  const torch::Tensor labels = torch::randint(0, 2, {batch_size}, torch::kLong);
  const torch::Tensor where = torch::randint(1, seq_len - 1, {batch_size}, torch::kLong);
  for (int64_t i = 0; i < batch_size; ++i)
    if (labels[i].item<int64_t>() == 1) b.input_ids[i][where[i].item<int64_t>()] = 7;
  b.input_ids.select(1, 0).fill_(2);  // a [CLS]-like first token
  b.attention_mask = torch::ones({batch_size, seq_len}, torch::kLong);
  b.labels = labels;
  return b;
}

int64_t parameter_count(const eb::AnyBertModel& m) {
  int64_t n = 0;
  for (const auto& p : m.module()->parameters()) n += p.numel();
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: earlybert_own_loop [HF_BERT_DIR] OUTPUT_DIR\n";
    return 2;
  }
  const std::string model_dir = argc == 3 ? argv[1] : "";
  const std::string out_dir = argv[argc - 1];
  try {
    eb::configure_threads(0);
    eb::make_directories(out_dir);
    torch::manual_seed(0);

    // --- the model, with slimming coefficients (init 1.0) on every head and FFN neuron ---
    std::optional<eb::AnyBertModel> loaded;
    if (!model_dir.empty()) {
      eb::PretrainedModel pm = eb::load_pretrained_model(model_dir, eb::ModelKind::SequenceClassification,
                                                         eb::LoadPolicy::initialise(), [](eb::BertConfig& c) {
                                                           c.num_labels = 2;
                                                           c.slimming = true;
                                                         });
      std::cout << "loaded " << model_dir << ": " << pm.report.summary() << "\n";
      loaded.emplace(std::move(pm.model));
    } else {
      eb::BertConfig c = eb::BertConfig::preset("bert-tiny");
      c.vocab_size = 64;
      c.max_position_embeddings = 32;
      c.num_labels = 2;
      c.slimming = true;
      loaded.emplace(eb::AnyBertModel::create(eb::ModelKind::SequenceClassification, c));
    }
    eb::AnyBertModel& model = *loaded;
    const int64_t vocab = std::min<int64_t>(model.config().vocab_size, 1000);
    const int64_t params_before = parameter_count(model);

    // --- the search: EarlyBERT's defaults, checked often, bounded so that this demo draws ---
    const int64_t total_steps = 24;
    eb::TicketOptions ticket;
    ticket.check_steps = 2;
    ticket.window = 2;
    ticket.threshold_heads = ticket.threshold_ffn = 0.1;
    ticket.max_search_steps = 10;
    eb::EarlyBirdSearch search(ticket, /*updates_per_epoch=*/total_steps);
    search.keep_rewind_weights(model);

    eb::OptimizerOptions opt;
    opt.learning_rate = 1e-3;
    opt.weight_decay = 0.01;
    auto optimizer = eb::make_optimizer(model.module()->named_parameters(), opt);
    eb::LrScheduleOptions sched;
    sched.learning_rate = opt.learning_rate;
    sched.warmup_steps = 2;
    const eb::LrSchedule schedule = eb::make_lr_schedule(sched, total_steps);

    model.module()->train();
    for (int64_t step = 0;; ++step) {
      // Once in a while: the early-bird check; when it draws, prune and start a fresh optimizer.
      const eb::SearchCheck check = search.after_update(step, model);
      if (check.drew()) {
        search.ticket().save(out_dir + "/ticket.json");
        std::cout << search.draw_summary() << "\n";
        const eb::PruneReport report = search.prune(model);
        std::cout << "pruned: body parameters " << report.params_before << " -> " << report.params_after << "\n";
        optimizer = eb::make_optimizer(model.module()->named_parameters(), opt);
      }
      if (step >= total_steps) break;

      // One update: task loss, + L1 on the coefficients while searching.
      const eb::Batch batch = synthetic_batch(16, 16, vocab);
      torch::Tensor loss = model.loss(batch);
      if (!search.drawn()) loss = loss + eb::slimming_l1_penalty(eb::slimming_coefficients(model.bert()), 1e-4, 1e-4);
      loss.backward();
      eb::clip_grad_norm(eb::optimizer_parameters(*optimizer), 1.0);
      eb::set_learning_rate(*optimizer, schedule.lr(step));
      optimizer->step();
      optimizer->zero_grad();
      if ((step + 1) % 4 == 0)
        std::printf("step %lld loss %.4f\n", static_cast<long long>(step + 1), loss.item<double>());
    }

    eb::save_pretrained(out_dir + "/model", model);
    const eb::BertConfig saved = eb::load_pretrained(out_dir + "/model");
    const bool reloads = saved.layer_heads(0) == model.config().layer_heads(0) &&
                         saved.layer_intermediate_size(0) == model.config().layer_intermediate_size(0);
    const int64_t params_after = parameter_count(model);
    std::cout << "parameters " << params_before << " -> " << params_after << "; ticket drawn at step "
              << search.ticket().draw_step << " (" << eb::to_string(search.ticket().reason) << ")"
              << "; saved model reloads: " << (reloads ? "yes" : "no") << "\n";
    return search.drawn() && params_after < params_before && reloads ? 0 : 1;
  } catch (const eb::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
}
