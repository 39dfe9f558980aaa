// The EarlyBERT trainer: setup, the loop (search → draw → efficient training), checkpoints, resume.
// See include/earlybert/train/trainer.h for the shape of the loop and the files it writes.
#include "earlybert/train/trainer.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/base/log.h"
#include "earlybert/data/pretraining_random.h"
#include "earlybert/data/pretraining_sampler.h"
#include "earlybert/io/checkpoint.h"
#include "earlybert/io/safetensors.h"
#include "earlybert/model/slimming.h"
#include "earlybert/optim/lr_schedule.h"
#include "earlybert/optim/optimizers.h"
#include "earlybert/prune/apply_plan.h"
#include "earlybert/prune/early_bird_search.h"
#include "earlybert/prune/l1_penalty.h"
#include "earlybert/prune/reinit.h"
#include "earlybert/prune/ticket_strategy.h"
#include "earlybert/runtime/precision.h"
#include "earlybert/runtime/threads.h"
#include "earlybert/tasks/task_registry.h"
#include "earlybert/tasks/task_tokenizer.h"
#include "earlybert/train/checkpoint_dirs.h"
#include "earlybert/train/data_parallel.h"
#include "earlybert/train/interval_strategy.h"
#include "earlybert/train/metrics_log.h"
#include "earlybert/train/mixed_precision.h"
#include "earlybert/train/model_presets.h"
#include "earlybert/train/rank_zero_writer.h"
#include "earlybert/train/stop_signal.h"
#include "earlybert/train/tensorboard.h"
#include "earlybert/train/trainer_state.h"

namespace fs = std::filesystem;

namespace earlybert {
namespace {

using Clock = std::chrono::steady_clock;

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

std::unique_ptr<Task> make_task(const TrainingArguments& args) { return make_task(task_options(args)); }

struct Trainer::Impl {
  TrainingArguments args;
  std::unique_ptr<Task> task;
  TrainerHooks hooks;
  std::shared_ptr<Communicator> comm;
  RankZeroWriter out;
  DataParallel dp;  ///< the data-parallel seams (data_parallel.h); identity calls for one process
  torch::Device device{torch::kCPU};
  Precision precision = Precision::Fp32;
  std::optional<MixedPrecision> mixed;  ///< bf16 / fp16 / tf32 and the fp16 loss scaler
  std::optional<AnyBertModel> model;
  std::string tokenizer_file;
  bool lower_case = true;  ///< the casing of tokenizer_file (resolve_casing)

  // --- budget and schedule ---
  int64_t n_train = 0;
  int64_t batches_per_epoch = 0;
  int64_t updates_per_epoch = 0;
  RunBudget budget;
  int64_t total = 0;  ///< the update the run ends at: final_update(budget, efficient_start())
  std::unique_ptr<torch::optim::Optimizer> optimizer;

  // --- EarlyBERT ---
  /// The early-bird search of this run: every ticket_mode but none, unless a ticket is given.
  std::optional<EarlyBirdSearch> search;
  std::optional<Ticket> given_ticket;  ///< `ticket`: a ticket.json of another run, applied at the start
  /// The lab's strategies (imp, rigl, greedy; prune/ticket_strategy.h), siblings of the search above.
  std::unique_ptr<TicketStrategy> strategy;
  std::optional<Batch> probe;  ///< the strategies' probe batch, made when first asked for
  Phase phase = Phase::Search;
  int64_t draw_step = -1;
  DrawReason draw_reason = DrawReason::NotYet;

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

  Impl(TrainingArguments a, std::unique_ptr<Task> t, TrainerHooks h, std::shared_ptr<Communicator> c)
      : args(std::move(a)),
        task(std::move(t)),
        hooks(std::move(h)),
        comm(c ? std::move(c) : std::make_shared<SingleProcessCommunicator>()),
        out(args.output_dir, comm->rank(), comm->world_size()),
        dp(*comm) {
    if (!task) fail("task", "no task");
    tty = ::isatty(STDERR_FILENO) == 1 && comm->is_main();
  }

