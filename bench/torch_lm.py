#!/usr/bin/env python3
"""PyTorch reference of rnnlab's models, for throughput side by side (`rnnlab bench --against pytorch`).

Model:  embedding (V, E) -> nn.RNN (tanh or relu) / nn.LSTM / nn.GRU with --layers layers
        -> linear decoder (H -> V), tied to the embedding (--tied, needs E == H) or not.
Train:  truncated BPTT of --bptt steps over --batch streams laid out by PyTorch's batchify
        (rnnlab's TokenBatches does the same), the state carried across chunks detached,
        mean cross-entropy over the full softmax, plain SGD with global-norm clipping.
Timing: --warmup untimed steps, then --steps timed steps (the clock runs over the whole
        segment: data slicing, forward, backward, clipping, update); then one timed
        evaluation pass (no_grad) over the first --eval-tokens validation tokens laid out in
        --eval-batch streams, in chunks of --eval-bptt steps.
Data:   --data-dir with ptb.{train,valid}.txt (word level: each line's words, then <eos>) or
        input.txt (--level char: split 90/5/5 contiguously); without --data-dir, uniform random
        tokens of a --vocab-sized vocabulary (speed does not depend on which tokens they are).
        Only the prefix of the training split that the timed window reads is laid out, the
        way rnnlab's benchmark does it.
Output: one JSON object on stdout: train and eval tokens/s, peak RSS, torch's version and
        build (BLAS, CPU capability). Without an importable torch it prints
        {"event": "no_torch", ...} and exits with status 3.
Will not: dropout, class softmax, checkpoints, learning-rate schedules; it measures speed, not
        quality (../shared/bench/torch_rnnlm.py trains the Elman model to convergence).
"""
import argparse
import json
import os
import re
import resource
import sys
import time
import warnings

NO_TORCH_STATUS = 3


def emit(obj):
    sys.stdout.write(json.dumps(obj, sort_keys=True) + "\n")
    sys.stdout.flush()


try:
    # A torch wheel without NumPy warns at import; the benchmark does not use NumPy.
    warnings.filterwarnings("ignore", message=".*NumPy.*")
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as error:  # the caller says plainly that no ratio can be given
    emit({"event": "no_torch", "python": sys.executable, "error": f"{type(error).__name__}: {error}"})
    sys.exit(NO_TORCH_STATUS)


# ----------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------

def read_words(path, index):
    """Each line -> its whitespace-separated words followed by '<eos>'; new words get new ids."""
    ids = []
    with open(path, "r", encoding="utf-8") as fh:
        for line in fh:
            for w in line.split() + ["<eos>"]:
                ids.append(index.setdefault(w, len(index)))
    return ids


def load(args):
    """(vocabulary size, train ids, valid ids) as 1-D long tensors."""
    if args.data_dir is None:
        g = torch.Generator().manual_seed(args.seed)
        n_train = args.batch * (args.bptt * (args.warmup + args.steps) + 1)
        return (args.vocab, torch.randint(args.vocab, (n_train,), generator=g),
                torch.randint(args.vocab, (args.eval_tokens,), generator=g))
    if args.level == "word":
        index = {}
        def split(name):
            for cand in (f"ptb.{name}.txt", f"{name}.txt"):
                p = os.path.join(args.data_dir, cand)
                if os.path.exists(p):
                    return read_words(p, index)
            raise FileNotFoundError(f"no {name} file (ptb.{name}.txt or {name}.txt) in {args.data_dir}")
        train, valid = split("train"), split("valid")
        return len(index), torch.tensor(train), torch.tensor(valid)
    path = os.path.join(args.data_dir, "input.txt")
    with open(path, "r", encoding="utf-8") as fh:
        text = fh.read()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([index[c] for c in text])
    n = ids.numel()
    n_train = n - int(n * 0.05) - int(n * 0.05)
    return len(chars), ids[:n_train], ids[n_train:n_train + int(n * 0.05)]


def batchify(ids, streams):
    """A 1-D id stream cut into `streams` contiguous columns, time-major: (L, streams)."""
    per = ids.numel() // streams
    return ids[: per * streams].view(streams, per).t().contiguous()


# ----------------------------------------------------------------------------
# model
# ----------------------------------------------------------------------------

class LM(nn.Module):
    def __init__(self, cell, vocab, emsize, hidden, layers, tied):
        super().__init__()
        self.cell = cell
        self.embed = nn.Embedding(vocab, emsize)
        if cell in ("tanh", "relu"):
            self.rnn = nn.RNN(emsize, hidden, num_layers=layers, nonlinearity=cell)
        elif cell == "lstm":
            self.rnn = nn.LSTM(emsize, hidden, num_layers=layers)
        else:
            self.rnn = nn.GRU(emsize, hidden, num_layers=layers)
        self.out = nn.Linear(hidden, vocab)
        for p in self.parameters():  # as rnnlab's benchmark: every parameter U(-0.1, 0.1)
            nn.init.uniform_(p, -0.1, 0.1)
        if tied:
            if hidden != emsize:
                raise SystemExit("torch_lm.py: --tied needs --hidden == --emsize")
            self.out.weight = self.embed.weight
        self.layers, self.hidden = layers, hidden

    def zero_state(self, batch):
        h = torch.zeros(self.layers, batch, self.hidden)
        return (h, torch.zeros_like(h)) if self.cell == "lstm" else h

    def forward(self, x, state):
        hs, state = self.rnn(self.embed(x), state)   # (T, B, H)
        return self.out(hs), state                   # (T, B, V)


