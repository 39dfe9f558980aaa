// SQuAD v1.1 / v2.0 question answering data: reading the official JSON files.
//
// A SQuAD file is {"version": ..., "data": [{"title", "paragraphs": [{"context", "qas": [{"id",
// "question", "answers": [{"text", "answer_start"}], "is_impossible" (v2.0)}]}]}]}. Every question
// becomes one SquadExample holding its paragraph's context (shared, not copied).
//
// answer_start is a CHARACTER index — a Unicode code point index, as Python counts — into the context.
// The reader converts each answer to a byte range of the UTF-8 context and checks it:
//   - a span outside the context (answer_start < 0 or answer_start + len(text) > len(context)) is an
//     Error naming the JSON path, e.g. "dev.json: key 'data[3].paragraphs[2].qas[5].answers[0].answer_start': ...";
//   - a span inside the context whose text differs from the answer text is counted
//     (SquadDataset::answer_mismatches), logged as a warning and kept with matches_context = false.
//     Evaluation compares texts only, so such answers still count as gold; for training, feature
//     building skips examples whose first answer does not match, the way Hugging Face's SQuAD
//     processor skips (with a warning) answers it "could not find" in the context.
// The official dev-v1.1.json has 10570 questions and no mismatch.
//
// Other structural problems are Errors naming the JSON path too: a missing or mistyped field, a
// repeated question id, an answerable question without answers, an impossible one with answers.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace earlybert {

struct SquadAnswer {
  std::string text;
  /// answer_start as in the file: a code point index into the context.
  size_t char_start = 0;
  /// Byte range [byte_begin, byte_end) of the context covering len(text) code points from char_start.
  size_t byte_begin = 0;
  size_t byte_end = 0;
  /// True when the context bytes in that range equal `text`.
  bool matches_context = true;
};

struct SquadExample {
  std::string id;
  std::string title;
  std::string question;
  /// The paragraph's context, shared by all of its questions.
  std::shared_ptr<const std::string> context;
  /// Gold answers (SQuAD dev sets have several per question; train sets one; v2.0's impossible none).
  std::vector<SquadAnswer> answers;
  /// SQuAD v2.0: the question has no answer in the context.
  bool is_impossible = false;
  /// Where the question is in the file: "data[3].paragraphs[2].qas[5]".
  std::string json_path;

  const std::string& context_text() const { return *context; }
};

struct SquadDataset {
  std::string source;
  /// The file's "version" field ("1.1", "v2.0"); empty when absent.
  std::string version;
  std::vector<SquadExample> examples;
  size_t num_answers = 0;
  /// Answers whose text differs from the context at answer_start (warned about, kept).
  size_t answer_mismatches = 0;
  /// True when any question has "is_impossible": true (a v2.0 file).
  bool has_impossible = false;
};

/// Reads a SQuAD JSON file; Error naming the file and JSON path on any problem (see above).
SquadDataset read_squad(const std::string& path);
/// Same for JSON text already in memory; `source` names it in errors.
SquadDataset parse_squad(const std::string& json_text, const std::string& source);

}  // namespace earlybert
