// Tests for the safetensors reader/writer: round trips of every dtype, a hand-built file checked
// byte by byte against the format, and one test per kind of corrupt file (each must be a one-line
// Error naming the file, and the tensor where one is at fault).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/io/safetensors.h"
#include "expect_error.h"
#include "scratch_dir.h"

namespace fs = std::filesystem;
using namespace earlybert;

namespace {

std::string scratch(const std::string& name) { return test::scratch_dir("test_safetensors_" + name); }

void write_raw(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

std::string le64(uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return s;
}

/// A file from a header text and data bytes, with the length prefix computed.
std::string file_bytes(const std::string& header, const std::string& data) {
  return le64(header.size()) + header + data;
}

using test::expect_error;

/// Writes a file with one header and data, reads it, and expects the error to name path + parts.
void expect_corrupt(const std::string& dir, const std::string& name, const std::string& bytes,
                    std::vector<std::string> parts) {
  SCOPED_TRACE(name);
  const std::string path = join_path(dir, name + ".safetensors");
  write_raw(path, bytes);
  parts.insert(parts.begin(), path);
  expect_error([&] { read_safetensors(path); }, parts);
}

void expect_same(const TensorMap& a, const TensorMap& b) {
  ASSERT_EQ(a.size(), b.size());
  for (const auto& kv : a) {
    SCOPED_TRACE(kv.key());
    const torch::Tensor* other = b.find(kv.key());
    ASSERT_NE(other, nullptr);
    EXPECT_EQ(other->scalar_type(), kv.value().scalar_type());
    EXPECT_EQ(other->sizes(), kv.value().sizes());
    EXPECT_TRUE(torch::equal(*other, kv.value()));
  }
}

TensorMap every_dtype() {
  torch::manual_seed(0);
  TensorMap m;
  m.insert("f64", torch::randn({3, 2}, torch::kFloat64));
  m.insert("f32", torch::randn({2, 3, 4}));
  m.insert("f16", torch::randn({5}).to(torch::kFloat16));
  m.insert("bf16", torch::randn({2, 2}).to(torch::kBFloat16));
  m.insert("i64", torch::randint(-1000000, 1000000, {7}, torch::kInt64));
  m.insert("i32", torch::randint(-100000, 100000, {3, 1}, torch::kInt32));
  m.insert("i16", torch::randint(-30000, 30000, {3}, torch::kInt16));
  m.insert("i8", torch::randint(-128, 127, {9}, torch::kInt8));
  m.insert("u8", torch::randint(0, 255, {1, 5}, torch::kUInt8));
  m.insert("bool", torch::randint(0, 2, {6}, torch::kInt64).to(torch::kBool));
  m.insert("scalar", torch::tensor(3.25));
  m.insert("empty", torch::zeros({0, 4}));
  m.insert("empty_i8", torch::zeros({2, 0}, torch::kInt8));
  // Not contiguous and with a storage offset: written as its logical values.
  m.insert("transposed", torch::arange(12, torch::kFloat32).reshape({3, 4}).t());
  m.insert("slice", torch::arange(10, torch::kInt64).slice(0, 3, 8));
  return m;
}

}  // namespace

TEST(Safetensors, RoundTripEveryDtypeWithMetadata) {
  const auto dir = scratch("roundtrip");
  const auto path = join_path(dir, "sub/model.safetensors");  // parent created by the writer
  const TensorMap tensors = every_dtype();
  const SafetensorsMetadata meta{{"format", "pt"}, {"note", "ünïcödé \"quoted\"\n"}};
  write_safetensors(path, tensors, meta);

  const SafetensorsContents back = read_safetensors(path);
  expect_same(tensors, back.tensors);
  EXPECT_EQ(back.metadata, meta);
  // Sorted by name, contiguous, owning.
  const std::vector<std::string> keys = back.tensors.keys();  // keys() returns a new vector
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  for (const auto& kv : back.tensors) {
    EXPECT_TRUE(kv.value().is_contiguous());
    EXPECT_TRUE(kv.value().device().is_cpu());
  }
  // No temp file is left next to it.
  int files = 0;
  for (auto& e : fs::directory_iterator(join_path(dir, "sub"))) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST(Safetensors, WriterLayoutFollowsTheFormat) {
  const auto dir = scratch("layout");
  const auto path = join_path(dir, "a.safetensors");
  const TensorMap tensors = every_dtype();
  write_safetensors(path, tensors, {{"format", "pt"}});

  const SafetensorsIndex index = read_safetensors_index(path);
  EXPECT_EQ(index.header_size % 8, 0u);
  EXPECT_EQ(index.entries.size(), tensors.size());
  EXPECT_EQ(fs::file_size(path), 8 + index.header_size + index.data_size);
  uint64_t expected_data = 0;
  size_t previous_elem = 8;
  for (const auto& e : index.entries) {
    const size_t elem = c10::elementSize(e.dtype);
    EXPECT_EQ(e.begin % elem, 0u) << e.name << " is not aligned to its element size";
    EXPECT_LE(elem, previous_elem) << "data not ordered by element size";
    previous_elem = elem;
    expected_data += static_cast<uint64_t>(tensors[e.name].numel()) * elem;
  }
  EXPECT_EQ(index.data_size, expected_data);

  // The header as raw text: compact JSON, metadata first, padded with spaces only.
  const std::string bytes = read_file(path);
  const std::string header = bytes.substr(8, index.header_size);
  const auto last = header.find_last_not_of(' ');
  EXPECT_EQ(header[last], '}');
  EXPECT_LT(header.size() - last - 1, 8u);
  EXPECT_EQ(header.rfind("{\"__metadata__\":{\"format\":\"pt\"},", 0), 0u) << header;
  const auto doc = nlohmann::ordered_json::parse(header);
  EXPECT_EQ(doc.begin().key(), "__metadata__");
}

TEST(Safetensors, WriterBytesByHand) {
  const auto dir = scratch("writer_bytes");
  const auto path = join_path(dir, "w.safetensors");
  TensorMap m;
  m.insert("b", torch::tensor({1, -2}, torch::kInt16));
  m.insert("a", torch::tensor({1.5f}));
  write_safetensors(path, m);
  // F32 (4-byte elements) goes before I16; "a" then "b". 1.5f = 0x3FC00000, 1 = 0x0001, -2 =
  // 0xFFFE.
  const std::string header = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                             R"("b":{"dtype":"I16","shape":[2],"data_offsets":[4,8]}})";
  std::string padded = header + std::string((8 - header.size() % 8) % 8, ' ');
  const std::string expected = le64(padded.size()) + padded + std::string("\x00\x00\xc0\x3f\x01\x00\xfe\xff", 8);
  EXPECT_EQ(read_file(path), expected);
}

TEST(Safetensors, ReadsHandBuiltFile) {
  const auto dir = scratch("hand");
  const auto path = join_path(dir, "hand.safetensors");
  // Header order differs from data order; header padded with spaces; little-endian data:
  // I16 [1, -2] at [0, 4), F32 [[1.5, -0.25]] at [4, 12), an empty U8 at [12, 12), a BOOL at [12,
  // 14).
  const std::string header = R"({"b":{"dtype":"I16","shape":[2],"data_offsets":[0,4]},)"
                             R"("__metadata__":{"format":"pt"},)"
                             R"("z":{"dtype":"U8","shape":[0],"data_offsets":[12,12]},)"
                             R"("flags":{"dtype":"BOOL","shape":[2],"data_offsets":[12,14]},)"
                             R"("a":{"dtype":"F32","shape":[1,2],"data_offsets":[4,12]}}   )";
  const std::string data(
      "\x01\x00\xfe\xff"
      "\x00\x00\xc0\x3f\x00\x00\x80\xbe"
      "\x01\x00",
      14);
  write_raw(path, file_bytes(header, data));

  const SafetensorsContents c = read_safetensors(path);
  ASSERT_EQ(c.tensors.size(), 4u);
  EXPECT_EQ(c.tensors.keys(), (std::vector<std::string>{"a", "b", "flags", "z"}));
  EXPECT_TRUE(torch::equal(c.tensors["a"], torch::tensor({{1.5f, -0.25f}})));
  EXPECT_TRUE(torch::equal(c.tensors["b"], torch::tensor({1, -2}, torch::kInt16)));
  EXPECT_TRUE(torch::equal(c.tensors["flags"], torch::tensor({true, false})));
  EXPECT_EQ(c.tensors["z"].scalar_type(), torch::kUInt8);
  EXPECT_EQ(c.tensors["z"].sizes(), (std::vector<int64_t>{0}));
  EXPECT_EQ(c.metadata, (SafetensorsMetadata{{"format", "pt"}}));

  const SafetensorsIndex index = read_safetensors_index(path);
  EXPECT_EQ(index.header_size, header.size());
  EXPECT_EQ(index.data_size, 14u);
  ASSERT_EQ(index.entries.size(), 4u);
  EXPECT_EQ(index.entries[0].name, "b");  // sorted by data offset
  EXPECT_EQ(index.entries[1].name, "a");
  EXPECT_EQ(index.entries[1].begin, 4u);
  EXPECT_EQ(index.entries[1].end, 12u);
}

TEST(Safetensors, EmptyFileAndScalarOnly) {
  const auto dir = scratch("tiny");
  const auto path = join_path(dir, "none.safetensors");
  write_safetensors(path, TensorMap{});
  EXPECT_EQ(read_file(path), le64(8) + "{}      ");
  EXPECT_EQ(read_safetensors(path).tensors.size(), 0u);

  TensorMap m;
  m.insert("s", torch::tensor(int64_t{-7}));
  write_safetensors(path, m);
  const auto back = read_safetensors(path);
  EXPECT_EQ(back.tensors["s"].dim(), 0);
  EXPECT_EQ(back.tensors["s"].item<int64_t>(), -7);
}

TEST(Safetensors, RejectsCorruptFiles) {
  const auto dir = scratch("corrupt");
  const std::string ok_entry = R"("t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  const std::string data8(8, '\x01');
  auto one = [&](const std::string& entry, const std::string& data = std::string(8, '\x01')) {
    return file_bytes("{" + entry + "}", data);
  };

  expect_corrupt(dir, "empty", "", {"too short"});
  expect_corrupt(dir, "short", "abc", {"too short"});
  expect_corrupt(dir, "len_past_end", le64(100) + "{}", {"past the end"});
  expect_corrupt(dir, "len_absurd", le64(uint64_t{1} << 62) + "{}", {"implausibly large"});
  expect_corrupt(dir, "not_json", file_bytes("{\"t\": nope}", ""), {"malformed JSON"});
  expect_corrupt(dir, "not_object", file_bytes("[1, 2]  ", ""), {"'{'"});
  expect_corrupt(dir, "trailing_json", file_bytes("{} {}", ""), {"malformed JSON"});
  expect_corrupt(dir, "entry_not_object", file_bytes(R"({"t": 3})", ""), {"\"t\"", "object"});
  expect_corrupt(dir, "unknown_dtype", one(R"("t":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]})"),
                 {"\"t\"", "F8_E4M3"});
  expect_corrupt(dir, "dtype_not_string", one(R"("t":{"dtype":4,"shape":[2],"data_offsets":[0,8]})"),
                 {"\"t\"", "dtype"});
  expect_corrupt(dir, "missing_dtype", one(R"("t":{"shape":[2],"data_offsets":[0,8]})"), {"\"t\"", "dtype"});
  expect_corrupt(dir, "missing_shape", one(R"("t":{"dtype":"F32","data_offsets":[0,8]})"), {"\"t\"", "shape"});
  expect_corrupt(dir, "missing_offsets", one(R"("t":{"dtype":"F32","shape":[2]})"), {"\"t\"", "data_offsets"});
  expect_corrupt(dir, "unknown_field", one(R"("t":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1})"),
                 {"\"t\"", "unknown field"});
  expect_corrupt(dir, "negative_shape", one(R"("t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]})"),
                 {"\"t\"", "shape", "non-negative"});
  expect_corrupt(dir, "fractional_shape", one(R"("t":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]})"),
                 {"\"t\"", "shape", "non-negative integers"});
  expect_corrupt(dir, "shape_not_array", one(R"("t":{"dtype":"F32","shape":"2","data_offsets":[0,8]})"),
                 {"\"t\"", "shape"});
  expect_corrupt(dir, "huge_shape", one(R"("t":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]})"),
                 {"\"t\"", "too large"});
  expect_corrupt(dir, "offsets_three", one(R"("t":{"dtype":"F32","shape":[2],"data_offsets":[0,4,8]})"),
                 {"\"t\"", "[begin, end]"});
  expect_corrupt(dir, "offsets_negative", one(R"("t":{"dtype":"F32","shape":[2],"data_offsets":[-1,8]})"),
                 {"\"t\"", "data_offsets"});
  expect_corrupt(dir, "offsets_reversed", one(R"("t":{"dtype":"F32","shape":[0],"data_offsets":[8,0]})"),
                 {"\"t\"", "begin > end"});
  expect_corrupt(dir, "end_past_data", one(R"("t":{"dtype":"F32","shape":[4],"data_offsets":[0,16]})"),
                 {"\"t\"", "past the end of the data"});
  expect_corrupt(dir, "size_mismatch", one(R"("t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]})"),
                 {"\"t\"", "needs 12"});
  expect_corrupt(dir, "overlap",
                 file_bytes("{" + ok_entry + R"(,"u":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", data8),
                 {"\"u\"", "overlap", "\"t\""});
  expect_corrupt(dir, "hole", file_bytes(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", data8),
                 {"\"t\"", "hole"});
  expect_corrupt(dir, "trailing", one(ok_entry, data8 + "xyz"), {"3 trailing bytes"});
  expect_corrupt(dir, "data_without_tensors", file_bytes("{}", "x"), {"trailing"});
  expect_corrupt(dir, "duplicate", file_bytes("{" + ok_entry + "," + ok_entry + "}", data8), {"\"t\"", "twice"});
  expect_corrupt(dir, "metadata_not_string", one(ok_entry + R"(,"__metadata__":{"format":1})"),
                 {"__metadata__", "format"});
  expect_corrupt(dir, "metadata_not_object", one(ok_entry + R"(,"__metadata__":[])"), {"__metadata__"});
  expect_corrupt(dir, "bool_byte",
                 file_bytes(R"({"m":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}})", std::string("\x01\x02", 2)),
                 {"\"m\"", "BOOL"});
  expect_corrupt(dir, "bad_utf8", file_bytes("{\"\xff\":{}}", ""), {"malformed JSON"});
}

