"""bench/frontier.py: the plot and tables from a made-up results file; the rnnlab adapter end to
end with the real binary (RNNLAB_BIN, skipped when it is not built) on the quick start shrunk to
a budget of seconds; the peers' snapshots with fake peer programs (small Python scripts written
here that print the peers' lines and write their model files on a clock); the PyTorch adapter
with a fake torch_rnnlm.py that prints its JSON lines (torch is not needed)."""
import json
import math
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import pytest

from conftest import BIN, ROOT, SMALL

sys.path.insert(0, str(ROOT / "bench"))
import frontier  # noqa: E402
import peers  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"


def records_file(path, records):
    path.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in records))
    return path


def made_up():
    """Two rnnlab configurations, PyTorch, and faster-rnnlm HS with no model at one minute."""
    out = []
    for b, (a, c, t, hs) in zip((60, 300, 900, 3600), ((300, 280, 400, None), (200, 190, 250, 210),
                                                       (160, 170, 170, 180), (140, 150, 139, 171))):
        out += [{"system": "rnnlab", "configuration": "elman", "budget_s": b, "test_ppl": a, "epochs": b / 100,
                 "words_per_sec": 20000, "train_wall_seconds": b, "best_valid_ppl": a + 5},
                {"system": "rnnlab", "configuration": "lstm", "budget_s": b, "test_ppl": c, "epochs": b / 200,
                 "words_per_sec": 10000, "train_wall_seconds": b, "best_valid_ppl": None},
                {"system": "pytorch", "configuration": "elman-tied-h200", "budget_s": b, "test_ppl": t,
                 "epochs": b / 150, "words_per_sec": 7000, "train_wall_seconds": b},
                {"system": "faster-rnnlm-hs", "configuration": "h200-hs", "budget_s": b, "test_ppl": hs,
                 "epochs": b / 10, "words_per_sec": 100000, "train_wall_seconds": b,
                 "note": None if hs else "no model file yet"}]
    return out


