// A tiny Tokenizer for the pre-training data tests: lower-cases, splits on spaces, and covers each
// word greedily with vocabulary pieces ("##" continuations), like WordPiece without the Unicode work.
// Ids: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4, then the given pieces in order.
#pragma once

#include <cctype>
#include <string>
#include <unordered_map>
#include <vector>

#include "earlybert/base/error.h"
#include "earlybert/tokenize/tokenizer.h"

namespace earlybert::test {

class FakeTokenizer : public Tokenizer {
 public:
  explicit FakeTokenizer(std::vector<std::string> pieces) {
    vocab_ = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
    vocab_.insert(vocab_.end(), pieces.begin(), pieces.end());
    for (size_t i = 0; i < vocab_.size(); ++i) ids_[vocab_[i]] = static_cast<int32_t>(i);
  }

  /// A vocabulary with the words of a small English corpus, letters, and "##"-letters.
  static FakeTokenizer english() {
    std::vector<std::string> pieces = {"the",  "a",     "of",   "and",   "to",   "in",  "is",  "was", "it",
                                       "that", "he",    "she",  "they",  "cat",  "dog", "sat", "on",  "mat",
                                       "ran",  "house", "play", "##ing", "##ed", "##s", ".",   ","};
    for (char c = 'a'; c <= 'z'; ++c) pieces.emplace_back(1, c);
    for (char c = 'a'; c <= 'z'; ++c) pieces.push_back(std::string("##") + c);
    return FakeTokenizer(pieces);
  }

  std::vector<Token> tokenize(std::string_view text) const override {
    std::vector<Token> out;
    size_t i = 0;
    while (i < text.size()) {
      while (i < text.size() && text[i] == ' ') ++i;
      const size_t b = i;
      while (i < text.size() && text[i] != ' ') ++i;
      if (i == b) break;
      std::string word(text.substr(b, i - b));
      if (word == "[UNK]" || word == "[SEP]" || word == "[CLS]") {
        out.push_back({word, ids_.at(word), b, i});
        continue;
      }
      for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::vector<Token> pieces;
      size_t start = 0;
      bool ok = true;
      while (start < word.size()) {
        size_t end = word.size();
        int32_t found = -1;
        std::string piece;
        while (end > start) {
          piece = (start ? "##" : "") + word.substr(start, end - start);
          auto it = ids_.find(piece);
          if (it != ids_.end()) {
            found = it->second;
            break;
          }
          --end;
        }
        if (found < 0) {
          ok = false;
          break;
        }
        pieces.push_back({piece, found, b + start, b + end});
        start = end;
      }
      if (ok)
        out.insert(out.end(), pieces.begin(), pieces.end());
      else
        out.push_back({"[UNK]", 1, b, i});
    }
    return out;
  }

  int32_t token_to_id(const std::string& token) const override {
    auto it = ids_.find(token);
    return it == ids_.end() ? 1 : it->second;
  }
  std::string id_to_token(int32_t id) const override {
    if (id < 0 || static_cast<size_t>(id) >= vocab_.size()) fail("fake", "id out of range");
    return vocab_[static_cast<size_t>(id)];
  }
  size_t vocab_size() const override { return vocab_.size(); }
  SpecialTokenIds special_ids() const override { return {0, 1, 2, 3, 4}; }
  std::string decode(const std::vector<int32_t>& ids) const override {
    std::string s;
    for (int32_t id : ids) s += id_to_token(id) + " ";
    return s;
  }

 private:
  std::vector<std::string> vocab_;
  std::unordered_map<std::string, int32_t> ids_;
};

}  // namespace earlybert::test