def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


# ----------------------------------------------------------------------------
# timing
# ----------------------------------------------------------------------------

def train_rate(model, params, train, args, V):
    h = model.zero_state(args.batch)
    starts = list(range(0, train.size(0) - 1, args.bptt))[: args.warmup + args.steps]
    if len(starts) < args.warmup + args.steps:
        raise SystemExit(f"torch_lm.py: the training split holds {len(starts)} chunks, fewer than "
                         f"--warmup {args.warmup} + --steps {args.steps}")
    tokens, t0 = 0, None
    for k, start in enumerate(starts):
        if k == args.warmup:
            t0 = time.perf_counter()
        n = min(args.bptt, train.size(0) - 1 - start)
        inp, tgt = train[start:start + n], train[start + 1:start + 1 + n]
        h = detach(h)
        model.zero_grad(set_to_none=True)
        logits, h = model(inp, h)
        loss = F.cross_entropy(logits.view(-1, V), tgt.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, args.clip)
        with torch.no_grad():
            for p in params:
                p.add_(p.grad, alpha=-args.lr)
        if k >= args.warmup:
            tokens += tgt.numel()
    loss.item()  # the last step's work is done before the clock stops
    return tokens / (time.perf_counter() - t0)


@torch.no_grad()
def eval_rate(model, valid, args, V):
    model.eval()
    h = model.zero_state(valid.size(1))
    total, count = 0.0, 0
    t0 = time.perf_counter()
    for start in range(0, valid.size(0) - 1, args.eval_bptt):
        n = min(args.eval_bptt, valid.size(0) - 1 - start)
        inp, tgt = valid[start:start + n], valid[start + 1:start + 1 + n]
        logits, h = model(inp, h)
        total += F.cross_entropy(logits.view(-1, V), tgt.reshape(-1), reduction="sum").item()
        count += tgt.numel()
    rate = count / (time.perf_counter() - t0)
    model.train()
    return rate, count, total / max(count, 1)


def torch_build():
    """BLAS and CPU capability from torch's build configuration."""
    config = torch.__config__.show()
    match = re.search(r"BLAS_INFO=([^,\s]+)", config)
    blas = match.group(1) if match else "unknown"
    try:
        capability = torch.backends.cpu.get_cpu_capability()
    except AttributeError:
        capability = "unknown"
    return blas, capability, torch.backends.mkldnn.is_available()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", help="folder with ptb.{train,valid}.txt or input.txt (default: random tokens)")
    ap.add_argument("--level", choices=["word", "char"], default="word")
    ap.add_argument("--vocab", type=int, default=10000, help="vocabulary size of the random tokens without --data-dir")
    ap.add_argument("--cell", choices=["tanh", "relu", "lstm", "gru"], default="tanh")
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--emsize", type=int, default=200)
    ap.add_argument("--hidden", type=int, default=200)
    ap.add_argument("--tied", action="store_true")
    ap.add_argument("--bptt", type=int, default=35)
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--eval-batch", type=int, default=10)
    ap.add_argument("--eval-bptt", type=int, default=0, help="evaluation chunk length (default: --bptt)")
    ap.add_argument("--eval-tokens", type=int, default=200_000, help="score at most this many validation tokens")
    ap.add_argument("--lr", type=float, default=1.0)
    ap.add_argument("--clip", type=float, default=0.25, help="max global gradient norm")
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--steps", type=int, default=200, help="timed training steps")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1111)
    args = ap.parse_args()
    if args.eval_bptt <= 0:
        args.eval_bptt = args.bptt
    if min(args.layers, args.steps, args.threads, args.batch, args.bptt) < 1 or args.warmup < 0:
        raise SystemExit("torch_lm.py: --layers, --steps, --threads, --batch and --bptt must be ≥ 1, --warmup ≥ 0")

    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(args.seed)

    V, train_ids, valid_ids = load(args)
    needed = args.batch * (args.bptt * (args.warmup + args.steps) + 1)
    train = batchify(train_ids[:needed], args.batch)
    valid = batchify(valid_ids[: args.eval_tokens], args.eval_batch)
    model = LM(args.cell, V, args.emsize, args.hidden, args.layers, args.tied)
    params = list(model.parameters())  # a tied weight appears once

    train_tok_s = train_rate(model, params, train, args, V)
    eval_tok_s, eval_tokens, eval_loss = eval_rate(model, valid, args, V)
    blas, capability, mkldnn = torch_build()
    emit({"event": "bench", "cell": args.cell, "layers": args.layers, "vocab": V,
          "emsize": args.emsize, "hidden": args.hidden, "tied": args.tied,
          "batch": args.batch, "bptt": args.bptt, "eval_batch": args.eval_batch, "eval_bptt": args.eval_bptt,
          "warmup_steps": args.warmup, "timed_steps": args.steps,
          "train_tok_s": train_tok_s, "eval_tok_s": eval_tok_s, "eval_tokens": eval_tokens, "eval_loss": eval_loss,
          # ru_maxrss is in KB on Linux
          "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
          "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
          "torch_blas": blas, "torch_cpu_capability": capability, "mkldnn": mkldnn,
          "data": "random tokens" if args.data_dir is None else "corpus"})


if __name__ == "__main__":
    main()
