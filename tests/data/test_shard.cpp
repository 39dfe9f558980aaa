// Tests for the shard format and the shard-directory dataset: round trips, corrupt files, vocabulary
// mismatch, and the masked examples the trainer reads.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "data/fnv1a.h"
#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/data/pretraining_dataset.h"
#include "earlybert/data/shard.h"
#include "test_pretraining_fake_tokenizer.h"

namespace earlybert {
namespace {

using test::FakeTokenizer;

std::vector<PretrainingInstance> sample_instances(size_t n, size_t max_len, uint32_t vocab, uint64_t seed) {
  PretrainingRng rng(seed);
  std::vector<PretrainingInstance> out;
  for (size_t i = 0; i < n; ++i) {
    PretrainingInstance inst;
    const size_t len = 5 + rng.below(max_len - 4);
    inst.input_ids.push_back(2);
    for (size_t k = 1; k + 1 < len; ++k) inst.input_ids.push_back(static_cast<int32_t>(5 + rng.below(vocab - 5)));
    inst.input_ids.push_back(3);
    inst.segment_a_length = static_cast<uint32_t>(2 + rng.below(len - 3));
    inst.input_ids[inst.segment_a_length - 1] = 3;
    inst.next_sentence_label = static_cast<int8_t>(rng.below(2));
    out.push_back(inst);
  }
  return out;
}

ShardHeader header_for(uint32_t vocab, uint32_t max_len, uint64_t fingerprint = 0x1234) {
  ShardHeader h;
  h.max_seq_length = max_len;
  h.vocab_size = vocab;
  h.vocab_fingerprint = fingerprint;
  h.has_nsp = true;
  h.special = {0, 1, 2, 3, 4};
  return h;
}

std::vector<uint8_t> continuation_every_third(uint32_t vocab) {
  std::vector<uint8_t> c(vocab, 0);
  for (uint32_t i = 5; i < vocab; i += 3) c[i] = 1;
  return c;
}

class ShardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() / ("eb_shard_" + std::to_string(::getpid()) + "_" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    remove_all(dir_);
    make_directories(dir_);
  }
  void TearDown() override { remove_all(dir_); }

  std::string write_shard(const std::string& name, const std::vector<PretrainingInstance>& instances, uint32_t vocab,
                          uint32_t max_len, uint64_t fingerprint = 0x1234) {
    ShardWriter w(header_for(vocab, max_len, fingerprint), continuation_every_third(vocab));
    for (const auto& inst : instances) w.add(inst);
    const std::string path = join_path(dir_, name);
    w.write(path);
    return path;
  }

  // A dataset directory with an index over the given shards (file name, records).
  void write_index(const std::vector<std::pair<std::string, size_t>>& shards, size_t total) {
    std::string json =
        "{\"format\": \"earlybert-pretraining\", \"version\": 1, \"instances\": " + std::to_string(total) +
        ", \"shards\": [";
    for (size_t i = 0; i < shards.size(); ++i)
      json += (i ? ", " : "") + std::string("{\"file\": \"") + shards[i].first +
              "\", \"records\": " + std::to_string(shards[i].second) + "}";
    json += "]}";
    write_file_atomic(join_path(dir_, kPretrainingIndexFile), json);
  }

  static std::string error_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }

  std::string dir_;
};

void expect_same(const PretrainingInstance& a, const PretrainingInstance& b) {
  EXPECT_EQ(a.input_ids, b.input_ids);
  EXPECT_EQ(a.segment_a_length, b.segment_a_length);
  EXPECT_EQ(a.next_sentence_label, b.next_sentence_label);
}

TEST_F(ShardTest, RoundTripWith16BitIds) {
  const auto instances = sample_instances(300, 64, 30522, 1);
  const std::string path = write_shard("a.ebsh", instances, 30522, 64);
  const ShardFile f = ShardFile::open(path);
  EXPECT_EQ(f.size(), 300u);
  EXPECT_EQ(f.header().id_bytes, 2u);
  EXPECT_EQ(f.header().max_seq_length, 64u);
  EXPECT_EQ(f.header().vocab_fingerprint, 0x1234u);
  EXPECT_TRUE(f.header().has_nsp);
  EXPECT_EQ(f.header().special.mask, 4);
  size_t tokens = 0;
  for (size_t i = 0; i < instances.size(); ++i) {
    expect_same(f.get(i), instances[i]);
    tokens += instances[i].input_ids.size();
  }
  EXPECT_EQ(f.header().num_tokens, tokens);
  EXPECT_EQ(f.continuation(), continuation_every_third(30522));
  // Fixed-size records: the file size is exact.
  EXPECT_EQ(std::filesystem::file_size(path), (128 + (30522 + 7) / 8 + 7) / 8 * 8 + 300 * (8 + 64 * 2));
  EXPECT_THROW(f.get(300), Error);
}