  EvalContext eval_context() const { return EvalContext{args.per_device_eval_batch_size, precision, comm.get()}; }

  // ------------------------------------------------------------------------------------------------
  // setup

  void common_setup() {
    configure_threads(static_cast<int>(args.threads));
    device = dp.rank_device(resolve_device(args.device));
    mixed.emplace(mixed_precision_options(args), device);
    precision = mixed->precision();
    logging::info("precision {} on {}: {}", to_string(precision), device.str(), mixed->describe());
    tokenizer_file = resolve_tokenizer_file(task_options(args));
    // The casing the task's tokenizer used; saved with the model so that it travels with it.
    if (!tokenizer_file.empty()) lower_case = resolve_casing(task_options(args), tokenizer_file).do_lower_case;
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

  /// The hook where the model's parameter shapes changed (the start of training, a resume, the draw):
  /// the optimizer is built for the current parameters, with fresh state.
  void on_model_shapes_changed() {
    dp.on_model_shapes_changed(*model);
    optimizer = make_optimizer(model->module()->named_parameters(), optimizer_options(args));
  }

  /// Loads everything a checkpoint holds (the model is rebuilt from its config.json, so pruned shapes
  /// come back). The torch RNG is restored by the caller, last.
  TrainerState load_checkpoint(const std::string& dir) {
    const std::string state_path = join_path(dir, run_files::kTrainerState);
    const TrainerState st = TrainerState::load(state_path);
    if (st.world_size != comm->world_size())
      fail(state_path + ": key 'world_size'", "checkpoint written with " + std::to_string(st.world_size) +
                                                  " process(es), this run has " + std::to_string(comm->world_size()));
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
    total = final_update(budget, efficient_start());
    const std::string ticket_path = join_path(dir, run_files::kTicket);
    if (search) {
      EarlyBirdDetector detector = search->detector();
      if (!st.early_bird.empty())
        detector = EarlyBirdDetector::from_json(st.early_bird, state_path + ": key 'early_bird'");
      search->restore(std::move(detector), path_exists(ticket_path) ? Ticket::load(ticket_path) : search->ticket());
    }
    if (strategy) strategy->resume_drawn(path_exists(ticket_path) ? Ticket::load(ticket_path) : Ticket{});
    const std::string timing_path = join_path(dir, run_files::kTiming);
    if (path_exists(timing_path)) times = timing_from_json(read_file(timing_path), timing_path);
    times_total_base = times.total;
    best_metric = st.best_metric;
    best_model_checkpoint = st.best_model_checkpoint;
    log_history.clear();
    for (const auto& r : st.log_history)
      if (r.step <= step) log_history.push_back(r);
    if (st.max_steps != total)
      logging::warn("resuming with a budget of {} updates; the checkpoint's run had {}", total, st.max_steps);
    on_model_shapes_changed();
    load_optimizer_state(*optimizer, join_path(dir, run_files::kOptimizer));
    mixed->load(dir);
    last_saved_step = step;
    last_checkpoint = dir;
    return st;
  }

  /// The model of checkpoint `dir` (its config.json: pruned shapes come back), nothing else of it.
  void load_model_weights_only(const std::string& dir) {
    AnyBertModel m = AnyBertModel::create(task->model_kind(), load_pretrained(dir));
    load_weights(dir, m).enforce(LoadPolicy::exact(), join_path(dir, kWeightsFileName));
    model = std::move(m);
    model->module()->to(device);
  }

  /// Refuses to mix a new run into an output_dir that holds one, unless asked to overwrite.
  void prepare_output_dir(bool resuming) {
    if (!out.is_main()) return;
    for (const auto& p : remove_incomplete_checkpoints(args.output_dir))
      logging::warn("removed incomplete checkpoint {} (left by an interrupted save)", p);
    if (resuming) return;
    const bool has_run = !list_checkpoints(args.output_dir).empty() || path_exists(out.path(run_files::kMetrics));
    if (has_run && !args.overwrite_output_dir)
      fail("output_dir", "'" + args.output_dir +
                             "' already holds a run; resume it with resume_from_checkpoint latest, or set "
                             "overwrite_output_dir");
    if (has_run) {
      for (const auto& c : list_checkpoints(args.output_dir)) remove_all(c.path);
      for (const char* f : {run_files::kMetrics, run_files::kTicket, run_files::kEvalResults, run_files::kTrainResults,
                            run_files::kTrainerState})
        remove_all(out.path(f));
      if (args.logging_dir.empty()) remove_all(out.path(run_files::kTensorBoardDir));  // the old run's events
    }
  }

  void setup_training() {
    common_setup();
    run_start = Clock::now();
    prepare_output_dir(!args.resume_from_checkpoint.empty());
    const std::string resume_dir = dp.decided_on_rank_zero(
        [&] { return resolve_resume_checkpoint(args.resume_from_checkpoint, args.output_dir); });
    if (args.resume_from_checkpoint == "auto" && resume_dir.empty())
      logging::info("resume_from_checkpoint auto: no checkpoint in {}; starting fresh", args.output_dir);

    // --- the budget (Hugging Face's arithmetic) ---
    n_train = task->train_size();
    if (n_train <= 0) fail("task", "'" + task->name() + "' has no training examples");
    const int64_t bs = args.per_device_train_batch_size;
    const int64_t n_rank = (n_train + comm->world_size() - 1) / comm->world_size();  // this rank's share
    batches_per_epoch = (n_rank + bs - 1) / bs;
    updates_per_epoch = update_steps_per_epoch(batches_per_epoch, args.gradient_accumulation_steps);
    budget = run_budget(args, updates_per_epoch);
    total = final_update(budget, -1);
    const bool pruned_model = !args.ticket.empty() ? false : model_is_pruned();
    const bool keep_pruned = pruned_model && args.ticket_mode != TicketMode::None && !args.search_pruned_model;
    if (args.ticket_mode == TicketMode::Reinit && args.ticket.empty())
      fail("ticket", "ticket_mode reinit needs the ticket.json whose structure it re-initialises");
    if (args.ticket.empty() && is_lab_strategy(args.ticket_mode) && !keep_pruned)
      strategy = make_ticket_strategy(ticket_options(args), updates_per_epoch);
    else if (args.ticket.empty() && args.ticket_mode != TicketMode::None && !keep_pruned)
      search.emplace(ticket_options(args), updates_per_epoch);

    // --- the model before training; its weights are the rewind target ---
    const bool slimming = (search && search->searches()) || (strategy && strategy->needs_coefficients());
    AnyBertModel initial = build_initial_model(slimming);
    params_initial = count_parameters(initial);
    dp.seed_rank_stream(args.seed);
    if (search && search->searches() && args.rewind == RewindMode::Initial) search->keep_rewind_weights(initial);

    phase = args.ticket_mode == TicketMode::None ? Phase::Dense : Phase::Search;
    if (keep_pruned) {
      // Fine-tuning a model that EarlyBERT already pruned (in pre-training): its ticket is in its
      // shapes; a second search would prune it again (12 -> 8 -> 5 heads per layer).
      logging::info(
          "model {} is already pruned: it trains without a new search (efficient stage only); set "
          "search_pruned_model: true to search and prune it again",
          args.model_name_or_path);
      phase = Phase::Efficient;
      draw_step = 0;
      draw_reason = DrawReason::PrunedModel;
      total = final_update(budget, 0);
    }
    if (!resume_dir.empty()) {
      logging::info("resuming from {}", resume_dir);
      if (!args.ticket.empty()) given_ticket = Ticket::load_drawn(args.ticket);
      TrainerState st = load_checkpoint(resume_dir);
      open_logs(true);
      const std::string state_path = join_path(resume_dir, run_files::kTrainerState);
      restore_torch_rng_state(dp.rng_state_of_this_rank(st, state_path + ": key 'rank_rng'"),
                              state_path + ": key 'rng'");
      logging::info("resumed at step {} ({}), data epoch {} batch {}", step, to_string(phase), pos.epoch,
                    pos.batch_in_epoch);
      return;
    }
    model = std::move(initial);
    if (!args.ticket.empty()) apply_given_ticket();
    if (args.ticket_mode == TicketMode::Reinit) reinitialize_given_ticket();
    model->module()->to(device);
    if (strategy) strategy->start(*model, strategy_context());
    on_model_shapes_changed();
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
                    to_string(given.reason), report.params_before, report.params_after);
    }
    out.write_file(run_files::kTicket, given.to_json());
    given_ticket = std::move(given);
    phase = Phase::Efficient;
    draw_step = 0;
    draw_reason = DrawReason::Given;
    total = final_update(budget, 0);
  }

