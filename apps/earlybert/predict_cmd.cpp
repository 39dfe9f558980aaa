// `earlybert predict`: prediction files of a trained model for a task's test (or dev) split, in the
// task's submission format (GLUE: CoLA.tsv, MNLI-m.tsv, ...; `earlybert score` reads them back),
// written into output_dir (dev predictions into output_dir/dev/).
//
//   earlybert predict --task mrpc --data_dir glue/MRPC --model_name_or_path runs/mrpc --output_dir submission
//
// With --input, it labels the user's own texts instead (no task, no data_dir, no output files):
//   earlybert predict --model_name_or_path runs/sentiment --input texts.jsonl     (or .csv/.tsv; "-" = stdin)
// The texts are read like a --train_file (data/text_classification_files.h: "sentence1"/"sentence2",
// else the first one or two columns that are not "label"), run through the sequence-classification
// model of the directory (its vocab.txt, max_seq_length, per_device_eval_batch_size), and each input
// gives one JSON line on stdout, in order: {"label": "positive", "score": 0.93, "scores": {"negative":
// 0.07, "positive": 0.93}} (softmax; labels from config.json id2label), or {"score": 3.2} for a
// regression model.
#include <ATen/ATen.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "earlybert/base/error.h"
#include "earlybert/data/text_classification_files.h"
#include "earlybert/io/checkpoint.h"
#include "earlybert/runtime/threads.h"
#include "earlybert/tasks/task_registry.h"
#include "earlybert/tasks/task_tokenizer.h"
#include "earlybert/train/trainer.h"
#include "train_cli.h"

