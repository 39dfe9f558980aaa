#!/usr/bin/python3
"""Golden outputs of a Hugging Face BERT, computed independently of earlybert.

Reads a Hugging Face BERT directory (config.json + model.safetensors) with nothing but the standard
library and PyTorch (no transformers: Debian's /usr/bin/python3 has torch 1.13 only), runs Hugging Face's
BertModel + BertForSequenceClassification forward in eval mode, written out here from the
transformers source (modeling_bert.py), on fixed inputs with padding, and writes

  <out>/golden.json        inputs, last_hidden_state, pooler_output, logits
  <out>/head.safetensors   the pooler and classifier weights used (see below)

tests/io/test_hf_golden.cpp loads the same directory with earlybert's loader and compares (<= 1e-5).

The fixture model (tiny-bert-random-safetensors) is a bare BertModel without pooler weights, so the
pooler and a 3-label classifier get deterministic weights from a closed formula (no RNG: the same on
every machine and torch version), rounded to float32 and saved in head.safetensors under earlybert's
(= Hugging Face's BertForSequenceClassification) names, which the C++ test loads on top.

The reference is computed in float64 from the float32 weights, so it is the exact result the float32
implementations approximate, not one float32 implementation's rounding.

  /usr/bin/python3 scripts/golden/make_hf_golden.py \
      ../shared/data/models/tiny-bert-random-safetensors tests/fixtures/golden/tiny-bert-random-safetensors
"""
import hashlib
import json
import math
import os
import struct
import sys

import torch

NUM_LABELS = 3
# Three sequences of 8 positions: the second and third padded (attention_mask 0) at the end, a
# sentence pair in the first (token_type_ids 1 on the second segment). [CLS] = 2, [SEP] = 3, [PAD] = 0.
INPUT_IDS = [[2, 17, 45, 101, 3, 77, 250, 3],
             [2, 9, 200, 33, 3, 0, 0, 0],
             [2, 5, 6, 7, 8, 9, 3, 0]]
TOKEN_TYPE_IDS = [[0, 0, 0, 0, 0, 1, 1, 1],
                  [0, 0, 0, 0, 0, 0, 0, 0],
                  [0, 0, 0, 0, 0, 0, 0, 0]]
ATTENTION_MASK = [[1, 1, 1, 1, 1, 1, 1, 1],
                  [1, 1, 1, 1, 1, 0, 0, 0],
                  [1, 1, 1, 1, 1, 1, 1, 0]]

DTYPES = {"F32": (torch.float32, 4), "F64": (torch.float64, 8), "F16": (torch.float16, 2),
          "BF16": (torch.bfloat16, 2)}