TEST_F(ShardTest, RoundTripWith32BitIds) {
  const auto instances = sample_instances(50, 32, 250000, 2);
  const ShardFile f = ShardFile::open(write_shard("b.ebsh", instances, 250000, 32));
  EXPECT_EQ(f.header().id_bytes, 4u);
  for (size_t i = 0; i < instances.size(); ++i) expect_same(f.get(i), instances[i]);
}

TEST_F(ShardTest, WriterRefusesInstancesThatDoNotFit) {
  ShardWriter w(header_for(100, 8), std::vector<uint8_t>(100, 0));
  PretrainingInstance inst;
  inst.input_ids = {2, 5, 6, 7, 8, 9, 10, 11, 3};  // 9 > 8
  inst.segment_a_length = 3;
  EXPECT_THROW(w.add(inst), Error);
  inst.input_ids = {2, 5, 100, 3};  // id 100 outside a vocabulary of 100
  EXPECT_THROW(w.add(inst), Error);
  EXPECT_THROW(ShardWriter(header_for(100, 8), std::vector<uint8_t>(99, 0)), Error);
}

TEST_F(ShardTest, CorruptFilesAreRefusedNamingTheFile) {
  const std::string path = write_shard("c.ebsh", sample_instances(20, 32, 1000, 3), 1000, 32);
  const std::string good = read_file(path);

  auto with = [&](const std::string& bytes) {
    const std::string p = join_path(dir_, "bad.ebsh");
    write_file_atomic(p, bytes);
    return error_of([&] { ShardFile::open(p); });
  };
  const std::string p = join_path(dir_, "bad.ebsh");

  std::string bad = good;
  bad[0] = 'X';
  EXPECT_EQ(with(bad), p + ": not an earlybert pre-training shard (bad magic number)");

  bad = good;
  bad[8] = 2;  // version 2
  EXPECT_EQ(with(bad), p + ": shard format version 2 is not supported (this build reads version 1)");

  bad = good;
  bad[16] ^= 1;  // max_seq_length changed without the checksum
  EXPECT_EQ(with(bad), p + ": corrupt shard header (checksum mismatch)");

  EXPECT_NE(with(good.substr(0, good.size() - 10)).find(p + ": truncated shard"), std::string::npos);
  EXPECT_NE(with(good.substr(0, 60)).find(p + ": truncated shard: 60 bytes"), std::string::npos);
  EXPECT_NE(with(good + "xyz").find("3 unexpected trailing bytes"), std::string::npos);

  bad = good;
  bad[130] ^= 0x10;  // continuation table
  EXPECT_EQ(with(bad), p + ": corrupt shard (continuation table checksum mismatch)");

  // A damaged record is caught when it is read.
  bad = good;
  const size_t first_record = (128 + (1000 + 7) / 8 + 7) / 8 * 8;
  bad[first_record] = static_cast<char>(0xFF);  // length 255 > 32
  write_file_atomic(p, bad);
  const ShardFile f = ShardFile::open(p);
  EXPECT_NE(error_of([&] { f.get(0); }).find(p + ": record 0: corrupt record: length"), std::string::npos);
  EXPECT_NO_THROW(f.get(1));

  EXPECT_NE(error_of([&] { ShardFile::open(join_path(dir_, "absent.ebsh")); }).find("absent.ebsh: cannot open shard"),
            std::string::npos);
}

