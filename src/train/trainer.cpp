// The EarlyBERT trainer: setup, the loop (search → draw → efficient training), checkpoints, resume.
// See include/earlybert/train/trainer.h for the shape of the loop and the files it writes.
#include "earlybert/train/trainer.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/json_fields.h"
#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/base/log.h"
#include "earlybert/data/pretraining_random.h"
#include "earlybert/data/pretraining_sampler.h"
#include "earlybert/io/checkpoint.h"
#include "earlybert/io/safetensors.h"
#include "earlybert/model/slimming.h"
#include "earlybert/prune/apply_plan.h"
#include "earlybert/prune/l1_penalty.h"
#include "earlybert/runtime/threads.h"
#include "earlybert/train/checkpoint_dirs.h"
#include "earlybert/train/draw_rule.h"
#include "earlybert/train/early_bird.h"
#include "earlybert/train/lr_schedule.h"
#include "earlybert/train/metrics_log.h"
#include "earlybert/train/model_presets.h"
#include "earlybert/train/optimizers.h"
#include "earlybert/train/rank_zero_writer.h"
#include "earlybert/train/stop_signal.h"
#include "earlybert/train/task_tokenizer.h"
#include "earlybert/train/tensorboard.h"
#include "earlybert/train/ticket.h"
#include "earlybert/train/trainer_state.h"

namespace fs = std::filesystem;

namespace earlybert {
namespace {

using Clock = std::chrono::steady_clock;
using ordered_json = nlohmann::ordered_json;

constexpr const char* kOptimizerFile = "optimizer.pt";
constexpr const char* kSchedulerFile = "scheduler.json";
constexpr const char* kTrainerStateFile = "trainer_state.json";
constexpr const char* kTicketFile = "ticket.json";
constexpr const char* kTimingFile = "timing.json";

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int64_t count_parameters(const AnyBertModel& m) {
  int64_t n = 0;
  for (const auto& p : m.module()->parameters()) n += p.numel();
  return n;
}

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  const auto t = static_cast<int64_t>(std::llround(s));
  if (t >= 3600) return logging::format("{}h{:02d}m", t / 3600, (t % 3600) / 60);
  if (t >= 60) return logging::format("{}m{:02d}s", t / 60, t % 60);
  if (s < 10) return logging::format("{:.1f}s", s);
  return logging::format("{}s", t);
}

bool lower_is_better(const std::string& metric) {
  return metric == "perplexity" || (metric.size() >= 4 && metric.compare(metric.size() - 4, 4, "loss") == 0);
}

std::string times_json(const PhaseTimes& t) {
  ordered_json j;
  j["search"] = t.search;
  j["efficient"] = t.efficient;
  j["dense"] = t.dense;
  j["eval"] = t.eval;
  j["checkpoint"] = t.checkpoint;
  j["total"] = t.total;
  return j.dump(2) + "\n";
}

PhaseTimes times_from_json(const std::string& path) {
  const auto doc = json_fields::parse_file(path);
  json_fields::JsonReader r(doc, path);
  PhaseTimes t;
  t.search = r.require<double>("search");
  t.efficient = r.require<double>("efficient");
  t.dense = r.require<double>("dense");
  t.eval = r.require<double>("eval");
  t.checkpoint = r.require<double>("checkpoint");
  t.total = r.require<double>("total");
  return t;
}

/// True when the safetensors file of model directory `dir` holds slimming coefficients.
bool checkpoint_has_slimming(const std::string& dir) {
  const std::string path = join_path(dir, kWeightsFileName);
  if (!path_exists(path)) return false;  // load_pretrained_model reports the missing file
  for (const auto& e : read_safetensors_index(path).entries)
    if (e.name.find("slimming_coef") != std::string::npos) return true;
  return false;
}

}  // namespace

