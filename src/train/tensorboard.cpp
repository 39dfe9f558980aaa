// TensorBoard event files — see include/earlybert/train/tensorboard.h.
#include "earlybert/train/tensorboard.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/train/tfrecord.h"

namespace earlybert {
namespace {

// Protocol-buffer wire types.
constexpr int kVarint = 0;
constexpr int kFixed64 = 1;
constexpr int kLengthDelimited = 2;
constexpr int kFixed32 = 5;

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_tag(std::string& out, int field, int wire_type) {
  put_varint(out, (static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(wire_type));
}

void put_fixed(std::string& out, uint64_t bits, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
}

void put_double(std::string& out, int field, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  put_tag(out, field, kFixed64);
  put_fixed(out, bits, 8);
}

void put_float(std::string& out, int field, float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  put_tag(out, field, kFixed32);
  put_fixed(out, bits, 4);
}

void put_bytes(std::string& out, int field, std::string_view bytes) {
  put_tag(out, field, kLengthDelimited);
  put_varint(out, bytes.size());
  out.append(bytes.data(), bytes.size());
}

/// A cursor over protobuf bytes; every read checks bounds.
class Reader {
 public:
  Reader(std::string_view bytes, const std::string& source) : b_(bytes), source_(source) {}
  bool done() const { return pos_ >= b_.size(); }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= b_.size()) bad("truncated varint");
      const auto byte = static_cast<unsigned char>(b_[pos_++]);
      v |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    bad("varint too long");
  }
  uint64_t fixed(int bytes) {
    if (b_.size() - pos_ < static_cast<size_t>(bytes)) bad("truncated fixed-width field");
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(b_[pos_ + i])) << (8 * i);
    pos_ += bytes;
    return v;
  }
  std::string_view bytes() {
    const uint64_t n = varint();
    if (n > b_.size() - pos_) bad("truncated length-delimited field");
    auto s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  void skip(int wire_type) {
    switch (wire_type) {
      case kVarint:
        varint();
        break;
      case kFixed64:
        fixed(8);
        break;
      case kLengthDelimited:
        bytes();
        break;
      case kFixed32:
        fixed(4);
        break;
      default:
        bad("unsupported wire type " + std::to_string(wire_type));
    }
  }
  [[noreturn]] void bad(const std::string& what) const {
    fail(source_, "malformed event at byte " + std::to_string(pos_) + ": " + what);
  }

 private:
  std::string_view b_;
  size_t pos_ = 0;
  const std::string& source_;
};

std::pair<std::string, float> decode_value(std::string_view bytes, const std::string& source) {
  Reader r(bytes, source);
  std::pair<std::string, float> v{"", 0.0f};
  while (!r.done()) {
    const uint64_t key = r.varint();
    const int field = static_cast<int>(key >> 3), wire = static_cast<int>(key & 7);
    if (field == 1 && wire == kLengthDelimited) {
      v.first = std::string(r.bytes());
    } else if (field == 2 && wire == kFixed32) {
      const auto bits = static_cast<uint32_t>(r.fixed(4));
      std::memcpy(&v.second, &bits, sizeof bits);
    } else {
      r.skip(wire);
    }
  }
  return v;
}

std::string hostname() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

double now_seconds() {
  using namespace std::chrono;
  return duration_cast<duration<double>>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string encode_file_version_event(double wall_time) {
  std::string e;
  put_double(e, 1, wall_time);
  put_bytes(e, 3, "brain.Event:2");
  return e;
}

std::string encode_scalars_event(double wall_time, int64_t step, const Scalars& scalars) {
  std::string summary;
  for (const auto& [tag, value] : scalars) {
    std::string v;
    put_bytes(v, 1, tag);
    put_float(v, 2, value);
    put_bytes(summary, 1, v);
  }
  std::string e;
  put_double(e, 1, wall_time);
  put_tag(e, 2, kVarint);
  put_varint(e, static_cast<uint64_t>(step));
  put_bytes(e, 5, summary);
  return e;
}

TensorBoardEvent decode_event(std::string_view bytes, const std::string& source) {
  Reader r(bytes, source);
  TensorBoardEvent ev;
  while (!r.done()) {
    const uint64_t key = r.varint();
    const int field = static_cast<int>(key >> 3), wire = static_cast<int>(key & 7);
    if (field == 1 && wire == kFixed64) {
      const uint64_t bits = r.fixed(8);
      std::memcpy(&ev.wall_time, &bits, sizeof bits);
    } else if (field == 2 && wire == kVarint) {
      ev.step = static_cast<int64_t>(r.varint());
    } else if (field == 3 && wire == kLengthDelimited) {
      ev.file_version = std::string(r.bytes());
    } else if (field == 5 && wire == kLengthDelimited) {
      Reader s(r.bytes(), source);
      while (!s.done()) {
        const uint64_t k = s.varint();
        if ((k >> 3) == 1 && (k & 7) == kLengthDelimited) {
          ev.scalars.push_back(decode_value(s.bytes(), source));
        } else {
          s.skip(static_cast<int>(k & 7));
        }
      }
    } else {
      r.skip(wire);
    }
  }
  return ev;
}

std::vector<TensorBoardEvent> read_event_file(const std::string& path) {
  std::vector<TensorBoardEvent> events;
  const auto records = read_tfrecords(read_file(path), path, /*allow_truncated_tail=*/true);
  for (size_t i = 0; i < records.size(); ++i)
    events.push_back(decode_event(records[i], path + ": record " + std::to_string(i)));
  return events;
}

TensorBoardWriter::TensorBoardWriter(const RankZeroWriter& output, const std::string& log_dir) {
  if (!output.is_main()) return;
  const std::string dir = output.path(log_dir);
  make_directories(dir);
  const double now = now_seconds();
  const std::string base =
      join_path(dir, "events.out.tfevents." + std::to_string(static_cast<int64_t>(now)) + "." + hostname());
  // Two writers started in the same second (a quick resume) must not share a file.
  path_ = base;
  for (int n = 1; path_exists(path_); ++n) path_ = base + "." + std::to_string(n);
  file_ = std::fopen(path_.c_str(), "wb");
  if (file_ == nullptr) fail(path_, std::string("cannot create: ") + std::strerror(errno));
  write_record(encode_file_version_event(now));
  flush();
}

TensorBoardWriter::~TensorBoardWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

void TensorBoardWriter::add_scalar(const std::string& tag, float value, int64_t step) {
  add_scalars(step, {{tag, value}});
}

void TensorBoardWriter::add_scalars(int64_t step, const Scalars& scalars) {
  if (file_ == nullptr || scalars.empty()) return;
  write_record(encode_scalars_event(now_seconds(), step, scalars));
}

void TensorBoardWriter::flush() {
  if (file_ != nullptr && std::fflush(file_) != 0) fail(path_, std::string("write failed: ") + std::strerror(errno));
}

void TensorBoardWriter::write_record(const std::string& event) {
  const std::string record = frame_tfrecord(event);
  if (std::fwrite(record.data(), 1, record.size(), file_) != record.size())
    fail(path_, std::string("write failed: ") + std::strerror(errno));
}

}  // namespace earlybert