TEST_F(ShardTest, ForgedRecordCountThatWrapsTheFileSizeIsRefused) {
  // 20 records of 72 bytes. With num_records = 20 + 2^61 the product num_records * 72 wraps around
  // 2^64 to 20 * 72, so the announced size equals the real one; with the header checksum recomputed
  // (a forgery, not damage) the file used to open and get() to read 2^61 records past the mapping.
  const std::string path = write_shard("w.ebsh", sample_instances(20, 32, 1000, 3), 1000, 32);
  std::string bytes = read_file(path);
  const uint64_t forged = 20 + (uint64_t{1} << 61);
  for (int i = 0; i < 8; ++i) bytes[40 + i] = static_cast<char>(forged >> (8 * i));
  const uint64_t sum = detail::fnv1a64(bytes.data(), 120);
  for (int i = 0; i < 8; ++i) bytes[120 + i] = static_cast<char>(sum >> (8 * i));
  const std::string p = join_path(dir_, "forged.ebsh");
  write_file_atomic(p, bytes);
  EXPECT_NE(error_of([&] { ShardFile::open(p); }).find(p + ": truncated shard"), std::string::npos);
}

TEST_F(ShardTest, DatasetSpansShardsInOrder) {
  const auto a = sample_instances(7, 32, 1000, 4), b = sample_instances(5, 32, 1000, 5);
  write_shard(shard_file_name(0), a, 1000, 32);
  write_shard(shard_file_name(1), b, 1000, 32);
  write_index({{shard_file_name(0), 7}, {shard_file_name(1), 5}}, 12);
  const auto ds = PretrainingDataset::open(dir_);
  ASSERT_EQ(ds.size(), 12u);
  EXPECT_EQ(ds.num_shards(), 2u);
  for (size_t i = 0; i < 7; ++i) expect_same(ds.get(i), a[i]);
  for (size_t i = 0; i < 5; ++i) expect_same(ds.get(7 + i), b[i]);
  EXPECT_THROW(ds.get(12), Error);
  EXPECT_EQ(ds.header().num_records, 12u);
  // No "masking" entry in the index: the library defaults for this length.
  EXPECT_EQ(ds.default_masking().max_predictions_per_seq, default_max_predictions(32));
}

TEST_F(ShardTest, DatasetRefusesInconsistentDirectories) {
  const auto a = sample_instances(7, 32, 1000, 4);
  EXPECT_NE(error_of([&] { PretrainingDataset::open(dir_); }).find("not a pre-training data directory"),
            std::string::npos);
  write_shard(shard_file_name(0), a, 1000, 32);
  write_index({{shard_file_name(0), 7}, {shard_file_name(1), 5}}, 12);
  EXPECT_NE(error_of([&] { PretrainingDataset::open(dir_); }).find("shard-00001.ebsh: cannot open shard"),
            std::string::npos);
  write_index({{shard_file_name(0), 6}}, 6);
  EXPECT_NE(error_of([&] { PretrainingDataset::open(dir_); }).find("has 7 records, pretraining.json says 6"),
            std::string::npos);
  write_index({{shard_file_name(0), 7}}, 8);
  EXPECT_NE(error_of([&] { PretrainingDataset::open(dir_); }).find("key 'instances'"), std::string::npos);
  write_shard(shard_file_name(1), a, 1000, 64);  // another max_seq_length
  write_index({{shard_file_name(0), 7}, {shard_file_name(1), 7}}, 14);
  EXPECT_NE(error_of([&] { PretrainingDataset::open(dir_); }).find("was prepared differently"), std::string::npos);
  write_file_atomic(join_path(dir_, kPretrainingIndexFile), "{\"format\": \"earlybert-pretraining\", \"shards\": 3}");
  EXPECT_NE(error_of([&] { PretrainingDataset::open(dir_); }).find("key 'shards'"), std::string::npos);
}

