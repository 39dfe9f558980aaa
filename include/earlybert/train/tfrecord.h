// TFRecord framing and CRC32C — the container of TensorBoard event files.
//
// A TFRecord file is a sequence of records, each
//     uint64 length (little-endian) | uint32 masked_crc32c(length bytes) | data[length] | uint32 masked_crc32c(data)
// where masked_crc32c(x) = rotate_right(crc32c(x), 15) + 0xa282ead8 (mod 2^32). The CRC is CRC-32C
// (Castagnoli, reflected polynomial 0x82F63B78), computed here with a 256-entry table; crc32c of
// "123456789" is 0xE3069283. Written by hand because TensorBoard is the only user and the format is
// small; read back by the tests and by tools that inspect a run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace earlybert {

/// CRC-32C of `data`, continuing from `crc` (0 to start).
uint32_t crc32c(std::string_view data, uint32_t crc = 0);

/// TFRecord's masked CRC: ((crc >> 15) | (crc << 17)) + 0xa282ead8.
uint32_t mask_crc32c(uint32_t crc);
/// mask_crc32c(crc32c(data)).
uint32_t masked_crc32c(std::string_view data);

/// One framed record (header, data, footer).
std::string frame_tfrecord(std::string_view data);

/// Splits a TFRecord byte string into record payloads, checking both CRCs of every record. A
/// truncated final record (a writer killed mid-write) is an error unless `allow_truncated_tail`,
/// in which case it is dropped, as TensorBoard does. Errors name `source` and the byte offset.
std::vector<std::string> read_tfrecords(const std::string& bytes, const std::string& source,
                                        bool allow_truncated_tail = false);

}  // namespace earlybert