  /// A model_name_or_path whose config.json has fewer heads or FFN neurons than its unpruned size.
  bool model_is_pruned() const {
    if (args.model_name_or_path.empty()) return false;
    const std::string path = join_path(args.model_name_or_path, "config.json");
    return path_exists(path) && BertConfig::load(path).is_pruned();
  }

  /// The step the efficient stage started at (the draw), -1 before it.
  int64_t efficient_start() const { return phase == Phase::Efficient ? draw_step : -1; }

  /// ticket_mode reinit: the given ticket's structure with fresh weights (prune/reinit.h), seeded by
  /// random_ticket_seed.
  void reinitialize_given_ticket() {
    reinitialize(*model, static_cast<uint64_t>(args.random_ticket_seed));
    draw_reason = DrawReason::Reinit;
    logging::info("reinit: every weight of the ticket's structure initialised afresh (random_ticket_seed {})",
                  args.random_ticket_seed);
  }

  /// What the lab's strategies may ask of the loop: the task loss on a probe batch — per_device_train_batch_size
  /// training examples chosen once with a seed of their own (the task hands out training batches only).
  StrategyContext strategy_context() {
    return StrategyContext{[this](AnyBertModel& m) {
      if (!probe) {
        const auto perm =
            epoch_order(static_cast<size_t>(n_train),
                        mix_seed(static_cast<uint64_t>(args.seed), 0x70726f6265ULL /* "probe" */, 0), 0, true);
        const auto n = static_cast<size_t>(std::min<int64_t>(n_train, args.per_device_train_batch_size));
        const std::vector<int64_t> indices(perm.begin(), perm.begin() + static_cast<std::ptrdiff_t>(n));
        probe = task->train_batch(indices, epoch_seed(args.seed, 0)).to(device);
      }
      AutocastGuard autocast(precision, device);
      return m.loss(*probe);
    }};
  }