def test_plot_and_tables(tmp_path):
    results = records_file(tmp_path / "r.jsonl", made_up())
    out = tmp_path / "f.svg"
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "frontier.py"), "plot", str(results), "--svg", str(out),
                        "--markdown"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    root = ET.parse(out).getroot()
    assert root.tag == SVG + "svg"
    assert not list(root.iter(SVG + "script"))
    polylines = list(root.iter(SVG + "polyline"))
    assert len(polylines) == 3   # one per system
    texts = [t.text for t in root.iter(SVG + "text")]
    for name in ("rnnlab", "pytorch", "faster-rnnlm-hs"):
        assert name in texts
    for label in ("1", "5", "15", "60"):
        assert label in texts
    best = {"rnnlab": [280, 190, 160, 140], "pytorch": [400, 250, 170, 139], "faster-rnnlm-hs": [210, 180, 171]}
    groups = [g for g in root.iter(SVG + "g") if g.find(SVG + "polyline") is not None]
    assert len(groups) == 3
    drawn = []   # (perplexity, y) of every point
    for g, (system, values) in zip(groups, best.items()):
        pts = [tuple(map(float, p.split(","))) for p in g.find(SVG + "polyline").get("points").split()]
        circles = [(float(c.get("cx")), float(c.get("cy"))) for c in g.findall(SVG + "circle")]
        assert len(pts) == len(values) and circles == pts, system
        xs = [p[0] for p in pts]
        assert xs == sorted(xs) and len(set(xs)) == len(xs)
        drawn += [(v, p[1]) for v, p in zip(values, pts)]
    # one linear perplexity axis for every system, pointing up (SVG's y grows downwards)
    (v0, y0), (v1, y1) = min(drawn), max(drawn)
    assert y1 < y0
    for v, y in drawn:
        assert y == pytest.approx(y0 + (v - v0) / (v1 - v0) * (y1 - y0), abs=0.02)
    # the log axis: 1 → 5 → 15 → 60 minutes at distances in proportion to the logarithms
    rn = [tuple(map(float, p.split(","))) for p in groups[0].find(SVG + "polyline").get("points").split()]
    assert (rn[1][0] - rn[0][0]) / (rn[3][0] - rn[2][0]) == pytest.approx(math.log(5) / math.log(4), rel=1e-3)
    # the same budget, the same x: PyTorch's 139 (60 min) is just below rnnlab's 140
    py = [tuple(map(float, p.split(","))) for p in groups[1].find(SVG + "polyline").get("points").split()]
    assert py[3][1] > rn[3][1] and py[3][0] == rn[3][0]

    # a system keeps its colour in a file without the others
    colours = {s: g.get("stroke") for s, g in zip(best, groups)}
    assert len(set(colours.values())) == 3
    only = records_file(tmp_path / "py.jsonl", [x for x in made_up() if x["system"] == "pytorch"])
    frontier.main(["plot", str(only), "--svg", str(tmp_path / "py.svg")])
    alone = [g for g in ET.parse(tmp_path / "py.svg").getroot().iter(SVG + "g") if g.find(SVG + "polyline") is not None]
    assert [g.get("stroke") for g in alone] == [colours["pytorch"]]

    lines = r.stdout.splitlines()
    assert lines[0] == "| budget | rnnlab | pytorch | faster-rnnlm-hs |"
    rows = {l.split("|")[1].strip(): [c.strip() for c in l.split("|")[2:-1]] for l in lines[2:6]}
    assert rows["1 min"] == ["**280.0** (lstm)", "400.0 (elman-tied-h200)", "—"]
    assert rows["5 min"] == ["**190.0** (lstm)", "250.0 (elman-tied-h200)", "210.0 (h200-hs)"]
    assert rows["15 min"] == ["**160.0** (elman)", "170.0 (elman-tied-h200)", "180.0 (h200-hs)"]
    assert rows["60 min"] == ["140.0 (elman)", "**139.0** (elman-tied-h200)", "171.0 (h200-hs)"]
    # the second table: every record, with its epochs and words/s
    detail = [l for l in lines if l.startswith("| rnnlab | lstm | 5 min")]
    assert detail == ["| rnnlab | lstm | 5 min | 300.0 | 1.50 | 10,000 | — | 190.0 |  |"]
    assert sum(1 for l in lines if l.startswith("| faster-rnnlm-hs | h200-hs | 1 min") and "no model file yet" in l) == 1


def test_peer_configuration_names():
    a = type("A", (), {"hidden": 200, "classes": 100, "nce_samples": 20, "threads": 1})
    assert [frontier.peer_configuration(s, a) for s in peers.SYSTEMS] == ["h200-c100", "h200-hs", "h200-nce20"]
    a.threads = 2   # faster-rnnlm trains HogWild: not the same configuration (rnnlm-0.4b has one thread)
    assert [frontier.peer_configuration(s, a) for s in peers.SYSTEMS] == ["h200-c100", "h200-hs-t2", "h200-nce20-t2"]


def test_budgets_parse():
    assert frontier.parse_budgets("60,1,5,15") == [60, 300, 900, 3600]
    assert frontier.parse_budgets("90s,0.5,1h") == [30, 90, 3600]
    with pytest.raises(SystemExit, match="--budgets: 'x'"):
        frontier.parse_budgets("1,x")
    with pytest.raises(SystemExit, match="not a positive time"):
        frontier.parse_budgets("0")


