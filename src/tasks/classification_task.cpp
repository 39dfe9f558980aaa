// GLUE / WordNet sequence classification — see include/earlybert/tasks/classification_task.h.
#include "earlybert/tasks/classification_task.h"

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/base/log.h"
#include "earlybert/data/glue_submission.h"
#include "earlybert/tasks/task_tokenizer.h"
#include "earlybert/tasks/text_classification_task.h"
#include "tasks/collate.h"

namespace earlybert {

std::vector<ClassificationFeature> tokenize_examples(const Tokenizer& tokenizer,
                                                     const std::vector<TextExample>& examples, int64_t max_seq_length) {
  std::vector<ClassificationFeature> out;
  out.reserve(examples.size());
  for (const auto& ex : examples) {
    std::optional<std::string_view> b;
    if (ex.text_b) b = std::string_view(*ex.text_b);
    Encoding e = tokenizer.encode(ex.text_a, b, static_cast<size_t>(max_seq_length), Truncation::LongestFirst);
    ClassificationFeature f;
    f.input_ids = std::move(e.input_ids);
    f.token_type_ids = std::move(e.token_type_ids);
    f.label_id = ex.label_id;
    f.label_value = ex.label_value;
    f.has_label = ex.has_label();
    out.push_back(std::move(f));
  }
  return out;
}

Batch collate_classification(const std::vector<ClassificationFeature>& features, const std::vector<int64_t>& indices,
                             int32_t pad_id, bool regression) {
  Batch batch = train_detail::pad_features(features, indices, pad_id, "example");
  const auto B = static_cast<int64_t>(indices.size());
  const bool labelled = std::all_of(indices.begin(), indices.end(),
                                    [&](int64_t i) { return features[static_cast<size_t>(i)].has_label; });
  if (labelled) {
    if (regression) {
      auto labels = torch::empty({B}, torch::kFloat);
      auto la = labels.accessor<float, 1>();
      for (int64_t r = 0; r < B; ++r)
        la[r] = features[static_cast<size_t>(indices[static_cast<size_t>(r)])].label_value;
      batch.labels = labels;
    } else {
      auto labels = torch::empty({B}, torch::kLong);
      auto la = labels.accessor<int64_t, 1>();
      for (int64_t r = 0; r < B; ++r) la[r] = features[static_cast<size_t>(indices[static_cast<size_t>(r)])].label_id;
      batch.labels = labels;
    }
  }
  return batch;
}

ClassificationTask::ClassificationTask(const TaskOptions& args, std::shared_ptr<const Tokenizer> tokenizer)
    : args_(args), name_(args.task), tokenizer_(std::move(tokenizer)) {
  if (args.task == kTextClassificationTask) {
    own_spec_ = std::make_shared<const TaskSpec>(text_classification_spec(args));
    spec_ = own_spec_.get();
  } else {
    spec_ = lookup_task(args.task);
  }
  if (spec_ == nullptr || spec_->name == "mnli-mm")
    fail("task", "'" + args.task + "' is not a classification task (" +
                     "cola, sst2, mrpc, stsb, qqp, mnli, qnli, "
                     "rte, wnli, wordnet)");
  if (!tokenizer_) fail("tokenizer_name", "the task needs a tokenizer");
  if (spec_->name == "mnli") mismatched_spec_ = lookup_task("mnli-mm");
  if (spec_->load == nullptr && args.data_dir.empty() && (args.train_file.empty() || args.validation_file.empty()))
    fail("data_dir", "task '" + args.task + "' needs data_dir (the GLUE root or the " + spec_->dir_name + " folder)");
}

ClassificationTask::Split_ ClassificationTask::load_split(const TaskSpec& spec, Split split,
                                                          const std::string& explicit_file, int64_t limit) const {
  Split_ s;
  // The own-files task's spec reads its files itself (train_file / validation_file / test_file).
  TaskExamples ex = explicit_file.empty() || own_spec_ ? load_task_examples(spec, args_.data_dir, split)
                                                       : read_task_tsv(spec, explicit_file, split);
  s.examples = std::move(ex.examples);
  if (limit >= 0 && static_cast<int64_t>(s.examples.size()) > limit) s.examples.resize(static_cast<size_t>(limit));
  s.features = tokenize_examples(*tokenizer_, s.examples, args_.max_seq_length);
  return s;
}

const std::vector<ClassificationFeature>& ClassificationTask::train_features() const {
  if (!train_) {
    train_ = load_split(*spec_, Split::Train, args_.train_file, args_.max_train_samples);
    logging::info("{}: {} training examples", name_, train_->features.size());
  }
  return train_->features;
}

void ClassificationTask::configure_model(BertConfig& config) const {
  fit_model_to_tokenizer(config, *tokenizer_, args_);
  config.num_labels = static_cast<int64_t>(spec_->num_labels());
  config.id2label = spec_->is_regression ? std::vector<std::string>{} : spec_->label_names;
  config.problem_type = spec_->is_regression ? ProblemType::Regression : ProblemType::SingleLabelClassification;
}

int64_t ClassificationTask::train_size() const { return static_cast<int64_t>(train_features().size()); }

Batch ClassificationTask::train_batch(const std::vector<int64_t>& indices, uint64_t /*seed*/) const {
  return collate_classification(train_features(), indices, tokenizer_->special_ids().pad, spec_->is_regression);
}

int64_t ClassificationTask::tokens_per_feature() const {
  const auto& f = train_features();
  if (f.empty()) return args_.max_seq_length;
  size_t total = 0;
  for (const auto& x : f) total += x.input_ids.size();
  return static_cast<int64_t>((total + f.size() - 1) / f.size());
}

ClassificationTask::Outputs ClassificationTask::run(AnyBertModel& model,
                                                    const std::vector<ClassificationFeature>& features,
                                                    const EvalContext& context) const {
  if (model.kind() != ModelKind::SequenceClassification)
    fail("task", name_ + " needs a BertForSequenceClassification model, got " + architecture_name(model.kind()));
  if (features.empty()) fail("task", name_ + ": the evaluation split is empty");
  auto& m = model.get<BertForSequenceClassification>();
  const int32_t pad = tokenizer_->special_ids().pad;
  const bool labelled =
      std::all_of(features.begin(), features.end(), [](const ClassificationFeature& f) { return f.has_label; });
  const EvalRows rows = run_evaluation(
      model, static_cast<int64_t>(features.size()), context,
      [&](const std::vector<int64_t>& idx) { return collate_classification(features, idx, pad, spec_->is_regression); },
      [&](const Batch& batch) -> EvalRows {
        const auto out = m->forward(batch);
        // The loss is a batch mean: kept as a sum per batch, so that the mean is over examples.
        const torch::Tensor loss_sum = out.loss.defined()
                                           ? (out.loss.detach().to(torch::kDouble) * batch.batch_size()).reshape({1})
                                           : torch::zeros({1}, torch::kDouble);
        return {out.logits, loss_sum};
      });
  Outputs o;
  o.logits = rows[0];
  if (labelled) o.loss = rows[1].sum().item<double>() / static_cast<double>(features.size());
  return o;
}

Metrics ClassificationTask::score(const TaskSpec& spec, const Outputs& out,
                                  const std::vector<ClassificationFeature>& features) const {
  Metrics m;
  if (spec.is_regression) {
    std::vector<float> pred, gold;
    auto flat = out.logits.reshape({-1});
    auto a = flat.accessor<float, 1>();
    for (size_t i = 0; i < features.size(); ++i) {
      pred.push_back(a[static_cast<int64_t>(i)]);
      gold.push_back(features[i].label_value);
    }
    for (const auto& [k, v] : task_metrics(spec, pred, gold)) m[k] = v;
  } else {
    std::vector<int32_t> pred, gold;
    auto am = out.logits.argmax(1);
    auto a = am.accessor<int64_t, 1>();
    for (size_t i = 0; i < features.size(); ++i) {
      pred.push_back(static_cast<int32_t>(a[static_cast<int64_t>(i)]));
      gold.push_back(features[i].label_id);
    }
    for (const auto& [k, v] : task_metrics(spec, pred, gold)) m[k] = v;
  }
  if (out.loss) m["loss"] = *out.loss;
  return m;
}

Metrics ClassificationTask::evaluate(AnyBertModel& model, const EvalContext& context) {
  // The dev split(s) are read and tokenized on the first evaluation and kept for the next ones.
  if (!dev_) {
    dev_ = load_split(*spec_, Split::Dev, args_.validation_file, args_.max_eval_samples);
    for (const auto& f : dev_->features)
      if (!f.has_label) fail("validation_file", "the evaluation split has unlabelled examples");
    if (mismatched_spec_ != nullptr && args_.validation_file.empty()) {
      const std::string mm_file =
          join_path(resolve_task_dir(*mismatched_spec_, args_.data_dir), mismatched_spec_->dev_file);
      if (path_exists(mm_file)) dev_mm_ = load_split(*mismatched_spec_, Split::Dev, "", args_.max_eval_samples);
    }
  }
  Metrics metrics = score(*spec_, run(model, dev_->features, context), dev_->features);
  metrics["samples"] = static_cast<double>(dev_->features.size());  // eval_samples, as run_glue.py
  if (dev_mm_) {
    for (const auto& [k, v] : score(*mismatched_spec_, run(model, dev_mm_->features, context), dev_mm_->features))
      metrics[k + "_mm"] = v;
  }
  return metrics;
}

std::vector<std::string> ClassificationTask::predict(AnyBertModel& model, const std::string& split_name,
                                                     const EvalContext& context, const std::string& dir) {
  const Split split = parse_split(split_name, "split");
  if (split == Split::Train) fail("split", "predict writes dev or test predictions, not train");
  std::vector<const TaskSpec*> specs = {spec_};
  if (mismatched_spec_ != nullptr) specs.push_back(mismatched_spec_);
  std::vector<std::string> written;
  for (const TaskSpec* spec : specs) {
    const std::string explicit_file = spec != spec_         ? ""
                                      : split == Split::Dev ? args_.validation_file
                                                            : args_.test_file;
    if (spec == mismatched_spec_) {
      const std::string f = join_path(resolve_task_dir(*spec, args_.data_dir), spec->file_name(split));
      if (!path_exists(f)) continue;  // MNLI without its mismatched files: matched only
    }
    Split_ s = load_split(*spec, split, explicit_file, split == Split::Dev ? args_.max_eval_samples : -1);
    Outputs out = run(model, s.features, context);
    if (!writes_files(context)) continue;
    const std::string sub_dir = split == Split::Dev ? join_path(dir, "dev") : dir;
    const std::string path = join_path(sub_dir, submission_file_name(*spec));
    if (spec->is_regression) {
      std::vector<float> values;
      auto flat = out.logits.reshape({-1});
      auto a = flat.accessor<float, 1>();
      for (int64_t i = 0; i < flat.size(0); ++i) values.push_back(a[i]);  // unclamped, as run_glue.py
      write_glue_predictions(*spec, path, values);
    } else {
      std::vector<int32_t> ids;
      auto am = out.logits.argmax(1);
      auto a = am.accessor<int64_t, 1>();
      for (int64_t i = 0; i < am.size(0); ++i) ids.push_back(static_cast<int32_t>(a[i]));
      write_glue_predictions(*spec, path, ids);
    }
    written.push_back(path);
  }
  return written;
}

}  // namespace earlybert