TEST(Safetensors, EveryTruncationIsAnError) {
  const auto dir = scratch("truncated");
  const auto good = join_path(dir, "good.safetensors");
  TensorMap m;
  m.insert("w", torch::randn({3, 5}));
  m.insert("ids", torch::arange(4, torch::kInt64));
  write_safetensors(good, m);
  const std::string bytes = read_file(good);
  const auto cut = join_path(dir, "cut.safetensors");
  write_raw(cut, bytes);
  // Shrinking in place (rewriting a file with O_TRUNC is slow on ext4: it flushes every time).
  for (size_t len = bytes.size(); len-- > 0;) {
    SCOPED_TRACE(len);
    fs::resize_file(cut, len);
    expect_error([&] { read_safetensors(cut); }, {cut});
  }
  // And the untouched file still reads.
  expect_same(m, read_safetensors(good).tensors);
}

TEST(Safetensors, MissingPathOrDirectoryIsAnError) {
  const auto dir = scratch("missing");
  const auto path = join_path(dir, "absent.safetensors");
  expect_error([&] { read_safetensors(path); }, {path, "cannot open"});
  expect_error([&] { read_safetensors_index(dir); }, {dir, "not a regular file"});
}

TEST(Safetensors, WriterRefusesWhatItCannotWrite) {
  const auto dir = scratch("refuse");
  const auto path = join_path(dir, "x.safetensors");
  auto refuse = [&](const std::string& name, torch::Tensor t, std::vector<std::string> parts) {
    SCOPED_TRACE(name);
    TensorMap m;
    m.insert(name, std::move(t));
    parts.insert(parts.begin(), path);
    expect_error([&] { write_safetensors(path, m); }, parts);
    EXPECT_TRUE(fs::is_empty(dir)) << "a file was left behind";
  };
  refuse("c", torch::zeros({2}, torch::kComplexFloat), {"\"c\"", "unsupported dtype"});
  refuse("__metadata__", torch::zeros({2}), {"reserved"});
  refuse("", torch::zeros({2}), {"empty name"});
  refuse("u", torch::Tensor(), {"\"u\"", "undefined"});
  refuse("bad\xff", torch::zeros({2}), {"UTF-8"});
}