def test_rnnlab_adapter(tmp_path):
    if not BIN.exists():
        pytest.skip(f"{BIN} does not exist; build rnnlab first (swift build) or set RNNLAB_BIN")
    sets = [SMALL[k + 1] for k in range(0, len(SMALL), 2) if not SMALL[k + 1].startswith(("training.time_budget", "training.epochs"))]
    out = tmp_path / "r.jsonl"
    argv = ["run", "--out", str(out), "--budgets", "1s,2s", "--data-dir", str(tmp_path / "data" / "ptb"),
            "--work-dir", str(tmp_path / "work"), "--rnnlab", str(BIN),
            "--experiment", str(ROOT / "experiments" / "quickstart.yaml")]
    for s in sets + ["training.epochs=1000"]:
        argv += ["--rnnlab-set", s]
    argv += ["--rnnlab-label", "h16"]
    (tmp_path / "data" / "ptb").mkdir(parents=True)
    frontier.main(argv)
    records = [json.loads(l) for l in out.read_text().splitlines()]
    assert [r["budget_s"] for r in records] == [1, 2]
    for r in records:
        assert r["system"] == "rnnlab" and r["configuration"] == "quickstart+h16" and r["note"] is None, r
        cmd = r["commands"][0]
        assert cmd[:3] == [str(BIN), "run", str(ROOT / "experiments" / "quickstart.yaml")]
        assert cmd[cmd.index("--data-root") + 1] == str(tmp_path / "data")
        assert cmd[-2:] == ["--set", f"training.time_budget={r['budget_s']:g}"]
        summary = json.loads((tmp_path / "work" / "rnnlab" / "quickstart" / os.path.basename(r["run_dir"]) / "summary.json").read_text())
        assert summary["status"] == "completed" and "time budget" in summary["stop_reason"]
        assert r["test_ppl"] == summary["test_ppl"] and r["best_valid_ppl"] == summary["best_valid_ppl"]
        assert r["epochs"] == summary["epochs"] and r["words"] == summary["tokens_trained"] > 0
        assert r["words_per_sec"] == summary["train_tokens_per_sec"] and r["blas"] == summary["blas"]
        assert r["stop_reason"] == summary["stop_reason"] and r["model"] == summary["model"]
        # the training wall time is rnnlab's own clock at its last metrics row: the budget, within a
        # step (the row of a logging step is timed before the step's end; a step here is under a ms)
        rows = (tmp_path / "work" / "rnnlab" / "quickstart" / os.path.basename(r["run_dir"]) / "metrics.csv").read_text().splitlines()
        assert r["train_wall_seconds"] == float(rows[-1].split(",")[-1])
        # the last row can come a few steps (log_every 5) before the stop, seconds on a loaded machine
        assert 0.5 * r["budget_s"] <= r["train_wall_seconds"] < r["budget_s"] + 1
        assert r["process_wall_seconds"] >= r["train_wall_seconds"]
        assert r["cpu_model"] and r["load_average_start"] and r["load_average_end"] and r["started_utc"].endswith("Z")


# ----------------------------------------------------------------------------
# fake peers
# ----------------------------------------------------------------------------

FAKE_FASTER = '''
import os, sys, time
a = sys.argv[1:]
model = a[a.index("-rnnlm") + 1]
def say(s):
    sys.stderr.write(s); sys.stderr.flush()
if "-test" in a:
    text = open(model).read() + open(model + ".nnet").read()
    if text.count("end") != 2:
        sys.exit("a half-written model")
    epoch = int(text.split("epoch=")[1].split()[0])
    say("Test entropy %.6f\\n" % (10 - 0.5 * epoch))
    sys.exit(0)
period, epochs = float(os.environ["FAKE_PERIOD"]), int(os.environ["FAKE_EPOCHS"])
def save(epoch, slow):
    # faster-rnnlm rewrites its model files in place, and may print while they are open
    with open(model, "w") as f, open(model + ".nnet", "w") as g:
        f.write("epoch=%d\\n" % epoch); f.flush()
        if slow:
            say("\\rEpoch %2d  lr: 1.00e-01/1.00e-01  progress:  0.00%%  100.00 Kwords/sec  " % (epoch + 1))
            time.sleep(0.4 * period)
        f.write("end\\n"); g.write("end\\n")
save(0, False)
say("Initial entropy (bits) valid: 13.0\\n")
for e in range(1, epochs + 1):
    for p in (10, 50):
        say("\\rEpoch %2d  lr: 1.00e-01/1.00e-01  progress: %5.2f%%  100.00 Kwords/sec  " % (e, p))
        time.sleep(0.3 * period)
    say("entropy (bits) valid:  %.4f  elapsed: 0.5s+0.1s\\n" % (10 - 0.5 * e))
    save(e, True)
'''