  /// What a lab strategy did after an update: its log line, a fresh optimizer when it pruned, and
  /// ticket.json + the efficient phase when it drew.
  void act_on_strategy_step(const StrategyStep& s) {
    if (s.observed) record_mask_check(*s.observed);
    if (!s.note.empty()) logging::info("{}", s.note);
    if (s.shapes_changed) on_model_shapes_changed();
    if (!s.drew()) return;
    out.write_file(run_files::kTicket, strategy->ticket().to_json());
    logging::info("{}", strategy->summary());
    phase = Phase::Efficient;
    draw_step = step;
    draw_reason = s.drawn;
    start_efficient_stage();
  }

  void open_logs(bool resuming) {
    out.make_directories();
    out.write_file(run_files::kConfigYaml, to_yaml(args));
    metrics = std::make_unique<MetricsLogger>(out);
    if (resuming) metrics->truncate_after(step);
    tensorboard = std::make_unique<TensorBoardWriter>(
        out, args.logging_dir.empty() ? std::string(run_files::kTensorBoardDir) : args.logging_dir);
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
      order = rank_share_of_epoch(std::vector<int64_t>(perm.begin(), perm.end()), comm->rank(), comm->world_size());
      order_epoch = pos.epoch;
    }
    const int64_t bs = args.per_device_train_batch_size;
    const int64_t begin = pos.batch_in_epoch * bs;
    const int64_t end = std::min(static_cast<int64_t>(order.size()), begin + bs);
    std::vector<int64_t> indices(order.begin() + begin, order.begin() + end);
    Batch batch = task->train_batch(indices, epoch_seed(args.seed, pos.epoch));
    pos.batch_in_epoch += 1;
    pos.samples_seen += end - begin;
    return batch;
  }

