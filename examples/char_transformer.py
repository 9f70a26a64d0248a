"""A small character-level Transformer language model on text that ships with Python.

The corpus is the source of a few standard-library modules (no downloads). The model
is a decoder-only Transformer: token + position embeddings, causal self-attention
blocks (``nn.TransformerEncoderLayer`` with a square subsequent mask), a linear head.

    python examples/char_transformer.py               # train ~2 minutes, then sample
    python examples/char_transformer.py --steps 100   # quicker
"""

from __future__ import annotations

import argparse
import inspect
import time

import numpy as np

import flambeau as fl
import flambeau.nn as nn
import flambeau.nn.functional as F


def load_corpus() -> str:
    import difflib
    import textwrap
    return inspect.getsource(textwrap) + inspect.getsource(difflib)


class CharTransformer(nn.Module):
    def __init__(self, vocab: int, context: int, dim: int = 96, heads: int = 4,
                 layers: int = 2):
        super().__init__()
        self.token = nn.Embedding(vocab, dim)
        self.position = nn.Embedding(context, dim)
        block = nn.TransformerEncoderLayer(dim, heads, dim_feedforward=4 * dim,
                                           dropout=0.0, batch_first=True, norm_first=True,
                                           activation="gelu")
        self.blocks = nn.TransformerEncoder(block, layers)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(context),
                             persistent=False)

    def forward(self, idx):
        n = idx.shape[1]
        pos = fl.arange(n, device=idx.device)
        x = self.token(idx) + self.position(pos)
        x = self.blocks(x, mask=self.mask[:n, :n], is_causal=True)
        return self.head(self.norm(x))


def batches(data: np.ndarray, context: int, batch: int, rng: np.random.Generator):
    starts = rng.integers(0, len(data) - context - 1, size=batch)
    x = np.stack([data[s:s + context] for s in starts])
    y = np.stack([data[s + 1:s + context + 1] for s in starts])
    return fl.from_numpy(x), fl.from_numpy(y)


@fl.no_grad()
def sample(model, stoi, itos, prompt: str, length: int, context: int,
           temperature: float = 0.8) -> str:
    model.eval()
    idx = fl.tensor([[stoi[c] for c in prompt]])
    for _ in range(length):
        logits = model(idx[:, -context:])[:, -1] / temperature
        nxt = fl.multinomial(F.softmax(logits, -1), 1)
        idx = fl.cat([idx, nxt], 1)
    model.train()
    return "".join(itos[i] for i in idx[0].tolist())


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--context", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)

    fl.manual_seed(args.seed)
    text = load_corpus()
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    data = np.array([stoi[c] for c in text], dtype=np.int64)
    print(f"corpus: {len(text)} characters, vocabulary {len(chars)}")

    model = CharTransformer(len(chars), args.context).to(args.device)
    optimizer = fl.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    schedule = fl.optim.lr_scheduler.CosineAnnealingLR(optimizer, args.steps)
    rng = np.random.default_rng(args.seed)
    began, first, recent = time.perf_counter(), None, []
    for step in range(1, args.steps + 1):
        x, y = batches(data, args.context, args.batch_size, rng)
        x, y = x.to(args.device), y.to(args.device)
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, len(chars)), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        fl.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        value = loss.item()
        first = value if first is None else first
        recent = (recent + [value])[-20:]
        if step % 50 == 0 or step == 1:
            print(f"step {step:4d}  loss {value:.3f}  ({time.perf_counter() - began:.0f} s)")
    final = sum(recent) / len(recent)
    print(f"loss fell from {first:.3f} to {final:.3f} in {time.perf_counter() - began:.0f} s")
    print("sample:")
    print(sample(model, stoi, chars, "def ", 300, args.context))
    return final


if __name__ == "__main__":
    main()
