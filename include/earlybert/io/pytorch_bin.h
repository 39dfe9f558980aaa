// pytorch_model.bin: reading the state dicts that PyTorch's torch.save() writes, without Python.
//
// Most BERT checkpoints on the Hugging Face Hub still carry their weights as pytorch_model.bin: a
// torch.save() of the model's state dict. Since PyTorch 1.6 that is a zip archive
//   <archive>/data.pkl      a pickle (protocol 2) of an OrderedDict name -> tensor
//   <archive>/data/<key>    the raw little-endian bytes of each storage the tensors view
//   <archive>/version       the format version; 2.x also writes <archive>/byteorder ("little")
// The pickle is read by a restricted unpickler: it knows the opcodes of protocols 2 to 5 and only
// the handful of globals a state dict uses (collections.OrderedDict, torch._utils._rebuild_tensor_v2
// and friends, the torch.*Storage types). Anything else — which in Python would mean running
// arbitrary code — is an Error naming the global, so a hostile file cannot do more than fail.
// (LibTorch's own torch::pickle_load cannot be used: it stops at the BUILD opcode that attaches
// `_metadata` to every state dict saved from an nn.Module.)
//
// Tensors come back as contiguous CPU tensors owning their memory, in the file's order; tensors that
// shared a storage (tied weights) become separate copies. Every problem is an earlybert::Error naming
// the file: not a zip archive (with a clear word for the legacy pre-1.6 format, which is refused:
// re-save it with a current PyTorch or convert it to safetensors), a missing record, a storage too
// small for a tensor's view, a big-endian archive, a pickle that is not a flat name -> tensor map.
#pragma once

#include <string>

#include "earlybert/io/safetensors.h"

namespace earlybert {

/// Reads a torch.save() zip file holding a state dict. Error naming `path` on any defect above.
TensorMap read_pytorch_bin(const std::string& path);

}  // namespace earlybert
