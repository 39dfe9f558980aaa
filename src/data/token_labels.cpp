// Word-level label alignment for token classification — see include/earlybert/data/token_labels.h.
#include "earlybert/data/token_labels.h"

#include <map>

#include "earlybert/base/error.h"

namespace earlybert {

WordEncoding encode_words(const Tokenizer& tokenizer, const std::vector<std::string>& words, size_t max_length) {
  std::vector<Token> pieces;
  std::vector<int64_t> piece_word;
  for (size_t w = 0; w < words.size(); ++w) {
    for (auto& t : tokenizer.tokenize(words[w])) {
      pieces.push_back(std::move(t));
      piece_word.push_back(static_cast<int64_t>(w));
    }
  }
  WordEncoding out;
  out.encoding = tokenizer.encode_tokens(pieces, nullptr, max_length, Truncation::OnlyFirst);
  // [CLS] p_0 ... p_{n-1} [SEP]: truncation keeps a prefix of the pieces.
  const size_t kept = out.encoding.input_ids.size() - 2;
  out.word_ids.push_back(-1);
  out.word_ids.insert(out.word_ids.end(), piece_word.begin(), piece_word.begin() + static_cast<std::ptrdiff_t>(kept));
  out.word_ids.push_back(-1);
  return out;
}

std::vector<int64_t> align_word_labels(const std::vector<int64_t>& word_ids, const std::vector<int64_t>& word_labels,
                                       bool label_all_tokens, const std::vector<int64_t>& continuation) {
  std::vector<int64_t> out;
  out.reserve(word_ids.size());
  int64_t previous = -1;
  for (size_t i = 0; i < word_ids.size(); ++i) {
    const int64_t w = word_ids[i];
    if (w < 0) {
      out.push_back(kIgnoredLabel);
    } else {
      if (static_cast<size_t>(w) >= word_labels.size()) {
        fail("word_ids[" + std::to_string(i) + "]",
             "word " + std::to_string(w) + " has no label (" + std::to_string(word_labels.size()) + " labels)");
      }
      const int64_t label = word_labels[static_cast<size_t>(w)];
      if (w != previous) {
        out.push_back(label);
      } else if (!label_all_tokens) {
        out.push_back(kIgnoredLabel);
      } else if (label >= 0 && static_cast<size_t>(label) < continuation.size()) {
        out.push_back(continuation[static_cast<size_t>(label)]);
      } else {
        out.push_back(label);
      }
    }
    previous = w;
  }
  return out;
}

std::vector<int64_t> b_to_i_labels(const std::vector<std::string>& label_names) {
  std::map<std::string, int64_t> id;
  for (size_t i = 0; i < label_names.size(); ++i) id.emplace(label_names[i], static_cast<int64_t>(i));
  std::vector<int64_t> out;
  for (size_t i = 0; i < label_names.size(); ++i) {
    const std::string& l = label_names[i];
    auto it = l.rfind("B-", 0) == 0 ? id.find("I-" + l.substr(2)) : id.end();
    out.push_back(it != id.end() ? it->second : static_cast<int64_t>(i));
  }
  return out;
}

std::vector<int64_t> word_predictions(const std::vector<int64_t>& word_ids, const std::vector<int64_t>& predictions,
                                      size_t num_words) {
  if (predictions.size() < word_ids.size()) {
    fail("predictions",
         std::to_string(predictions.size()) + " values for " + std::to_string(word_ids.size()) + " positions");
  }
  std::vector<int64_t> out(num_words, -1);
  int64_t previous = -1;
  for (size_t i = 0; i < word_ids.size(); ++i) {
    const int64_t w = word_ids[i];
    if (w >= 0 && w != previous && static_cast<size_t>(w) < num_words) out[static_cast<size_t>(w)] = predictions[i];
    previous = w;
  }
  return out;
}

}  // namespace earlybert
