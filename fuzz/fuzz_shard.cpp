// Fuzz target: pre-training shard files (data/shard.h) — ShardFile::open() and every record's get().
//
// A shard carries FNV-1a checksums over its header and its continuation table, so nearly every
// mutation would stop at "checksum mismatch". Each input is therefore opened twice: as it is, and with
// both checksums recomputed (what a buggy writer or a deliberate forgery would produce), so that the
// checks behind the checksums — sizes, offsets, record bounds — get fuzzed too.
#include <cstring>
#include <vector>

#include "data/fnv1a.h"
#include "earlybert/data/shard.h"
#include "fuzz_input.h"

namespace {

using namespace earlybert;

uint64_t get_le64(const std::vector<uint8_t>& b, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v |= static_cast<uint64_t>(b[at + i]) << (8 * i);
  return v;
}

void put_le64(std::vector<uint8_t>& b, size_t at, uint64_t v) {
  for (size_t i = 0; i < 8; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

void open_and_read(fuzz::InputFile& file, const uint8_t* data, size_t size) {
  const std::string& path = file.write(data, size);
  fuzz::parse_or_reject([&] {
    const ShardFile shard = ShardFile::open(path);
    for (size_t i = 0; i < shard.size(); ++i) {
      const bool read = fuzz::parse_or_reject([&] {
        const PretrainingInstance inst = shard.get(i);
        FUZZ_REQUIRE(inst.input_ids.size() >= 2 && inst.input_ids.size() <= shard.header().max_seq_length,
                     "record length outside [2, max_seq_length]");
        for (int32_t id : inst.input_ids)
          FUZZ_REQUIRE(id >= 0 && static_cast<uint32_t>(id) < shard.header().vocab_size, "token id out of range");
      });
      if (!read) break;  // the rest are read the same way
    }
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::InputFile file("shard-00000.bin");
  open_and_read(file, data, size);
  if (size >= kShardHeaderSize) {
    std::vector<uint8_t> fixed(data, data + size);
    const uint64_t table_offset = get_le64(fixed, 80);
    const uint64_t table_bytes = get_le64(fixed, 88);
    if (table_offset <= size && table_bytes <= size - table_offset)
      put_le64(fixed, 104, detail::fnv1a64(fixed.data() + table_offset, table_bytes));
    put_le64(fixed, 120, detail::fnv1a64(fixed.data(), 120));
    open_and_read(file, fixed.data(), fixed.size());
  }
  return 0;
}
