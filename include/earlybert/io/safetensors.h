// safetensors: the tensor file format of Hugging Face checkpoints (`model.safetensors`).
//
// A file is
//   8 bytes   little-endian u64 N, the length of the header
//   N bytes   UTF-8 JSON object: {"<name>": {"dtype": "F32", "shape": [2, 3], "data_offsets": [b,
//   e]},
//             ..., optional "__metadata__": {"<key>": "<string value>"}}, padded with spaces
//   the data  raw little-endian tensor bytes, row-major; [b, e) is relative to the first data byte
// and nothing else. We read and write it ourselves (nlohmann-json for the header) so that
// checkpoints are exchangeable with Hugging Face / PyTorch without Python.
//
// Reading is strict, because a checkpoint that loads "almost" right is worse than one that does not
// load: every problem (a short file, a header length past the end, malformed JSON, an unknown
// dtype, a bad shape, offsets that are not [begin, end] inside the data, a size that is not numel ×
// element size, overlapping tensors, holes between tensors, bytes after the last tensor, a BOOL
// byte other than 0/1) is an earlybert::Error with one line naming the file and, where one is at
// fault, the tensor. The tensors come back on the CPU, each owning its memory (read straight into
// it, one read per tensor, no per-element loops).
//
// Writing follows the official writer: the header is compact JSON padded with spaces to a multiple
// of 8 bytes, "__metadata__" first, and the data is laid out by element size (largest first), then
// by name, so that every tensor starts at a multiple of its element size. The file is streamed to a
// temporary file, flushed and renamed over the target (atomic: readers never see half a file), one
// tensor at a time, so a model of hundreds of MB is never concatenated in memory.
//
// Supported dtypes: F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL.
#pragma once

#include <c10/util/Exception.h>  // before ordered_dict.h, which uses TORCH_CHECK without including it (1.13)
#include <torch/ordered_dict.h>
#include <torch/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace earlybert {

/// Name → tensor, in a fixed order. The same container as Module::named_parameters() returns.
using TensorMap = torch::OrderedDict<std::string, torch::Tensor>;

/// Free-form string metadata of a safetensors file ("__metadata__"), e.g. {"format": "pt"}.
using SafetensorsMetadata = std::map<std::string, std::string>;

/// One tensor as the header describes it; `begin`/`end` are byte offsets into the data region.
struct SafetensorsEntry {
  std::string name;
  torch::Dtype dtype = torch::kFloat32;
  std::vector<int64_t> shape;
  uint64_t begin = 0;
  uint64_t end = 0;
};

/// The validated header of a safetensors file: entries sorted by data offset, plus the metadata.
struct SafetensorsIndex {
  std::vector<SafetensorsEntry> entries;
  SafetensorsMetadata metadata;
  uint64_t header_size = 0;  ///< N, the JSON header length in bytes
  uint64_t data_size = 0;    ///< bytes after the header
};

/// A whole safetensors file: tensors sorted by name (CPU, contiguous, owning) and the metadata.
struct SafetensorsContents {
  TensorMap tensors;
  SafetensorsMetadata metadata;
};

/// Reads and validates the header only (cheap: no tensor data is read). Error naming `path` (and
/// the tensor) on any defect listed above, except the BOOL value check, which needs the data.
SafetensorsIndex read_safetensors_index(const std::string& path);

/// Reads a whole file. Error naming `path` (and the tensor) on any defect.
SafetensorsContents read_safetensors(const std::string& path);

/// Writes `tensors` (any device, any layout: each is made a contiguous CPU tensor one at a time)
/// and `metadata` to `path` atomically. Names must be unique, non-empty and not "__metadata__";
/// dtypes must be among the supported ones. Creates parent directories. Error naming `path` (and
/// the tensor) otherwise, and no file is left behind.
void write_safetensors(const std::string& path, const TensorMap& tensors, const SafetensorsMetadata& metadata = {});

/// "F32", "BF16", ... for a supported dtype; Error for any other.
std::string safetensors_dtype_name(torch::Dtype dtype);

/// The dtype for "F32", "BF16", ...; Error (naming `where`) for an unknown name.
torch::Dtype safetensors_dtype_from_name(const std::string& name, const std::string& where);

}  // namespace earlybert
