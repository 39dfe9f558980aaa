// Fuzz target: safetensors files (io/safetensors.h) — read_safetensors_index() (the header) and
// read_safetensors() (header and data). The reader promises to validate the whole header before it
// allocates any tensor memory; the properties below hold it to what it promised about what it
// returns: entries inside the data region, sizes equal to numel × element size, and the same
// tensors whether the index or the full reader is asked.
#include <torch/types.h>

#include "earlybert/io/safetensors.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace earlybert;
  static fuzz::InputFile file("model.safetensors");
  const std::string& path = file.write(data, size);
  SafetensorsIndex index;
  if (!fuzz::parse_or_reject([&] { index = read_safetensors_index(path); })) return 0;
  FUZZ_REQUIRE(8 + index.header_size + index.data_size == size, "header and data sizes do not add up to the file");
  for (const SafetensorsEntry& e : index.entries) {
    FUZZ_REQUIRE(e.begin <= e.end && e.end <= index.data_size, "entry " + e.name + " outside the data");
    uint64_t numel = 1;
    for (int64_t d : e.shape) numel *= static_cast<uint64_t>(d);
    FUZZ_REQUIRE(numel * c10::elementSize(e.dtype) == e.end - e.begin, "entry " + e.name + " has the wrong size");
  }
  SafetensorsContents contents;
  if (!fuzz::parse_or_reject([&] { contents = read_safetensors(path); })) return 0;
  FUZZ_REQUIRE(contents.tensors.size() == index.entries.size(), "reader and index disagree on the tensor count");
  for (const SafetensorsEntry& e : index.entries) {
    const torch::Tensor* t = contents.tensors.find(e.name);
    FUZZ_REQUIRE(t != nullptr, "tensor " + e.name + " missing");
    FUZZ_REQUIRE(t->scalar_type() == e.dtype && t->sizes().vec() == e.shape, "tensor " + e.name + " differs");
  }
  return 0;
}
