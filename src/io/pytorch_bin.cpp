// torch.save() zip archives — see include/earlybert/io/pytorch_bin.h.
//
// The zip container is read with LibTorch's own PyTorchStreamReader (the class torch.load uses); the
// pickle inside it by the small restricted unpickler below. Its values are a tagged struct shared by
// pointer, because pickle memoizes objects and refers to them again (BINGET); only what a state dict
// can contain is represented.
#include "earlybert/io/pytorch_bin.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <caffe2/serialize/inline_container.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "earlybert/base/error.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "torch.save storages are read as little-endian bytes"
#endif

namespace earlybert {
namespace {

struct Value;
using ValuePtr = std::shared_ptr<Value>;

struct Value {
  enum class Kind { None, Bool, Int, Float, String, Tuple, List, Dict, Global, Storage, Tensor };
  Kind kind = Kind::None;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0.0;
  std::string text;                                    ///< String/bytes contents; Global: "module.name"
  std::vector<ValuePtr> items;                         ///< Tuple, List
  std::vector<std::pair<ValuePtr, ValuePtr>> entries;  ///< Dict, in insertion order
  at::Tensor tensor;                                   ///< Storage: 1-D typed; Tensor: the tensor
};

ValuePtr make(Value::Kind kind) {
  auto v = std::make_shared<Value>();
  v->kind = kind;
  return v;
}

const char* kind_name(Value::Kind k) {
  switch (k) {
    case Value::Kind::None:
      return "None";
    case Value::Kind::Bool:
      return "bool";
    case Value::Kind::Int:
      return "int";
    case Value::Kind::Float:
      return "float";
    case Value::Kind::String:
      return "str";
    case Value::Kind::Tuple:
      return "tuple";
    case Value::Kind::List:
      return "list";
    case Value::Kind::Dict:
      return "dict";
    case Value::Kind::Global:
      return "global";
    case Value::Kind::Storage:
      return "storage";
    case Value::Kind::Tensor:
      return "tensor";
  }
  return "?";
}

/// torch.<Name>Storage -> dtype (the legacy typed storage classes torch.save still pickles).
bool storage_dtype(const std::string& name, at::ScalarType& out) {
  static const std::map<std::string, at::ScalarType> kStorages = {
      {"torch.FloatStorage", at::kFloat},       {"torch.DoubleStorage", at::kDouble}, {"torch.HalfStorage", at::kHalf},
      {"torch.BFloat16Storage", at::kBFloat16}, {"torch.LongStorage", at::kLong},     {"torch.IntStorage", at::kInt},
      {"torch.ShortStorage", at::kShort},       {"torch.CharStorage", at::kChar},     {"torch.ByteStorage", at::kByte},
      {"torch.BoolStorage", at::kBool},         {"torch.UntypedStorage", at::kByte},
  };
  auto it = kStorages.find(name);
  if (it == kStorages.end()) return false;
  out = it->second;
  return true;
}

/// The callables a state dict's pickle may invoke (REDUCE); everything else is refused.
const char* const kAllowedGlobals[] = {
    "collections.OrderedDict",
    "torch._utils._rebuild_tensor",
    "torch._utils._rebuild_tensor_v2",
    "torch._utils._rebuild_parameter",
    "torch._utils._rebuild_parameter_with_state",
};

class Unpickler {
 public:
  Unpickler(const std::string& path, const char* data, size_t size, caffe2::serialize::PyTorchStreamReader& zip)
      : path_(path), data_(data), size_(size), zip_(zip) {}