namespace earlybert::cli {
namespace {

/// One JSON line per row of `input` ("-": JSON Lines on stdin) with the model's prediction.
void predict_texts(const TrainingArguments& args, const std::string& input) {
  if (args.model_name_or_path.empty()) fail("model_name_or_path", "required: the trained model directory");
  const std::string& dir = args.model_name_or_path;
  const BertConfig config = load_pretrained(dir);
  if (config.architectures.empty() ||
      model_kind_from_architecture(config.architectures[0], dir + "/config.json: key 'architectures'") !=
          ModelKind::SequenceClassification) {
    fail(dir + "/config.json: key 'architectures'",
         "--input needs a BertForSequenceClassification model (a finetune output_dir of a classification task)");
  }
  // Our own directories carry slimming coefficients, Hugging Face's do not; nothing else may differ.
  LoadPolicy policy = LoadPolicy::exact();
  policy.allow_missing_slimming = true;
  PretrainedModel loaded = load_pretrained_model(dir, ModelKind::SequenceClassification, policy);
  auto& model = loaded.model.get<BertForSequenceClassification>();
  model->eval();
  configure_threads(static_cast<int>(args.threads));
  const TaskOptions task_opts = task_options(args);
  const auto tokenizer = load_run_tokenizer(task_opts);
  require_vocab_fits(static_cast<int64_t>(tokenizer->vocab_size()), resolve_tokenizer_file(task_opts), config,
                     dir + "/config.json");

  const TextTable table = input == "-" ? parse_text_table(std::string(std::istreambuf_iterator<char>(std::cin), {}),
                                                          TableFormat::JsonLines, "<stdin>")
                                       : read_text_table(input);
  const TextColumns columns = infer_text_columns(table);
  // Labels in the input, if any, are not read (no label column).
  const TaskExamples examples = text_examples(table, {columns.text_a, columns.text_b, ""}, LabelSpace{}, Split::Test);
  const bool regression = config.problem_type == ProblemType::Regression || config.num_labels == 1;
  const auto batch_size = static_cast<size_t>(std::max<int64_t>(1, args.per_device_eval_batch_size));
  at::NoGradGuard no_grad;
  for (size_t start = 0; start < examples.examples.size(); start += batch_size) {
    const size_t end = std::min(examples.examples.size(), start + batch_size);
    std::vector<Encoding> enc;
    size_t width = 0;
    for (size_t i = start; i < end; ++i) {
      const auto& e = examples.examples[i];
      enc.push_back(tokenizer->encode(e.text_a, e.text_b ? std::optional<std::string_view>(*e.text_b) : std::nullopt,
                                      static_cast<size_t>(args.max_seq_length)));
      width = std::max(width, enc.back().input_ids.size());
    }
    const auto rows = static_cast<int64_t>(enc.size());
    Batch batch;
    batch.input_ids = at::full({rows, static_cast<int64_t>(width)}, tokenizer->special_ids().pad, at::kLong);
    batch.token_type_ids = at::zeros({rows, static_cast<int64_t>(width)}, at::kLong);
    batch.attention_mask = at::zeros({rows, static_cast<int64_t>(width)}, at::kLong);
    for (int64_t r = 0; r < rows; ++r) {
      const Encoding& e = enc[static_cast<size_t>(r)];
      for (size_t j = 0; j < e.input_ids.size(); ++j) {
        batch.input_ids[r][static_cast<int64_t>(j)] = e.input_ids[j];
        batch.token_type_ids[r][static_cast<int64_t>(j)] = e.token_type_ids[j];
        batch.attention_mask[r][static_cast<int64_t>(j)] = 1;
      }
    }
    const at::Tensor logits = model->forward(batch).logits.to(at::kDouble);
    const at::Tensor probs = regression ? logits : at::softmax(logits, -1);
    for (int64_t r = 0; r < rows; ++r) {
      nlohmann::ordered_json line;
      if (regression) {
        line["score"] = probs[r][0].item<double>();
      } else {
        const int64_t best = probs[r].argmax().item<int64_t>();
        auto name = [&](int64_t i) {
          return config.id2label.empty() ? "LABEL_" + std::to_string(i) : config.id2label[static_cast<size_t>(i)];
        };
        line["label"] = name(best);
        line["score"] = probs[r][best].item<double>();
        nlohmann::ordered_json scores;
        for (int64_t i = 0; i < config.num_labels; ++i) scores[name(i)] = probs[r][i].item<double>();
        line["scores"] = scores;
      }
      std::cout << line.dump() << "\n";
    }
  }
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto opts = std::make_shared<TrainCliOptions>();
  auto split = std::make_shared<std::string>("test");
  auto* cmd = app.add_subcommand("predict", "Write a trained model's predictions for a task's test or dev split");
  add_training_options(cmd, *opts,
                       "earlybert predict --task mrpc --data_dir glue/MRPC --model_name_or_path runs/mrpc "
                       "--output_dir submission");
  cmd->add_option("--split", *split, "test (default) or dev")->capture_default_str();
  auto input = std::make_shared<std::string>();
  cmd->add_option("--input", *input,
                  "Label your own texts instead: a .jsonl/.csv/.tsv file, or - for JSON Lines on stdin; one JSON "
                  "line per input on stdout");
  cmd->callback([cmd, opts, split, input] {
    Missing missing;
    opts->writes_output = input->empty();  // --input prints to stdout
    TrainingArguments args = resolve_cli_arguments(cmd, *opts, {}, missing);
    if (handle_info_flags(*opts, args)) return;
    if (!input->empty()) {
      missing.throw_if_any("predict");
      predict_texts(args, *input);
      return;
    }
    check_task_inputs(args, missing, /*trained_model=*/true);
    missing.throw_if_any("predict");
    if (*split != "test" && *split != "dev") fail("--split", "must be test or dev, got '" + *split + "'");
    setup_training_logging();
    const std::shared_ptr<Communicator> comm = cli_communicator(args);
    Trainer trainer(args, make_task(args), {}, comm);
    for (const auto& f : trainer.predict(*split))  // every rank predicts its shard; rank 0 writes
      if (comm->is_main()) std::cout << "wrote " << f << "\n";
  });
}

}  // namespace earlybert::cli
