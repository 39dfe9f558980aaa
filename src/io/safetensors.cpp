// safetensors reader and writer — see include/earlybert/io/safetensors.h.
//
// Reading: one pread for the length, one for the header, then one pread per tensor straight into
// the tensor's own storage (no intermediate buffer, no per-element loop). Validation happens
// entirely on the header before any tensor memory is allocated, so a lying header cannot make us
// allocate more than the file holds. Writing: the header is built with nlohmann::ordered_json, the
// tensors are streamed one by one into
// "<path>.tmp.<pid>", which is fsync'ed and renamed over <path>.
#include "earlybert/io/safetensors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>
#include <tuple>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "safetensors data is little-endian; this reader copies bytes as they are"
#endif

namespace earlybert {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

// The official implementation refuses headers above 100 MB; a BERT-large header is about 40 kB.
constexpr uint64_t kMaxHeaderSize = 100'000'000;

struct DtypeName {
  torch::Dtype dtype;
  const char* name;
};
constexpr DtypeName kDtypes[] = {
    {torch::kFloat64, "F64"}, {torch::kFloat32, "F32"}, {torch::kFloat16, "F16"}, {torch::kBFloat16, "BF16"},
    {torch::kInt64, "I64"},   {torch::kInt32, "I32"},   {torch::kInt16, "I16"},   {torch::kInt8, "I8"},
    {torch::kUInt8, "U8"},    {torch::kBool, "BOOL"},
};

/// A name as it appears in messages: JSON-quoted, so control characters cannot break the line.
std::string json_quoted(const std::string& s) { return json(s).dump(-1, ' ', false, json::error_handler_t::replace); }

std::string offsets_text(uint64_t begin, uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

std::string tensor_where(const std::string& path, const std::string& name) {
  return path + ": tensor " + json_quoted(name);
}

/// An open file descriptor that closes itself.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd& operator=(Fd&&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

/// Reads exactly `n` bytes at `offset`; false when the file ends first.
bool pread_all(int fd, void* buf, uint64_t n, uint64_t offset, const std::string& path) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(n, 1u << 30));
    const ssize_t got = ::pread(fd, p, chunk, static_cast<off_t>(offset));
    if (got < 0) {
      if (errno == EINTR) continue;
      fail(path, std::string("read error: ") + std::strerror(errno));
    }
    if (got == 0) return false;
    p += got;
    n -= static_cast<uint64_t>(got);
    offset += static_cast<uint64_t>(got);
  }
  return true;
}

void write_all(int fd, const void* buf, uint64_t n, const std::string& path) {
  const auto* p = static_cast<const char*>(buf);
  while (n > 0) {
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(n, 1u << 30));
    const ssize_t put = ::write(fd, p, chunk);
    if (put < 0) {
      if (errno == EINTR) continue;
      fail(path, std::string("write failed: ") + std::strerror(errno));
    }
    p += put;
    n -= static_cast<uint64_t>(put);
  }
}

uint64_t element_size(torch::Dtype dtype) { return static_cast<uint64_t>(c10::elementSize(dtype)); }

/// A JSON number that must be a non-negative integer (as the format's u64/usize fields are).
uint64_t non_negative_integer(const json& v, const std::string& where, const char* field) {
  if (!v.is_number_unsigned()) {
    fail(where, std::string(field) + " must hold non-negative integers, got " + v.dump());
  }
  return v.get<uint64_t>();
}

