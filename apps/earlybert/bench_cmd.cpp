// `earlybert bench`: times full BERT training steps, dense and pruned, and the machine's GEMM rate,
// and prints one JSON line per configuration (docs/PERFORMANCE.md shows how they are used).
//
//   earlybert bench --model bert-small --head cls mlm --compare-pruned --steps 10
//   earlybert bench --model bert-small --dtype bf16          # bf16 autocast, as the trainer runs it
//   earlybert bench --gemm
//
// A training step is what the trainer does per update: gradients set to none, forward and loss (under
// autocast for --dtype bf16/fp16), backward (of the scaled loss for fp16), AdamW step (MultiTensorAdamW,
// as in the trainer; weight decay on every tensor but biases, LayerNorm and slimming coefficients;
// skipped by the loss scaler on inf/NaN for fp16). Inputs are random token ids with an all-ones
// attention mask; `cls` trains
// BertForSequenceClassification on random binary labels, `mlm` BertForMaskedLM with exactly 15% of
// the positions labelled (the rest -100). Steps are timed after --warmup untimed steps; the JSON
// reports the median (ms_per_step) and the fastest step, and the median of each phase, the dtype and
// the CPU matrix-product kernel in use ("matmul": onednn or aten, runtime/matmul.h; EARLYBERT_MATMUL
// forces one).
//
// model_gflops_per_step counts the matrix products a step performs on the model's actual (pruned)
// shapes, as 3 × the forward's (forward, plus input and weight gradients): Q/K/V/output projections,
// attention scores and context, FFN, pooler/classifier, and for mlm the transform and the vocabulary
// projection at the masked positions only (that is all our model computes). Element-wise work,
// embeddings and the optimizer are not counted: achieved_gflops = model FLOPs / step time is the
// number to compare with the GEMM rate that --gemm measures (MFU).
//
// --gemm times the forward product of a linear layer and the two products of its backward, in --dtype
// through the same kernel layer as the model, at BERT's shapes ([4096 tokens × hidden] · [hidden ×
// hidden / 4·hidden] and back, hidden = 128, 256, 512, 768) and prints one JSON line with the GFLOP/s
// of each and the aggregate per hidden size; given together with --model it runs first and every model
// line gets its "mfu" against the GEMM rate of the same hidden size.
#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "commands.h"
#include "earlybert/base/error.h"
#include "earlybert/model/any_bert_model.h"
#include "earlybert/optim/grad_scaler.h"
#include "earlybert/optim/optimizers.h"
#include "earlybert/prune/apply_plan.h"
#include "earlybert/prune/masks.h"
#include "earlybert/prune/pruning_plan.h"
#include "earlybert/runtime/matmul.h"
#include "earlybert/runtime/precision.h"
#include "earlybert/runtime/threads.h"