FAKE_RNNLM = '''
import os, sys, time
a = sys.argv[1:]
model = a[a.index("-rnnlm") + 1]
if "-test" in a:
    epoch = int(open(model).read().split("epoch=")[1].split()[0])
    print("PPL net: %.4f" % (500 - 100 * epoch))
    sys.exit(0)
period, epochs = float(os.environ["FAKE_PERIOD"]), int(os.environ["FAKE_EPOCHS"])
words = sum(len(l.split()) + 1 for l in open(a[a.index("-train") + 1]) if l.split())
print("Words in train file: %d" % words, flush=True)
for e in range(epochs):
    for p in (25.0, 75.0):
        time.sleep(0.45 * period)
        print("Iter: %3d\\tAlpha: 0.100000\\t   TRAIN entropy: 7.9  Progress: %.2f%%   Words/sec: 8301.2" % (e, p), flush=True)
    time.sleep(0.1 * period)
    print("Iter: %3d\\tAlpha: 0.100000\\t   TRAIN entropy: 7.1    Words/sec: 8290.0   VALID entropy: %.4f" % (e, 9 - e), flush=True)
    with open(model + ".temp", "w") as f:   # rnnlm-0.4b writes a temporary file and renames it
        f.write("epoch=%d\\n" % (e + 1))
    os.rename(model + ".temp", model)
'''


def fake(tmp_path, name, body):
    path = tmp_path / name
    path.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body))
    path.chmod(0o755)
    return str(path)


def corpus(tmp_path, lines=1000):
    d = tmp_path / "ptb"
    d.mkdir()
    for split in ("train", "valid", "test"):
        (d / f"ptb.{split}.txt").write_text("".join(f"w{k % 7} w{k % 5} w{k % 3}\n" for k in range(lines)))
    return d


def test_snapshots_wait_while_the_model_file_is_open(tmp_path):
    """The guard itself: no copy while the process has the model file open."""
    model = tmp_path / "model"
    model.write_text("old\n")
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f'''
        import sys
        f = open({str(model)!r}, "w"); f.write("half"); f.flush()
        print("open", flush=True); sys.stdin.readline()
        f.write(" and whole\\n"); f.close()
        print("closed", flush=True); sys.stdin.readline()
        ''')], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "open\n"
        snaps = peers.Snapshots([0.0], str(tmp_path / "snaps"))
        log = peers.FasterLog(train_words=10)
        assert not peers.copy_between_saves(child, [str(model)], snaps, 0.0, log)
        assert snaps.taken == []
        assert peers.process_state(child.pid) not in ("T", "t"), "the process was let go on"
        child.stdin.write("\n"); child.stdin.flush()
        assert child.stdout.readline() == "closed\n"
        assert peers.copy_between_saves(child, [str(model)], snaps, 0.0, log)
        assert (tmp_path / "snaps" / "at-1" / "model").read_text() == "half and whole\n"
        assert peers.process_state(child.pid) not in ("T", "t")
    finally:
        child.kill()
        child.wait()