SafetensorsEntry parse_entry(const std::string& name, const json& info, const std::string& path) {
  const std::string where = tensor_where(path, name);
  if (name.empty()) fail(path, "a tensor has an empty name");
  if (!info.is_object()) fail(where, std::string("expected an object, got ") + info.type_name());
  for (const auto& item : info.items()) {
    if (item.key() != "dtype" && item.key() != "shape" && item.key() != "data_offsets") {
      fail(where, "unknown field " + json_quoted(item.key()));
    }
  }
  SafetensorsEntry e;
  e.name = name;

  if (!info.contains("dtype")) fail(where, "missing field \"dtype\"");
  const json& dtype = info.at("dtype");
  if (!dtype.is_string()) fail(where, std::string("dtype must be a string, got ") + dtype.type_name());
  e.dtype = safetensors_dtype_from_name(dtype.get<std::string>(), where);

  if (!info.contains("shape")) fail(where, "missing field \"shape\"");
  const json& shape = info.at("shape");
  if (!shape.is_array()) fail(where, std::string("shape must be an array, got ") + shape.type_name());
  uint64_t numel = 1;
  bool overflow = false;
  for (const json& d : shape) {
    const uint64_t dim = non_negative_integer(d, where, "shape");
    if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      fail(where, "shape dimension " + d.dump() + " is too large");
    }
    e.shape.push_back(static_cast<int64_t>(dim));
    overflow = overflow || __builtin_mul_overflow(numel, dim, &numel);
  }
  // A zero dimension makes any overflow of the others irrelevant.
  if (std::find(e.shape.begin(), e.shape.end(), 0) != e.shape.end()) numel = 0, overflow = false;
  uint64_t nbytes = 0;
  if (overflow || __builtin_mul_overflow(numel, element_size(e.dtype), &nbytes)) {
    fail(where, "shape " + shape.dump() + " is too large");
  }

  if (!info.contains("data_offsets")) fail(where, "missing field \"data_offsets\"");
  const json& offsets = info.at("data_offsets");
  if (!offsets.is_array() || offsets.size() != 2) {
    fail(where, "data_offsets must be [begin, end], got " + offsets.dump());
  }
  e.begin = non_negative_integer(offsets[0], where, "data_offsets");
  e.end = non_negative_integer(offsets[1], where, "data_offsets");
  if (e.begin > e.end) {
    fail(where, "data_offsets " + offsets_text(e.begin, e.end) + " have begin > end");
  }
  if (e.end - e.begin != nbytes) {
    fail(where, "data_offsets " + offsets_text(e.begin, e.end) + " span " + std::to_string(e.end - e.begin) +
                    " bytes, but " + safetensors_dtype_name(e.dtype) + " shape " + shape.dump() + " needs " +
                    std::to_string(nbytes));
  }
  return e;
}

/// Parses the header JSON, refusing duplicate top-level names (nlohmann would keep the last one).
json parse_header_json(const std::string& text, const std::string& path) {
  std::set<std::string> seen;
  std::string duplicate;
  json::parser_callback_t on_event = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::key && depth == 1 && duplicate.empty()) {
      const std::string key = parsed.get<std::string>();
      if (!seen.insert(key).second) duplicate = key;
    }
    return true;
  };
  json doc;
  try {
    doc = json::parse(text, on_event);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 1e400
    fail(path, std::string("malformed JSON header: ") + e.what());
  }
  if (!duplicate.empty()) fail(path, "header names " + json_quoted(duplicate) + " twice");
  if (!doc.is_object()) {
    fail(path, std::string("header must be a JSON object, got ") + doc.type_name());
  }
  return doc;
}

