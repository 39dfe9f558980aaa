// metrics.jsonl records — see include/earlybert/train/metrics_log.h.
#include "earlybert/train/metrics_log.h"

#include <cmath>
#include <limits>
#include <set>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "train/metrics_json.h"

namespace earlybert {
namespace {

using ordered_json = nlohmann::ordered_json;

// Hugging Face's log_history spells the learning rate "learning_rate"; files of earlier versions say
// "lr", which is still read.
const char* const kFixed[] = {"step",          "epoch",     "phase",        "loss",   "l1",
                              "learning_rate", "grad_norm", "tokens_per_s", "elapsed"};

ordered_json number(double v) { return std::isfinite(v) ? ordered_json(v) : ordered_json(nullptr); }

std::optional<double> MetricsRecord::*optional_member(const std::string& key) {
  if (key == "loss") return &MetricsRecord::loss;
  if (key == "l1") return &MetricsRecord::l1;
  if (key == "learning_rate" || key == "lr") return &MetricsRecord::lr;
  if (key == "grad_norm") return &MetricsRecord::grad_norm;
  if (key == "tokens_per_s") return &MetricsRecord::tokens_per_s;
  if (key == "elapsed") return &MetricsRecord::elapsed;
  return nullptr;
}

double number_from(const ordered_json& v, const std::string& where) {
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!v.is_number()) fail(where, std::string("expected a number, got ") + v.type_name());
  return v.get<double>();
}

bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

bool same(const std::optional<double>& a, const std::optional<double>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || same(*a, *b);
}

}  // namespace

namespace train_detail {

nlohmann::ordered_json metrics_record_json(const MetricsRecord& r) {
  ordered_json j;
  j["step"] = r.step;
  j["epoch"] = number(r.epoch);
  j["phase"] = to_string(r.phase);
  for (const char* key : kFixed) {
    auto m = optional_member(key);
    if (m != nullptr && (r.*m).has_value()) j[key] = number(*(r.*m));
  }
  std::set<std::string> seen;
  for (const auto& [key, value] : r.extra) {
    bool fixed = false;
    for (const char* k : kFixed) fixed = fixed || key == k;
    if (fixed || !seen.insert(key).second) fail("metrics record", "extra key '" + key + "' is used twice");
    j[key] = number(value);
  }
  return j;
}

MetricsRecord metrics_record_from_json(const ordered_json& j, const std::string& where,
                                       const std::function<std::string(const std::string&)>& where_key) {
  if (!j.is_object()) fail(where, std::string("expected an object, got ") + j.type_name());
  MetricsRecord rec;
  if (!j.contains("step")) fail(where_key("step"), "missing required field");
  if (!j.at("step").is_number_integer()) fail(where_key("step"), "expected an integer");
  rec.step = j.at("step").get<int64_t>();
  for (const auto& [key, value] : j.items()) {
    if (key == "step") continue;
    if (key == "phase") {
      if (!value.is_string()) fail(where_key(key), "expected a string");
      rec.phase = parse_enum<Phase>(value.get<std::string>(), where_key(key));
    } else if (key == "epoch") {
      rec.epoch = number_from(value, where_key(key));
    } else if (auto m = optional_member(key)) {
      rec.*m = number_from(value, where_key(key));
    } else {
      rec.extra.emplace_back(key, number_from(value, where_key(key)));
    }
  }
  return rec;
}

}  // namespace train_detail

std::string MetricsRecord::to_json() const { return train_detail::metrics_record_json(*this).dump(); }

MetricsRecord MetricsRecord::from_json(const std::string& line, const std::string& where) {
  ordered_json doc;
  try {
    doc = ordered_json::parse(line);
  } catch (const ordered_json::exception& e) {  // parse_error, and out_of_range for a number like 1e400
    fail(where, std::string("malformed JSON: ") + e.what());
  }
  return train_detail::metrics_record_from_json(doc, where,
                                                [&](const std::string& k) { return where + ": key '" + k + "'"; });
}

bool MetricsRecord::operator==(const MetricsRecord& o) const {
  if (step != o.step || !same(epoch, o.epoch) || phase != o.phase || !same(loss, o.loss) || !same(l1, o.l1) ||
      !same(lr, o.lr) || !same(grad_norm, o.grad_norm) || !same(tokens_per_s, o.tokens_per_s) ||
      !same(elapsed, o.elapsed) || extra.size() != o.extra.size())
    return false;
  for (size_t i = 0; i < extra.size(); ++i)
    if (extra[i].first != o.extra[i].first || !same(extra[i].second, o.extra[i].second)) return false;
  return true;
}

std::vector<MetricsRecord> read_metrics_jsonl(const std::string& path) {
  std::vector<MetricsRecord> out;
  const auto lines = read_lines(path);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    out.push_back(MetricsRecord::from_json(lines[i], path + ":" + std::to_string(i + 1)));
  }
  return out;
}

MetricsLogger::MetricsLogger(RankZeroWriter output, std::string file)
    : output_(std::move(output)), file_(std::move(file)) {}

void MetricsLogger::log(const MetricsRecord& record) const { output_.append_line(file_, record.to_json()); }

void MetricsLogger::truncate_after(int64_t step) const {
  if (!output_.is_main()) return;
  const std::string p = path();
  if (!path_exists(p)) return;
  std::string kept;
  const auto lines = read_lines(p);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    const auto rec = MetricsRecord::from_json(lines[i], p + ":" + std::to_string(i + 1));
    if (rec.step <= step) kept += lines[i] + "\n";
  }
  write_file_atomic(p, kept);
}

}  // namespace earlybert