def test_faster_rnnlm_snapshots(tmp_path, monkeypatch):
    """A snapshot per mark, each a whole model of an epoch finished by then; the peer stops by
    itself after 3 epochs (about 3 periods), so the last mark gets its final model."""
    binary = fake(tmp_path, "faster", FAKE_FASTER)
    data = corpus(tmp_path)
    monkeypatch.setenv("FAKE_PERIOD", "2.0")   # times below in periods; 2 s leaves room for a loaded machine
    monkeypatch.setenv("FAKE_EPOCHS", "3")
    out = tmp_path / "r.jsonl"
    frontier.main(["run", "--out", str(out), "--budgets", "1.6s,2.6s,3.6s,9s", "--data-dir", str(data),
                   "--work-dir", str(tmp_path / "work"), "--faster-rnnlm", binary, "--peer-systems", "faster-rnnlm-hs"])
    records = [json.loads(l) for l in out.read_text().splitlines()]
    assert [r["budget_s"] for r in records] == [1.6, 2.6, 3.6, 9]
    train_words = peers.count_words(data / "ptb.train.txt")
    for r in records:
        assert r["system"] == "faster-rnnlm-hs" and r["configuration"] == "h200-hs"
        assert r["commands"][0][0] == binary and "-nce" in r["commands"][0] and r["commands"][1][-2] == "-test"
        # the model copied at the mark is whole (the fake's test mode refuses a half-written one)
        # and is the last epoch finished by then: the fake scores epoch e at 2^(10 − e/2)
        assert r["test_ppl"] == pytest.approx(2 ** (10 - 0.5 * r["epochs_completed"])), r
        assert r["train_wall_seconds"] >= min(r["budget_s"], 6.0)
        assert r["words"] >= r["epochs_completed"] * train_words
    # each epoch's model is written over 0.4 periods after its line (ending at about 1.3, 3.3 and
    # 5.3 s); the marks at 1.6 and 3.6 s fall in a write and wait for it
    assert [r["epochs_completed"] for r in records] == [1, 1, 2, 3]
    assert records[0]["best_valid_ppl"] == pytest.approx(2 ** 9.5)
    last = records[-1]
    assert last["note"].startswith("stopped by itself at ") and "(converged)" in last["note"]
    assert last["run_stopped"] == "converged" and last["train_wall_seconds"] < 9
    assert last["words"] == 3 * train_words
    assert all(r["note"] is None for r in records[:3])


def test_rnnlm_04b_mark_before_any_model_file(tmp_path, monkeypatch):
    binary = fake(tmp_path, "rnnlm", FAKE_RNNLM)
    data = corpus(tmp_path, lines=20000)   # 80,000 words: rnnlm-0.4b prints progress every 10,000
    monkeypatch.setenv("FAKE_PERIOD", "2.0")
    monkeypatch.setenv("FAKE_EPOCHS", "5")
    out = tmp_path / "r.jsonl"
    frontier.main(["run", "--out", str(out), "--budgets", "1.4s,3.0s", "--data-dir", str(data),
                   "--work-dir", str(tmp_path / "work"), "--rnnlm-0.4b", binary])
    first, second = [json.loads(l) for l in out.read_text().splitlines()]
    assert first["system"] == "rnnlm-0.4b" and first["configuration"] == "h200-c100"
    # 1.4 s: two progress lines (at 0.9 and 1.8 s in) — the first is in, no epoch finished yet
    assert first["test_ppl"] is None and first["note"].startswith("no model file yet (model missing)")
    assert first["epochs_completed"] == 0 and 0 < first["words"] < peers.count_words(data / "ptb.train.txt")
    # 3.0 s: the first epoch's model (saved at about 2.0 s), scored by the test mode
    assert second["epochs_completed"] == 1 and second["test_ppl"] == pytest.approx(400)
    assert second["best_valid_ppl"] == pytest.approx(2 ** 9)
    assert second["run_stopped"] == "time_limit" and second["note"] is None


# ----------------------------------------------------------------------------
# fake PyTorch reference
# ----------------------------------------------------------------------------