TEST(Safetensors, OverwriteReplacesTheFile) {
  const auto dir = scratch("overwrite");
  const auto path = join_path(dir, "m.safetensors");
  TensorMap first;
  first.insert("a", torch::ones({100}));
  write_safetensors(path, first);
  TensorMap second;
  second.insert("b", torch::zeros({2}, torch::kInt8));
  write_safetensors(path, second, {{"k", "v"}});
  const auto back = read_safetensors(path);
  expect_same(second, back.tensors);
  EXPECT_EQ(back.metadata.at("k"), "v");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(Safetensors, ReadsTheHuggingFaceFixture) {
  const char* shared = std::getenv("EARLYBERT_SHARED_DATA");
  if (shared == nullptr) GTEST_SKIP() << "EARLYBERT_SHARED_DATA is not set";
  const auto path = join_path(shared, "models/tiny-bert-random-safetensors/model.safetensors");
  if (!fs::exists(path)) GTEST_SKIP() << path << " is absent";
  const SafetensorsContents c = read_safetensors(path);
  EXPECT_EQ(c.tensors.size(), 37u);  // 5 embedding tensors + 2 layers × 16
  ASSERT_NE(c.tensors.find("embeddings.word_embeddings.weight"), nullptr);
  EXPECT_EQ(c.tensors["embeddings.word_embeddings.weight"].sizes(), (std::vector<int64_t>{256, 32}));
  EXPECT_EQ(c.tensors["encoder.layer.1.intermediate.dense.weight"].sizes(), (std::vector<int64_t>{64, 32}));
  EXPECT_EQ(c.tensors["embeddings.LayerNorm.weight"].scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::isfinite(c.tensors["encoder.layer.0.output.dense.weight"]).all().item<bool>());

  // Our writer reproduces the same tensors, and its file reads back identically.
  const auto dir = scratch("hf");
  const auto copy = join_path(dir, "copy.safetensors");
  write_safetensors(copy, c.tensors, c.metadata);
  expect_same(c.tensors, read_safetensors(copy).tensors);
}