namespace earlybert::cli {
namespace {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

struct BenchOptions {
  std::string model;
  std::vector<std::string> heads{"cls"};
  int64_t seq_len = 128;
  int64_t batch_size = 32;
  int steps = 10;
  int warmup = 2;
  double prune_heads = 0.0;
  double prune_ffn = 0.0;
  bool compare_pruned = false;
  bool no_slimming = false;
  int threads = 0;
  std::string device = "cpu";
  std::string dtype = "fp32";
  bool tf32 = true;
  bool gemm = false;
  int gemm_repeats = 5;
  uint64_t seed = 0;
};

constexpr double kMaskedFraction = 0.15;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double round_to(double x, int digits) {
  const double f = std::pow(10.0, digits);
  return std::round(x * f) / f;
}

/// Waits for queued GPU work, so that wall-clock intervals measure the work itself.
void sync(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize();
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// ---- analytic FLOPs -----------------------------------------------------------------------------

/// Multiply-adds ×2 of one forward pass of the matrix products the model computes for `masked`
/// labelled positions (mlm) on its current, possibly pruned, shapes.
double forward_matmul_flops(const BertConfig& c, const std::string& head, int64_t batch, int64_t seq, int64_t masked) {
  const double tokens = static_cast<double>(batch * seq);
  const double h = static_cast<double>(c.hidden_size);
  const double d = static_cast<double>(c.head_dim());
  double flops = 0.0;
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const double att = static_cast<double>(c.layer_heads(l)) * d;  // width of the kept heads
    const double inter = static_cast<double>(c.layer_intermediate_size(l));
    flops += 2.0 * tokens * h * 3.0 * att;                              // query, key, value
    flops += 2.0 * 2.0 * static_cast<double>(batch) * seq * seq * att;  // scores and context
    flops += 2.0 * tokens * att * h;                                    // attention.output.dense
    flops += 2.0 * 2.0 * tokens * h * inter;                            // intermediate + output dense
  }
  if (head == "cls") {
    flops += 2.0 * batch * h * h;             // pooler
    flops += 2.0 * batch * h * c.num_labels;  // classifier
  } else {
    flops += 2.0 * masked * h * h;             // prediction-head transform
    flops += 2.0 * masked * h * c.vocab_size;  // decoder (tied word embeddings)
  }
  return flops;
}

// ---- inputs and models --------------------------------------------------------------------------

Batch random_batch(const BertConfig& c, const std::string& head, int64_t batch, int64_t seq, int64_t& masked) {
  Batch b;
  b.input_ids = torch::randint(1000, c.vocab_size, {batch, seq}, torch::kLong);
  b.token_type_ids = torch::zeros({batch, seq}, torch::kLong);
  b.attention_mask = torch::ones({batch, seq}, torch::kLong);
  if (head == "cls") {
    b.labels = torch::randint(0, c.num_labels, {batch}, torch::kLong);
    masked = 0;
  } else {
    masked = static_cast<int64_t>(std::llround(kMaskedFraction * static_cast<double>(batch * seq)));
    auto flat = torch::full({batch * seq}, -100, torch::kLong);
    const auto chosen = torch::randperm(batch * seq, torch::kLong).narrow(0, 0, masked);
    flat.index_put_({chosen}, b.input_ids.reshape({-1}).index_select(0, chosen));
    b.labels = flat.view({batch, seq});
  }
  return b;
}

/// Prunes `model` like an EarlyBERT draw would, from random coefficient magnitudes: per layer exactly
/// units_to_prune(n, ratio) heads and FFN neurons go (masks.h rule).
void prune_randomly(AnyBertModel& model, double heads_ratio, double ffn_ratio, uint64_t seed) {
  const BertConfig& c = model.config();
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::vector<std::vector<float>> head_scores(c.num_hidden_layers), ffn_scores(c.num_hidden_layers);
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    for (int64_t i = 0; i < c.layer_heads(l); ++i) head_scores[l].push_back(uniform(rng));
    for (int64_t i = 0; i < c.layer_intermediate_size(l); ++i) ffn_scores[l].push_back(uniform(rng));
  }
  const auto plan = plan_from_masks(draw_masks(head_scores, heads_ratio, PruneScope::Layerwise),
                                    draw_masks(ffn_scores, ffn_ratio, PruneScope::Layerwise));
  apply_plan(model, plan);
}

/// The trainer's optimizer (optim/optimizers.h), with Hugging Face's defaults for a fine-tuning run.
std::unique_ptr<torch::optim::Optimizer> make_adamw(const torch::nn::Module& module) {
  OptimizerOptions options;
  options.kind = OptimizerKind::AdamW;
  options.learning_rate = 1e-4;
  options.weight_decay = 0.01;
  return make_optimizer(module.named_parameters(), options);
}

Json bench_model(const BenchOptions& o, const std::string& head, bool pruned, const torch::Device& device, int threads,
                 const std::map<int64_t, double>& gemm_gflops) {
  torch::manual_seed(static_cast<uint64_t>(o.seed));
  BertConfig config = BertConfig::preset(o.model);
  config.num_labels = 2;
  config.slimming = !o.no_slimming;
  auto model = AnyBertModel::create(head == "cls" ? ModelKind::SequenceClassification : ModelKind::MaskedLM, config);
  if (pruned) prune_randomly(model, o.prune_heads, o.prune_ffn, o.seed + 1);
  auto module = model.module();
  module->to(device);
  module->train();
  auto optimizer = make_adamw(*module);
  // As the trainer: autocast over forward and loss; fp16 with dynamic loss scaling.
  const Precision precision = parse_enum<Precision>(o.dtype, "--dtype");
  GradScalerOptions scaler_options;
  scaler_options.enabled = precision == Precision::Fp16;
  GradScaler scaler(scaler_options);

  int64_t masked = 0;
  const Batch batch = random_batch(model.config(), head, o.batch_size, o.seq_len, masked).to(device);
  const auto params = module->parameters();

  std::vector<double> step_s, forward_s, backward_s, optimizer_s;
  for (int i = 0; i < o.warmup + o.steps; ++i) {
    sync(device);
    const auto t0 = Clock::now();
    for (auto& p : params) p.mutable_grad().reset();  // zero_grad(set_to_none=True)
    torch::Tensor loss;
    {
      AutocastGuard autocast(precision, device);
      loss = model.loss(batch);
    }
    sync(device);
    const double t_forward = seconds_since(t0);
    scaler.scale(loss).backward();
    sync(device);
    const double t_backward = seconds_since(t0);
    scaler.step(*optimizer);
    scaler.update();
    sync(device);
    const double t_step = seconds_since(t0);
    if (!std::isfinite(loss.item<double>())) fail("bench", "loss is not finite at step " + std::to_string(i));
    if (i < o.warmup) continue;
    step_s.push_back(t_step);
    forward_s.push_back(t_forward);
    backward_s.push_back(t_backward - t_forward);
    optimizer_s.push_back(t_step - t_backward);
  }

  const BertConfig& c = model.config();
  int64_t n_params = 0;
  for (const auto& p : params) n_params += p.numel();
  int64_t kept_heads = 0, kept_neurons = 0;
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    kept_heads += c.layer_heads(l);
    kept_neurons += c.layer_intermediate_size(l);
  }
  const double ms = median(step_s) * 1e3;
  const double gflops = 3.0 * forward_matmul_flops(c, head, o.batch_size, o.seq_len, masked) / 1e9;
  Json j;
  j["impl"] = "earlybert";
  j["model"] = o.model;
  j["head"] = head;
  j["pruned"] = pruned;
  j["slimming"] = !o.no_slimming;
  j["prune_heads"] = pruned ? o.prune_heads : 0.0;
  j["prune_ffn"] = pruned ? o.prune_ffn : 0.0;
  j["kept_heads"] = kept_heads;
  j["kept_ffn_neurons"] = kept_neurons;
  j["params"] = n_params;
  j["seq_len"] = o.seq_len;
  j["batch_size"] = o.batch_size;
  j["masked_positions"] = masked;
  j["steps"] = o.steps;
  j["threads"] = threads;
  j["device"] = device.str();
  j["dtype"] = o.dtype;
  j["matmul"] = device.is_cpu() ? to_string(effective_matmul_backend(compute_dtype(precision))) : "aten";
  j["ms_per_step"] = round_to(ms, 2);
  j["ms_min"] = round_to(*std::min_element(step_s.begin(), step_s.end()) * 1e3, 2);
  j["forward_ms"] = round_to(median(forward_s) * 1e3, 2);
  j["backward_ms"] = round_to(median(backward_s) * 1e3, 2);
  j["optimizer_ms"] = round_to(median(optimizer_s) * 1e3, 2);
  j["tokens_per_s"] = round_to(static_cast<double>(o.batch_size * o.seq_len) / (ms / 1e3), 1);
  j["model_gflops_per_step"] = round_to(gflops, 3);
  j["achieved_gflops"] = round_to(gflops / (ms / 1e3), 2);
  const auto g = gemm_gflops.find(config.hidden_size);
  if (g != gemm_gflops.end()) j["mfu"] = round_to(gflops / (ms / 1e3) / g->second, 3);
  j["torch"] = TORCH_VERSION;
  return j;
}

