// WordPiece — see include/earlybert/tokenize/wordpiece.h.
#include "earlybert/tokenize/wordpiece.h"

#include <algorithm>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/tokenize/utf8.h"

namespace earlybert {

// --- piece table ---------------------------------------------------------------------------------

namespace detail {

template <typename Accept>
void PieceTable::build(const std::vector<std::string>& tokens, size_t prefix, Accept accept) {
  prefix_ = prefix;
  size_t n = 0;
  for (const auto& t : tokens) n += accept(t);
  size_t cap = 16;
  while (cap < 2 * n) cap <<= 1;  // load factor <= 1/2
  slots_.assign(cap, 0);
  mask_ = static_cast<uint32_t>(cap - 1);
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (!accept(tokens[i])) continue;
    const std::string_view key = std::string_view(tokens[i]).substr(prefix);
    insert(hash(key), static_cast<int32_t>(i), key, tokens);
  }
}

void PieceTable::insert(uint32_t h, int32_t id, std::string_view key, const std::vector<std::string>& tokens) {
  for (uint32_t i = h & mask_;; i = (i + 1) & mask_) {
    const uint64_t slot = slots_[i];
    if (slot == 0 ||
        ((slot >> 32) == h && std::string_view(tokens[static_cast<uint32_t>(slot) - 1]).substr(prefix_) == key)) {
      slots_[i] = (uint64_t{h} << 32) | static_cast<uint32_t>(id + 1);  // a repeated key: the later id wins
      return;
    }
  }
}

int32_t PieceTable::find(std::string_view key, const std::vector<std::string>& tokens) const {
  if (slots_.empty()) return -1;
  const uint32_t h = hash(key);
  for (uint32_t i = h & mask_;; i = (i + 1) & mask_) {
    const uint64_t slot = slots_[i];
    if (slot == 0) return -1;
    if ((slot >> 32) == h) {
      const std::string& t = tokens[static_cast<uint32_t>(slot) - 1];
      if (t.size() == key.size() + prefix_ && std::string_view(t).substr(prefix_) == key) {
        return static_cast<int32_t>(static_cast<uint32_t>(slot) - 1);
      }
    }
  }
}

}  // namespace detail

// --- vocabulary ----------------------------------------------------------------------------------

WordPieceVocab::WordPieceVocab(WordPieceVocab&&) noexcept = default;
WordPieceVocab& WordPieceVocab::operator=(WordPieceVocab&&) noexcept = default;
WordPieceVocab::~WordPieceVocab() = default;

WordPieceVocab WordPieceVocab::from_file(const std::string& path) {
  const std::string text = read_file(path);
  std::vector<std::string> tokens;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    // Python reads vocab.txt in text mode: "\r\n" is a line end there too.
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    check_utf8(line, path + ":" + std::to_string(tokens.size() + 1));
    tokens.emplace_back(line);
    start = end + 1;
  }
  return from_tokens(std::move(tokens), path);
}

WordPieceVocab WordPieceVocab::from_tokens(std::vector<std::string> tokens, const std::string& source) {
  if (tokens.empty()) fail(source, "empty vocabulary");
  if (tokens.size() > static_cast<size_t>(INT32_MAX)) fail(source, "vocabulary too large");
  WordPieceVocab v;
  v.source_ = source;
  v.tokens_ = std::move(tokens);
  v.index();
  auto required = [&](const char* name) {
    const int32_t id = v.find(name);
    if (id < 0) fail(source, std::string("vocabulary has no ") + name + " token");
    return id;
  };
  v.special_.cls = required("[CLS]");
  v.special_.sep = required("[SEP]");
  v.special_.unk = required("[UNK]");
  const int32_t pad = v.find("[PAD]");
  const int32_t mask = v.find("[MASK]");
  v.special_.pad = pad >= 0 ? pad : v.special_.unk;
  v.special_.mask = mask >= 0 ? mask : v.special_.unk;
  return v;
}

void WordPieceVocab::index() {
  // The tables confirm hits against the strings of tokens_, which never change after this point.
  whole_.build(tokens_, 0, [](const std::string&) { return true; });
  continuation_.build(tokens_, 2, [](const std::string& t) { return t.size() > 2 && t[0] == '#' && t[1] == '#'; });
  max_bytes_ = 0;
  for (const auto& t : tokens_) max_bytes_ = std::max(max_bytes_, t.size());
}

const std::string& WordPieceVocab::token(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= tokens_.size()) {
    fail(source_, "token id " + std::to_string(id) + " out of range [0, " + std::to_string(tokens_.size()) + ")");
  }
  return tokens_[static_cast<size_t>(id)];
}

int32_t WordPieceVocab::find(std::string_view token) const { return whole_.find(token, tokens_); }

