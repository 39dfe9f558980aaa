// trainer_state.json and RNG states — see include/earlybert/train/trainer_state.h.
#include "earlybert/train/trainer_state.h"

#include <ATen/Context.h>
#include <ATen/core/Generator.h>
#include <torch/torch.h>

#include <cmath>
#include <cstring>
#include <sstream>

#include "base/json_fields.h"
#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "train/base64.h"
#include "train/metrics_json.h"

namespace earlybert {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr int64_t kFormatVersion = 1;

std::string generator_state(at::Generator gen) {
  std::lock_guard<std::mutex> lock(gen.mutex());
  const at::Tensor s = gen.get_state().contiguous();
  return std::string(static_cast<const char*>(s.data_ptr()), static_cast<size_t>(s.numel()));
}

void set_generator_state(at::Generator gen, const std::string& bytes, const std::string& where) {
  at::Tensor s = torch::empty({static_cast<int64_t>(bytes.size())}, torch::kUInt8);
  std::memcpy(s.data_ptr(), bytes.data(), bytes.size());
  std::lock_guard<std::mutex> lock(gen.mutex());
  try {
    gen.set_state(s);
  } catch (const c10::Error& e) {
    std::string msg = e.what_without_backtrace();
    fail(where, "cannot restore generator state: " + msg.substr(0, msg.find('\n')));
  }
}

int cuda_devices() { return torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0; }

ordered_json rng_json(const RngState& state) {
  ordered_json rng;
  rng["torch_cpu"] = train_detail::base64_encode(state.torch_cpu);
  ordered_json cuda = ordered_json::array();
  for (const auto& s : state.torch_cuda) cuda.push_back(train_detail::base64_encode(s));
  rng["torch_cuda"] = cuda;
  return rng;
}

RngState rng_from_json(const json_fields::JsonReader& rng) {
  RngState s;
  s.torch_cpu = train_detail::base64_decode(rng.require<std::string>("torch_cpu"), rng.where("torch_cpu"));
  const json& cuda = rng.raw("torch_cuda");
  if (!cuda.is_array()) fail(rng.where("torch_cuda"), "expected a list of base64 strings");
  for (size_t i = 0; i < cuda.size(); ++i) {
    const std::string where = rng.where("torch_cuda[" + std::to_string(i) + "]");
    s.torch_cuda.push_back(train_detail::base64_decode(json_fields::convert<std::string>(cuda[i], where), where));
  }
  return s;
}

}  // namespace

RngState capture_torch_rng_state() {
  RngState s;
  s.torch_cpu = generator_state(at::globalContext().defaultGenerator(at::Device(at::kCPU)));
  for (int i = 0; i < cuda_devices(); ++i)
    s.torch_cuda.push_back(
        generator_state(at::globalContext().defaultGenerator(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(i)))));
  return s;
}

void restore_torch_rng_state(const RngState& state, const std::string& where) {
  if (!state.torch_cpu.empty())
    set_generator_state(at::globalContext().defaultGenerator(at::Device(at::kCPU)), state.torch_cpu,
                        where + ".torch_cpu");
  const int n = std::min<int>(cuda_devices(), static_cast<int>(state.torch_cuda.size()));
  for (int i = 0; i < n; ++i)
    set_generator_state(at::globalContext().defaultGenerator(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(i))),
                        state.torch_cuda[static_cast<size_t>(i)], where + ".torch_cuda[" + std::to_string(i) + "]");
}

std::string TrainerState::to_json() const {
  ordered_json j;
  j["format_version"] = kFormatVersion;
  j["global_step"] = global_step;
  j["epoch"] = epoch;
  j["phase"] = to_string(phase);
  j["max_steps"] = max_steps;
  j["num_train_epochs"] = num_train_epochs;
  j["world_size"] = world_size;
  j["data_position"] = {{"epoch", data_position.epoch},
                        {"batch_in_epoch", data_position.batch_in_epoch},
                        {"samples_seen", data_position.samples_seen}};
  j["rng"] = rng_json(this->rng);
  if (!rank_rng.empty()) {
    ordered_json ranks = ordered_json::array();
    for (const auto& r : rank_rng) ranks.push_back(rng_json(r));
    j["rank_rng"] = ranks;
  }
  j["draw_step"] = draw_step;
  j["draw_reason"] = draw_step >= 0 ? to_string(draw_reason) : std::string();
  j["early_bird"] = early_bird.empty() ? ordered_json(nullptr) : ordered_json::parse(early_bird);
  j["best_metric"] = best_metric && std::isfinite(*best_metric) ? ordered_json(*best_metric) : ordered_json(nullptr);
  j["best_model_checkpoint"] =
      best_model_checkpoint.empty() ? ordered_json(nullptr) : ordered_json(best_model_checkpoint);
  ordered_json hist = ordered_json::array();
  for (const auto& r : log_history) hist.push_back(train_detail::metrics_record_json(r));
  j["log_history"] = hist;
  return j.dump(2) + "\n";
}

