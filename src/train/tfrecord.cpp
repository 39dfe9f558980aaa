// TFRecord framing and CRC32C — see include/earlybert/train/tfrecord.h.
#include "earlybert/train/tfrecord.h"

#include <array>

#include "earlybert/base/error.h"

namespace earlybert {
namespace {

std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    table[i] = c;
  }
  return table;
}

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

uint64_t get_le(const std::string& in, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(in[pos + i])) << (8 * i);
  return v;
}

}  // namespace

uint32_t crc32c(std::string_view data, uint32_t crc) {
  static const std::array<uint32_t, 256> table = make_table();
  crc = ~crc;
  for (unsigned char b : data) crc = table[(crc ^ b) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

uint32_t mask_crc32c(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

uint32_t masked_crc32c(std::string_view data) { return mask_crc32c(crc32c(data)); }

std::string frame_tfrecord(std::string_view data) {
  std::string out;
  out.reserve(data.size() + 16);
  std::string len;
  put_le(len, data.size(), 8);
  out += len;
  put_le(out, masked_crc32c(len), 4);
  out.append(data.data(), data.size());
  put_le(out, masked_crc32c(data), 4);
  return out;
}

std::vector<std::string> read_tfrecords(const std::string& bytes, const std::string& source,
                                        bool allow_truncated_tail) {
  std::vector<std::string> records;
  size_t pos = 0;
  while (pos < bytes.size()) {
    const std::string at = source + ": byte " + std::to_string(pos);
    auto truncated = [&]() {
      if (!allow_truncated_tail) fail(at, "truncated record");
    };
    if (bytes.size() - pos < 12) {
      truncated();
      break;
    }
    const uint64_t length = get_le(bytes, pos, 8);
    const uint32_t length_crc = static_cast<uint32_t>(get_le(bytes, pos + 8, 4));
    if (masked_crc32c(std::string_view(bytes).substr(pos, 8)) != length_crc) fail(at, "length CRC mismatch");
    if (length > bytes.size() - pos - 12 || bytes.size() - pos - 12 - length < 4) {
      truncated();
      break;
    }
    std::string data = bytes.substr(pos + 12, length);
    const uint32_t data_crc = static_cast<uint32_t>(get_le(bytes, pos + 12 + length, 4));
    if (masked_crc32c(data) != data_crc) fail(at, "data CRC mismatch");
    records.push_back(std::move(data));
    pos += 16 + length;
  }
  return records;
}

}  // namespace earlybert