// ---- GEMM rate ----------------------------------------------------------------------------------

/// Times the three products of a Linear(k -> n) layer on m tokens: forward y = x·Wᵀ, input gradient
/// dx = dy·W and weight gradient dW = dyᵀ·x, each 2·m·k·n FLOPs, in --dtype through the kernel layer
/// the model uses (runtime/matmul.h: oneDNN or ATen, as EARLYBERT_MATMUL selects).
Json bench_gemm(const BenchOptions& o, const torch::Device& device, int threads, std::map<int64_t, double>& by_hidden) {
  const int64_t m = o.batch_size * o.seq_len;
  struct Shape {
    int64_t k, n;
  };
  // hidden × hidden (Q, K, V, attention output) and the two FFN products, per BERT width.
  const std::vector<Shape> shapes = {{128, 128}, {128, 512},  {512, 128},  {256, 256}, {256, 1024}, {1024, 256},
                                     {512, 512}, {512, 2048}, {2048, 512}, {768, 768}, {768, 3072}, {3072, 768}};
  const auto dtype = compute_dtype(parse_enum<Precision>(o.dtype, "--dtype"));
  const auto opts = torch::TensorOptions().dtype(dtype).device(device);
  Json per_shape = Json::array();
  std::map<int64_t, std::pair<double, double>> totals;  // hidden -> (flops, seconds)
  double all_flops = 0.0, all_s = 0.0;
  for (const auto& s : shapes) {
    const int64_t hidden = std::min(s.k, s.n);
    const auto x = torch::randn({m, s.k}, opts), w = torch::randn({s.n, s.k}, opts), dy = torch::randn({m, s.n}, opts);
    const double flops = 2.0 * m * s.k * s.n;
    Json entry;
    entry["m"] = m;
    entry["k"] = s.k;
    entry["n"] = s.n;
    for (const std::string op : {"forward", "grad_input", "grad_weight"}) {
      auto run = [&] {
        if (op == "forward") return earlybert::linear(x, w);
        if (op == "grad_input") return earlybert::matmul(dy, w);
        return earlybert::matmul(dy.t(), x);
      };
      run();  // warm-up: first-touch allocation, BLAS thread start
      std::vector<double> times;
      for (int r = 0; r < o.gemm_repeats; ++r) {
        sync(device);
        const auto t0 = Clock::now();
        run();
        sync(device);
        times.push_back(seconds_since(t0));
      }
      const double best = *std::min_element(times.begin(), times.end());
      const double med = median(times);
      entry[op + "_gflops"] = round_to(flops / med / 1e9, 2);
      entry[op + "_best_gflops"] = round_to(flops / best / 1e9, 2);
      totals[hidden].first += flops;
      totals[hidden].second += med;
      all_flops += flops;
      all_s += med;
    }
    per_shape.push_back(entry);
  }
  Json j;
  j["impl"] = "earlybert";
  j["gemm"] = true;
  j["dtype"] = o.dtype;
  j["matmul"] = device.is_cpu() ? to_string(effective_matmul_backend(dtype)) : "aten";
  j["device"] = device.str();
  j["threads"] = threads;
  j["repeats"] = o.gemm_repeats;
  j["shapes"] = per_shape;
  Json hidden_json;
  for (const auto& [hidden, t] : totals) {
    by_hidden[hidden] = t.first / t.second / 1e9;
    hidden_json[std::to_string(hidden)] = round_to(by_hidden[hidden], 2);
  }
  j["gflops_by_hidden"] = hidden_json;
  j["overall_gflops"] = round_to(all_flops / all_s / 1e9, 2);
  j["torch"] = TORCH_VERSION;
  return j;
}

