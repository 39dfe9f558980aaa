#!/usr/bin/env python3
"""Independent check that a directory is a stock Hugging Face BERT directory.

transformers is not installed on this project's machines, so this script re-implements, in plain
PyTorch, the parts of transformers' modeling_bert.py / modeling_utils.py that decide whether and how
a BERT directory loads (checked against transformers 4.x: PreTrainedModel.init_weights / prune_heads,
BertAttention.prune_heads, pytorch_utils.find_pruneable_heads_and_indices / prune_linear_layer,
PretrainedConfig's int() conversion of pruned_heads keys), with the same module and parameter names:

  1. build BertFor<Task>(config) with config.num_attention_heads heads and config.intermediate_size
     neurons in every layer, as transformers does;
  2. prune config.pruned_heads exactly as from_pretrained does before loading;
  3. load model.safetensors with load_state_dict(strict=True): a missing or unexpected tensor (other
     than the ones transformers ignores: embeddings.position_ids, the tied decoder) or a shape that
     does not fit is an error here, where transformers would only warn and initialise at random;
  4. run the forward pass in eval mode on the inputs of an "expected" safetensors file and compare
     with its logits.

Usage: hf_bert_reference.py MODEL_DIR EXPECTED.safetensors [MODEL_DIR EXPECTED.safetensors ...] [--tolerance 1e-5]
EXPECTED holds input_ids, token_type_ids, attention_mask [B,S] and the logits the original model
computed: "logits" (sequence or token classification) or "start_logits" + "end_logits" (QA).
Prints one line per compared tensor; exit status 0 when all are within the tolerance (1 when one is
not, or a directory does not load).
Needs only torch (Debian's python3-torch).
"""
import argparse
import json
import math
import os
import struct
import sys

import torch
from torch import nn
import torch.nn.functional as F

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
          "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
          "BOOL": torch.bool}