int32_t WordPieceVocab::find_continuation(std::string_view piece) const { return continuation_.find(piece, tokens_); }

// --- tokenizer -----------------------------------------------------------------------------------

WordPieceTokenizer::WordPieceTokenizer(WordPieceVocab vocab, WordPieceOptions options)
    : vocab_(std::move(vocab)), options_(std::move(options)), basic_(options_.basic) {}

WordPieceTokenizer WordPieceTokenizer::from_file(const std::string& vocab_path, bool do_lower_case) {
  WordPieceOptions options;
  options.basic.do_lower_case = do_lower_case;
  return WordPieceTokenizer(WordPieceVocab::from_file(vocab_path), std::move(options));
}

void WordPieceTokenizer::wordpiece(const PreTokenized& pre, std::vector<Token>& out) const {
  const SpecialTokenIds& special = vocab_.special_ids();
  const std::string& unk = vocab_.token(special.unk);
  const std::string_view norm = pre.normalized;
  const size_t max_bytes = vocab_.max_token_bytes();
  for (const auto& w : pre.words) {
    const auto [wb, we] = pre.origin(w.first_char, w.end_char);
    if (w.never_split) {
      const std::string_view text =
          norm.substr(pre.char_start[w.first_char], pre.char_start[w.end_char] - pre.char_start[w.first_char]);
      const int32_t id = vocab_.find(text);
      out.push_back(Token{std::string(text), id >= 0 ? id : special.unk, wb, we});
      continue;
    }
    if (w.end_char - w.first_char > options_.max_input_chars_per_word) {
      out.push_back(Token{unk, special.unk, wb, we});
      continue;
    }
    const size_t first_piece = out.size();
    uint32_t start = w.first_char;
    bool bad = false;
    while (start < w.end_char) {
      const uint32_t sb = pre.char_start[start];
      uint32_t end = w.end_char;
      // No vocabulary entry is longer than max_bytes ("##" included for continuations).
      const size_t limit = start == w.first_char ? max_bytes : (max_bytes > 2 ? max_bytes - 2 : 0);
      while (end > start && pre.char_start[end] - sb > limit) --end;
      int32_t id = -1;
      for (; end > start; --end) {
        const std::string_view piece = norm.substr(sb, pre.char_start[end] - sb);
        id = start == w.first_char ? vocab_.find(piece) : vocab_.find_continuation(piece);
        if (id >= 0) break;
      }
      if (id < 0) {
        bad = true;
        break;
      }
      const auto [b, e] = pre.origin(start, end);
      out.push_back(Token{vocab_.token(id), id, b, e});
      start = end;
    }
    if (bad) {
      out.resize(first_piece);
      out.push_back(Token{unk, special.unk, wb, we});
    }
  }
}

std::vector<Token> WordPieceTokenizer::tokenize(std::string_view text) const {
  thread_local PreTokenized pre;  // reused buffers: tokenize() is called once per example
  basic_.split(text, pre);
  std::vector<Token> out;
  out.reserve(pre.size() + pre.size() / 4 + 1);
  wordpiece(pre, out);
  return out;
}

int32_t WordPieceTokenizer::token_to_id(const std::string& token) const {
  const int32_t id = vocab_.find(token);
  return id >= 0 ? id : vocab_.special_ids().unk;
}

std::string WordPieceTokenizer::id_to_token(int32_t id) const { return vocab_.token(id); }

std::string WordPieceTokenizer::decode(const std::vector<int32_t>& ids) const {
  const SpecialTokenIds& s = vocab_.special_ids();
  std::string text;
  for (int32_t id : ids) {
    if (id == s.pad || id == s.unk || id == s.cls || id == s.sep || id == s.mask) continue;
    const std::string& tok = vocab_.token(id);
    if (tok.size() >= 2 && tok[0] == '#' && tok[1] == '#' && !text.empty()) {
      text.append(tok, 2, std::string::npos);  // " ".join(...).replace(" ##", "")
    } else {
      if (!text.empty()) text.push_back(' ');
      text.append(tok);
    }
  }
  // Hugging Face's clean_up_tokenization.
  static const std::pair<std::string_view, std::string_view> kCleanups[] = {
      {" .", "."},     {" ?", "?"},   {" !", "!"},   {" ,", ","},     {" ' ", "'"},
      {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (const auto& [from, to] : kCleanups) {
    std::string out;
    out.reserve(text.size());
    size_t pos = 0;
    for (size_t hit; (hit = text.find(from, pos)) != std::string::npos; pos = hit + from.size()) {
      out.append(text, pos, hit - pos);
      out.append(to);
    }
    out.append(text, pos, std::string::npos);
    text.swap(out);
  }
  return text;
}

}  // namespace earlybert