  double epoch_now() const { return static_cast<double>(step) / static_cast<double>(updates_per_epoch); }

  // ------------------------------------------------------------------------------------------------
  // EarlyBERT: what the trainer does with the search's answers

  /// A mask check's distances go to TensorBoard and the debug log.
  void record_mask_check(const EarlyBirdRecord& rec) {
    Scalars s = {{"earlybird/dist_heads", static_cast<float>(rec.dist_heads)},
                 {"earlybird/dist_ffn", static_cast<float>(rec.dist_ffn)}};
    if (rec.window_max_heads >= 0) {
      s.push_back({"earlybird/window_max_heads", static_cast<float>(rec.window_max_heads)});
      s.push_back({"earlybird/window_max_ffn", static_cast<float>(rec.window_max_ffn)});
    }
    tensorboard->add_scalars(step, s);
    logging::debug("mask check at step {}: distance heads {:.4f}, FFN {:.4f}", step, rec.dist_heads, rec.dist_ffn);
  }

  /// The ticket was drawn: ticket.json, rewind + physical pruning, a fresh optimizer; efficient
  /// training starts.
  void act_on_draw(DrawReason why) {
    const Ticket ticket = search->ticket();
    out.write_file(run_files::kTicket, ticket.to_json());
    logging::info("{}", search->draw_summary());
    if (search->has_rewind_weights() && args.rewind == RewindMode::Initial)
      logging::info("rewound to the weights from before the search");
    const PruneReport report = search->prune(*model);
    int64_t heads_total = 0, neurons_total = 0;
    for (const auto& l : ticket.plan.layers) {
      heads_total += l.num_heads;
      neurons_total += l.intermediate_size;
    }
    logging::info("pruned: {}/{} heads and {}/{} FFN neurons kept; BERT body parameters {} -> {}",
                  ticket.plan.kept_heads(), heads_total, ticket.plan.kept_neurons(), neurons_total,
                  report.params_before, report.params_after);
    on_model_shapes_changed();
    phase = Phase::Efficient;
    draw_step = step;
    draw_reason = why;
    start_efficient_stage();
  }

  /// After a draw at `step`: the run now ends after the efficient stage; under restart the stage is a
  /// run of its own (train/run_budget.h).
  void start_efficient_stage() {
    total = final_update(budget, draw_step);
    if (budget.efficient_schedule == EfficientSchedule::Restart) {
      // The efficient stage is a run of its own (the official protocol): a fresh schedule, and the
      // data from the start — the same batches a random ticket's run sees.
      pos.epoch = 0;
      pos.batch_in_epoch = 0;
      const LrSchedule s = active_schedule(budget, phase);
      logging::info(
          "efficient stage: {} updates (to step {}), peak learning rate {:.3g}, warm-up {}, fresh {} schedule",
          budget.efficient_updates, total, s.base_lr, s.warmup_steps, to_string(s.type));
    } else if (const int64_t w = rewarmup_updates(budget, draw_step); w > 0) {
      logging::info("efficient phase continues the schedule to step {}, with a re-warm-up of {} updates", total, w);
    }
  }

  // ------------------------------------------------------------------------------------------------
  // evaluation, checkpoints, logs