void validate(const BenchOptions& o) {
  for (const auto& h : o.heads)
    if (h != "cls" && h != "mlm") fail("--head", "unknown head '" + h + "' (cls, mlm)");
  if (o.seq_len < 1) fail("--seq-len", "must be >= 1");
  if (o.batch_size < 1) fail("--batch-size", "must be >= 1");
  if (o.steps < 1) fail("--steps", "must be >= 1");
  if (o.warmup < 0) fail("--warmup", "must be >= 0");
  if (o.gemm_repeats < 1) fail("--gemm-repeats", "must be >= 1");
  for (const auto& [flag, v] :
       {std::pair<const char*, double>{"--prune-heads", o.prune_heads}, {"--prune-ffn", o.prune_ffn}})
    if (!(v >= 0.0 && v < 1.0)) fail(flag, "must be in [0, 1), got " + std::to_string(v));
  if (o.device != "cpu" && o.device != "cuda") fail("--device", "unknown device '" + o.device + "' (cpu, cuda)");
  if (o.device == "cuda" && !torch::cuda::is_available())
    fail("--device", "cuda requested but no CUDA device is available");
  const Precision precision = parse_enum<Precision>(o.dtype, "--dtype");
  if (!autocast_supported(precision, o.device == "cuda" ? c10::DeviceType::CUDA : c10::DeviceType::CPU)) {
    fail("--dtype", o.dtype + " needs a CUDA device (LibTorch's CPU autocast supports only bf16)");
  }
}

