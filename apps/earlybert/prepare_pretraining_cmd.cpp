// `earlybert prepare-pretraining`: text → tokenized pre-training shards (see pretraining_prepare.h).
//
//   earlybert prepare-pretraining --input wiki.train.tokens --vocab bert-base-uncased-vocab.txt
//       --output data/wiki-128 --max-seq-length 128
//   earlybert prepare-pretraining --wordnet --vocab vocab.txt --output data/wordnet-128
//
// Inputs are text files (one sentence per line, a blank line between documents; WikiText files are
// recognised, see pretraining_corpus.h) and/or --wordnet (the gloss corpus of wordnet.h). The output
// directory gets shard-NNNNN.ebsh files and pretraining.json; it is written under a temporary name and
// renamed when complete, and an existing directory is only replaced when it is an earlier output.
// Progress goes to stderr: a live line when stderr is a terminal, otherwise a log line every 10 seconds
// and at each stage. A summary is printed to stdout at the end.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "commands.h"
#include "earlybert/base/error.h"
#include "earlybert/data/pretraining_prepare.h"
#include "earlybert/tokenize/sentencepiece.h"
#include "earlybert/tokenize/wordpiece.h"

namespace earlybert::cli {

namespace {

struct PrepareArgs {
  PreparePretrainingOptions options;
  std::string vocab;
  std::string spm;
  std::string format = "auto";
  bool no_nsp = false;
  bool lower = false;
  bool no_lower = false;
  bool whole_word_mask = false;
  size_t max_predictions = 0;  // 0: default_max_predictions(max_seq_length)
  bool quiet = false;
};

// Renders PrepareProgress: a rewritten line on a terminal, periodic plain lines otherwise.
class ProgressDisplay {
 public:
  explicit ProgressDisplay(bool quiet) : quiet_(quiet), tty_(::isatty(STDERR_FILENO) == 1) {}

  void update(const PrepareProgress& p) {
    if (quiet_) return;
    const auto now = clock::now();
    const bool stage_changed = !started_ || p.stage != stage_;
    const bool finished = p.done == p.total;
    const double since = std::chrono::duration<double>(now - last_).count();
    // A terminal gets up to ten updates a second; a log file one line per stage start, stage end and
    // ten seconds.
    if (!stage_changed && !finished && since < (tty_ ? 0.1 : 10.0)) return;
    if (!stage_changed && finished && finished_stage_) return;
    finished_stage_ = finished;
    if (tty_ && started_ && stage_changed) std::fputc('\n', stderr);
    started_ = true;
    stage_ = p.stage;
    last_ = now;
    const double pct = p.total ? 100.0 * static_cast<double>(p.done) / static_cast<double>(p.total) : 100.0;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    char line[160];
    if (p.stage == PrepareProgress::Stage::Tokenizing)
      std::snprintf(line, sizeof line, "tokenizing  %5.1f%%  %.1f / %.1f MB  %.0fs", pct, p.done / 1e6, p.total / 1e6,
                    elapsed);
    else if (p.stage == PrepareProgress::Stage::Creating)
      std::snprintf(line, sizeof line, "instances   %5.1f%%  %zu / %zu documents  %.0fs", pct, p.done, p.total,
                    elapsed);
    else
      std::snprintf(line, sizeof line, "writing     %5.1f%%  %zu / %zu shards  %.0fs", pct, p.done, p.total, elapsed);
    if (tty_)
      std::fprintf(stderr, "\r%-78s", line);
    else
      std::fprintf(stderr, "prepare-pretraining: %s\n", line);
    std::fflush(stderr);
  }

  void finish() {
    if (!quiet_ && tty_ && started_) std::fputc('\n', stderr);
  }