def read_safetensors(path):
    """The safetensors format by hand: u64 header length, JSON header, raw little-endian data."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        raw = bytearray(data[begin:end])
        t = torch.frombuffer(raw, dtype=dtype) if end > begin else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(info["shape"]).clone()
    return out


# --- transformers.pytorch_utils, same algorithm ---------------------------------------------------
def find_pruneable_heads_and_indices(heads, n_heads, head_size, already_pruned_heads):
    mask = torch.ones(n_heads, head_size)
    heads = set(heads) - already_pruned_heads
    for head in heads:
        head = head - sum(1 if h < head else 0 for h in already_pruned_heads)
        mask[head] = 0
    mask = mask.view(-1).contiguous().eq(1)
    index = torch.arange(len(mask))[mask].long()
    return heads, index


def prune_linear_layer(layer, index, dim=0):
    W = layer.weight.index_select(dim, index).clone().detach()
    b = layer.bias.clone().detach() if dim == 1 else layer.bias[index].clone().detach()
    new_size = list(layer.weight.size())
    new_size[dim] = len(index)
    new_layer = nn.Linear(new_size[1], new_size[0])
    with torch.no_grad():
        new_layer.weight.copy_(W.contiguous())
        new_layer.bias.copy_(b.contiguous())
    return new_layer


# --- the BERT modules, transformers' names -------------------------------------------------------
def activation(name):
    return {"gelu": F.gelu, "relu": F.relu,
            "gelu_new": lambda x: F.gelu(x, approximate="tanh"),
            "gelu_pytorch_tanh": lambda x: F.gelu(x, approximate="tanh")}[name]


class BertEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["hidden_size"])
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, input_ids, token_type_ids):
        positions = torch.arange(input_ids.size(1)).unsqueeze(0)
        e = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        return self.LayerNorm(e + self.position_embeddings(positions))


class BertSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.num_attention_heads = c["num_attention_heads"]
        self.attention_head_size = c["hidden_size"] // c["num_attention_heads"]
        self.all_head_size = self.num_attention_heads * self.attention_head_size
        self.query = nn.Linear(c["hidden_size"], self.all_head_size)
        self.key = nn.Linear(c["hidden_size"], self.all_head_size)
        self.value = nn.Linear(c["hidden_size"], self.all_head_size)

    def split(self, x):
        return x.view(x.size()[:-1] + (self.num_attention_heads, self.attention_head_size)).permute(0, 2, 1, 3)

    def forward(self, hidden, mask):
        q, k, v = self.split(self.query(hidden)), self.split(self.key(hidden)), self.split(self.value(hidden))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.attention_head_size) + mask
        ctx = torch.matmul(F.softmax(scores, dim=-1), v).permute(0, 2, 1, 3).contiguous()
        return ctx.view(ctx.size()[:-2] + (self.all_head_size,))


class BertSelfOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, h, x):
        return self.LayerNorm(self.dense(h) + x)


class BertAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = BertSelfAttention(c)
        self.output = BertSelfOutput(c)
        self.pruned_heads = set()

    def prune_heads(self, heads):  # transformers' BertAttention.prune_heads
        if len(heads) == 0:
            return
        heads, index = find_pruneable_heads_and_indices(
            heads, self.self.num_attention_heads, self.self.attention_head_size, self.pruned_heads)
        self.self.query = prune_linear_layer(self.self.query, index)
        self.self.key = prune_linear_layer(self.self.key, index)
        self.self.value = prune_linear_layer(self.self.value, index)
        self.output.dense = prune_linear_layer(self.output.dense, index, dim=1)
        self.self.num_attention_heads = self.self.num_attention_heads - len(heads)
        self.self.all_head_size = self.self.attention_head_size * self.self.num_attention_heads
        self.pruned_heads = self.pruned_heads.union(heads)

    def forward(self, x, mask):
        return self.output(self.self(x, mask), x)


class BertIntermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])
        self.act = activation(c.get("hidden_act", "gelu"))

    def forward(self, x):
        return self.act(self.dense(x))


class BertOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["intermediate_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, h, x):
        return self.LayerNorm(self.dense(h) + x)


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = BertAttention(c)
        self.intermediate = BertIntermediate(c)
        self.output = BertOutput(c)

    def forward(self, x, mask):
        a = self.attention(x, mask)
        return self.output(self.intermediate(a), a)


class BertEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(c) for _ in range(c["num_hidden_layers"])])


class BertPooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])

    def forward(self, h):
        return torch.tanh(self.dense(h[:, 0]))


class BertModel(nn.Module):
    def __init__(self, c, add_pooling_layer):
        super().__init__()
        self.embeddings = BertEmbeddings(c)
        self.encoder = BertEncoder(c)
        self.pooler = BertPooler(c) if add_pooling_layer else None

    def forward(self, input_ids, token_type_ids, attention_mask):
        ext = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        h = self.embeddings(input_ids, token_type_ids)
        for layer in self.encoder.layer:
            h = layer(h, ext)
        return h, (self.pooler(h) if self.pooler is not None else None)


def num_labels(c):
    if "id2label" in c:
        return len(c["id2label"])
    return c.get("num_labels", 2)


class BertForSequenceClassification(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.bert = BertModel(c, True)
        self.classifier = nn.Linear(c["hidden_size"], num_labels(c))

    def forward(self, ids, types, mask):
        return {"logits": self.classifier(self.bert(ids, types, mask)[1])}


class BertForTokenClassification(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.bert = BertModel(c, False)
        self.classifier = nn.Linear(c["hidden_size"], num_labels(c))

    def forward(self, ids, types, mask):
        return {"logits": self.classifier(self.bert(ids, types, mask)[0])}


class BertForQuestionAnswering(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.bert = BertModel(c, False)
        self.qa_outputs = nn.Linear(c["hidden_size"], 2)

    def forward(self, ids, types, mask):
        logits = self.qa_outputs(self.bert(ids, types, mask)[0])
        return {"start_logits": logits[..., 0], "end_logits": logits[..., 1]}


MODELS = {m.__name__: m for m in (BertForSequenceClassification, BertForTokenClassification, BertForQuestionAnswering)}
# Keys transformers does not expect in the checkpoint, or ignores when they are there.
IGNORED = ("embeddings.position_ids", "embeddings.token_type_ids")


def from_pretrained(model_dir):
    with open(os.path.join(model_dir, "config.json")) as f:
        c = json.load(f)
    if c.get("model_type") != "bert":
        raise SystemExit(f"{model_dir}/config.json: model_type is {c.get('model_type')!r}, not 'bert'")
    arch = c["architectures"][0]
    if arch not in MODELS:
        raise SystemExit(f"{model_dir}: architecture {arch} is not covered by this check")
    model = MODELS[arch](c)
    # PretrainedConfig turns the JSON keys back into ints; init_weights() then prunes.
    pruned = {int(k): v for k, v in c.get("pruned_heads", {}).items()}
    for layer, heads in pruned.items():
        model.bert.encoder.layer[layer].attention.prune_heads(heads)
    state = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    state = {k: v for k, v in state.items() if not k.endswith(IGNORED)}
    model.load_state_dict(state, strict=True)
    return model.eval(), c


def check(model_dir, expected, tolerance):
    model, c = from_pretrained(model_dir)
    exp = read_safetensors(expected)
    with torch.no_grad():
        got = model(exp["input_ids"].long(), exp["token_type_ids"].long(), exp["attention_mask"].long())
    ok = True
    for name, value in got.items():
        diff = (value.double() - exp[name].double()).abs().max().item()
        print(f"{model_dir}: {name}: max |difference| {diff:.3g}")
        ok = ok and diff <= tolerance
    heads = [len(l.attention.pruned_heads) for l in model.bert.encoder.layer]
    print(f"{model_dir}: layers {len(heads)}, pruned heads per layer {heads}, "
          f"intermediate_size {c['intermediate_size']}")
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pairs", nargs="+", help="MODEL_DIR EXPECTED.safetensors, repeated")
    ap.add_argument("--tolerance", type=float, default=1e-5)
    a = ap.parse_args()
    if len(a.pairs) % 2:
        ap.error("expected pairs of MODEL_DIR EXPECTED.safetensors")
    ok = True
    for model_dir, expected in zip(a.pairs[0::2], a.pairs[1::2]):
        try:
            ok = check(model_dir, expected, a.tolerance) and ok
        except (RuntimeError, KeyError, ValueError) as e:
            print(f"{model_dir}: does not load: {e}")
            ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