/// The whole index of an open file: reads the length and the header and validates everything.
SafetensorsIndex read_index(int fd, uint64_t file_size, const std::string& path) {
  if (file_size < 8) {
    fail(path, "file too short for a safetensors header (" + std::to_string(file_size) + " bytes, need at least 8)");
  }
  unsigned char len_bytes[8];
  if (!pread_all(fd, len_bytes, 8, 0, path)) fail(path, "unexpected end of file in the header length");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | len_bytes[i];
  if (n > kMaxHeaderSize) {
    fail(path, "header length " + std::to_string(n) + " is implausibly large (limit " + std::to_string(kMaxHeaderSize) +
                   "); not a safetensors file?");
  }
  if (n > file_size - 8) {
    fail(path, "header length " + std::to_string(n) + " runs past the end of the file (" + std::to_string(file_size) +
                   " bytes); truncated?");
  }
  if (n < 2) fail(path, "header length " + std::to_string(n) + " is too small for a JSON object");
  std::string text(static_cast<size_t>(n), '\0');
  if (!pread_all(fd, text.data(), n, 8, path)) fail(path, "unexpected end of file in the header");
  if (text[0] != '{') fail(path, "header does not start with '{'; not a safetensors file?");

  const json doc = parse_header_json(text, path);
  SafetensorsIndex index;
  index.header_size = n;
  index.data_size = file_size - 8 - n;
  for (const auto& item : doc.items()) {
    if (item.key() == "__metadata__") {
      const json& meta = item.value();
      if (!meta.is_object()) {
        fail(path + ": __metadata__", std::string("expected an object, got ") + meta.type_name());
      }
      for (const auto& kv : meta.items()) {
        if (!kv.value().is_string()) {
          fail(path + ": __metadata__ " + json_quoted(kv.key()),
               std::string("values must be strings, got ") + kv.value().type_name());
        }
        index.metadata[kv.key()] = kv.value().get<std::string>();
      }
      continue;
    }
    SafetensorsEntry e = parse_entry(item.key(), item.value(), path);
    if (e.end > index.data_size) {
      fail(tensor_where(path, e.name), "data_offsets " + offsets_text(e.begin, e.end) +
                                           " run past the end of the data (" + std::to_string(index.data_size) +
                                           " bytes); truncated?");
    }
    index.entries.push_back(std::move(e));
  }

  // The data region must be tiled exactly: sorted by offset, each tensor begins where the previous
  // one ended, and the last one ends at the end of the file.
  std::sort(index.entries.begin(), index.entries.end(), [](const auto& a, const auto& b) {
    return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
  });
  uint64_t covered = 0;
  const SafetensorsEntry* previous = nullptr;
  for (const auto& e : index.entries) {
    if (e.begin < covered) {
      fail(tensor_where(path, e.name), "data_offsets " + offsets_text(e.begin, e.end) + " overlap tensor " +
                                           json_quoted(previous->name) + " (ends at " + std::to_string(covered) + ")");
    }
    if (e.begin > covered) {
      fail(tensor_where(path, e.name), "hole of " + std::to_string(e.begin - covered) +
                                           " unused bytes before this tensor (data offset " + std::to_string(covered) +
                                           ")");
    }
    covered = e.end;
    if (e.end > e.begin) previous = &e;
  }
  if (covered != index.data_size) {
    fail(path, std::to_string(index.data_size - covered) +
                   " trailing bytes after the last tensor (data ends at offset " + std::to_string(covered) + " of " +
                   std::to_string(index.data_size) + ")");
  }
  return index;
}

/// Opens `path` for reading and returns the descriptor and the file size.
Fd open_for_reading(const std::string& path, uint64_t* size) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail(path, std::string("cannot stat: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) fail(path, "not a regular file");
  *size = static_cast<uint64_t>(st.st_size);
  return fd;
}

}  // namespace

std::string safetensors_dtype_name(torch::Dtype dtype) {
  for (const auto& d : kDtypes) {
    if (d.dtype == dtype) return d.name;
  }
  fail("safetensors", std::string("unsupported dtype ") + std::string(c10::toString(dtype)) +
                          " (supported: F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL)");
}

torch::Dtype safetensors_dtype_from_name(const std::string& name, const std::string& where) {
  for (const auto& d : kDtypes) {
    if (name == d.name) return d.dtype;
  }
  fail(where,
       "unknown or unsupported dtype " + json_quoted(name) + " (supported: F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL)");
}

SafetensorsIndex read_safetensors_index(const std::string& path) {
  uint64_t size = 0;
  Fd fd = open_for_reading(path, &size);
  return read_index(fd.get(), size, path);
}

SafetensorsContents read_safetensors(const std::string& path) {
  uint64_t size = 0;
  Fd fd = open_for_reading(path, &size);
  SafetensorsIndex index = read_index(fd.get(), size, path);
  const uint64_t data_start = 8 + index.header_size;

  std::vector<const SafetensorsEntry*> by_name;
  for (const auto& e : index.entries) by_name.push_back(&e);
  std::sort(by_name.begin(), by_name.end(), [](const auto* a, const auto* b) { return a->name < b->name; });

  SafetensorsContents out;
  out.metadata = std::move(index.metadata);
  out.tensors.reserve(by_name.size());
  for (const SafetensorsEntry* e : by_name) {
    torch::Tensor t = torch::empty(e->shape, torch::TensorOptions().dtype(e->dtype));
    const uint64_t nbytes = e->end - e->begin;
    if (nbytes > 0 && !pread_all(fd.get(), t.data_ptr(), nbytes, data_start + e->begin, path)) {
      fail(tensor_where(path, e->name), "unexpected end of file (was it truncated while reading?)");
    }
    if (e->dtype == torch::kBool && nbytes > 0) {
      // Any byte but 0/1 in a bool tensor is undefined behaviour in LibTorch: check the raw bytes.
      const torch::Tensor raw = torch::from_blob(t.data_ptr(), {static_cast<int64_t>(nbytes)}, torch::kUInt8);
      if (raw.gt(1).any().item<bool>()) {
        fail(tensor_where(path, e->name), "BOOL data holds bytes other than 0 and 1");
      }
    }
    out.tensors.insert(e->name, std::move(t));
  }
  return out;
}

