// MLM / MLM+NSP pre-training over prepared shards — see include/earlybert/tasks/pretraining_task.h.
#include "earlybert/tasks/pretraining_task.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "earlybert/base/error.h"
#include "earlybert/base/log.h"
#include "earlybert/data/pretraining_random.h"
#include "earlybert/tasks/eval_loop.h"

namespace earlybert {
namespace {

PretrainingDataset open_training_data(const TaskOptions& args) {
  if (args.task != "mlm" && args.task != "pretraining")
    fail("task", "'" + args.task + "' is not a pre-training task (mlm, pretraining)");
  if (args.data_dir.empty())
    fail("data_dir", "task '" + args.task + "' needs data_dir: a directory written by `earlybert prepare-pretraining`");
  return PretrainingDataset::open(args.data_dir);
}

/// The fixed masking seed of evaluation (independent of the step, so evaluations compare).
uint64_t eval_seed(int64_t seed) { return mix_seed(static_cast<uint64_t>(seed), 0x65766131ULL /* "eva1" */); }

}  // namespace

Batch collate_pretraining(const std::vector<PretrainingExample>& examples, int32_t pad_id, bool with_nsp) {
  if (examples.empty()) fail("batch", "no examples to collate");
  size_t len = 0;
  for (const auto& e : examples) len = std::max(len, e.input_ids.size());
  const auto B = static_cast<int64_t>(examples.size());
  const auto S = static_cast<int64_t>(len);
  auto ids = torch::full({B, S}, static_cast<int64_t>(pad_id), torch::kLong);
  auto types = torch::zeros({B, S}, torch::kLong);
  auto mask = torch::zeros({B, S}, torch::kLong);
  auto labels = torch::full({B, S}, static_cast<int64_t>(kIgnoreLabel), torch::kLong);
  auto nsp = torch::empty({B}, torch::kLong);
  auto ia = ids.accessor<int64_t, 2>();
  auto ta = types.accessor<int64_t, 2>();
  auto ma = mask.accessor<int64_t, 2>();
  auto la = labels.accessor<int64_t, 2>();
  auto na = nsp.accessor<int64_t, 1>();
  for (int64_t r = 0; r < B; ++r) {
    const auto& e = examples[static_cast<size_t>(r)];
    for (size_t j = 0; j < e.input_ids.size(); ++j) {
      const auto c = static_cast<int64_t>(j);
      ia[r][c] = e.input_ids[j];
      ta[r][c] = e.token_type_ids[j];
      ma[r][c] = 1;
      la[r][c] = e.labels[j];
    }
    na[r] = e.next_sentence_label;
    if (with_nsp && e.next_sentence_label == kIgnoreLabel) fail("batch", "example without a next-sentence label");
  }
  Batch b;
  b.input_ids = ids;
  b.token_type_ids = types;
  b.attention_mask = mask;
  b.labels = labels;
  if (with_nsp) b.next_sentence_label = nsp;
  return b;
}

PretrainingTask::PretrainingTask(const TaskOptions& args, std::shared_ptr<const Tokenizer> tokenizer)
    : args_(args), tokenizer_(std::move(tokenizer)), train_data_(open_training_data(args)) {
  if (tokenizer_) train_data_.check_vocabulary(*tokenizer_);
  if (train_data_.header().max_seq_length != static_cast<uint32_t>(args.max_seq_length))
    logging::warn("max_seq_length {} differs from the shards' {}; the shards' length is used", args.max_seq_length,
                  train_data_.header().max_seq_length);
  masking_ = train_data_.default_masking();
  masking_.masked_lm_prob = args.mlm_probability;
  masking_.whole_word_mask = args.whole_word_mask || masking_.whole_word_mask;
  validate_masking_options(masking_, "mlm_probability");

  const auto total = static_cast<int64_t>(train_data_.size());
  if (!args.validation_file.empty()) {
    eval_data_ = std::make_unique<PretrainingDataset>(PretrainingDataset::open(args.validation_file));
    eval_data_->check_vocabulary(train_data_.header().vocab_fingerprint, train_data_.header().vocab_size,
                                 args.data_dir);
    eval_count_ = static_cast<int64_t>(eval_data_->size());
    if (args.max_eval_samples >= 0) eval_count_ = std::min(eval_count_, args.max_eval_samples);
    train_count_ = total;
  } else {
    if (total < 2) fail("data_dir", args.data_dir + ": needs at least 2 records to hold one out for evaluation");
    int64_t held = args.max_eval_samples >= 0 ? args.max_eval_samples : std::clamp<int64_t>(total / 20, 1, 2000);
    held = std::clamp<int64_t>(held, 1, total - 1);
    eval_count_ = held;
    eval_offset_ = total - held;
    train_count_ = total - held;
  }
  if (args.max_train_samples >= 0) train_count_ = std::min(train_count_, args.max_train_samples);
  if (args.task == "pretraining" && !train_data_.has_nsp())
    logging::warn("{}: the shards have no next-sentence pairs; task 'pretraining' trains MLM only", args.data_dir);
  logging::info("{}: {} training records, {} evaluation records{}", args.task, train_count_, eval_count_,
                args.validation_file.empty() ? " (held out of data_dir)" : "");
}

ModelKind PretrainingTask::model_kind() const {
  return args_.task == "mlm" ? ModelKind::MaskedLM : ModelKind::PreTraining;
}

bool PretrainingTask::uses_nsp() const { return args_.task == "pretraining" && train_data_.has_nsp(); }

void PretrainingTask::configure_model(BertConfig& config) const {
  const auto vocab = static_cast<int64_t>(train_data_.header().vocab_size);
  if (args_.model_name_or_path.empty()) {
    config.vocab_size = vocab;  // a new model is sized to the data's vocabulary
  } else if (config.vocab_size < vocab) {
    fail("model_name_or_path", "the model's vocab_size (" + std::to_string(config.vocab_size) +
                                   ") is smaller than the shards' vocabulary (" + std::to_string(vocab) + ")");
  }
  const auto len = static_cast<int64_t>(train_data_.header().max_seq_length);
  if (len > config.max_position_embeddings)
    fail("max_seq_length", "the shards' sequences (" + std::to_string(len) +
                               ") exceed the model's "
                               "max_position_embeddings (" +
                               std::to_string(config.max_position_embeddings) + ")");
  if (uses_nsp() && config.type_vocab_size < 2)
    fail("model_name_or_path", "next-sentence prediction needs type_vocab_size >= 2");
}

Batch PretrainingTask::train_batch(const std::vector<int64_t>& indices, uint64_t seed) const {
  std::vector<PretrainingExample> examples;
  examples.reserve(indices.size());
  for (int64_t i : indices) {
    if (i < 0 || i >= train_count_)
      fail("batch", "record " + std::to_string(i) + " out of range (" + std::to_string(train_count_) + ")");
    examples.push_back(train_data_.example(static_cast<size_t>(i), 0, seed, masking_));
  }
  return collate_pretraining(examples, train_data_.header().special.pad, uses_nsp());
}

int64_t PretrainingTask::tokens_per_feature() const {
  const auto& h = train_data_.header();
  return h.num_records == 0 ? static_cast<int64_t>(h.max_seq_length)
                            : static_cast<int64_t>((h.num_tokens + h.num_records - 1) / h.num_records);
}

Metrics PretrainingTask::evaluate(AnyBertModel& model, const EvalContext& context) {
  if (model.kind() != model_kind())
    fail("task",
         args_.task + " needs a " + architecture_name(model_kind()) + " model, got " + architecture_name(model.kind()));
  const PretrainingDataset& data = eval_data_ ? *eval_data_ : train_data_;
  const uint64_t seed = eval_seed(args_.seed);
  const bool nsp = uses_nsp() && data.has_nsp();
  // One row of sums per batch: MLM loss, masked positions, correct predictions, NSP loss, NSP correct,
  // sequences; reduced to means over positions / sequences after the loop.
  const EvalRows rows = run_evaluation(
      model, eval_count_, context,
      [&](const std::vector<int64_t>& idx) {
        std::vector<PretrainingExample> examples;
        for (int64_t i : idx)
          examples.push_back(data.example(static_cast<size_t>(eval_offset_ + i), 0, seed, masking_));
        return collate_pretraining(examples, data.header().special.pad, nsp);
      },
      [&](const Batch& batch) -> EvalRows {
        const auto flat_labels = batch.labels.reshape({-1});
        torch::Tensor logits, positions, mlm_loss, nsp_loss, nsp_logits;
        if (model.kind() == ModelKind::MaskedLM) {
          auto out = model.get<BertForMaskedLM>()->forward(batch);
          logits = out.logits;
          positions = out.masked_positions;
          mlm_loss = out.loss;
        } else {
          auto out = model.get<BertForPreTraining>()->forward(batch);
          logits = out.prediction_logits;
          positions = out.masked_positions;
          mlm_loss = out.mlm_loss;
          nsp_loss = out.nsp_loss;
          nsp_logits = out.seq_relationship_logits;
        }
        double sums[6] = {0, 0, 0, 0, 0, static_cast<double>(batch.batch_size())};
        const int64_t m = positions.defined() ? positions.size(0) : 0;
        if (m > 0) {
          const auto gold = flat_labels.index_select(0, positions);
          sums[0] = mlm_loss.item<double>() * static_cast<double>(m);
          sums[1] = static_cast<double>(m);
          sums[2] = static_cast<double>(logits.argmax(-1).eq(gold).sum().item<int64_t>());
        }
        if (nsp && nsp_loss.defined()) {
          sums[3] = nsp_loss.item<double>() * static_cast<double>(batch.batch_size());
          sums[4] = static_cast<double>(nsp_logits.argmax(-1).eq(batch.next_sentence_label).sum().item<int64_t>());
        }
        return {torch::tensor(std::vector<double>(sums, sums + 6), torch::kDouble).reshape({1, 6})};
      });
  double mlm_loss_sum = 0, nsp_loss_sum = 0;
  int64_t masked = 0, correct = 0, nsp_correct = 0, sequences = 0;
  if (!rows.empty()) {
    const auto a = rows[0].accessor<double, 2>();
    for (int64_t b = 0; b < rows[0].size(0); ++b) {  // in batch order, as the sums were always taken
      mlm_loss_sum += a[b][0];
      masked += static_cast<int64_t>(a[b][1]);
      correct += static_cast<int64_t>(a[b][2]);
      nsp_loss_sum += a[b][3];
      nsp_correct += static_cast<int64_t>(a[b][4]);
      sequences += static_cast<int64_t>(a[b][5]);
    }
  }
  if (masked == 0) fail("validation_file", "the evaluation records have no masked positions");
  Metrics out;
  out["mlm_loss"] = mlm_loss_sum / static_cast<double>(masked);
  out["mlm_accuracy"] = static_cast<double>(correct) / static_cast<double>(masked);
  out["perplexity"] = std::exp(out["mlm_loss"]);
  out["loss"] = out["mlm_loss"];
  if (nsp) {
    out["nsp_loss"] = nsp_loss_sum / static_cast<double>(sequences);
    out["nsp_accuracy"] = static_cast<double>(nsp_correct) / static_cast<double>(sequences);
    out["loss"] = out["mlm_loss"] + out["nsp_loss"];
  }
  return out;
}

std::vector<std::string> PretrainingTask::predict(AnyBertModel&, const std::string&, const EvalContext&,
                                                  const std::string&) {
  fail("task", "'" + args_.task + "' writes no prediction files; use `earlybert eval` for its metrics");
}

}  // namespace earlybert
