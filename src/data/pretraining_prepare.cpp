// Text → shards — see include/earlybert/data/pretraining_prepare.h.
#include "earlybert/data/pretraining_prepare.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <numeric>

#include "base/json_fields.h"
#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/data/pretraining_dataset.h"
#include "earlybert/data/shard.h"
#include "earlybert/data/wordnet.h"

namespace earlybert {

namespace {

std::string hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

size_t file_size_or_zero(const std::string& path) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<size_t>(n);
}

// Refuses to replace anything but an earlier output of this command.
void check_output_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  if (!fs::is_directory(dir, ec)) fail("--output " + dir, "exists and is not a directory");
  if (fs::is_empty(dir, ec)) return;
  if (!path_exists(join_path(dir, kPretrainingIndexFile)))
    fail("--output " + dir, std::string("exists and is not a pre-training data directory (no ") +
                                kPretrainingIndexFile + "); choose a new or empty directory");
}

}  // namespace

void validate_prepare_options(const PreparePretrainingOptions& o) {
  if (o.inputs.empty() && !o.wordnet) fail("--input", "no input files (give --input FILES... or --wordnet)");
  if (o.output_dir.empty()) fail("--output", "an output directory is required");
  validate_instance_options(o.instances, "--max-seq-length/--short-seq-prob");
  if (o.shard_size == 0) fail("--shard-size", "must be at least 1");
  if (o.dupe_factor == 0) fail("--dupe-factor", "must be at least 1");
  validate_masking_options(o.masking, "--masked-lm-prob/--max-predictions-per-seq");
}

