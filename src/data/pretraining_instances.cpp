// Pre-training instances — see include/earlybert/data/pretraining_instances.h.
#include "earlybert/data/pretraining_instances.h"

#include <string>

#include "earlybert/base/error.h"

namespace earlybert {

void validate_instance_options(const InstanceOptions& o, const char* where) {
  const size_t min_len = o.next_sentence_prediction ? 5 : 3;
  if (o.max_seq_length < min_len || o.max_seq_length > 65535)
    fail(where,
         "max_seq_length must be in [" + std::to_string(min_len) + ", 65535], got " + std::to_string(o.max_seq_length));
  if (!(o.short_seq_prob >= 0.0 && o.short_seq_prob <= 1.0))
    fail(where, "short_seq_prob must be in [0, 1], got " + std::to_string(o.short_seq_prob));
}

std::vector<int32_t> PretrainingInstance::token_type_ids() const {
  std::vector<int32_t> types(input_ids.size(), 1);
  for (size_t i = 0; i < segment_a_length && i < types.size(); ++i) types[i] = 0;
  return types;
}

void truncate_seq_pair(std::vector<int32_t>& a, std::vector<int32_t>& b, size_t max_tokens, PretrainingRng& rng) {
  while (a.size() + b.size() > max_tokens) {
    std::vector<int32_t>& longer = a.size() > b.size() ? a : b;
    // Removing from both ends (rather than only the back) adds noise that Google found useful.
    if (rng.uniform() < 0.5)
      longer.erase(longer.begin());
    else
      longer.pop_back();
  }
}

namespace {

PretrainingInstance make_instance(const std::vector<int32_t>& a, const std::vector<int32_t>* b, int8_t label,
                                  int32_t cls_id, int32_t sep_id) {
  PretrainingInstance inst;
  inst.input_ids.reserve(a.size() + (b ? b->size() : 0) + 3);
  inst.input_ids.push_back(cls_id);
  inst.input_ids.insert(inst.input_ids.end(), a.begin(), a.end());
  inst.input_ids.push_back(sep_id);
  inst.segment_a_length = static_cast<uint32_t>(inst.input_ids.size());
  if (b) {
    inst.input_ids.insert(inst.input_ids.end(), b->begin(), b->end());
    inst.input_ids.push_back(sep_id);
  }
  inst.next_sentence_label = label;
  return inst;
}

size_t draw_target(size_t max_num_tokens, double short_seq_prob, PretrainingRng& rng) {
  if (rng.uniform() < short_seq_prob) return static_cast<size_t>(rng.randint(2, static_cast<int64_t>(max_num_tokens)));
  return max_num_tokens;
}

void nsp_instances(const std::vector<TokenizedDocument>& documents, size_t doc_index, const InstanceOptions& o,
                   int32_t cls_id, int32_t sep_id, PretrainingRng& rng, std::vector<PretrainingInstance>& out) {
  const TokenizedDocument& doc = documents[doc_index];
  const size_t max_num_tokens = o.max_seq_length - 3;
  size_t target = draw_target(max_num_tokens, o.short_seq_prob, rng);
  std::vector<size_t> chunk;  // sentence indices gathered for this instance
  size_t chunk_length = 0;
  for (size_t i = 0; i < doc.size(); ++i) {
    if (!doc[i].empty()) {
      chunk.push_back(i);
      chunk_length += doc[i].size();
    }
    if (i + 1 != doc.size() && chunk_length < target) continue;
    if (!chunk.empty()) {
      size_t a_end = 1;
      if (chunk.size() >= 2) a_end = static_cast<size_t>(rng.randint(1, static_cast<int64_t>(chunk.size()) - 1));
      std::vector<int32_t> a, b;
      for (size_t j = 0; j < a_end; ++j) a.insert(a.end(), doc[chunk[j]].begin(), doc[chunk[j]].end());
      int8_t label = 0;
      if (chunk.size() == 1 || rng.uniform() < 0.5) {
        label = 1;
        const size_t target_b = target > a.size() ? target - a.size() : 0;
        // Ten tries to find another (non-empty) document; a one-document corpus falls back to itself.
        size_t other = doc_index;
        for (int tries = 0; tries < 10; ++tries) {
          other = static_cast<size_t>(rng.below(documents.size()));
          if (other != doc_index && !documents[other].empty()) break;
        }
        const TokenizedDocument& random_doc = documents[other];
        if (!random_doc.empty()) {
          const size_t start = static_cast<size_t>(rng.below(random_doc.size()));
          for (size_t j = start; j < random_doc.size(); ++j) {
            b.insert(b.end(), random_doc[j].begin(), random_doc[j].end());
            if (b.size() >= target_b) break;
          }
        }
        // The sentences not used for A go back to the document for the next instance.
        if (a_end < chunk.size()) i = chunk[a_end] - 1;
      } else {
        for (size_t j = a_end; j < chunk.size(); ++j) b.insert(b.end(), doc[chunk[j]].begin(), doc[chunk[j]].end());
      }
      if (!b.empty()) {
        truncate_seq_pair(a, b, max_num_tokens, rng);
        out.push_back(make_instance(a, &b, label, cls_id, sep_id));
      }
      target = draw_target(max_num_tokens, o.short_seq_prob, rng);
    }
    chunk.clear();
    chunk_length = 0;
  }
}

void single_segment_instances(const TokenizedDocument& doc, const InstanceOptions& o, int32_t cls_id, int32_t sep_id,
                              PretrainingRng& rng, std::vector<PretrainingInstance>& out) {
  const size_t max_num_tokens = o.max_seq_length - 2;
  size_t target = draw_target(max_num_tokens, o.short_seq_prob, rng);
  std::vector<int32_t> chunk;
  auto emit = [&] {
    if (!chunk.empty()) out.push_back(make_instance(chunk, nullptr, -1, cls_id, sep_id));
    chunk.clear();
    target = draw_target(max_num_tokens, o.short_seq_prob, rng);
  };
  for (const auto& sentence : doc) {
    size_t pos = 0;
    while (pos < sentence.size()) {
      const size_t space = target - chunk.size();
      const size_t rest = sentence.size() - pos;
      if (rest <= space) {
        chunk.insert(chunk.end(), sentence.begin() + static_cast<std::ptrdiff_t>(pos), sentence.end());
        pos = sentence.size();
      } else if (chunk.empty()) {
        // A sentence longer than a whole window: split it rather than drop its tail.
        chunk.insert(chunk.end(), sentence.begin() + static_cast<std::ptrdiff_t>(pos),
                     sentence.begin() + static_cast<std::ptrdiff_t>(pos + space));
        pos += space;
        emit();
      } else {
        emit();  // start the next instance at this sentence boundary
      }
    }
    if (chunk.size() >= target) emit();
  }
  emit();
}

}  // namespace

void create_instances_from_document(const std::vector<TokenizedDocument>& documents, size_t doc_index,
                                    const InstanceOptions& options, int32_t cls_id, int32_t sep_id, PretrainingRng& rng,
                                    std::vector<PretrainingInstance>& out) {
  validate_instance_options(options);
  if (doc_index >= documents.size()) fail("instances", "document index out of range");
  if (options.next_sentence_prediction)
    nsp_instances(documents, doc_index, options, cls_id, sep_id, rng, out);
  else
    single_segment_instances(documents[doc_index], options, cls_id, sep_id, rng, out);
}

std::vector<PretrainingInstance> create_instances(const std::vector<TokenizedDocument>& documents,
                                                  const InstanceOptions& options, int32_t cls_id, int32_t sep_id,
                                                  uint64_t seed, size_t passes) {
  std::vector<PretrainingInstance> out;
  for (size_t pass = 0; pass < passes; ++pass) {
    for (size_t d = 0; d < documents.size(); ++d) {
      PretrainingRng rng(mix_seed(seed, pass, d));
      create_instances_from_document(documents, d, options, cls_id, sep_id, rng, out);
    }
  }
  return out;
}

}  // namespace earlybert