def read_safetensors(path):
    """8-byte little-endian header length, JSON header, raw little-endian data."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype, size = DTYPES[entry["dtype"]]
        begin, end = entry["data_offsets"]
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype) if end > begin else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(entry["shape"]).clone()
    return tensors


def write_safetensors(path, tensors):
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous().to(torch.float32)
        raw = t.numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def formula_weights(rows, cols, phase, scale):
    """scale * sin(0.37 i + 0.91 j + phase), rounded to float32: deterministic and varied."""
    i = torch.arange(rows, dtype=torch.float64).unsqueeze(1)
    j = torch.arange(cols, dtype=torch.float64).unsqueeze(0)
    return (scale * torch.sin(0.37 * i + 0.91 * j + phase)).to(torch.float32)


def strip_prefix(tensors):
    """Hugging Face accepts both "bert.embeddings..." and "embeddings..." for a BertModel."""
    return {k[len("bert."):] if k.startswith("bert.") else k: v for k, v in tensors.items()}


def layer_norm(x, weight, bias, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias


def activation(name, x):
    if name == "gelu":  # exact GELU (erf), Hugging Face's "gelu"
        return x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))
    if name in ("gelu_new", "gelu_pytorch_tanh"):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    if name == "relu":
        return torch.relu(x)
    raise SystemExit(f"unsupported hidden_act {name!r}")


def linear(x, w, name):
    return x @ w[name + ".weight"].T + w[name + ".bias"]


def bert_forward(cfg, w, input_ids, token_type_ids, attention_mask):
    """BertModel.forward (eval: no dropout), absolute position embeddings, no past key values."""
    eps = cfg.get("layer_norm_eps", 1e-12)
    batch, seq = input_ids.shape
    positions = torch.arange(seq).unsqueeze(0).expand(batch, seq)
    x = (w["embeddings.word_embeddings.weight"][input_ids] + w["embeddings.position_embeddings.weight"][positions] +
         w["embeddings.token_type_embeddings.weight"][token_type_ids])
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    heads = cfg["num_attention_heads"]
    head_dim = cfg["hidden_size"] // heads
    # get_extended_attention_mask: (1 - mask) * finfo(dtype).min, broadcast over heads and queries.
    extended = (1.0 - attention_mask[:, None, None, :].to(torch.float64)) * torch.finfo(torch.float64).min
    for layer in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{layer}."

        def split(t):
            return t.view(batch, seq, heads, head_dim).permute(0, 2, 1, 3)

        q = split(linear(x, w, p + "attention.self.query"))
        k = split(linear(x, w, p + "attention.self.key"))
        v = split(linear(x, w, p + "attention.self.value"))
        scores = q @ k.transpose(-1, -2) / math.sqrt(head_dim) + extended
        probs = torch.softmax(scores, dim=-1)
        context = (probs @ v).permute(0, 2, 1, 3).reshape(batch, seq, heads * head_dim)
        attn = layer_norm(linear(context, w, p + "attention.output.dense") + x,
                          w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], eps)
        inter = activation(cfg.get("hidden_act", "gelu"), linear(attn, w, p + "intermediate.dense"))
        x = layer_norm(linear(inter, w, p + "output.dense") + attn, w[p + "output.LayerNorm.weight"],
                       w[p + "output.LayerNorm.bias"], eps)
    pooled = torch.tanh(linear(x[:, 0], w, "pooler.dense"))
    return x, pooled


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    model_dir, out_dir = sys.argv[1], sys.argv[2]
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    if cfg.get("position_embedding_type", "absolute") != "absolute":
        raise SystemExit("only absolute position embeddings are implemented")
    weights_path = os.path.join(model_dir, "model.safetensors")
    w = strip_prefix(read_safetensors(weights_path))

    hidden = cfg["hidden_size"]
    # Scales large enough that tanh is not linear and the rows' logits differ clearly.
    head = {"bert.pooler.dense.weight": formula_weights(hidden, hidden, 0.3, 0.4),
            "bert.pooler.dense.bias": formula_weights(1, hidden, 1.1, 0.1).reshape(hidden),
            "classifier.weight": formula_weights(NUM_LABELS, hidden, 2.2, 0.5),
            "classifier.bias": formula_weights(1, NUM_LABELS, 0.7, 0.1).reshape(NUM_LABELS)}
    for k, v in strip_prefix(head).items():
        if k in w:
            raise SystemExit(f"the model already has {k}: use its weights instead of a formula")
        w[k] = v
    w = {k: v.to(torch.float64) for k, v in w.items()}

    input_ids = torch.tensor(INPUT_IDS)
    token_type_ids = torch.tensor(TOKEN_TYPE_IDS)
    attention_mask = torch.tensor(ATTENTION_MASK)
    if int(input_ids.max()) >= cfg["vocab_size"]:
        raise SystemExit("an input id is outside the vocabulary")
    with torch.no_grad():
        last_hidden, pooled = bert_forward(cfg, w, input_ids, token_type_ids, attention_mask)
        logits = linear(pooled, w, "classifier")  # BertForSequenceClassification: dropout (off), classifier

    os.makedirs(out_dir, exist_ok=True)
    write_safetensors(os.path.join(out_dir, "head.safetensors"), head)
    with open(weights_path, "rb") as f:
        sha256 = hashlib.sha256(f.read()).hexdigest()
    golden = {
        "generated_by": "scripts/golden/make_hf_golden.py (plain PyTorch %s, float64)" % torch.__version__,
        "model": os.path.basename(os.path.normpath(model_dir)),
        "model_safetensors_sha256": sha256,
        "head_weights": "head.safetensors",
        "num_labels": NUM_LABELS,
        "input_ids": INPUT_IDS,
        "token_type_ids": TOKEN_TYPE_IDS,
        "attention_mask": ATTENTION_MASK,
        "last_hidden_state": last_hidden.tolist(),
        "pooler_output": pooled.tolist(),
        "logits": logits.tolist(),
    }
    with open(os.path.join(out_dir, "golden.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(f"wrote {out_dir}/golden.json and head.safetensors; logits {logits.tolist()}")


if __name__ == "__main__":
    main()