TEST_F(ShardTest, VocabularyMismatchIsRefused) {
  const FakeTokenizer tok = FakeTokenizer::english();
  const FakeTokenizer other({"completely", "different"});
  const uint32_t vocab = static_cast<uint32_t>(tok.vocab_size());
  ShardWriter w(header_for(vocab, 16, vocab_fingerprint(tok)), continuation_table(tok));
  w.add(sample_instances(1, 16, vocab, 6)[0]);
  w.write(join_path(dir_, shard_file_name(0)));
  write_index({{shard_file_name(0), 1}}, 1);
  const auto ds = PretrainingDataset::open(dir_);
  EXPECT_NO_THROW(ds.check_vocabulary(tok));
  const std::string e = error_of([&] { ds.check_vocabulary(other); });
  EXPECT_NE(e.find(dir_ + ": prepared with a different vocabulary"), std::string::npos) << e;
  // Same size, one entry changed: the fingerprint still differs.
  std::vector<std::string> pieces;
  for (size_t i = 5; i < tok.vocab_size(); ++i) pieces.push_back(tok.id_to_token(static_cast<int32_t>(i)));
  pieces[3] = "changed";
  EXPECT_NE(vocab_fingerprint(FakeTokenizer(pieces)), vocab_fingerprint(tok));
  EXPECT_THROW(ds.check_vocabulary(FakeTokenizer(pieces)), Error);
}

TEST_F(ShardTest, ContinuationTableMarksWordPieces) {
  const FakeTokenizer tok = FakeTokenizer::english();
  const auto table = continuation_table(tok);
  EXPECT_EQ(table[static_cast<size_t>(tok.token_to_id("##ing"))], 1);
  EXPECT_EQ(table[static_cast<size_t>(tok.token_to_id("play"))], 0);
  EXPECT_EQ(table[static_cast<size_t>(tok.token_to_id("[CLS]"))], 0);
  // SentencePiece vocabularies mark word starts with "\u2581" instead.
  const FakeTokenizer spm({"<unk>", "\u2581the", "\u2581play", "ing", "s", "\u2581"});
  const auto sp = continuation_table(spm);
  EXPECT_EQ(sp[static_cast<size_t>(spm.token_to_id("\u2581play"))], 0);
  EXPECT_EQ(sp[static_cast<size_t>(spm.token_to_id("ing"))], 1);
  EXPECT_EQ(sp[static_cast<size_t>(spm.token_to_id("s"))], 1);
  EXPECT_EQ(sp[static_cast<size_t>(spm.token_to_id("<unk>"))], 0);
  EXPECT_EQ(sp[static_cast<size_t>(spm.token_to_id("[MASK]"))], 0);
  // Neither convention: nothing continues.
  const auto plain = continuation_table(FakeTokenizer({"a", "b"}));
  EXPECT_EQ(std::count(plain.begin(), plain.end(), 1), 0);
}

TEST_F(ShardTest, MaskedExamplesKeepSpecialsAndAreReproducible) {
  const auto instances = sample_instances(40, 64, 1000, 7);
  write_shard(shard_file_name(0), instances, 1000, 64);
  write_index({{shard_file_name(0), 40}}, 40);
  const auto ds = PretrainingDataset::open(dir_);
  MaskingOptions m;
  for (size_t i = 0; i < ds.size(); ++i) {
    const PretrainingExample ex = ds.example(i, 3, 99, m);
    const auto& inst = instances[i];
    ASSERT_EQ(ex.input_ids.size(), inst.input_ids.size());
    EXPECT_EQ(ex.token_type_ids, inst.token_type_ids());
    EXPECT_EQ(ex.next_sentence_label, inst.next_sentence_label);
    size_t chosen = 0;
    for (size_t k = 0; k < ex.labels.size(); ++k) {
      const bool special = k == 0 || k + 1 == inst.input_ids.size() || k + 1 == inst.segment_a_length;
      if (special) {
        EXPECT_EQ(ex.labels[k], kIgnoreLabel);
        EXPECT_EQ(ex.input_ids[k], inst.input_ids[k]);
      }
      if (ex.labels[k] != kIgnoreLabel) {
        EXPECT_EQ(ex.labels[k], inst.input_ids[k]);
        ++chosen;
      }
    }
    EXPECT_GE(chosen, 1u);
    const PretrainingExample again = ds.example(i, 3, 99, m);
    EXPECT_EQ(again.input_ids, ex.input_ids);
    EXPECT_EQ(again.labels, ex.labels);
  }
  // Another epoch, other masks (for at least most examples).
  size_t changed = 0;
  for (size_t i = 0; i < ds.size(); ++i) changed += ds.example(i, 4, 99, m).labels != ds.example(i, 3, 99, m).labels;
  EXPECT_GT(changed, ds.size() / 2);
}

}  // namespace
}  // namespace earlybert
