// SQuAD v1.1 / v2.0 question answering — see include/earlybert/tasks/squad_task.h.
#include "earlybert/tasks/squad_task.h"

#include <torch/torch.h>

#include <algorithm>
#include <map>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/base/log.h"
#include "earlybert/data/squad_eval.h"
#include "earlybert/tasks/task_tokenizer.h"
#include "tasks/collate.h"

namespace earlybert {

Batch collate_squad(const std::vector<SquadFeature>& features, const std::vector<int64_t>& indices, int32_t pad_id,
                    bool with_positions) {
  Batch batch = train_detail::pad_features(features, indices, pad_id, "feature");
  const auto B = static_cast<int64_t>(indices.size());
  if (with_positions) {
    auto start = torch::empty({B}, torch::kLong);
    auto end = torch::empty({B}, torch::kLong);
    auto sa = start.accessor<int64_t, 1>();
    auto ea = end.accessor<int64_t, 1>();
    for (int64_t r = 0; r < B; ++r) {
      const SquadFeature& f = features[static_cast<size_t>(indices[static_cast<size_t>(r)])];
      sa[r] = f.start_position;
      ea[r] = f.end_position;
    }
    batch.start_positions = start;
    batch.end_positions = end;
  }
  return batch;
}

std::string squad_split_file(const std::string& data_dir, const std::string& explicit_file, const std::string& split,
                             bool version_2) {
  if (split != "train" && split != "dev") fail("split", "'" + split + "' is not a SQuAD split (train, dev)");
  const std::string explicit_key = split == "train" ? "train_file" : "validation_file";
  if (!explicit_file.empty()) {
    if (!path_exists(explicit_file)) fail(explicit_key, "no such file: '" + explicit_file + "'");
    return explicit_file;
  }
  const std::string name = split + (version_2 ? "-v2.0.json" : "-v1.1.json");
  if (data_dir.empty())
    fail("data_dir", "SQuAD needs data_dir (the directory holding " + name + ") or " + explicit_key);
  const std::string path = join_path(data_dir, name);
  if (!path_exists(path))
    fail("data_dir", "no " + name + " in '" + data_dir + "' (or set " + explicit_key + "): '" + path + "'");
  return path;
}

SquadTask::SquadTask(const TaskOptions& args, std::shared_ptr<const Tokenizer> tokenizer)
    : args_(args), version_2_(args.task == "squad_v2"), tokenizer_(std::move(tokenizer)) {
  if (args.task != "squad" && args.task != "squad_v2")
    fail("task", "'" + args.task + "' is not a SQuAD task (squad, squad_v2)");
  if (!tokenizer_) fail("tokenizer_name", "the task needs a tokenizer");
  if (args.data_dir.empty() && args.train_file.empty() && args.validation_file.empty())
    fail("data_dir", "task '" + args.task + "' needs data_dir (the SQuAD directory) or train_file / validation_file");
  // The feature options are checked now rather than when the data is first read, deep in a run.
  if (args.max_query_length < 1) fail("max_query_length", "must be at least 1");
  if (args.doc_stride < 1) fail("doc_stride", "must be at least 1");
  if (args.max_seq_length < args.max_query_length + 4)
    fail("max_seq_length", std::to_string(args.max_seq_length) + " leaves no room for context after a " +
                               std::to_string(args.max_query_length) +
                               "-token question and [CLS]/[SEP]/[SEP] (needs at least max_query_length + 4)");
  if (args.n_best_size < 1) fail("n_best_size", "must be at least 1");
  if (args.max_answer_length < 1) fail("max_answer_length", "must be at least 1");
}

SquadFeatureOptions SquadTask::feature_options(bool training) const {
  SquadFeatureOptions o;
  o.max_seq_length = static_cast<size_t>(args_.max_seq_length);
  o.doc_stride = static_cast<size_t>(args_.doc_stride);
  o.max_query_length = static_cast<size_t>(args_.max_query_length);
  o.training = training;
  return o;
}

SquadDecodeOptions SquadTask::decode_options() const {
  SquadDecodeOptions o;
  o.n_best_size = static_cast<size_t>(args_.n_best_size);
  o.max_answer_length = static_cast<size_t>(args_.max_answer_length);
  o.version_2_with_negative = version_2_;
  o.null_score_diff_threshold = args_.null_score_diff_threshold;
  return o;
}

SquadTask::Split_ SquadTask::load_split(const std::string& split, bool training) const {
  const std::string path =
      squad_split_file(args_.data_dir, training ? args_.train_file : args_.validation_file, split, version_2_);
  Split_ s;
  s.data = read_squad(path);
  if (s.data.has_impossible && !version_2_)
    fail(path, "has unanswerable questions (is_impossible): a SQuAD v2.0 file; use task squad_v2");
  if (!s.data.has_impossible && version_2_)
    logging::warn("{}: no unanswerable question in this file (task squad_v2 expects SQuAD v2.0 data)", path);
  const int64_t limit = training ? args_.max_train_samples : args_.max_eval_samples;
  if (limit >= 0 && static_cast<int64_t>(s.data.examples.size()) > limit)
    s.data.examples.resize(static_cast<size_t>(limit));
  if (s.data.examples.empty()) fail(path, "no questions to " + std::string(training ? "train on" : "evaluate"));
  SquadFeatures f = build_squad_features(s.data.examples, *tokenizer_, feature_options(training));
  if (f.skipped_examples > 0)
    logging::warn("{}: skipped {} training question(s) whose answer does not match the context (first: {})", path,
                  f.skipped_examples, f.skipped_ids.front());
  s.features = std::move(f.features);
  if (training) {
    // A batch needs ids and targets only; the byte offsets are for decoding (about 2/3 of the memory).
    for (SquadFeature& x : s.features) {
      std::vector<std::pair<size_t, size_t>>().swap(x.context_offsets);
      std::vector<uint8_t>().swap(x.token_is_max_context);
      std::vector<int32_t>().swap(x.attention_mask);
    }
    if (s.features.empty()) fail(path, "no training features (every question was skipped)");
  }
  logging::info("{}: {} {} questions -> {} features (max_seq_length {}, doc_stride {}, max_query_length {})",
                args_.task, s.data.examples.size(), split, s.features.size(), args_.max_seq_length, args_.doc_stride,
                args_.max_query_length);
  return s;
}

const SquadDataset& SquadTask::train_data() const {
  if (!train_) train_ = load_split("train", true);
  return train_->data;
}

const std::vector<SquadFeature>& SquadTask::train_features() const {
  train_data();
  return train_->features;
}

const SquadDataset& SquadTask::dev_data() const {
  if (!dev_) dev_ = load_split("dev", false);
  return dev_->data;
}

const std::vector<SquadFeature>& SquadTask::dev_features() const {
  dev_data();
  return dev_->features;
}

void SquadTask::configure_model(BertConfig& config) const {
  fit_model_to_tokenizer(config, *tokenizer_, args_);
  // Hugging Face's BertForQuestionAnswering: qa_outputs has num_labels (2) outputs, start and end.
  config.num_labels = 2;
  config.id2label.clear();
  config.problem_type.reset();
}

int64_t SquadTask::train_size() const { return static_cast<int64_t>(train_features().size()); }

Batch SquadTask::train_batch(const std::vector<int64_t>& indices, uint64_t /*seed*/) const {
  return collate_squad(train_features(), indices, tokenizer_->special_ids().pad, true);
}

int64_t SquadTask::tokens_per_feature() const {
  const auto& f = train_features();
  size_t total = 0;
  for (const auto& x : f) total += x.input_ids.size();
  return static_cast<int64_t>((total + f.size() - 1) / f.size());
}

std::vector<SquadPrediction> SquadTask::dev_predictions(AnyBertModel& model, const EvalContext& context) const {
  if (model.kind() != ModelKind::QuestionAnswering)
    fail("task", args_.task + " needs a BertForQuestionAnswering model, got " + architecture_name(model.kind()));
  const std::vector<SquadFeature>& features = dev_features();
  auto& m = model.get<BertForQuestionAnswering>();
  const int32_t pad = tokenizer_->special_ids().pad;
  // Batches are padded to their longest window; the logits are padded on to max_seq_length so that
  // the rows of all batches line up (the padding is never decoded).
  const int64_t width = args_.max_seq_length;
  const EvalRows rows = run_evaluation(
      model, static_cast<int64_t>(features.size()), context,
      [&](const std::vector<int64_t>& idx) { return collate_squad(features, idx, pad, false); },
      [&](const Batch& batch) -> EvalRows {
        const QuestionAnsweringOutput out = m->forward(batch);
        const int64_t extra = width - out.start_logits.size(1);
        return {torch::constant_pad_nd(out.start_logits, {0, extra}),
                torch::constant_pad_nd(out.end_logits, {0, extra})};
      });
  const auto sa = rows[0].accessor<float, 2>();
  const auto ea = rows[1].accessor<float, 2>();
  std::vector<SquadLogits> logits(features.size());
  for (size_t r = 0; r < features.size(); ++r) {
    const size_t n = features[r].size();
    logits[r].start.resize(n);
    logits[r].end.resize(n);
    for (size_t j = 0; j < n; ++j) {
      logits[r].start[j] = sa[static_cast<int64_t>(r)][static_cast<int64_t>(j)];
      logits[r].end[j] = ea[static_cast<int64_t>(r)][static_cast<int64_t>(j)];
    }
  }
  return decode_squad_predictions(dev_data().examples, features, logits, decode_options());
}

Metrics SquadTask::evaluate(AnyBertModel& model, const EvalContext& context) {
  const std::vector<SquadPrediction> preds = dev_predictions(model, context);
  std::map<std::string, std::string> by_id;
  for (const auto& p : preds) by_id[p.id] = p.text;
  const MetricValues values =
      evaluate_squad(dev_data().examples, by_id, version_2_ ? SquadVersion::V2 : SquadVersion::V1, args_.task);
  Metrics metrics(values.begin(), values.end());
  if (version_2_) {
    std::map<std::string, double> null_odds;
    for (const auto& p : preds) null_odds[p.id] = p.score_diff;
    for (const auto& [k, v] : squad_v2_best_thresholds(dev_data().examples, by_id, null_odds, args_.task))
      metrics[k] = v;
  }
  metrics["samples"] = static_cast<double>(dev_data().examples.size());  // eval_samples, as run_qa.py
  return metrics;
}

std::vector<std::string> SquadTask::predict(AnyBertModel& model, const std::string& split, const EvalContext& context,
                                            const std::string& dir) {
  if (split == "test")
    fail("split", "SQuAD's test sets are not public; predict on 'dev' (or point validation_file at your questions)");
  if (split != "dev") fail("split", "'" + split + "' is not a SQuAD prediction split (dev)");
  const std::vector<SquadPrediction> preds = dev_predictions(model, context);
  if (!writes_files(context)) return {};
  std::vector<std::string> written = {join_path(dir, "predictions.json"), join_path(dir, "nbest_predictions.json")};
  write_squad_predictions(written[0], preds);
  write_squad_nbest(written[1], preds);
  if (version_2_) {
    written.push_back(join_path(dir, "null_odds.json"));
    write_squad_null_odds(written[2], preds);
  }
  return written;
}

std::unique_ptr<Task> make_squad_task(const TaskOptions& args) {
  std::shared_ptr<const Tokenizer> tok = load_run_tokenizer(args);
  return std::make_unique<SquadTask>(args, std::move(tok));
}

}  // namespace earlybert
