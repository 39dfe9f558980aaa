// Pre-training shards: the binary files `earlybert prepare-pretraining` writes and the trainer
// memory-maps. Text is tokenized once; reading an example is then a bounds check and a copy.
//
// Layout (all integers little-endian):
//   offset  size  field
//        0     8  magic "EBPTSHRD"
//        8     4  version (kShardVersion)
//       12     4  header size (128)
//       16     4  max_seq_length
//       20     4  vocab_size
//       24     8  vocab fingerprint (vocab_fingerprint(): a mismatched vocabulary is refused)
//       32     4  bytes per token id: 2 when vocab_size <= 65536, else 4
//       36     4  flags: 1 has NSP pairs, 2 lower-cased input, 4 whole-word masking requested
//       40     8  number of records
//       48     8  number of tokens (sum of record lengths, specials included)
//       56     4  record size
//       60    20  special ids: [PAD] [UNK] [CLS] [SEP] [MASK] (int32 each)
//       80     8  offset of the continuation table (128)
//       88     8  size of the continuation table: ceil(vocab_size / 8) bytes, bit i set when vocabulary
//                 entry i continues a word ("##..."); whole-word masking at read time needs it
//       96     8  offset of the first record (a multiple of 8)
//      104     8  FNV-1a 64 checksum of the continuation table
//      112     8  reserved (0)
//      120     8  FNV-1a 64 checksum of bytes 0..119
//   records: fixed size, so record i is at records_offset + i * record_size:
//        0     2  length (positions used, specials included)
//        2     2  segment A length ([CLS] A [SEP]); token_type_id 1 from here on
//        4     1  next_sentence_label (int8: 0 is next, 1 random next, -1 none)
//        5     3  zero
//        8        max_seq_length ids (uint16 or uint32), unused tail zero
// A file is written atomically (complete or absent); opening validates magic, version, checksums and
// the exact file size (so truncation is caught), and each record is checked when it is read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "earlybert/data/pretraining_instances.h"
#include "earlybert/tokenize/tokenizer.h"

namespace earlybert {

inline constexpr char kShardMagic[8] = {'E', 'B', 'P', 'T', 'S', 'H', 'R', 'D'};
inline constexpr uint32_t kShardVersion = 1;
inline constexpr size_t kShardHeaderSize = 128;

/// FNV-1a 64 of the vocabulary entries in id order, each followed by '\n'.
uint64_t vocab_fingerprint(const Tokenizer& tokenizer);

/// One byte per vocabulary id: 1 when the entry continues a word. WordPiece vocabularies (any "##"
/// entry): the "##" pieces. SentencePiece vocabularies (entries marked with "▁" at word starts): the
/// pieces without the mark, except <...> and [...] symbols. Anything else: no continuations.
std::vector<uint8_t> continuation_table(const Tokenizer& tokenizer);

struct ShardHeader {
  uint32_t max_seq_length = 0;
  uint32_t vocab_size = 0;
  uint64_t vocab_fingerprint = 0;
  uint32_t id_bytes = 0;  ///< derived from vocab_size by the writer
  bool has_nsp = false;
  bool do_lower_case = false;
  bool whole_word_mask = false;
  SpecialTokenIds special;
  uint64_t num_records = 0;  ///< filled in by the writer
  uint64_t num_tokens = 0;   ///< filled in by the writer
};

/// Collects instances in memory and writes one shard file.
class ShardWriter {
 public:
  /// `continuation` has one entry per vocabulary id (see continuation_table()).
  ShardWriter(ShardHeader header, std::vector<uint8_t> continuation);

  /// Appends one instance; Error when it is longer than max_seq_length or has an id out of range.
  void add(const PretrainingInstance& instance);
  size_t size() const { return static_cast<size_t>(header_.num_records); }

  /// The complete file contents.
  std::string bytes() const;
  /// Writes the file atomically.
  void write(const std::string& path) const;

 private:
  ShardHeader header_;
  std::vector<uint8_t> continuation_;
  size_t record_size_;
  std::string records_;
};

/// A memory-mapped shard. Move-only; unmaps on destruction.
class ShardFile {
 public:
  /// Maps and validates `path`; Error naming the file for a bad magic, an unsupported version, a
  /// checksum mismatch or a wrong size (truncated or with trailing bytes).
  static ShardFile open(const std::string& path);

  ShardFile(ShardFile&& other) noexcept;
  ShardFile& operator=(ShardFile&& other) noexcept;
  ShardFile(const ShardFile&) = delete;
  ShardFile& operator=(const ShardFile&) = delete;
  ~ShardFile();

  const std::string& path() const { return path_; }
  const ShardHeader& header() const { return header_; }
  size_t size() const { return static_cast<size_t>(header_.num_records); }
  /// Record i; Error naming file and record when it is out of range or its fields are inconsistent.
  PretrainingInstance get(size_t i) const;
  /// One byte per vocabulary id, as passed to the writer.
  const std::vector<uint8_t>& continuation() const { return continuation_; }

 private:
  ShardFile() = default;
  void unmap();

  std::string path_;
  ShardHeader header_;
  std::vector<uint8_t> continuation_;
  const unsigned char* data_ = nullptr;
  size_t mapped_size_ = 0;
  size_t record_size_ = 0;
  size_t records_offset_ = 0;
};

}  // namespace earlybert
