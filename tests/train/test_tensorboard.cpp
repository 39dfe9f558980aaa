// Tests for the TensorBoard writer: CRC32C against the standard check values, the TFRecord framing,
// hand-encoded Event protobufs, and an event file written and read back (both CRCs checked).
#include "earlybert/train/tensorboard.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "earlybert/base/files.h"
#include "earlybert/train/tfrecord.h"
#include "train_test_util.h"

using namespace earlybert;
using earlybert::test::expect_error;
using earlybert::test::scratch_dir;

TEST(TfRecord, Crc32cCheckValues) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);  // the CRC-32C check value
  EXPECT_EQ(crc32c(""), 0u);
  // RFC 3720 (iSCSI) appendix B.4 vectors.
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
  // Continuing a CRC over two pieces equals the CRC of the whole.
  EXPECT_EQ(crc32c("6789", crc32c("12345")), 0xE3069283u);
}

TEST(TfRecord, MaskedCrc) {
  // ((0xE3069283 >> 15) | (0xE3069283 << 17)) + 0xa282ead8 (mod 2^32), worked out by hand.
  EXPECT_EQ(mask_crc32c(0xE3069283u), 0xC78AB0E5u);
  EXPECT_EQ(masked_crc32c(""), 0xA282EAD8u);
}

TEST(TfRecord, FramingLayoutAndReadBack) {
  const std::string rec = frame_tfrecord("abc");
  ASSERT_EQ(rec.size(), 8u + 4u + 3u + 4u);
  EXPECT_EQ(rec.substr(0, 8), std::string("\x03\0\0\0\0\0\0\0", 8));  // little-endian length
  EXPECT_EQ(rec.substr(12, 3), "abc");
  const uint32_t len_crc = masked_crc32c(rec.substr(0, 8));
  EXPECT_EQ(static_cast<unsigned char>(rec[8]), len_crc & 0xFF);
  EXPECT_EQ(static_cast<unsigned char>(rec[11]), len_crc >> 24);

  const std::string bytes = frame_tfrecord("first") + frame_tfrecord("") + frame_tfrecord(std::string(300, 'x'));
  const auto records = read_tfrecords(bytes, "mem");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0], "first");
  EXPECT_EQ(records[1], "");
  EXPECT_EQ(records[2], std::string(300, 'x'));

  std::string corrupt = bytes;
  corrupt[14] ^= 0x01;  // a data byte of the first record
  expect_error([&] { read_tfrecords(corrupt, "events.bin"); }, {"events.bin: byte 0", "data CRC"});
  corrupt = bytes;
  corrupt[2] ^= 0x01;  // its length
  expect_error([&] { read_tfrecords(corrupt, "events.bin"); }, {"length CRC"});
  const std::string truncated = bytes.substr(0, bytes.size() - 5);
  expect_error([&] { read_tfrecords(truncated, "events.bin"); }, {"truncated"});
  EXPECT_EQ(read_tfrecords(truncated, "events.bin", true).size(), 2u);
}

TEST(TensorBoard, EventEncodingByHand) {
  // Event{wall_time=1.5, file_version="brain.Event:2"}: tag 0x09 + 8 bytes of the double, tag 0x1a +
  // length 13 + the string.
  const std::string fv = encode_file_version_event(1.5);
  EXPECT_EQ(fv, std::string("\x09\x00\x00\x00\x00\x00\x00\xf8\x3f\x1a\x0d", 11) + "brain.Event:2");
  // Event{wall_time=0, step=300, summary{value{tag="a", simple_value=1.0}}}
  const std::string ev = encode_scalars_event(0.0, 300, {{"a", 1.0f}});
  const std::string expected = std::string("\x09\0\0\0\0\0\0\0\0", 9) +  // wall_time
                               std::string("\x10\xac\x02", 3) +          // step 300 as a varint
                               std::string("\x2a\x0a", 2) +              // summary, 10 bytes
                               std::string("\x0a\x08", 2) +              // value, 8 bytes
                               std::string(
                                   "\x0a\x01"
                                   "a",
                                   3) +                                 // tag "a"
                               std::string("\x15\x00\x00\x80\x3f", 5);  // simple_value 1.0f
  EXPECT_EQ(ev, expected);
  const auto back = decode_event(ev, "mem");
  EXPECT_EQ(back.step, 300);
  ASSERT_EQ(back.scalars.size(), 1u);
  EXPECT_EQ(back.scalars[0].first, "a");
  EXPECT_EQ(back.scalars[0].second, 1.0f);
  expect_error([&] { decode_event(ev.substr(0, ev.size() - 2), "events"); }, {"events", "malformed event"});
}

TEST(TensorBoard, WriterFileReadsBack) {
  const std::string dir = scratch_dir("tensorboard");
  std::string path;
  {
    TensorBoardWriter w(RankZeroWriter(dir), "runs");
    path = w.path();
    w.add_scalar("train/loss", 2.5f, 10);
    w.add_scalars(20, {{"train/loss", 1.25f}, {"train/lr", 4e-5f}, {"search/dist_heads", 0.0625f}});
    w.flush();
    // A reader sees whole records after flush(), while the writer is still open.
    EXPECT_EQ(read_event_file(path).size(), 3u);
    w.add_scalar("eval/accuracy", 0.75f, 30);
  }
  EXPECT_EQ(std::filesystem::path(path).parent_path(), std::filesystem::path(dir + "/runs"));
  EXPECT_EQ(std::filesystem::path(path).filename().string().rfind("events.out.tfevents.", 0), 0u);
  const auto events = read_event_file(path);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].file_version, "brain.Event:2");
  EXPECT_GT(events[0].wall_time, 1.6e9);
  EXPECT_EQ(events[1].step, 10);
  ASSERT_EQ(events[1].scalars.size(), 1u);
  EXPECT_EQ(events[1].scalars[0], (std::pair<std::string, float>{"train/loss", 2.5f}));
  EXPECT_EQ(events[2].step, 20);
  ASSERT_EQ(events[2].scalars.size(), 3u);
  EXPECT_EQ(events[2].scalars[1], (std::pair<std::string, float>{"train/lr", 4e-5f}));
  EXPECT_EQ(events[2].scalars[2].second, 0.0625f);
  EXPECT_EQ(events[3].scalars[0].first, "eval/accuracy");

  // A second writer in the same directory (and maybe the same second) gets its own file.
  TensorBoardWriter again(RankZeroWriter(dir), "runs");
  EXPECT_NE(again.path(), path);
  // A killed writer leaves a partial last record: dropped, the rest is read.
  const std::string bytes = read_file(path);
  write_file_atomic(path, bytes.substr(0, bytes.size() - 3));
  EXPECT_EQ(read_event_file(path).size(), 3u);
}

TEST(TensorBoard, OtherRanksWriteNothing) {
  const std::string dir = scratch_dir("tensorboard_rank1");
  TensorBoardWriter w(RankZeroWriter(dir, 1, 2), "runs");
  w.add_scalar("x", 1.0f, 1);
  w.flush();
  EXPECT_EQ(w.path(), "");
  EXPECT_FALSE(std::filesystem::exists(dir + "/runs"));
}
