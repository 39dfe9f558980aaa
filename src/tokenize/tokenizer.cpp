// Tokenizer::encode — BERT inputs from one or two texts, truncated as Hugging Face's slow tokenizers
// do (PreTrainedTokenizerBase.truncate_sequences):
//   longest_first  remove one token at a time from the end of the longer text; when both are equally
//                  long, from the second (a single text is cut from its end);
//   only_first / only_second  remove everything from that text.
// Hugging Face logs an error and returns an over-long sequence when the chosen text cannot give up
// enough tokens (it must keep at least one); here that is an Error, never a silently long input.
#include "earlybert/tokenize/tokenizer.h"

#include "earlybert/base/error.h"

namespace earlybert {

namespace {

const char* strategy_name(Truncation t) {
  switch (t) {
    case Truncation::LongestFirst:
      return "longest_first";
    case Truncation::OnlyFirst:
      return "only_first";
    case Truncation::OnlySecond:
      return "only_second";
    case Truncation::DoNotTruncate:
      return "do_not_truncate";
  }
  return "?";
}

}  // namespace

Encoding Tokenizer::encode(std::string_view a, std::optional<std::string_view> b, size_t max_length,
                           Truncation truncation) const {
  const std::vector<Token> ta = tokenize(a);
  if (!b) return encode_tokens(ta, nullptr, max_length, truncation);
  const std::vector<Token> tb = tokenize(*b);
  return encode_tokens(ta, &tb, max_length, truncation);
}

Encoding Tokenizer::encode_tokens(const std::vector<Token>& a, const std::vector<Token>* b, size_t max_length,
                                  Truncation truncation) const {
  const size_t specials = b ? 3 : 2;
  size_t na = a.size();
  size_t nb = b ? b->size() : 0;
  if (truncation != Truncation::DoNotTruncate && na + nb + specials > max_length) {
    const std::string where = std::string("truncation ") + strategy_name(truncation);
    if (max_length < specials) {
      fail(where, "max_length " + std::to_string(max_length) + " leaves no room for the " + std::to_string(specials) +
                      " special tokens");
    }
    const size_t remove = na + nb + specials - max_length;
    auto cannot = [&](const char* which, size_t have) {
      fail(where, std::string("cannot fit max_length ") + std::to_string(max_length) + ": the " + which + " text has " +
                      std::to_string(have) + " tokens and " + std::to_string(remove) +
                      " must go (at least one must stay)");
    };
    switch (truncation) {
      case Truncation::LongestFirst:
        if (!b) {
          if (na <= remove) cannot("first", na);
          na -= remove;
        } else {
          for (size_t i = 0; i < remove; ++i) {
            if (na > nb) {
              --na;
            } else {
              --nb;
            }
          }
        }
        break;
      case Truncation::OnlyFirst:
        if (na <= remove) cannot("first", na);
        na -= remove;
        break;
      case Truncation::OnlySecond:
        if (!b) fail(where, "needs a text pair");
        if (nb <= remove) cannot("second", nb);
        nb -= remove;
        break;
      case Truncation::DoNotTruncate:
        break;
    }
  }

  const SpecialTokenIds special = special_ids();
  Encoding e;
  const size_t n = na + nb + specials;
  e.tokens.reserve(n);
  e.input_ids.reserve(n);
  e.token_type_ids.reserve(n);
  e.offsets.reserve(n);
  e.sequence_ids.reserve(n);
  auto push_special = [&](int32_t id, int32_t type) {
    e.tokens.push_back(id_to_token(id));
    e.input_ids.push_back(id);
    e.token_type_ids.push_back(type);
    e.offsets.emplace_back(0, 0);
    e.sequence_ids.push_back(-1);
  };
  auto push_text = [&](const std::vector<Token>& tokens, size_t count, int32_t seq) {
    for (size_t i = 0; i < count; ++i) {
      const Token& t = tokens[i];
      e.tokens.push_back(t.piece);
      e.input_ids.push_back(t.id);
      e.token_type_ids.push_back(seq);
      e.offsets.emplace_back(t.begin, t.end);
      e.sequence_ids.push_back(seq);
    }
  };
  push_special(special.cls, 0);
  push_text(a, na, 0);
  push_special(special.sep, 0);
  if (b) {
    push_text(*b, nb, 1);
    push_special(special.sep, 1);
  }
  e.attention_mask.assign(e.input_ids.size(), 1);
  e.overflow_first = a.size() - na;
  e.overflow_second = b ? b->size() - nb : 0;
  return e;
}

}  // namespace earlybert
