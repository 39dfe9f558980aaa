#!/usr/bin/python3
"""PyTorch-eager baseline for `earlybert bench`: the same BERT training step, from Python.

The model mirrors Hugging Face's BertModel module for module (separate query/key/value Linear layers,
exact-erf GELU, post-LayerNorm, dropout 0.1) so that the comparison is with what a user of HF
transformers would run; like HF's BertForMaskedLM, the MLM head projects *every* position onto the
vocabulary. Training step = forward + loss + backward + AdamW update, timed after warm-up.
With --dtype bf16 (or fp16, CUDA only) forward and loss run under torch.autocast, as a Hugging Face
Trainer with bf16=True does; fp16 adds torch.cuda.amp.GradScaler.

Run with Debian's Python (it has torch from python3-torch), with the same environment as the C++
bench, e.g.:
    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 scripts/bench/pytorch_baseline.py --model bert-small --head cls
Prints one JSON line per configuration with the same keys as `earlybert bench`.
"""
import argparse
import json
import math
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {  # layers, hidden, heads (Google's BERT miniatures and BERT-base/large)
    "bert-tiny": (2, 128, 2),
    "bert-mini": (4, 256, 4),
    "bert-small": (4, 512, 8),
    "bert-medium": (8, 512, 8),
    "bert-base": (12, 768, 12),
    "bert-large": (24, 1024, 16),
}
VOCAB, MAX_POS, TYPES = 30522, 512, 2


class SelfAttention(nn.Module):
    def __init__(self, h, heads):
        super().__init__()
        self.heads, self.d = heads, h // heads
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.dropout = nn.Dropout(0.1)

    def split(self, x):
        b, s, _ = x.shape
        return x.view(b, s, self.heads, self.d).permute(0, 2, 1, 3)

    def forward(self, x, mask):
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.d) + mask
        probs = self.dropout(F.softmax(scores, dim=-1))
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        return ctx.view(x.shape)


class Layer(nn.Module):
    def __init__(self, h, heads, inter):
        super().__init__()
        self.attn = SelfAttention(h, heads)
        self.attn_out, self.ln1 = nn.Linear(h, h), nn.LayerNorm(h, eps=1e-12)
        self.inter, self.out, self.ln2 = nn.Linear(h, inter), nn.Linear(inter, h), nn.LayerNorm(h, eps=1e-12)
        self.dropout = nn.Dropout(0.1)

    def forward(self, x, mask):
        a = self.ln1(x + self.dropout(self.attn_out(self.attn(x, mask))))
        return self.ln2(a + self.dropout(self.out(F.gelu(self.inter(a)))))


