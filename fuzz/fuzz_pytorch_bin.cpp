// Fuzz target: pytorch_model.bin (io/pytorch_bin.h) — read_pytorch_bin(), the zip container and the
// restricted unpickler behind it. The first input byte picks what the rest is:
//   even  a whole file, as a user's download would be (mutations mostly exercise the zip checks);
//   odd   only data.pkl, put into a well-formed archive (written with LibTorch's own zip writer) next
//         to a few storages data/0..data/3 of different sizes: mutations then reach the unpickler —
//         opcodes, memo references, tensor views against storages — instead of stopping at a zip CRC.
// What the reader accepts must be what it promised: defined, contiguous CPU tensors owning memory,
// one per distinct name.
#include <caffe2/serialize/inline_container.h>

#include <cstring>
#include <set>
#include <vector>

#include "earlybert/io/pytorch_bin.h"
#include "fuzz_input.h"

namespace {

/// A torch.save()-style archive at `path` whose data.pkl is `pickle`.
void write_archive(const std::string& path, const uint8_t* pickle, size_t size) {
  caffe2::serialize::PyTorchStreamWriter writer(path);
  writer.writeRecord("data.pkl", pickle, size);
  // Storages of 0, 3, 16 and 64 bytes with recognisable contents: views may fit or overrun them.
  const size_t sizes[] = {0, 3, 16, 64};
  for (size_t i = 0; i < 4; ++i) {
    std::vector<uint8_t> bytes(sizes[i]);
    for (size_t b = 0; b < bytes.size(); ++b) bytes[b] = static_cast<uint8_t>(b * 13 + i);
    writer.writeRecord("data/" + std::to_string(i), bytes.data(), bytes.size());
  }
  writer.writeRecord("byteorder", "little", 6);
  writer.writeEndOfFile();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace earlybert;
  if (size == 0) return 0;
  static fuzz::InputFile file("pytorch_model.bin");
  const std::string* path = &file.path();
  if (data[0] % 2 == 0) {
    path = &file.write(data + 1, size - 1);
  } else {
    write_archive(file.path(), data + 1, size - 1);
  }
  TensorMap read;
  if (!fuzz::parse_or_reject([&] { read = read_pytorch_bin(*path); })) return 0;
  std::set<std::string> names;
  for (const auto& item : read) {
    const at::Tensor& t = item.value();
    FUZZ_REQUIRE(names.insert(item.key()).second, "name " + item.key() + " twice");
    FUZZ_REQUIRE(t.defined() && t.device().is_cpu() && t.is_contiguous(), "tensor " + item.key() + " not as promised");
    // Owning memory: every byte of the tensor is readable (ASan checks the copy).
    if (t.numel() > 0) {
      std::vector<uint8_t> copy(t.nbytes());
      std::memcpy(copy.data(), t.data_ptr(), copy.size());
    }
  }
  return 0;
}