 private:
  using clock = std::chrono::steady_clock;
  bool quiet_;
  bool tty_;
  bool started_ = false;
  bool finished_stage_ = false;  // the current stage's final line is out
  PrepareProgress::Stage stage_ = PrepareProgress::Stage::Tokenizing;
  clock::time_point start_ = clock::now();
  clock::time_point last_ = clock::now();
};

std::unique_ptr<Tokenizer> make_tokenizer(const PrepareArgs& a) {
  if (a.vocab.empty() == a.spm.empty()) fail("prepare-pretraining", "give exactly one of --vocab and --spm");
  if (a.lower && a.no_lower) fail("--do-lower-case", "conflicts with --no-lower-case");
  if (!a.spm.empty()) {
    if (a.lower || a.no_lower)
      fail("--spm", "--do-lower-case/--no-lower-case apply to --vocab only (a sentencepiece model normalizes itself)");
    return std::make_unique<SentencePieceTokenizer>(a.spm);
  }
  return std::make_unique<WordPieceTokenizer>(WordPieceTokenizer::from_file(a.vocab, !a.no_lower));
}

void run(PrepareArgs& a) {
  PreparePretrainingOptions& o = a.options;
  o.format = parse_text_format(a.format, "--format");
  o.instances.next_sentence_prediction = !a.no_nsp;
  o.do_lower_case = a.spm.empty() && !a.no_lower;
  o.masking.whole_word_mask = a.whole_word_mask;
  o.masking.max_predictions_per_seq =
      a.max_predictions ? a.max_predictions : default_max_predictions(o.instances.max_seq_length);
  validate_prepare_options(o);
  const auto tokenizer = make_tokenizer(a);

  ProgressDisplay display(a.quiet);
  const PreparePretrainingSummary s =
      prepare_pretraining(o, *tokenizer, [&](const PrepareProgress& p) { display.update(p); });
  display.finish();

  std::printf("wrote %s: %zu instances in %zu shard%s\n", o.output_dir.c_str(), s.instances, s.shards,
              s.shards == 1 ? "" : "s");
  std::printf("  input      %zu file%s, %.1f MB%s\n", s.files, s.files == 1 ? "" : "s", s.bytes / 1e6,
              o.wordnet ? " + WordNet glosses" : "");
  std::printf("  documents  %zu\n", s.documents);
  std::printf("  sentences  %zu (%zu empty after tokenization, dropped)\n", s.sentences, s.empty_sentences);
  std::printf("  tokens     %zu in the corpus, %zu in instances (with [CLS]/[SEP])\n", s.corpus_tokens,
              s.instance_tokens);
  if (o.instances.next_sentence_prediction) {
    std::printf("  nsp        %zu is-next, %zu random-next\n", s.nsp_is_next, s.nsp_random_next);
    // A chunk of a single line always gets a random B: many one- or two-line documents (or a file of
    // paragraphs rather than sentences) make NSP lopsided.
    if (s.instances >= 100 && s.nsp_is_next * 10 < s.instances * 4)
      std::printf(
          "  note       only %.0f%% is-next pairs: documents are short or lines are long (NSP wants "
          "a sentence per line, documents of several lines)\n",
          100.0 * static_cast<double>(s.nsp_is_next) / static_cast<double>(s.instances));
  }
  std::printf("  time       %.1f s\n", s.seconds);
}

}  // namespace

void add_prepare_pretraining_command(CLI::App& app) {
  auto args = std::make_shared<PrepareArgs>();
  PreparePretrainingOptions& o = args->options;
  auto* cmd = app.add_subcommand("prepare-pretraining", "Tokenize text into pre-training shards (MLM/NSP)");
  cmd->add_option("--input", o.inputs, "Text files: a sentence per line, a blank line between documents")
      ->expected(1, -1)
      ->group("Input");
  cmd->add_flag("--wordnet", o.wordnet, "Add the WordNet gloss corpus (Debian wordnet-base)")->group("Input");
  cmd->add_option("--wordnet-dir", o.wordnet_dir, "WordNet dict directory (default /usr/share/wordnet)")
      ->group("Input");
  cmd->add_flag("--wordnet-include-eval", o.wordnet_include_eval,
                "Also the glosses of the wordnet task's dev/test splits")
      ->group("Input");
  cmd->add_option("--format", args->format, "Input layout: auto, lines or wikitext")
      ->capture_default_str()
      ->group("Input");
  cmd->add_option("--vocab", args->vocab, "WordPiece vocab.txt")->group("Tokenizer");
  cmd->add_option("--spm", args->spm, "SentencePiece .model")->group("Tokenizer");
  cmd->add_flag("--do-lower-case", args->lower, "Lowercase and strip accents (default; uncased vocabularies)")
      ->group("Tokenizer");
  cmd->add_flag("--no-lower-case", args->no_lower, "Keep case (cased vocabularies)")->group("Tokenizer");
  cmd->add_option("--output", o.output_dir, "Output directory")->required()->group("Output");
  cmd->add_option("--shard-size", o.shard_size, "Instances per shard")->capture_default_str()->group("Output");
  cmd->add_option("--max-seq-length", o.instances.max_seq_length, "Positions per instance, [CLS]/[SEP] included")
      ->capture_default_str()
      ->group("Instances");
  cmd->add_option("--short-seq-prob", o.instances.short_seq_prob, "Probability of a shorter random target length")
      ->capture_default_str()
      ->group("Instances");
  cmd->add_flag("--no-nsp", args->no_nsp, "Single-segment instances without next-sentence pairs")->group("Instances");
  cmd->add_option("--dupe-factor", o.dupe_factor, "Passes over the corpus with different cuts")
      ->capture_default_str()
      ->group("Instances");
  cmd->add_option("--seed", o.seed, "Seed for cuts, pairs and shard order")->capture_default_str()->group("Instances");
  cmd->add_flag("--whole-word-mask", args->whole_word_mask, "Record whole-word masking as the readers' default")
      ->group("Masking (applied when read)");
  cmd->add_option("--masked-lm-prob", o.masking.masked_lm_prob, "Share of positions to predict")
      ->capture_default_str()
      ->group("Masking (applied when read)");
  cmd->add_option("--max-predictions-per-seq", args->max_predictions,
                  "Cap on predictions per instance (default 20 for 128, 80 for 512)")
      ->group("Masking (applied when read)");
  cmd->add_flag("--quiet", args->quiet, "No progress display");
  cmd->callback([args] { run(*args); });
}

}  // namespace earlybert::cli