  std::string best_metric_name() const {
    if (!args.metric_for_best_model.empty()) return args.metric_for_best_model;
    return task->best_metric();
  }

  Metrics run_eval() {
    const Clock::time_point t0 = Clock::now();
    Metrics m = task->evaluate(*model, eval_context());
    const double dt = seconds_since(t0);
    times.eval += dt;
    MetricsRecord rec;
    rec.step = step;
    rec.epoch = epoch_now();
    rec.phase = Phase::Eval;
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
    logging::info("eval at step {} ({}):{} [{}]", step, to_string(phase), line, format_duration(dt));
    const std::string name = best_metric_name();
    if (!args.metric_for_best_model.empty() && !m.count(name))
      fail("metric_for_best_model", "'" + name + "' is not among the task's metrics");
    eval_metric_now.reset();
    if (m.count(name) && std::isfinite(m[name])) {
      const double v = m[name];
      const bool better = improves(v, best_metric, greater_is_better(args.greater_is_better, name));
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
    st.world_size = comm->world_size();
    st.data_position = pos;
    st.rng = capture_torch_rng_state();
    st.draw_step = draw_step;
    st.draw_reason = draw_reason;
    if (search && search->searches()) st.early_bird = search->detector().to_json();
    st.best_metric = best_metric;
    st.best_model_checkpoint = best_model_checkpoint;
    st.log_history = log_history;
    return st;
  }

  /// ticket.json as a checkpoint keeps it: the search so far, the drawn ticket, or the given one.
  std::optional<Ticket> ticket_now() const {
    if (given_ticket) return given_ticket;
    if (strategy) return strategy->ticket();
    if (search && (search->searches() || search->drawn())) return search->ticket();
    return std::nullopt;
  }

  void write_model_files(const std::string& dir) const {
    BertConfig config = model->config();
    config.architectures = {architecture_name(model->kind())};
    write_pretrained(dir, config, *model->module());
    if (!tokenizer_file.empty()) save_tokenizer_files(tokenizer_file, lower_case, dir);
  }

  PhaseTimes times_now() const {
    PhaseTimes t = times;
    t.total = times_total_base + seconds_since(run_start);
    return t;
  }

  void save_checkpoint() {
    // Every rank takes part: its RNG state travels to rank 0, and all meet before the completion marker.
    const std::vector<RngState> rank_rng = dp.gather_rng_states(capture_torch_rng_state());
    if (!out.is_main()) {
      dp.barrier();
      last_saved_step = step;  // the same bookkeeping on every rank: the ranks decide alike when to save
      last_checkpoint = join_path(args.output_dir, checkpoint_name(step));
      return;
    }
    const Clock::time_point t0 = Clock::now();
    const std::string tmp = begin_checkpoint(args.output_dir, step);
    write_model_files(tmp);
    save_optimizer_state(*optimizer, join_path(tmp, run_files::kOptimizer));
    write_file_atomic(join_path(tmp, run_files::kScheduler), active_schedule(budget, phase).to_json());
    mixed->save(tmp);
    if (const auto t = ticket_now()) write_file_atomic(join_path(tmp, run_files::kTicket), t->to_json());
    const std::string final_path = join_path(args.output_dir, checkpoint_name(step));
    if (eval_metric_now) best_model_checkpoint = final_path;
    TrainerState state = make_state();
    state.rank_rng = rank_rng;
    state.save(join_path(tmp, run_files::kTrainerState));
    write_file_atomic(join_path(tmp, run_files::kTiming), timing_json(times_now()));
    write_file_atomic(join_path(tmp, run_files::kConfigYaml), to_yaml(args));
    if (hooks.before_checkpoint_commit) hooks.before_checkpoint_commit(tmp, step);
    dp.barrier();
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
                 static_cast<long long>(total), to_string(phase).c_str(), format_duration(eta).c_str());
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
                  step, total, m.epoch, to_string(rec.phase), *m.loss,
                  m.l1 ? logging::format(" | l1 {:.4f}", *m.l1) : std::string(), *m.lr, *m.grad_norm, *m.tokens_per_s,
                  format_duration(eta));
    window = Window{};
  }

  // ------------------------------------------------------------------------------------------------
  // one optimizer update

  /// Runs gradient_accumulation_steps micro-batches, reduces, clips and steps; returns what it did.
  StepRecord train_step(int64_t& tokens) {
    StepRecord rec;
    rec.phase = phase;
    rec.lr =
        learning_rate_at(budget, phase, mixed->schedule_step(step), draw_step);  // skipped fp16 updates do not count
    double loss_sum = 0;
    const int64_t accum = args.gradient_accumulation_steps;
    for (int64_t micro = 0; micro < accum; ++micro) {
      Batch batch = next_batch();
      tokens += batch.input_ids.numel();
      batch = batch.to(device);
      torch::Tensor loss;
      {
        // The one place the model runs forward, inside the autocast guard point.
        AutocastGuard autocast(precision, device);
        loss = model->loss(batch);
      }
      torch::Tensor objective = loss / static_cast<double>(accum);
      if (phase == Phase::Search && micro == accum - 1 && (!strategy || strategy->adds_l1())) {
        // The L1 term joins the loss of the last micro-batch: one backward per micro-batch, so that
        // gradient hooks (data-parallel reduction) fire once per parameter and update.
        const torch::Tensor penalty =
            slimming_l1_penalty(slimming_coefficients(model->bert()), args.l1_loss_self_coef, args.l1_loss_inter_coef);
        objective = objective + penalty;
        rec.l1 = penalty.item<double>();
      }
      dp.before_backward(micro == accum - 1);
      mixed->scale(objective).backward();  // fp16: times the loss scale
      loss_sum += loss.item<double>();
    }
    // Gradients are ready (a data-parallel reduction finishes here).
    dp.gradients_ready();
    const bool finite = mixed->unscale_gradients(optimizer_parameters(*optimizer));  // fp16: divided by the scale
    rec.grad_norm = clip_grad_norm(optimizer_parameters(*optimizer), args.max_grad_norm);
    set_learning_rate(*optimizer, rec.lr);
    const bool apply = finite && std::isfinite(rec.grad_norm);
    if (apply) {
      optimizer->step();
    } else if (precision != Precision::Fp16) {
      logging::warn("step {}: gradient norm is {}; update skipped", step + 1, rec.grad_norm);
    }
    mixed->after_update(apply);
    if (!apply && precision == Precision::Fp16)
      logging::info("step {}: fp16 gradients overflowed; update skipped, loss scale lowered to {}", step + 1,
                    mixed->loss_scale());
    optimizer->zero_grad();
    const DataParallel::StepTotals totals = dp.reduce_step(loss_sum / static_cast<double>(accum), tokens);
    rec.loss = totals.loss;
    tokens = totals.tokens;
    return rec;
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
        "training {}: {} examples, {} updates per epoch, {} updates in all (batch {} x {} accumulation), phase {}{}",
        task->name(), n_train, updates_per_epoch, total, args.per_device_train_batch_size,
        args.gradient_accumulation_steps, to_string(phase),
        search && search->searches()
            ? logging::format(", ticket_mode {}, search bound {}", to_string(args.ticket_mode),
                              search->rule().max_search_steps > 0
                                  ? std::to_string(search->rule().max_search_steps) + " updates"
                                  : std::string("none"))
            : std::string());

    while (true) {
      // ---- once in a while (skipped at the step a resumed run starts from: done before the save) ----
      if (step != resumed_at) {
        if (search && !search->drawn() && step < total) {
          // The early-bird check: the one visible draw call, and what the trainer does with its answer.
          const Clock::time_point t0 = Clock::now();
          const SearchCheck check = search->after_update(step, *model);
          if (check.observed) record_mask_check(*check.observed);
          const DrawReason drawn = dp.agree_on_draw(*search, check.drawn, step);  // rank 0 decides
          if (drawn != DrawReason::NotYet) act_on_draw(drawn);
          times.search += seconds_since(t0);
        }
        if (strategy && !strategy->drawn() && step < total) {
          const Clock::time_point t0 = Clock::now();
          act_on_strategy_step(strategy->after_update(step, *model, strategy_context()));
          times.search += seconds_since(t0);
        }
        if (at_interval(step, interval_updates(args.eval_strategy, args.eval_steps, updates_per_epoch), total))
          run_eval();
        if (at_interval(step, interval_updates(args.save_strategy, args.save_steps, updates_per_epoch), total))
          save_checkpoint();
        eval_metric_now.reset();
      }
      if (dp.any_rank(stop_requested() || (hooks.stop_requested && hooks.stop_requested(step)))) {
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
      int64_t tokens = 0;
      StepRecord rec = train_step(tokens);
      step += 1;
      rec.step = step;
      if (hooks.after_update) hooks.after_update(step, *model);
      // ------------------------------------------------------------------------------------------

      const double dt = seconds_since(t0);
      times.of(rec.phase) += dt;
      result.last_update = rec;
      if (hooks.on_update) hooks.on_update(rec);
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
    if (search && search->searches() && draw_step < 0)
      logging::warn("training ended at step {} before the ticket was drawn (search bound {}); the model is not pruned",
                    step, search->rule().max_search_steps);
    Clock::time_point t0 = Clock::now();
    result.eval_metrics = run_eval();
    double eval_runtime = seconds_since(t0);
    if (last_saved_step != step) save_checkpoint();
    if (args.load_best_model_at_end && !best_model_checkpoint.empty() && best_model_checkpoint != last_checkpoint) {
      // Hugging Face's load_best_model_at_end: the output model and eval_results.json are the best one's.
      logging::info("loading the best model ({} {}) from {}", best_metric_name(), best_metric.value_or(0.0),
                    best_model_checkpoint);
      load_model_weights_only(best_model_checkpoint);
      t0 = Clock::now();
      result.eval_metrics = task->evaluate(*model, eval_context());
      eval_runtime = seconds_since(t0);
    }
    if (!out.is_main()) return;
    write_model_files(args.output_dir);
    make_state().save(out.path(run_files::kTrainerState));
    const PhaseTimes t = times_now();
    EvalResults ev;
    ev.epoch = epoch_now();
    ev.metrics = result.eval_metrics;
    ev.eval_runtime = eval_runtime;
    ev.times = t;
    ev.draw_step = draw_step;
    out.write_file(run_files::kEvalResults, ev.to_json());
    TrainResults tr;
    tr.times = t;
    tr.draw_step = draw_step;
    tr.epoch = epoch_now();
    tr.global_step = step;
    tr.phase = phase;
    tr.draw_reason = draw_reason;
    tr.params_initial = params_initial;
    tr.params_final = count_parameters(*model);
    out.write_file(run_files::kTrainResults, tr.to_json());
    out.write_file(run_files::kAllResults, all_results_json(tr, ev, n_train));
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
    Metrics m = task->evaluate(*model, eval_context());
    EvalResults ev;
    ev.metrics = m;
    ev.eval_runtime = seconds_since(t0);
    out.make_directories();
    out.write_file(run_files::kEvalResults, ev.to_json());
    return m;
  }

  std::vector<std::string> predict(const std::string& split) {
    ensure_inference_model();
    if (out.is_main()) out.make_directories();
    return task->predict(*model, split, eval_context(), args.output_dir);
  }
};

Trainer::Trainer(TrainingArguments args, std::unique_ptr<Task> task, TrainerHooks hooks,
                 std::shared_ptr<Communicator> communicator)
    : impl_(std::make_unique<Impl>(std::move(args), std::move(task), std::move(hooks), std::move(communicator))) {}

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
