// `earlybert tokenize`: BERT inputs for texts, one JSON object per input, and a throughput benchmark.
//
//   earlybert tokenize --vocab vocab.txt --text "Hello world" [--text-pair "Second text"]
//   printf 'a question\ta context\n' | earlybert tokenize --vocab vocab.txt --max-length 128
//   earlybert tokenize --spm spm.model --text "Hello world"
//   earlybert tokenize --vocab vocab.txt --benchmark glue/SST-2/train.tsv --benchmark-skip-header
//
// Each output object has "tokens", "input_ids" and "token_type_ids" ([CLS] A [SEP] (B [SEP])),
// truncated to --max-length positions (default 512) with --truncation (default longest_first), plus
// "offsets" (byte ranges of the input; [0,0] for special tokens) with --offsets. Without --text every
// stdin line is one input, a TAB separating a pair (the first TAB; a trailing '\r' is dropped).
// Lowercasing (WordPiece only) is on by default, as for bert-base-uncased; pass --no-lower-case for a
// cased vocabulary. Invalid UTF-8 is an error naming the input line.
#include <time.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/tokenize/sentencepiece.h"
#include "earlybert/tokenize/utf8.h"
#include "earlybert/tokenize/wordpiece.h"

namespace earlybert::cli {

namespace {

struct TokenizeArgs {
  std::string vocab;
  std::string spm;
  bool lower = false;
  bool no_lower = false;
  size_t max_length = 512;
  std::string truncation = "longest_first";
  std::string text;
  std::string text_pair;
  bool offsets = false;
  std::string benchmark;
  int benchmark_field = 0;
  bool benchmark_skip_header = false;
  int benchmark_repeat = 3;
};

Truncation parse_truncation(const std::string& s) {
  if (s == "longest_first") return Truncation::LongestFirst;
  if (s == "only_first") return Truncation::OnlyFirst;
  if (s == "only_second") return Truncation::OnlySecond;
  if (s == "do_not_truncate") return Truncation::DoNotTruncate;
  fail("--truncation", "'" + s + "' is not one of longest_first, only_first, only_second, do_not_truncate");
}

std::unique_ptr<Tokenizer> make_tokenizer(const TokenizeArgs& a) {
  if (a.vocab.empty() == a.spm.empty()) fail("tokenize", "give exactly one of --vocab and --spm");
  if (!a.spm.empty()) {
    if (a.lower || a.no_lower) {
      fail("--spm", "--do-lower-case/--no-lower-case apply to --vocab only (a sentencepiece model normalizes itself)");
    }
    return std::make_unique<SentencePieceTokenizer>(a.spm);
  }
  return std::make_unique<WordPieceTokenizer>(WordPieceTokenizer::from_file(a.vocab, !a.no_lower));
}

// ordered_json: keys print in the documented order (tokens, input_ids, token_type_ids, offsets).
nlohmann::ordered_json to_json(const Encoding& e, bool offsets) {
  nlohmann::ordered_json j;
  j["tokens"] = e.tokens;
  j["input_ids"] = e.input_ids;
  j["token_type_ids"] = e.token_type_ids;
  if (offsets) {
    auto arr = nlohmann::ordered_json::array();
    for (const auto& [b, en] : e.offsets) arr.push_back({b, en});
    j["offsets"] = std::move(arr);
  }
  return j;
}

void print(const Encoding& e, bool offsets) { std::cout << to_json(e, offsets).dump() << '\n'; }

// The benchmark's inputs: field `field` (TAB-separated) of every line.
std::vector<std::string> benchmark_inputs(const TokenizeArgs& a) {
  std::vector<std::string> lines = read_lines(a.benchmark);
  std::vector<std::string> inputs;
  inputs.reserve(lines.size());
  for (size_t i = a.benchmark_skip_header ? 1 : 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t start = 0;
    for (int f = 0; f < a.benchmark_field; ++f) {
      const size_t tab = line.find('\t', start);
      if (tab == std::string_view::npos) {
        fail(a.benchmark + ":" + std::to_string(i + 1), "has no field " + std::to_string(a.benchmark_field));
      }
      start = tab + 1;
    }
    const size_t end = line.find('\t', start);
    std::string_view field = line.substr(start, end == std::string_view::npos ? line.size() - start : end - start);
    check_utf8(field, a.benchmark + ":" + std::to_string(i + 1));
    inputs.emplace_back(field);
  }
  return inputs;
}

// CPU time of this thread: on a shared machine wall time mostly measures the neighbours.
double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void run_benchmark(const TokenizeArgs& a, const Tokenizer& tok) {
  const std::vector<std::string> inputs = benchmark_inputs(a);
  size_t bytes = 0;
  for (const auto& s : inputs) bytes += s.size();
  if (bytes == 0) fail(a.benchmark, "no text to tokenize");
  using clock = std::chrono::steady_clock;
  auto seconds = [](clock::time_point t0, clock::time_point t1) {
    return std::chrono::duration<double>(t1 - t0).count();
  };
  double wall_tokenize = 1e300, wall_encode = 1e300, cpu_tokenize = 1e300, cpu_encode = 1e300;
  size_t tokens = 0;
  for (int r = 0; r < a.benchmark_repeat; ++r) {
    const auto t0 = clock::now();
    const double c0 = thread_cpu_seconds();
    size_t n = 0;
    for (const auto& s : inputs) n += tok.tokenize(s).size();
    const auto t1 = clock::now();
    const double c1 = thread_cpu_seconds();
    for (const auto& s : inputs) tok.encode(s, std::nullopt, a.max_length);
    const auto t2 = clock::now();
    const double c2 = thread_cpu_seconds();
    wall_tokenize = std::min(wall_tokenize, seconds(t0, t1));
    wall_encode = std::min(wall_encode, seconds(t1, t2));
    cpu_tokenize = std::min(cpu_tokenize, c1 - c0);
    cpu_encode = std::min(cpu_encode, c2 - c1);
    tokens = n;
  }
  const double mb = static_cast<double>(bytes) / 1e6;
  nlohmann::ordered_json j;
  j["file"] = a.benchmark;
  j["inputs"] = inputs.size();
  j["bytes"] = bytes;
  j["tokens"] = tokens;
  j["repeats"] = a.benchmark_repeat;
  j["threads"] = 1;
  // Best pass of each; "cpu" divides by this thread's CPU time, "wall" by elapsed time.
  j["tokenize_mb_per_s"] = mb / wall_tokenize;
  j["tokenize_mb_per_cpu_s"] = mb / cpu_tokenize;
  j["encode_mb_per_s"] = mb / wall_encode;
  j["encode_mb_per_cpu_s"] = mb / cpu_encode;
  std::cout << j.dump() << '\n';
}

void run(const TokenizeArgs& a, bool have_text, bool have_pair) {
  const Truncation truncation = parse_truncation(a.truncation);
  if (have_pair && !have_text) fail("--text-pair", "needs --text");
  if (!a.benchmark.empty() && have_text) fail("--benchmark", "cannot be combined with --text");
  if (a.benchmark_repeat < 1) fail("--benchmark-repeat", "must be at least 1");
  if (a.benchmark_field < 0) fail("--benchmark-field", "must be at least 0");
  const std::unique_ptr<Tokenizer> tok = make_tokenizer(a);
  if (!a.benchmark.empty()) {
    run_benchmark(a, *tok);
    return;
  }
  if (have_text) {
    check_utf8(a.text, "--text");
    if (have_pair) check_utf8(a.text_pair, "--text-pair");
    print(tok->encode(a.text, have_pair ? std::optional<std::string_view>(a.text_pair) : std::nullopt, a.max_length,
                      truncation),
          a.offsets);
    return;
  }
  std::string line;
  for (size_t line_no = 1; std::getline(std::cin, line); ++line_no) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string where = "stdin:" + std::to_string(line_no);
    check_utf8(line, where);
    const size_t tab = line.find('\t');
    const std::string_view view(line);
    try {
      if (tab == std::string::npos) {
        print(tok->encode(view, std::nullopt, a.max_length, truncation), a.offsets);
      } else {
        print(tok->encode(view.substr(0, tab), view.substr(tab + 1), a.max_length, truncation), a.offsets);
      }
    } catch (const Error& e) {
      fail(where, e.what());
    }
  }
}

}  // namespace