TrainerState TrainerState::from_json(const std::string& text, const std::string& source) {
  const json doc = json_fields::parse(text, source);
  json_fields::JsonReader r(doc, source);
  const int64_t version = r.require<int64_t>("format_version");
  if (version != kFormatVersion)
    fail(r.where("format_version"), "unsupported version " + std::to_string(version) + " (this build reads " +
                                        std::to_string(kFormatVersion) + ")");
  TrainerState s;
  s.global_step = r.require<int64_t>("global_step");
  if (s.global_step < 0) fail(r.where("global_step"), "must be >= 0");
  s.epoch = r.require<double>("epoch");
  s.phase = parse_enum<Phase>(r.require<std::string>("phase"), r.where("phase"));
  if (s.phase == Phase::Eval) fail(r.where("phase"), "must be search, efficient or dense; got 'eval'");
  s.max_steps = r.require<int64_t>("max_steps");
  s.num_train_epochs = r.require<double>("num_train_epochs");
  s.world_size = r.require<int64_t>("world_size");
  if (s.world_size < 1) fail(r.where("world_size"), "must be >= 1");
  const auto dp = r.child("data_position");
  s.data_position.epoch = dp.require<int64_t>("epoch");
  s.data_position.batch_in_epoch = dp.require<int64_t>("batch_in_epoch");
  s.data_position.samples_seen = dp.require<int64_t>("samples_seen");
  s.rng = rng_from_json(r.child("rng"));
  if (r.has("rank_rng"))
    for (const auto& item : r.list("rank_rng")) s.rank_rng.push_back(rng_from_json(item));
  s.draw_step = r.require<int64_t>("draw_step");
  // Written empty before the draw (and by runs of ticket_mode none).
  const std::string reason = r.require<std::string>("draw_reason");
  s.draw_reason = reason.empty() ? DrawReason::NotYet : parse_enum<DrawReason>(reason, r.where("draw_reason"));
  if (r.has("early_bird")) {
    const json& eb = r.raw("early_bird");
    if (!eb.is_object()) fail(r.where("early_bird"), "expected an object");
    s.early_bird = eb.dump();
  }
  if (r.has("best_metric")) s.best_metric = r.require<double>("best_metric");
  s.best_model_checkpoint = r.optional<std::string>("best_model_checkpoint", "");
  // log_history again from an order-keeping parse, so extras keep their order.
  r.raw("log_history");  // present (Error naming the key otherwise)
  const ordered_json ordered = ordered_json::parse(text);
  const ordered_json& hist = ordered.at("log_history");
  if (!hist.is_array()) fail(r.where("log_history"), "expected a list");
  for (size_t i = 0; i < hist.size(); ++i) {
    const std::string item = "log_history[" + std::to_string(i) + "]";
    s.log_history.push_back(train_detail::metrics_record_from_json(
        hist[i], r.where(item), [&](const std::string& k) { return r.where(item + "." + k); }));
  }
  return s;
}

void TrainerState::save(const std::string& path) const { write_file_atomic(path, to_json()); }

TrainerState TrainerState::load(const std::string& path) { return from_json(read_file(path), path); }

bool TrainerState::operator==(const TrainerState& o) const {
  const bool best_same =
      best_metric.has_value() == o.best_metric.has_value() && (!best_metric || *best_metric == *o.best_metric);
  return global_step == o.global_step && epoch == o.epoch && phase == o.phase && max_steps == o.max_steps &&
         num_train_epochs == o.num_train_epochs && world_size == o.world_size && data_position == o.data_position &&
         rng == o.rng && rank_rng == o.rank_rng && draw_step == o.draw_step && draw_reason == o.draw_reason &&
         early_bird == o.early_bird && best_same && best_model_checkpoint == o.best_model_checkpoint &&
         log_history == o.log_history;
}

}  // namespace earlybert
