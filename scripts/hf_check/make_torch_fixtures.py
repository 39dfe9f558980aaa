#!/usr/bin/env python3
"""Writes torch.save() files for the pytorch_model.bin reader's tests, each next to the tensors it must
yield as a safetensors file written here by hand (so the C++ reader is compared with PyTorch itself).

Usage: make_torch_fixtures.py OUT_DIR [NER_BIN]
  OUT_DIR/dtypes.bin + dtypes.safetensors     every dtype, a transposed (non-contiguous) view, two
                                              tensors sharing one storage, an nn.Parameter, a 0-d and
                                              an empty tensor, an OrderedDict with _metadata
  OUT_DIR/protocol4.bin                       the same state dict pickled with protocol 4
  OUT_DIR/sharded/pytorch_model.bin.index.json + two shards (+ expected.safetensors)
  OUT_DIR/legacy.bin                          the pre-1.6 (non-zip) format
  OUT_DIR/hostile.bin                         a zip whose pickle calls os.system
  OUT_DIR/mutants/*.bin                       dtypes.bin with its pickle truncated or with bytes
                                              changed (valid zips): the reader must fail cleanly
  OUT_DIR/ner.safetensors                     NER_BIN's state dict converted, when NER_BIN is given
Needs only torch (Debian's python3-torch).
"""
import collections
import io
import json
import os
import pickle
import random
import struct
import sys
import zipfile

import torch

NAMES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
         torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
         torch.bool: "BOOL"}


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def state_dict():
    torch.manual_seed(0)
    base = torch.randn(6, 4)
    sd = collections.OrderedDict()
    sd["f32"] = torch.randn(3, 5)
    sd["f64"] = torch.randn(2, 2, dtype=torch.float64)
    sd["f16"] = torch.randn(4).half()
    sd["bf16"] = torch.randn(4).bfloat16()
    sd["i64"] = torch.arange(-3, 5, dtype=torch.int64).reshape(2, 4)
    sd["i32"] = torch.tensor([-(2 ** 31), 2 ** 31 - 1, 7], dtype=torch.int32)
    sd["i16"] = torch.tensor([-300, 300], dtype=torch.int16)
    sd["i8"] = torch.tensor([-128, 127], dtype=torch.int8)
    sd["u8"] = torch.tensor([0, 255], dtype=torch.uint8)
    sd["bool"] = torch.tensor([True, False, True])
    sd["transposed"] = base.t()               # non-contiguous view of base's storage
    sd["rows"] = base[2:5]                     # offset view of the same storage
    sd["param"] = torch.nn.Parameter(torch.randn(2, 3))
    sd["scalar"] = torch.tensor(2.5)
    sd["empty"] = torch.zeros(0, 3)
    sd._metadata = collections.OrderedDict([("", {"version": 1})])
    return sd


def main():
    out = sys.argv[1]
    os.makedirs(os.path.join(out, "sharded"), exist_ok=True)
    sd = state_dict()
    torch.save(sd, os.path.join(out, "dtypes.bin"))
    torch.save(sd, os.path.join(out, "protocol4.bin"), pickle_protocol=4)
    write_safetensors(os.path.join(out, "dtypes.safetensors"), sd)

    first = collections.OrderedDict((k, sd[k]) for k in ["f32", "i64", "transposed"])
    second = collections.OrderedDict((k, sd[k]) for k in ["f16", "param"])
    torch.save(first, os.path.join(out, "sharded", "pytorch_model-00001-of-00002.bin"))
    torch.save(second, os.path.join(out, "sharded", "pytorch_model-00002-of-00002.bin"))
    weight_map = {k: "pytorch_model-00001-of-00002.bin" for k in first}
    weight_map.update({k: "pytorch_model-00002-of-00002.bin" for k in second})
    with open(os.path.join(out, "sharded", "pytorch_model.bin.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, f)
    write_safetensors(os.path.join(out, "sharded", "expected.safetensors"), {**first, **second})

    torch.save(first, os.path.join(out, "legacy.bin"), _use_new_zipfile_serialization=False)

    class Hostile:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    with zipfile.ZipFile(os.path.join(out, "hostile.bin"), "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", pickle.dumps({"w": Hostile()}, protocol=2))
        z.writestr("archive/version", "3\n")

    # Mutants: the same archive records with data.pkl cut short or with random bytes changed.
    os.makedirs(os.path.join(out, "mutants"), exist_ok=True)
    with zipfile.ZipFile(os.path.join(out, "dtypes.bin")) as z:
        records = {info.filename: z.read(info.filename) for info in z.infolist()}
    pkl_name = next(n for n in records if n.endswith("/data.pkl"))
    pkl = records[pkl_name]
    rng = random.Random(1234)
    variants = [pkl[:n] for n in range(0, len(pkl), 11)]
    for _ in range(150):
        b = bytearray(pkl)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        variants.append(bytes(b))
    for i, data in enumerate(variants):
        with zipfile.ZipFile(os.path.join(out, "mutants", f"{i:04d}.bin"), "w", zipfile.ZIP_STORED) as z:
            for name, content in records.items():
                z.writestr(name, data if name == pkl_name else content)

    if len(sys.argv) > 2:
        write_safetensors(os.path.join(out, "ner.safetensors"), torch.load(sys.argv[2], map_location="cpu"))


if __name__ == "__main__":
    main()