  ValuePtr run() {
    for (;;) {
      const uint8_t op = byte();
      switch (op) {
        case 0x80:  // PROTO
          byte();
          break;
        case 0x95:  // FRAME
          bytes(8);
          break;
        case '.':  // STOP
          if (stack_.size() != 1) bad("STOP with " + std::to_string(stack_.size()) + " values on the stack");
          return stack_.back();
        case '(':  // MARK
          marks_.push_back(stack_.size());
          break;
        case ')':
          stack_.push_back(make(Value::Kind::Tuple));
          break;
        case 't': {
          auto t = make(Value::Kind::Tuple);
          t->items = pop_to_mark();
          stack_.push_back(t);
          break;
        }
        case 0x85:
        case 0x86:
        case 0x87: {
          const size_t n = op - 0x84;
          need(n);
          auto t = make(Value::Kind::Tuple);
          t->items.assign(stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
          stack_.resize(stack_.size() - n);
          stack_.push_back(t);
          break;
        }
        case ']':
          stack_.push_back(make(Value::Kind::List));
          break;
        case 'l': {  // LIST
          auto l = make(Value::Kind::List);
          l->items = pop_to_mark();
          stack_.push_back(l);
          break;
        }
        case 'a': {  // APPEND
          auto v = pop();
          expect(top(), Value::Kind::List, "APPEND")->items.push_back(v);
          break;
        }
        case 'e': {  // APPENDS
          auto items = pop_to_mark();
          auto& list = expect(top(), Value::Kind::List, "APPENDS")->items;
          list.insert(list.end(), items.begin(), items.end());
          break;
        }
        case '}':
          stack_.push_back(make(Value::Kind::Dict));
          break;
        case 's': {  // SETITEM
          auto v = pop();
          auto k = pop();
          expect(top(), Value::Kind::Dict, "SETITEM")->entries.emplace_back(k, v);
          break;
        }
        case 'u': {  // SETITEMS
          auto items = pop_to_mark();
          if (items.size() % 2 != 0) bad("SETITEMS with an odd number of values");
          auto& dict = expect(top(), Value::Kind::Dict, "SETITEMS")->entries;
          for (size_t i = 0; i < items.size(); i += 2) dict.emplace_back(items[i], items[i + 1]);
          break;
        }
        case 'N':
          stack_.push_back(make(Value::Kind::None));
          break;
        case 0x88:
        case 0x89: {
          auto b = make(Value::Kind::Bool);
          b->boolean = op == 0x88;
          stack_.push_back(b);
          break;
        }
        case 'J': {  // BININT: 4-byte signed
          int32_t v;
          std::memcpy(&v, bytes(4), 4);
          push_int(v);
          break;
        }
        case 'K':  // BININT1
          push_int(byte());
          break;
        case 'M': {  // BININT2
          const auto* p = reinterpret_cast<const uint8_t*>(bytes(2));
          push_int(p[0] | (p[1] << 8));
          break;
        }
        case 0x8a: {  // LONG1: n-byte little-endian two's complement
          const size_t n = byte();
          if (n > 8) bad("integer of " + std::to_string(n) + " bytes");
          const auto* p = reinterpret_cast<const uint8_t*>(bytes(n));
          uint64_t u = 0;
          for (size_t i = 0; i < n; ++i) u |= static_cast<uint64_t>(p[i]) << (8 * i);
          if (n > 0 && n < 8 && (p[n - 1] & 0x80)) u |= ~uint64_t{0} << (8 * n);  // sign-extend
          push_int(static_cast<int64_t>(u));
          break;
        }
        case 'G': {  // BINFLOAT: 8-byte big-endian double
          const auto* p = reinterpret_cast<const uint8_t*>(bytes(8));
          uint64_t u = 0;
          for (int i = 0; i < 8; ++i) u = (u << 8) | p[i];
          auto f = make(Value::Kind::Float);
          std::memcpy(&f->real, &u, 8);
          stack_.push_back(f);
          break;
        }
        case 'X':  // BINUNICODE
        case 'T':  // BINSTRING
        case 'B':  // BINBYTES
          push_string(read_u32());
          break;
        case 0x8c:  // SHORT_BINUNICODE
        case 'U':   // SHORT_BINSTRING
        case 'C':   // SHORT_BINBYTES
          push_string(byte());
          break;
        case 0x8d:  // BINUNICODE8
        case 0x8e:  // BINBYTES8
          push_string(read_u64());
          break;
        case 'q':  // BINPUT
          memo_[byte()] = top();
          break;
        case 'r':  // LONG_BINPUT
          memo_[read_u32()] = top();
          break;
        case 0x94:  // MEMOIZE
          memo_[static_cast<uint64_t>(memo_.size())] = top();
          break;
        case 'h':  // BINGET
          stack_.push_back(memo(byte()));
          break;
        case 'j':  // LONG_BINGET
          stack_.push_back(memo(read_u32()));
          break;
        case 'c': {  // GLOBAL: "module\nname\n"
          std::string module = line();
          std::string name = line();
          push_global(module + "." + name);
          break;
        }
        case 0x93: {  // STACK_GLOBAL
          auto name = pop();
          auto module = pop();
          if (module->kind != Value::Kind::String || name->kind != Value::Kind::String)
            bad("STACK_GLOBAL of non-strings");
          push_global(module->text + "." + name->text);
          break;
        }
        case 'R': {  // REDUCE
          auto args = pop();
          auto fn = pop();
          stack_.push_back(reduce(fn, expect(args, Value::Kind::Tuple, "REDUCE")->items));
          break;
        }
        case 'b': {  // BUILD: only the `_metadata` attribute of a state dict, which is not needed
          pop();
          const auto kind = top()->kind;
          if (kind != Value::Kind::Dict && kind != Value::Kind::Tensor) {
            bad(std::string("BUILD on a ") + kind_name(kind) + " (only state dicts are read)");
          }
          break;
        }
        case 'Q': {  // BINPERSID
          stack_.push_back(storage(pop()));
          break;
        }
        case '0':  // POP
          pop();
          break;
        case '1':  // POP_MARK
          pop_to_mark();
          break;
        case '2':  // DUP
          stack_.push_back(top());
          break;
        default: {
          char hex[8];
          std::snprintf(hex, sizeof hex, "0x%02x", op);
          bad(std::string("unsupported pickle opcode ") + hex + " at byte " + std::to_string(pos_ - 1) +
              " (not a state dict written by torch.save?)");
        }
      }
    }
  }

 private:
  [[noreturn]] void bad(const std::string& what) const { fail(path_, "data.pkl: " + what); }

  const char* bytes(size_t n) {
    if (n > size_ - pos_) bad("truncated pickle");
    const char* p = data_ + pos_;
    pos_ += n;
    return p;
  }
  uint8_t byte() { return static_cast<uint8_t>(*bytes(1)); }
  uint32_t read_u32() {
    uint32_t v;
    std::memcpy(&v, bytes(4), 4);
    return v;
  }
  uint64_t read_u64() {
    uint64_t v;
    std::memcpy(&v, bytes(8), 8);
    return v;
  }
  std::string line() {
    const void* nl = std::memchr(data_ + pos_, '\n', size_ - pos_);
    if (nl == nullptr) bad("truncated GLOBAL");
    const size_t n = static_cast<const char*>(nl) - (data_ + pos_);
    std::string s(data_ + pos_, n);
    pos_ += n + 1;
    return s;
  }

  void need(size_t n) const {
    const size_t floor = marks_.empty() ? 0 : marks_.back();
    if (stack_.size() < floor + n) bad("stack underflow");
  }
  ValuePtr pop() {
    need(1);
    auto v = stack_.back();
    stack_.pop_back();
    return v;
  }
  const ValuePtr& top() const {
    if (stack_.empty()) bad("stack underflow");
    return stack_.back();
  }
  std::vector<ValuePtr> pop_to_mark() {
    if (marks_.empty()) bad("missing MARK");
    const size_t m = marks_.back();
    marks_.pop_back();
    if (m > stack_.size()) bad("stack underflow");
    std::vector<ValuePtr> items(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
    stack_.resize(m);
    return items;
  }
  ValuePtr memo(uint64_t key) const {
    auto it = memo_.find(key);
    if (it == memo_.end()) bad("reference to unknown memo entry " + std::to_string(key));
    return it->second;
  }
  const ValuePtr& expect(const ValuePtr& v, Value::Kind kind, const char* op) const {
    if (v->kind != kind) bad(std::string(op) + " expects a " + kind_name(kind) + ", got a " + kind_name(v->kind));
    return v;
  }
  void push_int(int64_t i) {
    auto v = make(Value::Kind::Int);
    v->integer = i;
    stack_.push_back(v);
  }
  void push_string(uint64_t n) {
    auto v = make(Value::Kind::String);
    v->text.assign(bytes(n), n);
    stack_.push_back(v);
  }
  void push_global(const std::string& name) {
    at::ScalarType dtype;
    bool allowed = storage_dtype(name, dtype);
    for (const char* g : kAllowedGlobals) allowed = allowed || name == g;
    if (!allowed) {
      bad("refers to '" + name + "', which a state-dict reader does not load (only tensors and dicts are read)");
    }
    auto v = make(Value::Kind::Global);
    v->text = name;
    stack_.push_back(v);
  }

  int64_t int_arg(const ValuePtr& v, const char* what) const {
    if (v->kind != Value::Kind::Int) bad(std::string(what) + ": expected an int, got a " + kind_name(v->kind));
    return v->integer;
  }
  std::vector<int64_t> int_tuple(const ValuePtr& v, const char* what) const {
    if (v->kind != Value::Kind::Tuple && v->kind != Value::Kind::List) {
      bad(std::string(what) + ": expected a tuple, got a " + kind_name(v->kind));
    }
    std::vector<int64_t> out;
    for (const auto& i : v->items) out.push_back(int_arg(i, what));
    return out;
  }

  ValuePtr reduce(const ValuePtr& fn, const std::vector<ValuePtr>& args) {
    if (fn->kind != Value::Kind::Global) bad(std::string("REDUCE on a ") + kind_name(fn->kind));
    const std::string& name = fn->text;
    if (name == "collections.OrderedDict") {
      if (!args.empty()) bad("OrderedDict with constructor arguments");
      return make(Value::Kind::Dict);
    }
    if (name == "torch._utils._rebuild_tensor" || name == "torch._utils._rebuild_tensor_v2") {
      if (args.size() < 4) bad(name + " with " + std::to_string(args.size()) + " arguments");
      return rebuild_tensor(args[0], int_arg(args[1], "storage offset"), int_tuple(args[2], "size"),
                            int_tuple(args[3], "stride"));
    }
    if (name == "torch._utils._rebuild_parameter" || name == "torch._utils._rebuild_parameter_with_state") {
      if (args.empty() || args[0]->kind != Value::Kind::Tensor) bad(name + " without a tensor");
      return args[0];
    }
    bad("cannot call '" + name + "'");
  }

  // ('storage', torch.<T>Storage, key, location, numel) -> the storage's bytes as a 1-D typed tensor.
  ValuePtr storage(const ValuePtr& pid) {
    if (pid->kind != Value::Kind::Tuple || pid->items.size() < 5 || pid->items[0]->kind != Value::Kind::String ||
        pid->items[0]->text != "storage" || pid->items[1]->kind != Value::Kind::Global ||
        pid->items[2]->kind != Value::Kind::String) {
      bad("unsupported persistent id (expected ('storage', type, key, location, size))");
    }
    at::ScalarType dtype;
    if (!storage_dtype(pid->items[1]->text, dtype)) bad("unsupported storage type '" + pid->items[1]->text + "'");
    const std::string& key = pid->items[2]->text;
    auto it = storages_.find(key);
    if (it != storages_.end()) return it->second;

    const std::string record = "data/" + key;
    if (key.find('/') != std::string::npos || !zip_.hasRecord(record)) {
      bad("storage '" + key + "' has no record " + record + " in the archive");
    }
    at::DataPtr ptr;
    size_t nbytes = 0;
    std::tie(ptr, nbytes) = zip_.getRecord(record);
    const size_t element = c10::elementSize(dtype);
    if (nbytes % element != 0) {
      bad("record " + record + " has " + std::to_string(nbytes) + " bytes, not a multiple of " +
          std::to_string(element) + " (" + pid->items[1]->text + ")");
    }
    auto bytes = at::empty({static_cast<int64_t>(nbytes)}, at::kByte);
    if (nbytes > 0) std::memcpy(bytes.data_ptr(), ptr.get(), nbytes);
    auto v = make(Value::Kind::Storage);
    v->tensor = bytes.view(dtype);
    storages_.emplace(key, v);
    return v;
  }

  ValuePtr rebuild_tensor(const ValuePtr& storage, int64_t offset, const std::vector<int64_t>& size,
                          const std::vector<int64_t>& stride) const {
    if (storage->kind != Value::Kind::Storage) bad("tensor without a storage");
    if (size.size() != stride.size())
      bad("tensor with " + std::to_string(size.size()) + " sizes but " + std::to_string(stride.size()) + " strides");
    // The view must lie inside the storage: as_strided does not check, and the file is untrusted.
    const int64_t numel = storage->tensor.numel();
    bool empty = false;
    int64_t last = offset;
    for (size_t d = 0; d < size.size(); ++d) {
      if (size[d] < 0 || stride[d] < 0) bad("tensor with a negative size or stride");
      if (size[d] == 0) empty = true;
      if (size[d] > 0) {
        if (stride[d] > 0 && size[d] - 1 > (std::numeric_limits<int64_t>::max() - last) / stride[d]) {
          bad("tensor view overflows");
        }
        last += (size[d] - 1) * stride[d];
      }
    }
    if (offset < 0 || (!empty && last >= numel)) {
      bad("tensor view [offset " + std::to_string(offset) + ", last element " + std::to_string(last) +
          "] outside its storage of " + std::to_string(numel) + " elements");
    }
    auto v = make(Value::Kind::Tensor);
    v->tensor = empty ? at::empty(size, storage->tensor.options())
                      : storage->tensor.as_strided(size, stride, offset).contiguous().clone();
    return v;
  }

  std::string path_;
  const char* data_;
  size_t size_;
  size_t pos_ = 0;
  caffe2::serialize::PyTorchStreamReader& zip_;
  std::vector<ValuePtr> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, ValuePtr> memo_;
  std::map<std::string, ValuePtr> storages_;
};

/// The first bytes of the file: a zip archive starts with "PK\3\4"; the legacy torch.save format
/// starts with a pickled magic number (protocol 2: 0x80 0x02 0x8a 0x0a ...).
std::string file_head(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open");
  char head[4] = {0, 0, 0, 0};
  in.read(head, 4);
  return std::string(head, static_cast<size_t>(in.gcount()));
}

}  // namespace

TensorMap read_pytorch_bin(const std::string& path) {
  const std::string head = file_head(path);
  if (head.size() >= 2 && static_cast<uint8_t>(head[0]) == 0x80) {
    fail(path,
         "legacy (pre-1.6, non-zip) torch.save format, which is not read: re-save it with torch.save() of a "
         "current PyTorch or convert it to model.safetensors");
  }
  if (head != std::string("PK\x03\x04", 4)) fail(path, "not a torch.save zip archive");

  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> zip;
  try {
    zip = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path);
  } catch (const c10::Error& e) {
    fail(path, "unreadable torch.save archive: " + std::string(e.what_without_backtrace()).substr(0, 200));
  }
  TensorMap out;
  try {
    if (zip->hasRecord("byteorder")) {
      at::DataPtr p;
      size_t n = 0;
      std::tie(p, n) = zip->getRecord("byteorder");
      const std::string order(static_cast<const char*>(p.get()), n);
      if (order != "little") fail(path, "byteorder '" + order + "' (only little-endian archives are read)");
    }
    if (!zip->hasRecord("data.pkl")) fail(path, "no data.pkl in the archive (not written by torch.save?)");
    at::DataPtr pkl;
    size_t pkl_size = 0;
    std::tie(pkl, pkl_size) = zip->getRecord("data.pkl");
    Unpickler unpickler(path, static_cast<const char*>(pkl.get()), pkl_size, *zip);
    const ValuePtr root = unpickler.run();
    if (root->kind != Value::Kind::Dict) {
      fail(path, std::string("holds a ") + kind_name(root->kind) + ", not a state dict (name -> tensor)");
    }
    for (const auto& [k, v] : root->entries) {
      if (k->kind != Value::Kind::String) fail(path, std::string("state dict key is a ") + kind_name(k->kind));
      if (v->kind != Value::Kind::Tensor) {
        fail(path, "state dict entry '" + k->text + "' is a " + kind_name(v->kind) +
                       ", not a tensor (only flat name -> tensor state dicts are read)");
      }
      if (out.contains(k->text)) fail(path, "state dict key '" + k->text + "' appears twice");
      out.insert(k->text, v->tensor);
    }
  } catch (const c10::Error& e) {
    fail(path, "unreadable torch.save archive: " + std::string(e.what_without_backtrace()).substr(0, 200));
  }
  return out;
}

}  // namespace earlybert