void run_bench(BenchOptions o) {
  if (o.model.empty() && !o.gemm) o.model = "bert-small";
  if (!o.model.empty()) BertConfig::preset(o.model);  // an unknown name fails here, listing the valid ones
  if (o.compare_pruned && o.prune_heads == 0.0 && o.prune_ffn == 0.0) {
    o.prune_heads = 1.0 / 3.0;  // EarlyBERT's setting: a third of the heads, 40% of the FFN neurons
    o.prune_ffn = 0.4;
  }
  validate(o);
  const torch::Device device(o.device == "cuda" ? torch::kCUDA : torch::kCPU);
  const int threads = configure_threads(o.threads);
  set_tf32(o.tf32);  // the trainer's default; matters for fp32 on CUDA only

  std::map<int64_t, double> gemm_gflops;
  if (o.gemm) std::cout << bench_gemm(o, device, threads, gemm_gflops).dump() << std::endl;
  if (o.model.empty()) return;
  const bool pruned = o.prune_heads > 0.0 || o.prune_ffn > 0.0;
  for (const auto& head : o.heads) {
    if (!pruned || o.compare_pruned)
      std::cout << bench_model(o, head, false, device, threads, gemm_gflops).dump() << std::endl;
    if (pruned) std::cout << bench_model(o, head, true, device, threads, gemm_gflops).dump() << std::endl;
  }
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto opts = std::make_shared<BenchOptions>();
  auto* cmd = app.add_subcommand("bench", "Time BERT training steps (dense and pruned) and GEMM rates; JSON lines");
  cmd->add_option("--model", opts->model,
                  "Preset: bert-tiny, bert-mini, bert-small, bert-medium, bert-base, bert-large "
                  "(default bert-small unless only --gemm is asked for)");
  cmd->add_option("--head", opts->heads, "Task head(s): cls (sequence classification), mlm (masked LM)")
      ->capture_default_str();
  cmd->add_option("--seq-len", opts->seq_len, "Sequence length")->capture_default_str();
  cmd->add_option("--batch-size", opts->batch_size, "Sequences per step")->capture_default_str();
  cmd->add_option("--steps", opts->steps, "Timed steps")->capture_default_str();
  cmd->add_option("--warmup", opts->warmup, "Untimed steps first")->capture_default_str();
  cmd->add_option("--prune-heads", opts->prune_heads, "Fraction of heads pruned per layer (random ticket)")
      ->capture_default_str();
  cmd->add_option("--prune-ffn", opts->prune_ffn, "Fraction of FFN neurons pruned per layer (random ticket)")
      ->capture_default_str();
  cmd->add_flag("--compare-pruned", opts->compare_pruned,
                "Run the dense model and the pruned one (ratios default to 1/3 heads, 0.4 FFN)");
  cmd->add_flag("--no-slimming", opts->no_slimming,
                "Models without slimming coefficients (a dense baseline run's model; by default the dense model "
                "is the search phase's, with coefficients, and the pruned one keeps the surviving ones)");
  cmd->add_option("--threads", opts->threads, "Intra-op threads (0 = all usable cores)")->capture_default_str();
  cmd->add_option("--device", opts->device, "cpu or cuda")->capture_default_str();
  cmd->add_option("--dtype", opts->dtype,
                  "fp32, bf16 (autocast) or fp16 (autocast + loss scaling; CUDA only); also the GEMM dtype")
      ->capture_default_str();
  cmd->add_option("--tf32", opts->tf32, "TF32 for fp32 matrix products on CUDA (true/false)")->capture_default_str();
  cmd->add_flag("--gemm", opts->gemm, "Measure GEMM GFLOP/s at BERT shapes in --dtype (for MFU)");
  cmd->add_option("--gemm-repeats", opts->gemm_repeats, "Timed repetitions per GEMM")->capture_default_str();
  cmd->add_option("--seed", opts->seed, "Seed of the weights, inputs and the random pruning plan")
      ->capture_default_str();
  cmd->callback([opts] { run_bench(*opts); });
}

}  // namespace earlybert::cli