PreparePretrainingSummary prepare_pretraining(const PreparePretrainingOptions& o, const Tokenizer& tokenizer,
                                              const PrepareProgressFn& progress) {
  validate_prepare_options(o);
  check_output_dir(o.output_dir);
  for (const auto& in : o.inputs)
    if (!path_exists(in)) fail("--input " + in, "file not found");
  const auto t0 = std::chrono::steady_clock::now();
  const SpecialTokenIds special = tokenizer.special_ids();
  PreparePretrainingSummary sum;

  // 1. Tokenize every document once.
  std::vector<TokenizedDocument> documents;
  auto add_document = [&](std::vector<std::string>&& sentences) {
    TokenizedDocument doc;
    for (const auto& s : sentences) {
      std::vector<int32_t> ids;
      for (const Token& t : tokenizer.tokenize(s)) ids.push_back(t.id);
      if (ids.empty()) {
        sum.empty_sentences += 1;
        continue;
      }
      sum.corpus_tokens += ids.size();
      sum.sentences += 1;
      doc.push_back(std::move(ids));
    }
    if (!doc.empty()) documents.push_back(std::move(doc));
  };

  size_t total_bytes = 0;
  for (const auto& in : o.inputs) total_bytes += file_size_or_zero(in);
  TextCorpusStats stats;
  std::vector<std::string> formats;
  size_t bytes_before = 0;
  for (const auto& in : o.inputs) {
    const TextFormat used = read_text_documents(in, o.format, add_document, &stats, [&](size_t bytes) {
      if (progress) progress({PrepareProgress::Stage::Tokenizing, bytes_before + bytes, total_bytes});
    });
    formats.emplace_back(text_format_name(used));
    bytes_before = stats.bytes;
  }
  sum.files = stats.files;
  sum.bytes = stats.bytes;
  size_t wordnet_sentences = 0;
  if (o.wordnet) {
    const auto synsets = read_wordnet(o.wordnet_dir.empty() ? default_wordnet_dir() : o.wordnet_dir);
    for (auto& doc : wordnet_corpus_documents(synsets, o.wordnet_include_eval)) {
      wordnet_sentences += doc.size();
      add_document(std::move(doc));
    }
  }
  sum.documents = documents.size();
  if (documents.empty()) fail("--input", "the inputs contain no text");

  // 2. Instances, document by document.
  std::vector<PretrainingInstance> instances;
  for (size_t pass = 0; pass < o.dupe_factor; ++pass) {
    for (size_t d = 0; d < documents.size(); ++d) {
      PretrainingRng rng(mix_seed(o.seed, pass, d));
      create_instances_from_document(documents, d, o.instances, special.cls, special.sep, rng, instances);
      if (progress && (d % 256 == 0 || d + 1 == documents.size()))
        progress({PrepareProgress::Stage::Creating, pass * documents.size() + d + 1, o.dupe_factor * documents.size()});
    }
  }
  documents.clear();
  documents.shrink_to_fit();
  sum.instances = instances.size();
  for (const auto& inst : instances) {
    sum.instance_tokens += inst.input_ids.size();
    if (inst.next_sentence_label == 0) sum.nsp_is_next += 1;
    if (inst.next_sentence_label == 1) sum.nsp_random_next += 1;
  }

  // 3. Shuffled into shards, written to a temporary directory committed at the end.
  std::vector<size_t> order(instances.size());
  std::iota(order.begin(), order.end(), size_t{0});
  PretrainingRng shuffle_rng(mix_seed(o.seed, 0x7368756666ULL /* "shuff" */));
  shuffle_rng.shuffle(order);

  ShardHeader header;
  header.max_seq_length = static_cast<uint32_t>(o.instances.max_seq_length);
  header.vocab_size = static_cast<uint32_t>(tokenizer.vocab_size());
  header.vocab_fingerprint = vocab_fingerprint(tokenizer);
  header.has_nsp = o.instances.next_sentence_prediction;
  header.do_lower_case = o.do_lower_case;
  header.whole_word_mask = o.masking.whole_word_mask;
  header.special = special;
  const std::vector<uint8_t> continuation = continuation_table(tokenizer);

  std::string out_dir = o.output_dir;
  while (out_dir.size() > 1 && out_dir.back() == '/') out_dir.pop_back();
  const std::string tmp_dir = out_dir + ".tmp." + std::to_string(::getpid());
  remove_all(tmp_dir);
  make_directories(tmp_dir);
  json_fields::json shard_list = json_fields::json::array();
  const size_t num_shards = (instances.size() + o.shard_size - 1) / o.shard_size;
  try {
    for (size_t s = 0; s < num_shards; ++s) {
      ShardWriter writer(header, continuation);
      const size_t end = std::min(instances.size(), (s + 1) * o.shard_size);
      for (size_t k = s * o.shard_size; k < end; ++k) writer.add(instances[order[k]]);
      const std::string name = shard_file_name(s);
      writer.write(join_path(tmp_dir, name));
      shard_list.push_back({{"file", name}, {"records", writer.size()}});
      if (progress) progress({PrepareProgress::Stage::Writing, s + 1, num_shards});
    }
    sum.shards = num_shards;

    json_fields::json inputs = json_fields::json::array();
    for (size_t i = 0; i < o.inputs.size(); ++i) inputs.push_back({{"path", o.inputs[i]}, {"format", formats[i]}});
    if (o.wordnet)
      inputs.push_back({{"path", o.wordnet_dir.empty() ? default_wordnet_dir() : o.wordnet_dir},
                        {"format", "wordnet"},
                        {"include_eval_splits", o.wordnet_include_eval},
                        {"sentences", wordnet_sentences}});
    json_fields::json index = {
        {"format", "earlybert-pretraining"},
        {"version", kShardVersion},
        {"shards", shard_list},
        {"instances", sum.instances},
        {"tokens", sum.instance_tokens},
        {"max_seq_length", o.instances.max_seq_length},
        {"vocab_size", tokenizer.vocab_size()},
        {"vocab_fingerprint", hex64(header.vocab_fingerprint)},
        {"next_sentence_prediction", o.instances.next_sentence_prediction},
        {"short_seq_prob", o.instances.short_seq_prob},
        {"dupe_factor", o.dupe_factor},
        {"seed", o.seed},
        {"do_lower_case", o.do_lower_case},
        {"masking",
         {{"masked_lm_prob", o.masking.masked_lm_prob},
          {"max_predictions_per_seq", o.masking.max_predictions_per_seq},
          {"mask_token_prob", o.masking.mask_token_prob},
          {"random_token_prob", o.masking.random_token_prob},
          {"whole_word_mask", o.masking.whole_word_mask}}},
        {"corpus",
         {{"inputs", inputs},
          {"documents", sum.documents},
          {"sentences", sum.sentences},
          {"empty_sentences", sum.empty_sentences},
          {"tokens", sum.corpus_tokens}}},
        {"nsp", {{"is_next", sum.nsp_is_next}, {"random_next", sum.nsp_random_next}}},
    };
    write_file_atomic(join_path(tmp_dir, kPretrainingIndexFile), index.dump(2) + "\n");
    commit_directory(tmp_dir, out_dir);
  } catch (...) {
    remove_all(tmp_dir);
    throw;
  }
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sum;
}

}  // namespace earlybert