void write_safetensors(const std::string& path, const TensorMap& tensors, const SafetensorsMetadata& metadata) {
  struct Item {
    const std::string* name;
    torch::Tensor tensor;
    uint64_t elem;
  };
  std::vector<Item> items;
  items.reserve(tensors.size());
  for (const auto& kv : tensors) {
    const std::string where = tensor_where(path, kv.key());
    if (kv.key().empty()) fail(path, "cannot write a tensor with an empty name");
    if (kv.key() == "__metadata__") fail(where, "the name is reserved for the metadata");
    if (!kv.value().defined()) fail(where, "tensor is undefined");
    const torch::Dtype dtype = kv.value().scalar_type();
    bool supported = false;
    for (const auto& d : kDtypes) supported = supported || d.dtype == dtype;
    if (!supported) {
      fail(where, std::string("unsupported dtype ") + std::string(c10::toString(dtype)) +
                      " (supported: F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL)");
    }
    items.push_back({&kv.key(), kv.value(), element_size(dtype)});
  }
  // Largest elements first, then by name: every tensor then starts at a multiple of its element
  // size (the official writer's rule, which lets memory-mapping readers use the data in place).
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    if (a.elem != b.elem) return a.elem > b.elem;
    return *a.name < *b.name;
  });

  ordered_json header = ordered_json::object();
  if (!metadata.empty()) {
    ordered_json meta = ordered_json::object();
    for (const auto& kv : metadata) meta[kv.first] = kv.second;
    header["__metadata__"] = std::move(meta);
  }
  uint64_t offset = 0;
  for (const Item& it : items) {
    const uint64_t nbytes = static_cast<uint64_t>(it.tensor.numel()) * it.elem;
    ordered_json entry = ordered_json::object();
    entry["dtype"] = safetensors_dtype_name(it.tensor.scalar_type());
    entry["shape"] = ordered_json::array();
    for (int64_t d : it.tensor.sizes()) entry["shape"].push_back(d);
    entry["data_offsets"] = ordered_json::array({offset, offset + nbytes});
    header[*it.name] = std::move(entry);
    offset += nbytes;
  }
  std::string text;
  try {
    text = header.dump();  // strict: invalid UTF-8 in a name throws instead of writing garbage
  } catch (const ordered_json::exception& e) {
    fail(path, std::string("a tensor name or metadata string is not valid UTF-8: ") + e.what());
  }
  text.append((8 - text.size() % 8) % 8, ' ');
  unsigned char len_bytes[8];
  for (int i = 0; i < 8; ++i) len_bytes[i] = static_cast<unsigned char>(text.size() >> (8 * i));

  const std::filesystem::path target(path);
  if (target.has_parent_path()) make_directories(target.parent_path().string());
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) fail(tmp, std::string("cannot create: ") + std::strerror(errno));
  try {
    write_all(fd.get(), len_bytes, 8, tmp);
    write_all(fd.get(), text.data(), text.size(), tmp);
    for (const Item& it : items) {
      // One tensor at a time on the CPU: a no-op for CPU contiguous tensors, one copy otherwise.
      const torch::Tensor cpu = it.tensor.detach().to(torch::kCPU).contiguous();
      const uint64_t nbytes = static_cast<uint64_t>(cpu.numel()) * it.elem;
      if (nbytes > 0) write_all(fd.get(), cpu.data_ptr(), nbytes, tmp);
    }
    if (::fsync(fd.get()) != 0) fail(tmp, std::string("flush failed: ") + std::strerror(errno));
    if (::close(fd.release()) != 0) fail(tmp, std::string("close failed: ") + std::strerror(errno));
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      fail(path, std::string("rename failed: ") + std::strerror(errno));
    }
  } catch (...) {
    if (fd.get() >= 0) ::close(fd.release());
    ::unlink(tmp.c_str());
    throw;
  }
}

}  // namespace earlybert