torch::Device resolve_device(const std::string& device) {
  if (device == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  if (device == "cpu") return torch::Device(torch::kCPU);
  if (device.rfind("cuda", 0) == 0) {
    std::optional<torch::Device> d;
    try {
      d = torch::Device(device);
    } catch (const c10::Error&) {
      fail("device", "'" + device + "' is not a device (auto, cpu, cuda, cuda:N)");
    }
    if (!torch::cuda::is_available()) fail("device", "'" + device + "' asked for, but CUDA is not available");
    if (d->has_index() && d->index() >= static_cast<int64_t>(torch::cuda::device_count()))
      fail("device", "'" + device + "': only " + std::to_string(torch::cuda::device_count()) + " CUDA device(s)");
    return *d;
  }
  fail("device", "'" + device + "' is not a device (auto, cpu, cuda, cuda:N)");
}

uint64_t epoch_seed(int64_t seed, int64_t epoch) {
  return mix_seed(static_cast<uint64_t>(seed), static_cast<uint64_t>(epoch), 0x7461736bULL /* "task" */);
}

struct Trainer::Impl {
  TrainingArguments args;
  std::unique_ptr<Task> task;
  TrainerHooks hooks;
  DistributedInfo dist;
  RankZeroWriter out;
  torch::Device device{torch::kCPU};
  std::optional<AnyBertModel> model;
  std::string tokenizer_file;

  // --- budget and schedule ---
  int64_t n_train = 0;
  int64_t batches_per_epoch = 0;
  int64_t updates_per_epoch = 0;
  int64_t total = 0;
  DrawRule rule;
  LrSchedule schedule;
  std::unique_ptr<torch::optim::Optimizer> optimizer;

  // --- EarlyBERT ---
  bool searching = false;  ///< this run searches (a searching ticket_mode and no given ticket)
  EarlyBirdDetector detector;
  Ticket ticket;
  TensorMap initial_state;  ///< CPU copy of the weights before the search (rewind initial)
  std::string phase;
  int64_t draw_step = -1;
  std::string draw_reason;

  // --- where the run stands ---
  int64_t step = 0;
  DataPosition pos;
  int64_t order_epoch = -1;
  std::vector<int64_t> order;
  PhaseTimes times;  ///< accumulated, including earlier runs of a resumed training
  double times_total_base = 0;
  std::optional<double> best_metric;
  std::string best_model_checkpoint;
  std::optional<double> eval_metric_now;  ///< the best-model metric of an evaluation at this step
  int64_t last_saved_step = -1;
  std::string last_checkpoint;
  std::vector<MetricsRecord> log_history;
  std::unique_ptr<MetricsLogger> metrics;
  std::unique_ptr<TensorBoardWriter> tensorboard;
  int64_t params_initial = 0;
  Clock::time_point run_start;
  bool tty = false;

  Impl(TrainingArguments a, std::unique_ptr<Task> t, TrainerHooks h)
      : args(std::move(a)),
        task(std::move(t)),
        hooks(std::move(h)),
        dist(DistributedInfo::from_environment()),
        out(args.output_dir, dist),
        detector(args.ticket_threshold, args.ticket_window) {
    if (!task) fail("task", "no task");
    tty = ::isatty(STDERR_FILENO) == 1;
  }

  // ------------------------------------------------------------------------------------------------
  // setup

  void common_setup() {
    if (dist.world_size > 1)
      fail("WORLD_SIZE", "data-parallel training is not implemented yet (WORLD_SIZE=" +
                             std::to_string(dist.world_size) + "); run one process");
    if (args.bf16) fail("bf16", "bf16 autocast is not implemented yet; set bf16: false");
    configure_threads(static_cast<int>(args.threads));
    device = resolve_device(args.device);
    tokenizer_file = resolve_tokenizer_file(args);
  }

  /// The model before any training: a checkpoint / Hugging Face directory, or a new one from
  /// config_name; seeded so that a new head gets the same initialisation in every run with this seed.
  AnyBertModel build_initial_model(bool slimming) {
    torch::manual_seed(static_cast<uint64_t>(args.seed));
    const ModelKind kind = task->model_kind();
    if (!args.model_name_or_path.empty()) {
      const std::string& dir = args.model_name_or_path;
      if (!fs::is_directory(dir)) fail("model_name_or_path", "no such directory: '" + dir + "'");
      const bool has_coefficients = checkpoint_has_slimming(dir);
      auto adjust = [&](BertConfig& c) {
        task->configure_model(c);
        c.slimming = slimming || has_coefficients;
      };
      PretrainedModel pm = load_pretrained_model(dir, kind, LoadPolicy::initialise(), adjust);
      logging::info("model {} from {}: {}", architecture_name(kind), dir, pm.report.summary());
      return std::move(pm.model);
    }
    if (args.config_name.empty())
      fail("model_name_or_path",
           "no model: set model_name_or_path (a checkpoint or Hugging Face directory) or config_name (a preset "
           "such as bert-small, or a model config file)");
    BertConfig config = load_model_config(args.config_name);
    task->configure_model(config);
    config.slimming = slimming;
    config.validate("config_name '" + args.config_name + "'");
    logging::info("new model {} ({}): {} layers, hidden {}, {} heads, FFN {}", architecture_name(kind),
                  args.config_name, config.num_hidden_layers, config.hidden_size, config.num_attention_heads,
                  config.intermediate_size);
    return AnyBertModel::create(kind, config);
  }

  void make_fresh_optimizer() { optimizer = make_optimizer(model->module()->named_parameters(), args); }

  /// Loads everything a checkpoint holds (the model is rebuilt from its config.json, so pruned shapes
  /// come back). The torch RNG is restored by the caller, last.
  TrainerState load_checkpoint(const std::string& dir) {
    const TrainerState st = TrainerState::load(join_path(dir, kTrainerStateFile));
    if (st.world_size != dist.world_size)
      fail(join_path(dir, kTrainerStateFile) + ": key 'world_size'",
           "checkpoint written with " + std::to_string(st.world_size) + " process(es), this run has " +
               std::to_string(dist.world_size));
    const BertConfig config = load_pretrained(dir);
    AnyBertModel m = AnyBertModel::create(task->model_kind(), config);
    const LoadReport report = load_weights(dir, m);
    report.enforce(LoadPolicy::exact(), join_path(dir, kWeightsFileName));
    model = std::move(m);
    model->module()->to(device);
    step = st.global_step;
    pos = st.data_position;
    phase = st.phase;
    draw_step = st.draw_step;
    draw_reason = st.draw_reason;
    if (!st.early_bird.empty())
      detector = EarlyBirdDetector::from_json(st.early_bird, join_path(dir, kTrainerStateFile) + ": key 'early_bird'");
    if (path_exists(join_path(dir, kTicketFile))) ticket = Ticket::load(join_path(dir, kTicketFile));
    if (path_exists(join_path(dir, kTimingFile))) times = times_from_json(join_path(dir, kTimingFile));
    times_total_base = times.total;
    best_metric = st.best_metric;
    best_model_checkpoint = st.best_model_checkpoint;
    log_history.clear();
    for (const auto& r : st.log_history)
      if (r.step <= step) log_history.push_back(r);
    if (st.max_steps != total)
      logging::warn("resuming with a budget of {} updates; the checkpoint's run had {}", total, st.max_steps);
    make_fresh_optimizer();
    load_optimizer_state(*optimizer, join_path(dir, kOptimizerFile));
    last_saved_step = step;
    last_checkpoint = dir;
    return st;
  }

  /// Refuses to mix a new run into an output_dir that holds one, unless asked to overwrite.
  void prepare_output_dir(bool resuming) {
    if (!out.is_main()) return;
    for (const auto& p : remove_incomplete_checkpoints(args.output_dir))
      logging::warn("removed incomplete checkpoint {} (left by an interrupted save)", p);
    if (resuming) return;
    const bool has_run = !list_checkpoints(args.output_dir).empty() || path_exists(out.path("metrics.jsonl"));
    if (has_run && !args.overwrite_output_dir)
      fail("output_dir", "'" + args.output_dir +
                             "' already holds a run; resume it with resume_from_checkpoint latest, or set "
                             "overwrite_output_dir");
    if (has_run) {
      for (const auto& c : list_checkpoints(args.output_dir)) remove_all(c.path);
      for (const char* f : {"metrics.jsonl", kTicketFile, "eval_results.json", "train_results.json", kTrainerStateFile})
        remove_all(out.path(f));
      if (args.logging_dir.empty()) remove_all(out.path("runs"));  // the old run's TensorBoard events
    }
  }

  void setup_training() {
    common_setup();
    run_start = Clock::now();
    prepare_output_dir(!args.resume_from_checkpoint.empty());
    const std::string resume_dir = resolve_resume_checkpoint(args.resume_from_checkpoint, args.output_dir);

    // --- the budget (Hugging Face's arithmetic) ---
    n_train = task->train_size();
    if (n_train <= 0) fail("task", "'" + task->name() + "' has no training examples");
    const int64_t bs = args.per_device_train_batch_size;
    batches_per_epoch = (n_train + bs - 1) / bs;
    updates_per_epoch = update_steps_per_epoch(batches_per_epoch, args.gradient_accumulation_steps);
    total = total_update_steps(args, updates_per_epoch);
    rule = DrawRule::from_arguments(args, updates_per_epoch);
    searching = rule.searches() && args.ticket.empty();
    schedule = make_lr_schedule(args, total);
    ticket = Ticket::for_arguments(args, rule.max_search_steps);

    // --- the model before training; its weights are the rewind target ---
    const bool slimming = searching;
    AnyBertModel initial = build_initial_model(slimming);
    params_initial = count_parameters(initial);
    if (searching && args.rewind == "initial") {
      for (const auto& item : initial.module()->named_parameters())
        initial_state.insert(item.key(), item.value().detach().to(torch::kCPU).clone());
      for (const auto& item : initial.module()->named_buffers())
        initial_state.insert(item.key(), item.value().detach().to(torch::kCPU).clone());
    }

    phase = rule.mode == TicketMode::None ? "dense" : "search";
    if (!resume_dir.empty()) {
      logging::info("resuming from {}", resume_dir);
      TrainerState st = load_checkpoint(resume_dir);
      open_logs(true);
      restore_torch_rng_state(st.rng, join_path(resume_dir, kTrainerStateFile) + ": key 'rng'");
      logging::info("resumed at step {} ({}), data epoch {} batch {}", step, phase, pos.epoch, pos.batch_in_epoch);
      return;
    }
    model = std::move(initial);
    if (!args.ticket.empty()) apply_given_ticket();
    model->module()->to(device);
    make_fresh_optimizer();
    open_logs(false);
  }

  void apply_given_ticket() {
    Ticket given = Ticket::load_drawn(args.ticket);
    if (already_pruned_by(model->config(), given.plan)) {
      logging::info("ticket {}: the model is already pruned by it", args.ticket);
    } else {
      validate_plan(given.plan, model->config(), args.ticket);
      const PruneReport report = apply_plan(*model, given.plan);
      logging::info("ticket {} (drawn at step {} by {}) applied: parameters {} -> {}", args.ticket, given.draw_step,
                    given.reason, report.params_before, report.params_after);
    }
    ticket = given;
    out.write_file(kTicketFile, given.to_json());
    phase = "efficient";
    draw_step = 0;
    draw_reason = "ticket";
  }

  void open_logs(bool resuming) {
    out.make_directories();
    out.write_file("config.yaml", to_yaml(args));
    metrics = std::make_unique<MetricsLogger>(out);
    if (resuming) metrics->truncate_after(step);
    tensorboard =
        std::make_unique<TensorBoardWriter>(out, args.logging_dir.empty() ? std::string("runs") : args.logging_dir);
  }

  // ------------------------------------------------------------------------------------------------
  // data

  /// The next micro-batch of the stream; advances the position.
  Batch next_batch() {
    if (pos.batch_in_epoch >= batches_per_epoch) {
      pos.epoch += 1;
      pos.batch_in_epoch = 0;
    }
    if (order_epoch != pos.epoch) {
      // epoch_order: a portable Fisher–Yates shuffle, the same on every platform and after a resume.
      const auto perm = epoch_order(static_cast<size_t>(n_train), static_cast<uint64_t>(args.seed),
                                    static_cast<uint64_t>(pos.epoch), true);
      order.assign(perm.begin(), perm.end());
      order_epoch = pos.epoch;
    }
    const int64_t bs = args.per_device_train_batch_size;
    const int64_t begin = pos.batch_in_epoch * bs;
    const int64_t end = std::min(n_train, begin + bs);
    std::vector<int64_t> indices(order.begin() + begin, order.begin() + end);
    Batch batch = task->train_batch(indices, epoch_seed(args.seed, pos.epoch));
    pos.batch_in_epoch += 1;
    pos.samples_seen += end - begin;
    return batch;
  }

  double epoch_now() const { return static_cast<double>(step) / static_cast<double>(updates_per_epoch); }

  double peak_lr() const {
    return phase == "search" && args.search_learning_rate > 0 ? args.search_learning_rate : args.learning_rate;
  }

  // ------------------------------------------------------------------------------------------------
  // EarlyBERT: the draw

  /// The once-in-a-while draw check after `step` updates: record the masks on check steps, then ask
  /// the rule. The one place the draw is decided.
  void draw_check() {
    if (draw_step >= 0 || rule.mode == TicketMode::None || !args.ticket.empty()) return;
    bool stable = false;
    std::optional<TicketMasks> masks;
    if (rule.is_check_step(step)) {
      const SlimmingScores scores = slimming_scores(slimming_coefficients(model->bert()));
      masks = current_masks(scores, args);
      stable = detector.observe(step, masks->heads, masks->ffn);
      ticket.coefficient_snapshots.push_back(make_snapshot(step, scores, *masks, false));
      const EarlyBirdRecord& rec = detector.history().back();
      Scalars s = {{"earlybird/dist_heads", static_cast<float>(rec.dist_heads)},
                   {"earlybird/dist_ffn", static_cast<float>(rec.dist_ffn)}};
      if (rec.window_max_heads >= 0) {
        s.push_back({"earlybird/window_max_heads", static_cast<float>(rec.window_max_heads)});
        s.push_back({"earlybird/window_max_ffn", static_cast<float>(rec.window_max_ffn)});
      }
      tensorboard->add_scalars(step, s);
      logging::debug("mask check at step {}: distance heads {:.4f}, FFN {:.4f}", step, rec.dist_heads, rec.dist_ffn);
    }
    const DrawReason why = rule.decide(step, stable);
    if (why != DrawReason::NotYet) draw(why, masks);
  }

  void draw(DrawReason why, const std::optional<TicketMasks>& checked) {
    const Clock::time_point t0 = Clock::now();
    PruningPlan plan;
    if (why == DrawReason::Random) {
      plan = random_ticket_plan(model->config(), args);
    } else {
      const SlimmingScores scores = slimming_scores(slimming_coefficients(model->bert()));
      const TicketMasks masks = checked ? *checked : current_masks(scores, args);
      plan = plan_from_masks(masks.heads, masks.ffn);
      // The snapshot of the draw carries the FFN coefficients too.
      if (!ticket.coefficient_snapshots.empty() && ticket.coefficient_snapshots.back().step == step)
        ticket.coefficient_snapshots.pop_back();
      ticket.coefficient_snapshots.push_back(make_snapshot(step, scores, masks, true));
    }
    ticket.draw_step = step;
    ticket.reason = to_string(why);
    ticket.plan = plan;
    ticket.distance_history = detector.history();
    out.write_file(kTicketFile, ticket.to_json());

    const auto& hist = detector.history();
    const bool observed_now = !hist.empty() && hist.back().step == step;
    const std::string distances = observed_now
                                      ? logging::format("mask distance to the previous check: heads {:.4f}, FFN {:.4f}",
                                                        hist.back().dist_heads, hist.back().dist_ffn)
                                      : std::string("no mask check at this step");
    const std::string window =
        observed_now && hist.back().window_max_heads >= 0
            ? logging::format(" (max over the last {}: heads {:.4f}, FFN {:.4f}; threshold {})", detector.window(),
                              hist.back().window_max_heads, hist.back().window_max_ffn, detector.threshold())
            : std::string();
    const std::string because = why == DrawReason::EarlyBird     ? "the early-bird rule"
                                : why == DrawReason::SearchBound ? "bound: max_search_steps reached before the masks "
                                                                   "stabilised"
                                : why == DrawReason::FixedStep   ? "fixed step"
                                                                 : "random ticket (no search)";
    logging::info("ticket drawn at step {} by {}; {}{}", step, because, distances, window);

    if (args.rewind == "initial" && !initial_state.is_empty()) {
      const LoadReport r = load_state_dict(*model->module(), initial_state, "initial weights");
      r.enforce(LoadPolicy::exact(), "initial weights");
      logging::info("rewound to the weights from before the search");
    }
    const PruneReport report = apply_plan(*model, plan);
    int64_t heads_total = 0, neurons_total = 0;
    for (const auto& l : plan.layers) {
      heads_total += l.num_heads;
      neurons_total += l.intermediate_size;
    }
    logging::info("pruned: {}/{} heads and {}/{} FFN neurons kept; BERT body parameters {} -> {}", plan.kept_heads(),
                  heads_total, plan.kept_neurons(), neurons_total, report.params_before, report.params_after);
    make_fresh_optimizer();  // new shapes: fresh optimizer state
    phase = "efficient";
    draw_step = step;
    draw_reason = to_string(why);
    times.search += seconds_since(t0);
  }

  // ------------------------------------------------------------------------------------------------
  // evaluation, checkpoints, logs

  std::string best_metric_name() const {
    if (!args.metric_for_best_model.empty()) return args.metric_for_best_model;
    return task->best_metric();
  }

  Metrics run_eval() {
    const Clock::time_point t0 = Clock::now();
    Metrics m = task->evaluate(*model, args.per_device_eval_batch_size);
    const double dt = seconds_since(t0);
    times.eval += dt;
    MetricsRecord rec;
    rec.step = step;
    rec.epoch = epoch_now();
    rec.phase = "eval";
    rec.elapsed = times_total_base + seconds_since(run_start);
    Scalars scalars;
    std::string line;
    for (const auto& [k, v] : m) {
      rec.extra.push_back({"eval_" + k, v});
      scalars.push_back({"eval/" + k, static_cast<float>(v)});
      line += logging::format(" {} {:.4f}", k, v);
    }
    rec.extra.push_back({"eval_runtime", dt});
    metrics->log(rec);
    log_history.push_back(rec);
    tensorboard->add_scalars(step, scalars);
    tensorboard->flush();
    logging::info("eval at step {} ({}):{} [{}]", step, phase, line, format_duration(dt));
    const std::string name = best_metric_name();
    if (!args.metric_for_best_model.empty() && !m.count(name))
      fail("metric_for_best_model", "'" + name + "' is not among the task's metrics");
    eval_metric_now.reset();
    if (m.count(name) && std::isfinite(m[name])) {
      const double v = m[name];
      const bool better = !best_metric || (lower_is_better(name) ? v < *best_metric : v > *best_metric);
      if (better) {
        best_metric = v;
        eval_metric_now = v;
      }
    }
    return m;
  }

  TrainerState make_state() const {
    TrainerState st;
    st.global_step = step;
    st.epoch = epoch_now();
    st.phase = phase;
    st.max_steps = total;
    st.num_train_epochs = args.num_train_epochs;
    st.world_size = dist.world_size;
    st.data_position = pos;
    st.rng = capture_torch_rng_state();
    st.draw_step = draw_step;
    st.draw_reason = draw_reason;
    if (searching) st.early_bird = detector.to_json();
    st.best_metric = best_metric;
    st.best_model_checkpoint = best_model_checkpoint;
    st.log_history = log_history;
    return st;
  }

  void write_model_files(const std::string& dir) const {
    BertConfig config = model->config();
    config.architectures = {architecture_name(model->kind())};
    write_pretrained(dir, config, *model->module());
    if (!tokenizer_file.empty()) save_tokenizer_files(tokenizer_file, args.do_lower_case, dir);
  }

  PhaseTimes times_now() const {
    PhaseTimes t = times;
    t.total = times_total_base + seconds_since(run_start);
    return t;
  }

  void save_checkpoint() {
    if (!out.is_main()) return;
    const Clock::time_point t0 = Clock::now();
    const std::string tmp = begin_checkpoint(args.output_dir, step);
    write_model_files(tmp);
    save_optimizer_state(*optimizer, join_path(tmp, kOptimizerFile));
    write_file_atomic(join_path(tmp, kSchedulerFile), schedule.to_json());
    if (searching || draw_step >= 0)
      write_file_atomic(join_path(tmp, kTicketFile), [&] {
        Ticket t = ticket;
        if (!t.drawn()) t.distance_history = detector.history();
        return t.to_json();
      }());
    const std::string final_path = join_path(args.output_dir, checkpoint_name(step));
    if (eval_metric_now) best_model_checkpoint = final_path;
    make_state().save(join_path(tmp, kTrainerStateFile));
    write_file_atomic(join_path(tmp, kTimingFile), times_json(times_now()));
    write_file_atomic(join_path(tmp, "config.yaml"), to_yaml(args));
    if (hooks.before_checkpoint_commit) hooks.before_checkpoint_commit(tmp, step);
    last_checkpoint = finish_checkpoint(tmp, args.output_dir, step);
    last_saved_step = step;
    for (const auto& p : rotate_checkpoints(args.output_dir, args.save_total_limit, best_model_checkpoint))
      logging::debug("removed old checkpoint {}", p);
    times.checkpoint += seconds_since(t0);
    logging::info("saved {}", last_checkpoint);
  }

  // --- the progress line and metrics.jsonl ---
  struct Window {
    double loss = 0, l1 = 0;
    int64_t updates = 0, l1_updates = 0, tokens = 0;
    double seconds = 0;
  } window;
  int64_t session_start_step = 0;

  void clear_bar() const {
    if (tty) std::fputs("\r\033[K", stderr);
  }

  void draw_bar(double eta) const {
    if (!tty) return;
    const int width = 30;
    const int filled = total > 0 ? static_cast<int>(width * step / total) : 0;
    std::string bar(static_cast<size_t>(filled), '=');
    bar.resize(static_cast<size_t>(width), ' ');
    std::fprintf(stderr, "\r[%s] %lld/%lld %s ETA %s", bar.c_str(), static_cast<long long>(step),
                 static_cast<long long>(total), phase.c_str(), format_duration(eta).c_str());
    std::fflush(stderr);
  }

  void after_update_logging(const StepRecord& rec, int64_t tokens, double seconds) {
    window.loss += rec.loss;
    window.updates += 1;
    if (rec.l1) {
      window.l1 += *rec.l1;
      window.l1_updates += 1;
    }
    window.tokens += tokens;
    window.seconds += seconds;
    const double session = seconds_since(run_start);
    const int64_t done = step - session_start_step;
    const double eta = done > 0 ? session / static_cast<double>(done) * static_cast<double>(total - step) : -1;
    const bool log_now = (args.logging_steps > 0 && step % args.logging_steps == 0) || step == total;
    if (!log_now) {
      draw_bar(eta);
      return;
    }
    MetricsRecord m;
    m.step = step;
    m.epoch = epoch_now();
    m.phase = rec.phase;
    m.loss = window.loss / static_cast<double>(window.updates);
    if (window.l1_updates > 0) m.l1 = window.l1 / static_cast<double>(window.l1_updates);
    m.lr = rec.lr;
    m.grad_norm = rec.grad_norm;
    m.tokens_per_s = window.seconds > 0 ? static_cast<double>(window.tokens) / window.seconds : 0.0;
    m.elapsed = times_total_base + session;
    metrics->log(m);
    log_history.push_back(m);
    Scalars s = {{"train/loss", static_cast<float>(*m.loss)},
                 {"train/learning_rate", static_cast<float>(*m.lr)},
                 {"train/grad_norm", static_cast<float>(*m.grad_norm)},
                 {"train/tokens_per_s", static_cast<float>(*m.tokens_per_s)}};
    if (m.l1) s.push_back({"train/l1", static_cast<float>(*m.l1)});
    tensorboard->add_scalars(step, s);
    tensorboard->flush();
    clear_bar();
    logging::info("step {}/{} | epoch {:.2f} | {} | loss {:.4f}{} | lr {:.3e} | grad {:.3f} | {:.0f} tok/s | ETA {}",
                  step, total, m.epoch, rec.phase, *m.loss,
                  m.l1 ? logging::format(" | l1 {:.4f}", *m.l1) : std::string(), *m.lr, *m.grad_norm, *m.tokens_per_s,
                  format_duration(eta));
    window = Window{};
  }

  // ------------------------------------------------------------------------------------------------
  // the loop

  TrainResult train() {
    setup_training();
    StopSignalGuard signals;
    TrainResult result;
    result.params_initial = params_initial;
    session_start_step = step;
    const int64_t resumed_at = last_saved_step == step ? step : -1;  // nothing to redo at this step
    model->module()->train();
    logging::info(
        "training {}: {} examples, {} updates per epoch, {} updates in all (batch {} x {} accumulation), "
        "phase {}{}",
        task->name(), n_train, updates_per_epoch, total, args.per_device_train_batch_size,
        args.gradient_accumulation_steps, phase,
        searching ? logging::format(", ticket_mode {}, search bound {}", args.ticket_mode,
                                    rule.max_search_steps > 0 ? std::to_string(rule.max_search_steps) + " updates"
                                                              : std::string("none"))
                  : std::string());

    while (true) {
      // ---- once in a while (skipped at the step a resumed run starts from: done before the save) ----
      if (step != resumed_at) {
        if (step < total) draw_check();
        if (args.eval_steps > 0 && step > 0 && step % args.eval_steps == 0 && step < total) run_eval();
        if (args.save_steps > 0 && step > 0 && step % args.save_steps == 0 && step < total) save_checkpoint();
        eval_metric_now.reset();
      }
      if (stop_requested() || (hooks.stop_requested && hooks.stop_requested(step))) {
        clear_bar();
        result.stopped = true;
        result.stop_signal = stop_signal_number();
        logging::warn("stop requested{} at step {}: saving a checkpoint",
                      result.stop_signal ? logging::format(" (signal {})", result.stop_signal) : std::string(), step);
        if (last_saved_step != step) save_checkpoint();
        break;
      }
      if (step >= total) break;

      // ---- one optimizer update ----------------------------------------------------------------
      const Clock::time_point t0 = Clock::now();
      const std::string update_phase = phase;
      const double lr = peak_lr() * schedule.multiplier(step);
      double loss_sum = 0;
      int64_t tokens = 0;
      const int64_t accum = args.gradient_accumulation_steps;
      for (int64_t micro = 0; micro < accum; ++micro) {
        Batch batch = next_batch();
        tokens += batch.input_ids.numel();
        batch = batch.to(device);
        // The one place the model runs forward (bf16 autocast will wrap this call).
        torch::Tensor loss = model->loss(batch);
        (loss / static_cast<double>(accum)).backward();
        loss_sum += loss.item<double>();
      }
      std::optional<double> l1;
      if (phase == "search") {
        torch::Tensor penalty =
            slimming_l1_penalty(slimming_coefficients(model->bert()), args.l1_loss_self_coef, args.l1_loss_inter_coef);
        penalty.backward();
        l1 = penalty.item<double>();
      }
      // Gradients are ready. Data-parallel training will all-reduce them here (one bucketed call).
      const double grad_norm = clip_grad_norm(optimizer_parameters(*optimizer), args.max_grad_norm);
      set_learning_rate(*optimizer, lr);
      if (std::isfinite(grad_norm)) {
        optimizer->step();
      } else {
        logging::warn("step {}: gradient norm is {}; update skipped", step + 1, grad_norm);
      }
      optimizer->zero_grad();
      step += 1;
      if (hooks.after_update) hooks.after_update(step, *model);
      // ------------------------------------------------------------------------------------------

      const double dt = seconds_since(t0);
      (update_phase == "search" ? times.search : update_phase == "dense" ? times.dense : times.efficient) += dt;
      StepRecord rec{step, update_phase, loss_sum / static_cast<double>(accum), l1, lr, grad_norm};
      result.steps.push_back(rec);
      after_update_logging(rec, tokens, dt);
    }
    clear_bar();

    if (!result.stopped) finish(result);
    result.global_step = step;
    result.max_steps = total;
    result.phase = phase;
    result.last_checkpoint = last_checkpoint;
    result.draw_step = draw_step;
    result.draw_reason = draw_reason;
    result.params_final = count_parameters(*model);
    result.times = times_now();
    tensorboard->flush();
    return result;
  }

  void finish(TrainResult& result) {
    if (searching && draw_step < 0)
      logging::warn("training ended at step {} before the ticket was drawn (search bound {}); the model is not pruned",
                    step, rule.max_search_steps);
    const Clock::time_point t0 = Clock::now();
    result.eval_metrics = run_eval();
    const double eval_runtime = seconds_since(t0);
    if (last_saved_step != step) save_checkpoint();
    if (!out.is_main()) return;
    write_model_files(args.output_dir);
    make_state().save(out.path(kTrainerStateFile));
    const PhaseTimes t = times_now();
    ordered_json timing;
    timing["train_runtime"] = t.total;
    timing["search_runtime"] = t.search;
    timing["efficient_runtime"] = t.efficient;
    timing["dense_runtime"] = t.dense;
    timing["eval_total_runtime"] = t.eval;
    timing["checkpoint_runtime"] = t.checkpoint;
    timing["draw_step"] = draw_step;
    ordered_json ev;
    ev["epoch"] = epoch_now();
    for (const auto& [k, v] : result.eval_metrics)
      ev["eval_" + k] = std::isfinite(v) ? ordered_json(v) : ordered_json();
    ev["eval_runtime"] = eval_runtime;
    ev.update(timing);
    out.write_file("eval_results.json", ev.dump(2) + "\n");
    ordered_json tr = timing;
    tr["epoch"] = epoch_now();
    tr["global_step"] = step;
    tr["phase"] = phase;
    tr["draw_reason"] = draw_reason;
    tr["params_initial"] = params_initial;
    tr["params_final"] = count_parameters(*model);
    out.write_file("train_results.json", tr.dump(2) + "\n");
    logging::info("done: {} updates in {} (search {}, efficient {}, dense {}, eval {}); model written to {}", step,
                  format_duration(t.total), format_duration(t.search), format_duration(t.efficient),
                  format_duration(t.dense), format_duration(t.eval), args.output_dir);
  }

  // ------------------------------------------------------------------------------------------------
  // evaluation / prediction without training

  void ensure_inference_model() {
    if (model) return;
    common_setup();
    if (args.model_name_or_path.empty())
      fail("model_name_or_path", "evaluation needs a trained model directory (config.json + model.safetensors)");
    if (!fs::is_directory(args.model_name_or_path))
      fail("model_name_or_path", "no such directory: '" + args.model_name_or_path + "'");
    LoadPolicy policy = LoadPolicy::initialise();
    policy.allow_missing_heads = false;  // evaluating needs the trained head
    PretrainedModel pm = load_pretrained_model(args.model_name_or_path, task->model_kind(), policy,
                                               [&](BertConfig& c) { task->configure_model(c); });
    logging::info("model {} from {}: {}", architecture_name(task->model_kind()), args.model_name_or_path,
                  pm.report.summary());
    model = std::move(pm.model);
    model->module()->to(device);
  }

  Metrics evaluate() {
    ensure_inference_model();
    const Clock::time_point t0 = Clock::now();
    Metrics m = task->evaluate(*model, args.per_device_eval_batch_size);
    const double dt = seconds_since(t0);
    ordered_json ev;
    for (const auto& [k, v] : m) ev["eval_" + k] = std::isfinite(v) ? ordered_json(v) : ordered_json();
    ev["eval_runtime"] = dt;
    out.make_directories();
    out.write_file("eval_results.json", ev.dump(2) + "\n");
    return m;
  }

  std::vector<std::string> predict(const std::string& split) {
    ensure_inference_model();
    std::vector<std::string> files;
    if (out.is_main()) files = task->predict(*model, split, args.per_device_eval_batch_size, args.output_dir);
    return files;
  }
};

Trainer::Trainer(TrainingArguments args, std::unique_ptr<Task> task, TrainerHooks hooks)
    : impl_(std::make_unique<Impl>(std::move(args), std::move(task), std::move(hooks))) {}

Trainer::~Trainer() = default;

TrainResult Trainer::train() { return impl_->train(); }
Metrics Trainer::evaluate() { return impl_->evaluate(); }
std::vector<std::string> Trainer::predict(const std::string& split) { return impl_->predict(split); }
const TrainingArguments& Trainer::args() const { return impl_->args; }
Task& Trainer::task() { return *impl_->task; }

AnyBertModel& Trainer::model() {
  if (!impl_->model) fail("trainer", "no model yet (call train(), evaluate() or predict() first)");
  return *impl_->model;
}

}  // namespace earlybert
