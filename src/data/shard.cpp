// Pre-training shards — see include/earlybert/data/shard.h for the byte layout.
#include "earlybert/data/shard.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "fnv1a.h"

namespace earlybert {

namespace {

// Byte-wise little-endian access: correct on any host and free of alignment concerns.
void put_le(std::string& buf, size_t offset, uint64_t value, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i) buf[offset + i] = static_cast<char>((value >> (8 * i)) & 0xFF);
}

uint64_t get_le(const unsigned char* p, size_t bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

constexpr uint32_t kFlagNsp = 1, kFlagLowerCase = 2, kFlagWholeWord = 4;
constexpr size_t kRecordPrefix = 8;

size_t id_bytes_for(uint32_t vocab_size) { return vocab_size <= 65536 ? 2 : 4; }
size_t table_bytes_for(uint32_t vocab_size) { return (static_cast<size_t>(vocab_size) + 7) / 8; }
size_t records_offset_for(uint32_t vocab_size) { return (kShardHeaderSize + table_bytes_for(vocab_size) + 7) / 8 * 8; }

}  // namespace

uint64_t vocab_fingerprint(const Tokenizer& tokenizer) {
  uint64_t h = detail::kFnvOffset;
  const size_t n = tokenizer.vocab_size();
  for (size_t i = 0; i < n; ++i) {
    h = detail::fnv1a64(tokenizer.id_to_token(static_cast<int32_t>(i)), h);
    h = detail::fnv1a64("\n", 1, h);
  }
  return h;
}

std::vector<uint8_t> continuation_table(const Tokenizer& tokenizer) {
  const size_t n = tokenizer.vocab_size();
  std::vector<std::string> pieces(n);
  bool wordpiece = false, sentencepiece = false;
  for (size_t i = 0; i < n; ++i) {
    pieces[i] = tokenizer.id_to_token(static_cast<int32_t>(i));
    const std::string& p = pieces[i];
    wordpiece |= p.size() > 2 && p.compare(0, 2, "##") == 0;
    sentencepiece |= p.compare(0, 3, "\xE2\x96\x81") == 0;  // "▁", SentencePiece's word-start mark
  }
  std::vector<uint8_t> table(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const std::string& p = pieces[i];
    if (wordpiece) {
      table[i] = p.size() > 2 && p.compare(0, 2, "##") == 0;
    } else if (sentencepiece) {
      // Pieces without the mark continue a word, except control/special symbols like <unk>, [CLS].
      const bool special =
          p.size() >= 2 && ((p.front() == '<' && p.back() == '>') || (p.front() == '[' && p.back() == ']'));
      table[i] = !p.empty() && !special && p.compare(0, 3, "\xE2\x96\x81") != 0;
    }
  }
  return table;
}

// ---------------------------------------------------------------------------------------------------
// Writer

ShardWriter::ShardWriter(ShardHeader header, std::vector<uint8_t> continuation)
    : header_(header), continuation_(std::move(continuation)) {
  if (header_.vocab_size == 0) fail("shard", "vocab_size is 0");
  if (header_.max_seq_length < 2 || header_.max_seq_length > 65535)
    fail("shard", "max_seq_length must be in [2, 65535], got " + std::to_string(header_.max_seq_length));
  if (continuation_.size() != header_.vocab_size)
    fail("shard", "continuation table has " + std::to_string(continuation_.size()) + " entries for a vocabulary of " +
                      std::to_string(header_.vocab_size));
  header_.id_bytes = static_cast<uint32_t>(id_bytes_for(header_.vocab_size));
  header_.num_records = 0;
  header_.num_tokens = 0;
  record_size_ = kRecordPrefix + header_.max_seq_length * header_.id_bytes;
}

void ShardWriter::add(const PretrainingInstance& inst) {
  const size_t n = inst.input_ids.size();
  if (n < 2 || n > header_.max_seq_length)
    fail("shard", "instance of length " + std::to_string(n) + " does not fit max_seq_length " +
                      std::to_string(header_.max_seq_length));
  if (inst.segment_a_length < 2 || inst.segment_a_length > n)
    fail("shard",
         "segment A length " + std::to_string(inst.segment_a_length) + " outside [2, " + std::to_string(n) + "]");
  const size_t at = records_.size();
  records_.resize(at + record_size_, '\0');
  put_le(records_, at, n, 2);
  put_le(records_, at + 2, inst.segment_a_length, 2);
  records_[at + 4] = static_cast<char>(inst.next_sentence_label);
  for (size_t i = 0; i < n; ++i) {
    const int32_t id = inst.input_ids[i];
    if (id < 0 || static_cast<uint32_t>(id) >= header_.vocab_size)
      fail("shard",
           "token id " + std::to_string(id) + " outside the vocabulary of " + std::to_string(header_.vocab_size));
    put_le(records_, at + kRecordPrefix + i * header_.id_bytes, static_cast<uint32_t>(id), header_.id_bytes);
  }
  header_.num_records += 1;
  header_.num_tokens += n;
}

std::string ShardWriter::bytes() const {
  const size_t table_offset = kShardHeaderSize;
  const size_t table_bytes = table_bytes_for(header_.vocab_size);
  const size_t records_offset = records_offset_for(header_.vocab_size);
  std::string out(records_offset, '\0');
  std::memcpy(out.data(), kShardMagic, sizeof kShardMagic);
  put_le(out, 8, kShardVersion, 4);
  put_le(out, 12, kShardHeaderSize, 4);
  put_le(out, 16, header_.max_seq_length, 4);
  put_le(out, 20, header_.vocab_size, 4);
  put_le(out, 24, header_.vocab_fingerprint, 8);
  put_le(out, 32, header_.id_bytes, 4);
  const uint32_t flags = (header_.has_nsp ? kFlagNsp : 0) | (header_.do_lower_case ? kFlagLowerCase : 0) |
                         (header_.whole_word_mask ? kFlagWholeWord : 0);
  put_le(out, 36, flags, 4);
  put_le(out, 40, header_.num_records, 8);
  put_le(out, 48, header_.num_tokens, 8);
  put_le(out, 56, record_size_, 4);
  const int32_t specials[5] = {header_.special.pad, header_.special.unk, header_.special.cls, header_.special.sep,
                               header_.special.mask};
  for (int i = 0; i < 5; ++i) put_le(out, 60 + 4 * i, static_cast<uint32_t>(specials[i]), 4);
  put_le(out, 80, table_offset, 8);
  put_le(out, 88, table_bytes, 8);
  put_le(out, 96, records_offset, 8);
  for (size_t i = 0; i < continuation_.size(); ++i)
    if (continuation_[i]) out[table_offset + i / 8] = static_cast<char>(out[table_offset + i / 8] | (1 << (i % 8)));
  put_le(out, 104, detail::fnv1a64(out.data() + table_offset, table_bytes), 8);
  put_le(out, 120, detail::fnv1a64(out.data(), 120), 8);
  out += records_;
  return out;
}

void ShardWriter::write(const std::string& path) const { write_file_atomic(path, bytes()); }

// ---------------------------------------------------------------------------------------------------
// Reader

ShardFile ShardFile::open(const std::string& path) {
  ShardFile f;
  f.path_ = path;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(path, std::string("cannot open shard: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    fail(path, "cannot stat shard: " + why);
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size < kShardHeaderSize) {
    ::close(fd);
    fail(path, "truncated shard: " + std::to_string(size) + " bytes, the header alone needs " +
                   std::to_string(kShardHeaderSize));
  }
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int map_errno = errno;
  ::close(fd);
  if (p == MAP_FAILED) fail(path, std::string("cannot memory-map shard: ") + std::strerror(map_errno));
  f.data_ = static_cast<const unsigned char*>(p);
  f.mapped_size_ = size;
  const unsigned char* h = f.data_;

  if (std::memcmp(h, kShardMagic, sizeof kShardMagic) != 0)
    fail(path, "not an earlybert pre-training shard (bad magic number)");
  const uint32_t version = static_cast<uint32_t>(get_le(h + 8, 4));
  if (version != kShardVersion)
    fail(path, "shard format version " + std::to_string(version) + " is not supported (this build reads version " +
                   std::to_string(kShardVersion) + ")");
  if (get_le(h + 120, 8) != detail::fnv1a64(h, 120)) fail(path, "corrupt shard header (checksum mismatch)");
  if (get_le(h + 12, 4) != kShardHeaderSize) fail(path, "corrupt shard header (header size)");

  ShardHeader& hd = f.header_;
  hd.max_seq_length = static_cast<uint32_t>(get_le(h + 16, 4));
  hd.vocab_size = static_cast<uint32_t>(get_le(h + 20, 4));
  hd.vocab_fingerprint = get_le(h + 24, 8);
  hd.id_bytes = static_cast<uint32_t>(get_le(h + 32, 4));
  const uint32_t flags = static_cast<uint32_t>(get_le(h + 36, 4));
  hd.has_nsp = flags & kFlagNsp;
  hd.do_lower_case = flags & kFlagLowerCase;
  hd.whole_word_mask = flags & kFlagWholeWord;
  hd.num_records = get_le(h + 40, 8);
  hd.num_tokens = get_le(h + 48, 8);
  f.record_size_ = static_cast<size_t>(get_le(h + 56, 4));
  hd.special.pad = static_cast<int32_t>(get_le(h + 60, 4));
  hd.special.unk = static_cast<int32_t>(get_le(h + 64, 4));
  hd.special.cls = static_cast<int32_t>(get_le(h + 68, 4));
  hd.special.sep = static_cast<int32_t>(get_le(h + 72, 4));
  hd.special.mask = static_cast<int32_t>(get_le(h + 76, 4));
  const uint64_t table_offset = get_le(h + 80, 8);
  const uint64_t table_bytes = get_le(h + 88, 8);
  f.records_offset_ = static_cast<size_t>(get_le(h + 96, 8));

  // The checksum makes these impossible for a damaged file; they guard against a buggy writer.
  if (hd.vocab_size == 0 || hd.max_seq_length < 2 || hd.id_bytes != id_bytes_for(hd.vocab_size) ||
      f.record_size_ != kRecordPrefix + static_cast<size_t>(hd.max_seq_length) * hd.id_bytes ||
      table_offset != kShardHeaderSize || table_bytes != table_bytes_for(hd.vocab_size) ||
      f.records_offset_ != records_offset_for(hd.vocab_size))
    fail(path, "inconsistent shard header");

  // The record count is compared by division: records_offset + num_records * record_size can wrap
  // around 2^64 for a forged count and then equal the file size, after which get() would read far
  // outside the mapping (the checksum only stops accidental damage).
  const uint64_t room = size > f.records_offset_ ? size - f.records_offset_ : 0;
  if (size < f.records_offset_ || hd.num_records > room / f.record_size_)
    fail(path, "truncated shard: " + std::to_string(size) + " bytes, the header announces " +
                   std::to_string(hd.num_records) + " records of " + std::to_string(f.record_size_) +
                   " bytes after offset " + std::to_string(f.records_offset_));
  const uint64_t expected = f.records_offset_ + hd.num_records * f.record_size_;
  if (size > expected) fail(path, "shard has " + std::to_string(size - expected) + " unexpected trailing bytes");
  if (get_le(h + 104, 8) != detail::fnv1a64(h + table_offset, table_bytes))
    fail(path, "corrupt shard (continuation table checksum mismatch)");

  f.continuation_.assign(hd.vocab_size, 0);
  for (size_t i = 0; i < hd.vocab_size; ++i) f.continuation_[i] = (h[table_offset + i / 8] >> (i % 8)) & 1;
  return f;
}

ShardFile::ShardFile(ShardFile&& o) noexcept { *this = std::move(o); }

ShardFile& ShardFile::operator=(ShardFile&& o) noexcept {
  if (this != &o) {
    unmap();
    path_ = std::move(o.path_);
    header_ = o.header_;
    continuation_ = std::move(o.continuation_);
    data_ = o.data_;
    mapped_size_ = o.mapped_size_;
    record_size_ = o.record_size_;
    records_offset_ = o.records_offset_;
    o.data_ = nullptr;
    o.mapped_size_ = 0;
  }
  return *this;
}

ShardFile::~ShardFile() { unmap(); }

void ShardFile::unmap() {
  if (data_ != nullptr) ::munmap(const_cast<unsigned char*>(data_), mapped_size_);
  data_ = nullptr;
  mapped_size_ = 0;
}

PretrainingInstance ShardFile::get(size_t i) const {
  if (i >= size())
    fail(path_, "record " + std::to_string(i) + " out of range (" + std::to_string(size()) + " records)");
  const unsigned char* rec = data_ + records_offset_ + i * record_size_;
  const auto where = [&] { return path_ + ": record " + std::to_string(i); };
  const size_t n = static_cast<size_t>(get_le(rec, 2));
  PretrainingInstance inst;
  inst.segment_a_length = static_cast<uint32_t>(get_le(rec + 2, 2));
  inst.next_sentence_label = static_cast<int8_t>(rec[4]);
  if (n < 2 || n > header_.max_seq_length)
    fail(where(), "corrupt record: length " + std::to_string(n) + " outside [2, " +
                      std::to_string(header_.max_seq_length) + "]");
  if (inst.segment_a_length < 2 || inst.segment_a_length > n)
    fail(where(), "corrupt record: segment A length " + std::to_string(inst.segment_a_length));
  if (inst.next_sentence_label < -1 || inst.next_sentence_label > 1)
    fail(where(), "corrupt record: next_sentence_label " + std::to_string(inst.next_sentence_label));
  inst.input_ids.resize(n);
  const unsigned char* ids = rec + kRecordPrefix;
  for (size_t k = 0; k < n; ++k) {
    const uint64_t id = get_le(ids + k * header_.id_bytes, header_.id_bytes);
    if (id >= header_.vocab_size)
      fail(where(), "corrupt record: token id " + std::to_string(id) + " outside the vocabulary of " +
                        std::to_string(header_.vocab_size));
    inst.input_ids[k] = static_cast<int32_t>(id);
  }
  return inst;
}

}  // namespace earlybert