FAKE_TORCH = '''
import argparse, json, math, sys
ap = argparse.ArgumentParser()
for flag in ("--data-dir", "--level", "--activation"):
    ap.add_argument(flag)
for flag in ("--hidden", "--emsize", "--bptt", "--batch", "--eval-batch", "--epochs", "--max-steps", "--warmup", "--threads"):
    ap.add_argument(flag, type=int, default=0)
for flag in ("--lr", "--anneal", "--time-budget", "--clip"):
    ap.add_argument(flag, type=float, default=0.0)
ap.add_argument("--tied", action="store_true")
ap.add_argument("--no-test", action="store_true")
args = ap.parse_args()
args.bptt, args.batch = args.bptt or 35, args.batch or 20
with open(__file__ + ".calls", "a") as f:
    f.write(json.dumps(sys.argv[1:]) + "\\n")
emit = lambda o: print(json.dumps(o), flush=True)
emit({"event": "config", **vars(args), "train_tokens": 20000, "valid_tokens": 2000, "test_tokens": 2000, "torch": "fake"})
per_epoch = math.ceil((20000 // args.batch - 1) / args.bptt)      # 29 steps of 700 tokens
rate = 7000.0
if args.no_test:
    emit({"event": "epoch", "epoch": 1, "steps": args.max_steps + args.warmup, "train_s": 1, "epoch_s": 1.1,
          "train_tok_s": rate, "valid_ppl": 900.0})
    emit({"event": "timing", "train_tok_s": rate, "timed_steps": args.max_steps, "eval_tok_s": 10000.0})
    sys.exit(0)
steps = [min(per_epoch, args.max_steps - k) for k in range(0, args.max_steps, per_epoch)] if args.max_steps else [per_epoch] * 3
for e, n in enumerate(steps, 1):
    train_s = n * 700 / rate
    emit({"event": "epoch", "epoch": e, "steps": n, "lr": 5, "train_s": round(train_s, 3), "epoch_s": round(train_s + 0.3, 3),
          "train_tok_s": rate, "valid_ppl": 300.0 - 10 * e})
if not args.max_steps:
    emit({"event": "budget_stop", "before_epoch": 4, "elapsed_s": 9.0})
emit({"event": "test", "epochs_done": len(steps), "best_valid_ppl": 300.0 - 10 * len(steps),
      "test_ppl": 290.0 - 10 * len(steps), "test_s": 0.5})
'''


def test_pytorch_adapter(tmp_path):
    script = fake(tmp_path, "torch_rnnlm.py", FAKE_TORCH)
    out = tmp_path / "r.jsonl"
    data = corpus(tmp_path, lines=10)
    frontier.main(["run", "--out", str(out), "--budgets", "1s,10s", "--data-dir", str(data), "--python", sys.executable,
                   "--torch-script", script, "--torch-arg=--clip=0.5"])
    calls = [json.loads(l) for l in open(script + ".calls")]
    assert len(calls) == 3   # the calibration, then one run per budget
    for c in calls:
        joined = " ".join(c)
        assert "--hidden 200 --emsize 200 --tied --lr 5 --anneal 4 --eval-batch 10" in joined and "--threads 2" in joined
        assert c.index("--clip=0.5") > c.index("--threads")   # the extra flags come after the quality flags
    assert calls[0][-7:] == ["--epochs", "1", "--warmup", "10", "--max-steps", "100", "--no-test"]
    # 1 s: the first epoch (29 steps of 700 tokens at 7,000 tokens/s: 2.9 s) does not fit: 10 steps
    assert calls[1][-4:] == ["--time-budget", "1", "--max-steps", "10"]
    assert calls[2][-2:] == ["--time-budget", "10"]
    short, long_ = [json.loads(l) for l in out.read_text().splitlines()]
    assert short["system"] == "pytorch" and short["configuration"] == "elman-tied-h200"
    assert short["commands"] == [[sys.executable, script] + calls[0], [sys.executable, script] + calls[1]]
    assert "--max-steps 10" in short["budget_rule"] and short["stopped"] == "max_steps"
    assert short["epochs"] == pytest.approx(10 / 29) and short["words"] == 7000
    # training alone: the validation after a --max-steps cut is after the budget's end
    assert short["train_wall_seconds"] == pytest.approx(1.0) and short["words_per_sec"] == pytest.approx(7000)
    assert short["test_ppl"] == 280 and short["best_valid_ppl"] == 290
    assert long_["budget_rule"].startswith("the script's own") and long_["stopped"] == "time budget, before epoch 4"
    assert long_["epochs"] == 3 and long_["epochs_completed"] == 3 and long_["words"] == 3 * 29 * 700
    assert long_["train_wall_seconds"] == pytest.approx(3 * (2.9 + 0.3)) and long_["test_ppl"] == 260
    assert long_["best_valid_ppl"] == 270 and long_["calibration_tokens_per_sec"] == 7000