class Bert(nn.Module):
    def __init__(self, layers, h, heads, head, num_labels=2):
        super().__init__()
        self.word = nn.Embedding(VOCAB, h, padding_idx=0)
        self.pos, self.typ = nn.Embedding(MAX_POS, h), nn.Embedding(TYPES, h)
        self.ln, self.dropout = nn.LayerNorm(h, eps=1e-12), nn.Dropout(0.1)
        self.layers = nn.ModuleList([Layer(h, heads, 4 * h) for _ in range(layers)])
        self.head = head
        if head == "cls":
            self.pooler, self.classifier = nn.Linear(h, h), nn.Linear(h, num_labels)
        else:
            self.transform, self.tln = nn.Linear(h, h), nn.LayerNorm(h, eps=1e-12)
            self.bias = nn.Parameter(torch.zeros(VOCAB))

    def forward(self, ids, types, attn, labels):
        s = ids.shape[1]
        pos = torch.arange(s, device=ids.device).unsqueeze(0)
        x = self.dropout(self.ln(self.word(ids) + self.pos(pos) + self.typ(types)))
        mask = (1.0 - attn[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = layer(x, mask)
        if self.head == "cls":
            pooled = torch.tanh(self.pooler(x[:, 0]))
            return F.cross_entropy(self.classifier(self.dropout(pooled)), labels)
        t = self.tln(F.gelu(self.transform(x)))
        logits = F.linear(t, self.word.weight, self.bias)  # every position, as HF does
        return F.cross_entropy(logits.view(-1, VOCAB), labels.view(-1), ignore_index=-100)


def forward_matmul_flops(layers, h, heads, head, batch, seq_len):
    """Forward matmul FLOPs, counted as `earlybert bench` counts them; the MLM head here projects
    every position (transform and vocabulary), as this model computes it."""
    tokens = batch * seq_len
    per_layer = 2 * tokens * h * 3 * h + 4 * batch * seq_len * seq_len * h + 2 * tokens * h * h \
        + 4 * tokens * h * 4 * h
    flops = layers * per_layer
    if head == "cls":
        flops += 2 * batch * h * h + 2 * batch * h * 2
    else:
        flops += 2 * tokens * h * h + 2 * tokens * h * VOCAB
    return flops


def run(model_name, head, seq_len, batch, steps, warmup, device="cpu", profile=False, dtype="fp32"):
    layers, h, heads = PRESETS[model_name]
    torch.manual_seed(0)
    model = Bert(layers, h, heads, head).train().to(device)
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "ln" in n)]
    no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or "ln" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                             {"params": no_decay, "weight_decay": 0.0}], lr=1e-4)
    ids = torch.randint(1000, VOCAB, (batch, seq_len))
    types = torch.zeros_like(ids)
    attn = torch.ones_like(ids)
    masked = 0
    if head == "cls":
        labels = torch.randint(0, 2, (batch,))
    else:  # exactly 15% of the positions labelled, like `earlybert bench`
        masked = round(0.15 * batch * seq_len)
        labels = torch.full((batch * seq_len,), -100, dtype=torch.long)
        chosen = torch.randperm(batch * seq_len)[:masked]
        labels[chosen] = ids.view(-1)[chosen]
        labels = labels.view(batch, seq_len)
    ids, types, attn, labels = (t.to(device) for t in (ids, types, attn, labels))
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    device_type = "cuda" if device.startswith("cuda") else "cpu"
    amp_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(dtype)
    scaler = torch.cuda.amp.GradScaler(enabled=dtype == "fp16")

    def forward_loss():
        if amp_dtype is None:
            return model(ids, types, attn, labels)
        with torch.autocast(device_type, dtype=amp_dtype):
            return model(ids, types, attn, labels)
    if profile:  # where the time of a step goes, per ATen operator (after one untimed step)
        from torch.profiler import ProfilerActivity, profile as torch_profile

        def one_step():
            opt.zero_grad(set_to_none=True)
            scaler.scale(forward_loss()).backward()
            scaler.step(opt)
            scaler.update()

        one_step()
        with torch_profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(steps):
                one_step()
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=20))
        return
    times, fwd, bwd, upd = [], [], [], []
    for i in range(warmup + steps):
        sync()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = forward_loss()
        sync()
        t1 = time.perf_counter()
        scaler.scale(loss).backward()
        sync()
        t2 = time.perf_counter()
        scaler.step(opt)
        scaler.update()
        sync()
        t3 = time.perf_counter()
        if i >= warmup:
            times.append(t3 - t0)
            fwd.append(t1 - t0)
            bwd.append(t2 - t1)
            upd.append(t3 - t2)
    ms = statistics.median(times) * 1e3
    params = sum(p.numel() for p in model.parameters())
    gflops = 3 * forward_matmul_flops(layers, h, heads, head, batch, seq_len) / 1e9
    print(json.dumps({"impl": "pytorch-eager", "model": model_name, "head": head, "pruned": False,
                      "params": params, "seq_len": seq_len, "batch_size": batch,
                      "masked_positions": masked, "steps": steps,
                      "threads": torch.get_num_threads(), "device": device, "dtype": dtype,
                      "ms_per_step": round(ms, 2),
                      "ms_min": round(min(times) * 1e3, 2),
                      "forward_ms": round(statistics.median(fwd) * 1e3, 2),
                      "backward_ms": round(statistics.median(bwd) * 1e3, 2),
                      "optimizer_ms": round(statistics.median(upd) * 1e3, 2),
                      "tokens_per_s": round(batch * seq_len / (ms / 1e3), 1),
                      "model_gflops_per_step": round(gflops, 3),
                      "achieved_gflops": round(gflops / (ms / 1e3), 2),
                      "torch": torch.__version__}), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="bert-small", choices=sorted(PRESETS))
    ap.add_argument("--head", default="cls", choices=["cls", "mlm"], nargs="+")
    ap.add_argument("--seq-len", type=int, default=128)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--dtype", default="fp32", choices=["fp32", "bf16", "fp16"],
                    help="fp32, or torch.autocast to bf16 / fp16 (fp16 with GradScaler; CUDA only)")
    ap.add_argument("--tf32", default="true", choices=["true", "false"],
                    help="TF32 for fp32 matmuls on CUDA (earlybert's default is on)")
    ap.add_argument("--profile", action="store_true", help="print torch.profiler's per-operator table instead")
    a = ap.parse_args()
    torch.set_num_threads(a.threads or len(os.sched_getaffinity(0)))
    if a.dtype == "fp16" and not a.device.startswith("cuda"):
        raise SystemExit("--dtype fp16 needs --device cuda (CPU autocast supports only bf16)")
    torch.backends.cuda.matmul.allow_tf32 = a.tf32 == "true"
    torch.backends.cudnn.allow_tf32 = a.tf32 == "true"
    for head in (a.head if isinstance(a.head, list) else [a.head]):
        run(a.model, head, a.seq_len, a.batch_size, a.steps, a.warmup, a.device, a.profile, a.dtype)


if __name__ == "__main__":
    main()
