// eval_results.json / train_results.json for the report — see src/report/run_results.h.
#include "report/run_results.h"

#include "base/json_fields.h"
#include "earlybert/base/error.h"
#include "earlybert/base/files.h"

namespace earlybert::report {
namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

RunResults read_run_results(const std::string& dir) {
  using json_fields::JsonReader;
  RunResults out;

  const std::string eval_path = join_path(dir, "eval_results.json");
  if (!path_exists(eval_path)) fail(eval_path, "missing (is '" + dir + "' the output_dir of a finished training run?)");
  const auto eval_doc = json_fields::parse_file(eval_path);
  const JsonReader eval(eval_doc, eval_path);
  out.times.total = eval.require<double>("train_runtime");
  out.times.search = eval.require<double>("search_runtime");
  out.times.efficient = eval.require<double>("efficient_runtime");
  out.times.dense = eval.require<double>("dense_runtime");
  out.times.evaluation = eval.require<double>("eval_total_runtime");
  out.times.checkpoint = eval.optional<double>("checkpoint_runtime", 0.0);
  for (const auto& [key, value] : eval_doc.items()) {
    if (key.rfind("eval_", 0) != 0 || ends_with(key, "runtime")) continue;
    if (value.is_null()) {
      out.metrics[key] = std::nullopt;
    } else if (value.is_number()) {
      out.metrics[key] = value.get<double>();
    } else {
      fail(eval.where(key), std::string("expected a number or null, got ") + value.type_name());
    }
  }

  const std::string train_path = join_path(dir, "train_results.json");
  if (path_exists(train_path)) {
    const auto train_doc = json_fields::parse_file(train_path);
    const JsonReader train(train_doc, train_path);
    out.params_initial = train.require<int64_t>("params_initial");
    out.params_final = train.require<int64_t>("params_final");
  }
  return out;
}

}  // namespace earlybert::report