def test_bad_input_is_named(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "frontier.py"), "run", "--out", str(tmp_path / "r"),
                        "--budgets", "1", "--data-dir", str(tmp_path), "--faster-rnnlm", "/nonexistent/rnnlm"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "--faster-rnnlm /nonexistent/rnnlm: not an executable file" in r.stderr
    assert not (tmp_path / "r").exists()


def test_pytorch_fill(tmp_path):
    """--torch-fill: --max-steps at every budget, the steps that fit at the calibration's rates."""
    script = fake(tmp_path, "torch_rnnlm.py", FAKE_TORCH)
    out = tmp_path / "r.jsonl"
    frontier.main(["run", "--out", str(out), "--budgets", "10s", "--data-dir", str(corpus(tmp_path, lines=10)),
                   "--python", sys.executable, "--torch-script", script, "--torch-fill", "--torch-name", "fill"])
    calls = [json.loads(l) for l in open(script + ".calls")]
    # an epoch: 2.9 s of training and 2,000 validation tokens at 10,000/s (0.2 s): 3 fit in 10 s,
    # and the steps of 10 − 3 × 0.2 = 9.4 s at 7,000 tokens/s, 700 a step: 94
    assert calls[1][-2:] == ["--max-steps", "94"] and "--time-budget" not in calls[1]
    (r,) = [json.loads(l) for l in out.read_text().splitlines()]
    assert r["configuration"] == "fill" and r["budget_rule"].startswith("fill: --max-steps 94")
    assert r["steps"] == 94 and r["epochs"] == pytest.approx(94 / 29) and r["epochs_completed"] == 3
    assert r["stopped"] == "max_steps" and r["test_ppl"] == 250


def test_pytorch_fill_needs_the_calibration(tmp_path):
    with pytest.raises(SystemExit, match="--torch-fill needs the calibration run"):
        frontier.main(["run", "--out", str(tmp_path / "r"), "--budgets", "1", "--data-dir", str(tmp_path),
                       "--python", sys.executable, "--torch-script", __file__, "--torch-fill", "--torch-calibrate-steps", "0"])


def test_plot_y_max_keeps_an_outlier_off_the_scale(tmp_path):
    """--y-max: a perplexity above it does not stretch the axis; it is drawn on the top edge with
    its value, and every other point keeps the scale."""
    records = made_up() + [{"system": "faster-rnnlm-nce", "configuration": "h200-nce20", "budget_s": 60,
                            "test_ppl": 10577.1, "epochs": 0, "words_per_sec": None, "train_wall_seconds": 60}]
    results = records_file(tmp_path / "r.jsonl", records)
    out = tmp_path / "f.svg"
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "frontier.py"), "plot", str(results), "--svg", str(out),
                        "--y-max", "450"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    root = ET.parse(out).getroot()
    texts = [t.text for t in root.iter(SVG + "text")]
    ticks = [float(t) for t in texts if t and t.replace(".", "").isdigit()]
    assert max(ticks) <= 450 + 100, ticks          # the axis ends near the largest point below 450
    assert "10,577.1 (off the scale)" in texts
    open_markers = [c for c in root.iter(SVG + "circle") if c.get("fill") == "#ffffff"]
    assert len(open_markers) == 1


def test_plot_refuses_a_missing_or_foreign_results_file(tmp_path):
    """One sentence, status 1, no traceback and no chart: a missing file, a line that is not JSON,
    a JSON object that is not a record."""
    bad = tmp_path / "bad.jsonl"
    for content, expected in ((None, "cannot be read (No such file or directory)"),
                              ("nope\n", ":1: not a JSON object"),
                              ('{"a": 1}\n', ":1: not a frontier record (no system, configuration, budget_s)")):
        if content is not None:
            bad.write_text(content)
        out = tmp_path / "f.svg"
        r = subprocess.run([sys.executable, str(ROOT / "bench" / "frontier.py"), "plot", str(bad), "--svg", str(out)],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
        assert r.stderr.startswith(f"frontier.py: {bad}") and expected in r.stderr, r.stderr
        assert not out.exists()
