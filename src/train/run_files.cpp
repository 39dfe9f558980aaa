// The run directory's files — see include/earlybert/train/run_files.h.
#include "earlybert/train/run_files.h"

#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "base/json_fields.h"
#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/train/training_args.h"

namespace earlybert {
namespace {

using ordered_json = nlohmann::ordered_json;

// The one spelling of the phase times.
constexpr const char* kTotal = "train_runtime";
constexpr const char* kSearch = "search_runtime";
constexpr const char* kEfficient = "efficient_runtime";
constexpr const char* kDense = "dense_runtime";
constexpr const char* kEval = "eval_total_runtime";
constexpr const char* kCheckpoint = "checkpoint_runtime";

void put_times(ordered_json& j, const PhaseTimes& t) {
  j[kTotal] = t.total;
  j[kSearch] = t.search;
  j[kEfficient] = t.efficient;
  j[kDense] = t.dense;
  j[kEval] = t.eval;
  j[kCheckpoint] = t.checkpoint;
}

PhaseTimes get_times(const json_fields::JsonReader& r) {
  PhaseTimes t;
  t.total = r.require<double>(kTotal);
  t.search = r.require<double>(kSearch);
  t.efficient = r.require<double>(kEfficient);
  t.dense = r.require<double>(kDense);
  t.eval = r.require<double>(kEval);
  t.checkpoint = r.optional<double>(kCheckpoint, 0.0);
  return t;
}

ordered_json number_or_null(double v) { return std::isfinite(v) ? ordered_json(v) : ordered_json(); }

bool is_runtime_key(const std::string& key) {
  return key.size() >= 7 && key.compare(key.size() - 7, 7, "runtime") == 0;
}

std::string required_file(const std::string& dir, const std::string& name) {
  const std::string path = join_path(dir, name);
  if (!path_exists(path)) fail(path, "missing (is '" + dir + "' the output_dir of a finished training run?)");
  return path;
}

}  // namespace

double& PhaseTimes::of(Phase phase) {
  switch (phase) {
    case Phase::Search:
      return search;
    case Phase::Dense:
      return dense;
    case Phase::Efficient:
    case Phase::Eval:
      break;
  }
  return efficient;
}

bool PhaseTimes::operator==(const PhaseTimes& o) const {
  return search == o.search && efficient == o.efficient && dense == o.dense && eval == o.eval &&
         checkpoint == o.checkpoint && total == o.total;
}

std::string EvalResults::to_json() const {
  ordered_json j;
  if (epoch) j["epoch"] = *epoch;
  for (const auto& [k, v] : metrics) j["eval_" + k] = number_or_null(v);
  j["eval_runtime"] = eval_runtime;
  if (times) {
    put_times(j, *times);
    j["draw_step"] = draw_step;
  }
  return j.dump(2) + "\n";
}

EvalResults EvalResults::from_json(const std::string& text, const std::string& source) {
  const nlohmann::json doc = json_fields::parse(text, source);
  json_fields::JsonReader r(doc, source);
  EvalResults e;
  if (r.has("epoch")) e.epoch = r.require<double>("epoch");
  e.eval_runtime = r.optional<double>("eval_runtime", 0.0);
  if (r.has(kTotal)) {
    e.times = get_times(r);
    e.draw_step = r.optional<int64_t>("draw_step", -1);
  }
  for (const auto& [key, value] : doc.items()) {
    if (key.rfind("eval_", 0) != 0 || is_runtime_key(key)) continue;
    if (value.is_null()) {
      e.metrics[key.substr(5)] = std::numeric_limits<double>::quiet_NaN();
    } else if (value.is_number()) {
      e.metrics[key.substr(5)] = value.get<double>();
    } else {
      fail(r.where(key), std::string("expected a number or null, got ") + value.type_name());
    }
  }
  return e;
}

std::string TrainResults::to_json() const {
  ordered_json j;
  put_times(j, times);
  j["draw_step"] = draw_step;
  j["epoch"] = epoch;
  j["global_step"] = global_step;
  j["phase"] = to_string(phase);
  j["draw_reason"] = draw_step >= 0 ? to_string(draw_reason) : std::string();
  j["params_initial"] = params_initial;
  j["params_final"] = params_final;
  return j.dump(2) + "\n";
}

std::string all_results_json(const TrainResults& train, const EvalResults& eval, int64_t train_samples) {
  ordered_json all = ordered_json::parse(train.to_json());
  all["train_samples"] = train_samples;
  const ordered_json ev = ordered_json::parse(eval.to_json());
  for (const auto& [key, value] : ev.items())
    if (!all.contains(key)) all[key] = value;
  return all.dump(2) + "\n";
}

TrainResults TrainResults::from_json(const std::string& text, const std::string& source) {
  const nlohmann::json doc = json_fields::parse(text, source);
  json_fields::JsonReader r(doc, source);
  TrainResults t;
  t.times = get_times(r);
  t.draw_step = r.require<int64_t>("draw_step");
  t.epoch = r.require<double>("epoch");
  t.global_step = r.require<int64_t>("global_step");
  t.phase = parse_enum<Phase>(r.require<std::string>("phase"), r.where("phase"));
  const std::string reason = r.require<std::string>("draw_reason");
  t.draw_reason = reason.empty() ? DrawReason::NotYet : parse_enum<DrawReason>(reason, r.where("draw_reason"));
  t.params_initial = r.require<int64_t>("params_initial");
  t.params_final = r.require<int64_t>("params_final");
  return t;
}

std::string timing_json(const PhaseTimes& times) {
  ordered_json j;
  put_times(j, times);
  return j.dump(2) + "\n";
}

PhaseTimes timing_from_json(const std::string& text, const std::string& source) {
  const nlohmann::json doc = json_fields::parse(text, source);
  json_fields::JsonReader r(doc, source);
  if (r.has(kTotal)) return get_times(r);
  // The first format spelled the phases bare.
  PhaseTimes t;
  t.search = r.require<double>("search");
  t.efficient = r.require<double>("efficient");
  t.dense = r.require<double>("dense");
  t.eval = r.require<double>("eval");
  t.checkpoint = r.require<double>("checkpoint");
  t.total = r.require<double>("total");
  return t;
}

RunRecord read_run(const std::string& dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) fail(dir, "no such run directory");
  RunRecord run;
  run.dir = dir;
  const fs::path p = fs::path(dir).lexically_normal();
  run.name = p.filename().string();
  if (run.name.empty() || run.name == ".") run.name = p.parent_path().filename().string();
  if (run.name.empty()) run.name = dir;

  const std::string eval_path = required_file(dir, run_files::kEvalResults);
  run.eval = EvalResults::from_json(read_file(eval_path), eval_path);
  if (!run.eval.times)
    fail(eval_path, "key '" + std::string(kTotal) + "': missing (not the output of a training run?)");
  run.state = TrainerState::load(required_file(dir, run_files::kTrainerState));
  if (run.state.draw_step >= 0) run.ticket = Ticket::load(required_file(dir, run_files::kTicket));
  run.metrics = read_metrics_jsonl(required_file(dir, run_files::kMetrics));
  const std::string train_path = join_path(dir, run_files::kTrainResults);
  if (path_exists(train_path)) run.train = TrainResults::from_json(read_file(train_path), train_path);
  const std::string config_path = join_path(dir, run_files::kConfigYaml);
  if (path_exists(config_path)) {
    TrainingArguments args;
    apply_config_file(args, config_path);
    run.task = args.task;
    run.ticket_mode = args.ticket_mode;
    run.given_ticket = args.ticket;
  }
  return run;
}

}  // namespace earlybert
