// SQuAD JSON reading with JSON-path errors; see include/earlybert/data/squad.h.
#include "earlybert/data/squad.h"

#include <spdlog/spdlog.h>
#include <utf8proc.h>

#include <unordered_map>

#include "base/json_fields.h"
#include "earlybert/base/error.h"
#include "earlybert/base/files.h"

namespace earlybert {
namespace {

using json_fields::json;
using json_fields::JsonReader;

/// Byte offset of every code point of `text` plus text.size() at the end (text is valid UTF-8: the JSON
/// parser has checked it).
std::vector<size_t> code_point_offsets(const std::string& text) {
  std::vector<size_t> offsets;
  offsets.reserve(text.size() + 1);
  for (size_t i = 0; i < text.size(); ++i) {
    // Every byte that is not a continuation byte (10xxxxxx) starts a code point.
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) offsets.push_back(i);
  }
  offsets.push_back(text.size());
  return offsets;
}

size_t count_code_points(const std::string& text) { return code_point_offsets(text).size() - 1; }

const json& require_array(const JsonReader& r, const std::string& key) {
  const json& v = r.raw(key);
  if (!v.is_array()) fail(r.where(key), std::string("expected an array, got ") + v.type_name());
  return v;
}

std::string indexed(const std::string& parent, const std::string& key, size_t i) {
  return (parent.empty() ? key : parent + "." + key) + "[" + std::to_string(i) + "]";
}

}  // namespace

SquadDataset read_squad(const std::string& path) { return parse_squad(read_file(path), path); }

SquadDataset parse_squad(const std::string& json_text, const std::string& source) {
  const json doc = json_fields::parse(json_text, source);
  const JsonReader root(doc, source);
  SquadDataset out;
  out.source = source;
  if (root.has("version")) {
    const json& v = root.raw("version");
    out.version = v.is_string() ? v.get<std::string>() : v.dump();
  }
  std::unordered_map<std::string, std::string> id_paths;
  size_t warned = 0;

  const json& data = require_array(root, "data");
  for (size_t a = 0; a < data.size(); ++a) {
    const std::string article_path = indexed("", "data", a);
    const JsonReader article(data[a], source, article_path);
    const std::string title = article.optional<std::string>("title", "");
    const json& paragraphs = require_array(article, "paragraphs");
    for (size_t p = 0; p < paragraphs.size(); ++p) {
      const std::string paragraph_path = indexed(article_path, "paragraphs", p);
      const JsonReader paragraph(paragraphs[p], source, paragraph_path);
      auto context = std::make_shared<const std::string>(paragraph.require<std::string>("context"));
      const std::vector<size_t> cp_bytes = code_point_offsets(*context);
      const size_t context_chars = cp_bytes.size() - 1;
      const json& qas = require_array(paragraph, "qas");
      for (size_t q = 0; q < qas.size(); ++q) {
        const std::string qa_path = indexed(paragraph_path, "qas", q);
        const JsonReader qa(qas[q], source, qa_path);
        SquadExample ex;
        ex.id = qa.require<std::string>("id");
        ex.question = qa.require<std::string>("question");
        ex.title = title;
        ex.context = context;
        ex.json_path = qa_path;
        ex.is_impossible = qa.optional<bool>("is_impossible", false);
        if (auto [it, inserted] = id_paths.emplace(ex.id, qa_path); !inserted) {
          fail(qa.where("id"), "question id '" + ex.id + "' repeats " + it->second);
        }
        const json& answers = require_array(qa, "answers");
        for (size_t k = 0; k < answers.size(); ++k) {
          const std::string answer_path = indexed(qa_path, "answers", k);
          const JsonReader answer(answers[k], source, answer_path);
          SquadAnswer ans;
          ans.text = answer.require<std::string>("text");
          const auto start = answer.require<int64_t>("answer_start");
          const size_t length = count_code_points(ans.text);
          if (ans.text.empty()) fail(answer.where("text"), "empty answer text");
          if (start < 0 || static_cast<size_t>(start) + length > context_chars) {
            fail(answer.where("answer_start"), "answer_start " + std::to_string(start) + " with a " +
                                                   std::to_string(length) + "-character answer is outside the " +
                                                   std::to_string(context_chars) + "-character context");
          }
          ans.char_start = static_cast<size_t>(start);
          ans.byte_begin = cp_bytes[ans.char_start];
          ans.byte_end = cp_bytes[ans.char_start + length];
          ans.matches_context = context->compare(ans.byte_begin, ans.byte_end - ans.byte_begin, ans.text) == 0;
          if (!ans.matches_context) {
            ++out.answer_mismatches;
            if (warned++ < 5) {
              spdlog::warn(
                  "{}: answer '{}' is not the context text at answer_start {} ('{}'); kept as gold, skipped "
                  "for training",
                  answer.where("answer_start"), ans.text, start,
                  context->substr(ans.byte_begin, ans.byte_end - ans.byte_begin));
            }
          }
          ex.answers.push_back(std::move(ans));
        }
        if (ex.is_impossible && !ex.answers.empty()) {
          fail(qa.where("answers"), "an impossible question (is_impossible: true) must have no answers");
        }
        if (!ex.is_impossible && ex.answers.empty()) {
          fail(qa.where("answers"), "an answerable question needs at least one answer (or is_impossible: true)");
        }
        out.has_impossible = out.has_impossible || ex.is_impossible;
        out.num_answers += ex.answers.size();
        out.examples.push_back(std::move(ex));
      }
    }
  }
  if (out.answer_mismatches > 0) {
    spdlog::warn("{}: {} answer(s) differ from the context at their answer_start", source, out.answer_mismatches);
  }
  return out;
}

}  // namespace earlybert