void add_tokenize_command(CLI::App& app) {
  auto args = std::make_shared<TokenizeArgs>();
  auto* cmd = app.add_subcommand("tokenize", "Tokenize texts into BERT inputs (JSON lines), or benchmark a tokenizer");
  auto* vocab = cmd->add_option("--vocab", args->vocab, "WordPiece vocab.txt");
  auto* spm = cmd->add_option("--spm", args->spm, "SentencePiece .model");
  vocab->excludes(spm);
  auto* lower = cmd->add_flag("--do-lower-case", args->lower, "Lowercase and strip accents (default; --vocab only)");
  auto* no_lower = cmd->add_flag("--no-lower-case", args->no_lower, "Keep case and accents (cased vocabularies)");
  lower->excludes(no_lower);
  cmd->add_option("--max-length,--max-seq-length", args->max_length, "Positions per input, special tokens included")
      ->capture_default_str()
      ->check(CLI::Range(size_t{2}, size_t{1} << 30));
  cmd->add_option("--truncation", args->truncation, "longest_first | only_first | only_second | do_not_truncate")
      ->capture_default_str();
  auto* text = cmd->add_option("--text", args->text, "Text to tokenize (else: stdin lines, TAB between a pair)");
  auto* pair = cmd->add_option("--text-pair", args->text_pair, "Second text of a pair");
  cmd->add_flag("--offsets", args->offsets, "Also print byte offsets of each token in its input");
  cmd->add_option("--benchmark", args->benchmark, "Measure tokenization throughput (MB/s) over FILE's lines")
      ->check(CLI::ExistingFile);
  cmd->add_option("--benchmark-field", args->benchmark_field, "TAB-separated field of each line to tokenize")
      ->capture_default_str();
  cmd->add_flag("--benchmark-skip-header", args->benchmark_skip_header, "Skip the file's first line");
  cmd->add_option("--benchmark-repeat", args->benchmark_repeat, "Passes over the file; the best one is reported")
      ->capture_default_str();
  cmd->callback([args, text, pair] { run(*args, text->count() > 0, pair->count() > 0); });
}

}  // namespace earlybert::cli
