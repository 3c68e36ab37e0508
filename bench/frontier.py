#!/usr/bin/env python3
"""The perplexity–time frontier: each system trained on the PTB files within wall-time budgets
(1, 5, 15, 60 minutes), one run at a time, scored on the test file (issue 16, item 6).

  frontier.py run --out RESULTS.jsonl --budgets 1,5,15,60 --data-dir ../shared/data/ptb [systems]
  frontier.py plot RESULTS.jsonl --svg OUT.svg [--markdown]

Budgets: minutes unless suffixed (90s, 2m, 1h); the test evaluation is outside the budget for
         every system, and so is any validation a system makes after the budget's end.
Systems: rnnlab (--rnnlab BIN --experiment FILE ...): `rnnlab run FILE --data-root <parent of
         --data-dir> --set training.time_budget=<seconds>` for every experiment file (a
         candidate configuration) and budget, with every --rnnlab-set KEY=VALUE before the budget;
         the figures come from the run folder's summary.json, and the training wall time from the
         last row of metrics.csv, the stop within a step (rnnlab's clock starts after the data are read; validations
         within the budget count in it, the one rnnlab makes after it when the last step was not
         validated does not).
         pytorch (--python PY --torch-script torch_rnnlm.py): the shared reference with its
         quality flags (--hidden 200 --emsize 200 --tied --lr 5 --anneal 4 --eval-batch 10
         --epochs 100 --threads 2) and --time-budget <seconds>, then every --torch-arg. Its rule
         never starts an epoch that would likely end past the budget, but the first epoch is always
         whole: so a short calibration run (--torch-calibrate-steps, default 100 steps) measures its
         tokens/s first, and a budget shorter than the first epoch's estimate runs with
         --max-steps (the steps that fit at that rate) instead; the record says which rule held.
         --torch-fill uses --max-steps at every budget: the steps that fit at the calibration's
         rates, less the validations of the epochs that end within the budget.
         rnnlm-0.4b, faster-rnnlm-hs, faster-rnnlm-nce (--rnnlm-0.4b PATH, --faster-rnnlm PATH):
         bench/peers.py's flags; they have no budget-aware schedule, so each trains ONCE up to the
         largest budget and a copy of its model file saved last is kept at every budget mark (as a
         kill at that mark would leave it: one thread trains deterministically), then each copy is
         scored by the tool's test mode as peers.py scores (NCE with -nce-accurate-test 1). A peer
         that stops by itself before a mark gives its final model to every later mark ("stopped by
         itself at X s"); a mark before any model file gets test_ppl null and the reason.
Records: one JSON object per (system, configuration, budget), appended to --out (sorted keys):
         system, configuration, commands, budget_s, train_wall_seconds, epochs, words (tokens
         and ends of sentence trained), words_per_sec (training steps only, validations left out),
         best_valid_ppl (when known), test_ppl, note, cpu_model, vector_flags, cores, blas (rnnlab),
         load_average_start / load_average_end, started_utc.
Plot:    the best test perplexity per (system, budget) over its configurations: an SVG (budget on
         a log axis, perplexity linear) and, with --markdown, a table of them (the best of each
         budget in bold) and a table of every record's epochs and words/s, on stdout.
Will not: run systems side by side, pick configurations for you, check that the machine was
         idle (read the load averages: figures taken under load are not publishable), or run
         anything on data other than word-level files with one sentence per line.
"""
import argparse
import datetime
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import types
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402

# The shared reference's flags for quality runs (../shared/bench/README.md).
TORCH_QUALITY = ["--level", "word", "--hidden", "200", "--emsize", "200", "--tied", "--lr", "5", "--anneal", "4",
                 "--eval-batch", "10", "--epochs", "100", "--threads", "2"]

# The order of the systems in the plot's legend and the tables' columns.
SYSTEM_ORDER = ("rnnlab", "pytorch", "faster-rnnlm-hs", "faster-rnnlm-nce", "rnnlm-0.4b")

# The project's chart colours (docs/figures/*.svg: Okabe and Ito's palette).
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


def fail(message):
    raise SystemExit(f"frontier.py: {message}")


# ----------------------------------------------------------------------------
# budgets and records
# ----------------------------------------------------------------------------

def parse_budgets(text):
    """"1,5,15,60" (minutes), "90s", "2m", "1h", "0.05" → sorted seconds."""
    out = []
    for item in text.split(","):
        item = item.strip()
        unit = item[-1] if item and item[-1] in "smh" else "m"
        number = item[:-1] if item and item[-1] in "smh" else item
        try:
            seconds = peers.seconds(number, unit)
        except ValueError:
            fail(f"--budgets: {item!r} is not a number of minutes (or of seconds with s, hours with h)")
        if not (math.isfinite(seconds) and seconds > 0):
            fail(f"--budgets: {item!r} is not a positive time")
        out.append(seconds)
    return sorted(set(out))


def budget_label(seconds):
    """60 → "1 min", 90 → "1.5 min", 2 → "2 s"."""
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def append(path, record):
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, sort_keys=True) + "\n")
    print(f"frontier.py: {record['system']} {record['configuration']} {budget_label(record['budget_s'])}: "
          f"test ppl {record['test_ppl']}" + (f" ({record['note']})" if record.get("note") else ""), file=sys.stderr)


def record(system, configuration, budget_s, host, **fields):
    base = {"system": system, "configuration": configuration, "budget_s": budget_s, "commands": [],
            "train_wall_seconds": None, "epochs": None, "words": None, "words_per_sec": None,
            "best_valid_ppl": None, "test_ppl": None, "note": None, **host}
    base.update(fields)
    return base


# ----------------------------------------------------------------------------
# rnnlab
# ----------------------------------------------------------------------------

def last_elapsed(run_dir):
    """elapsed_s of metrics.csv's last complete row: the training wall time when it stopped."""
    try:
        with open(os.path.join(run_dir, "metrics.csv"), encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    header = lines[0].split(",") if lines else []
    for line in reversed(lines[1:]):
        cells = line.split(",")
        if len(cells) == len(header) and "elapsed_s" in header:
            try:
                return float(cells[header.index("elapsed_s")])
            except ValueError:
                return None
    return None


def run_rnnlab(binary, experiment, sets, budget_s, data_dir, work_dir, host, label=None):
    configuration = os.path.splitext(os.path.basename(experiment))[0] + (f"+{label}" if label else "")
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S")
    name = f"frontier-{configuration.replace('/', '_')}-{budget_s:g}s-{stamp}"
    results = os.path.join(work_dir, "rnnlab")
    cmd = [os.path.abspath(binary), "run", os.path.abspath(experiment),
           "--data-root", os.path.dirname(os.path.abspath(data_dir.rstrip("/"))),
           "--results", results, "--name", name, "--quiet"]
    for s in sets:
        cmd += ["--set", s]
    cmd += ["--set", f"training.time_budget={budget_s:g}"]
    load_start, started = peers.load_average(), utc_now()
    t0 = time.monotonic()
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace")
    wall = time.monotonic() - t0
    rec = record("rnnlab", configuration, budget_s, host, commands=[cmd], started_utc=started,
                 load_average_start=load_start, load_average_end=peers.load_average(),
                 process_wall_seconds=wall, exit_status=r.returncode)
    lines = [l for l in r.stdout.splitlines() if l.strip()]
    run_dir = lines[-1].strip() if lines and os.path.isdir(lines[-1].strip()) else None
    if run_dir is None and os.path.isdir(results):
        found = [os.path.join(results, e, name) for e in os.listdir(results) if os.path.isdir(os.path.join(results, e, name))]
        run_dir = found[0] if found else None
    rec["run_dir"] = run_dir
    summary = None
    if run_dir:
        try:
            with open(os.path.join(run_dir, "summary.json"), encoding="utf-8") as fh:
                summary = json.load(fh)
        except (OSError, ValueError):
            summary = None
    if summary is None:
        rec["note"] = f"rnnlab exited {r.returncode} without a summary.json: {r.stderr.strip()[-400:]}"
        return rec
    rec.update({"train_wall_seconds": last_elapsed(run_dir), "epochs": summary.get("epochs"),
                "words": summary.get("tokens_trained"), "words_per_sec": summary.get("train_tokens_per_sec"),
                "best_valid_ppl": summary.get("best_valid_ppl"), "test_ppl": summary.get("test_ppl"),
                "blas": summary.get("blas"), "model": summary.get("model"), "params": summary.get("params"),
                "status": summary.get("status"), "stop_reason": summary.get("stop_reason"),
                "summary_wall_seconds": summary.get("wall_seconds"), "steps": summary.get("steps"),
                "rnnlab_version": summary.get("rnnlab_version"), "git_commit": summary.get("git_commit")})
    if summary.get("status") != "completed":
        rec["note"] = f"run {summary.get('status')}: {summary.get('stop_reason')}"
    return rec


# ----------------------------------------------------------------------------
# pytorch
# ----------------------------------------------------------------------------

def json_lines(text):
    out = []
    for line in text.splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict):
            out.append(obj)
    return out


def run_json(cmd):
    """Runs a command that prints JSON lines; (events, exit status, stderr tail, wall seconds)."""
    t0 = time.monotonic()
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace")
    return json_lines(r.stdout), r.returncode, r.stderr.strip()[-400:], time.monotonic() - t0


def torch_command(py, script, data_dir, extra):
    return [py, os.path.abspath(script), "--data-dir", os.path.abspath(data_dir), *TORCH_QUALITY, *extra]


def steps_per_epoch(config):
    """Training steps of one epoch, as torch_rnnlm.py chunks its streams."""
    rows = config["train_tokens"] // config["batch"]
    return math.ceil((rows - 1) / config["bptt"])


def calibrate_torch(py, script, data_dir, extra, steps):
    """A short timing run: tokens/s of training, with the run's configuration event."""
    cmd = torch_command(py, script, data_dir, extra) + ["--epochs", "1", "--warmup", "10", "--max-steps", str(steps), "--no-test"]
    events, status, err, _ = run_json(cmd)
    config = next((e for e in events if e.get("event") == "config"), None)
    timing = next((e for e in events if e.get("event") == "timing"), None)
    if status != 0 or config is None or timing is None:
        fail(f"the PyTorch calibration run failed (exit status {status}): {' '.join(cmd)}: {err}")
    return {"command": cmd, "train_tok_s": timing["train_tok_s"], "eval_tok_s": timing["eval_tok_s"], "config": config}


def torch_budget_rule(budget_s, calibration, fill):
    """(extra flags, what they mean) for one budget. Without fill: --time-budget (the script's
    rule: no epoch started that would likely end past it), or --max-steps when the first epoch
    would not fit at the calibration's rate. With fill: --max-steps, the steps that fit in the
    budget at the calibration's rates, less the validations of the epochs that end within it."""
    if calibration is None:
        return ["--time-budget", f"{budget_s:g}"], "the script's own: no epoch started that would likely end past --time-budget"
    config, rate = calibration["config"], calibration["train_tok_s"]
    per_step = config["batch"] * config["bptt"]
    first_epoch = steps_per_epoch(config) * per_step / rate
    if fill:
        validation = config["valid_tokens"] / calibration["eval_tok_s"]
        epochs = math.floor(budget_s / (first_epoch + validation) + 1e-9)
        steps = max(1, math.floor((budget_s - epochs * validation) * rate / per_step + 1e-9))
        return ["--max-steps", str(steps)], (
            f"fill: --max-steps {steps}, the steps that fit at the calibration's {rate:.0f} training and "
            f"{calibration['eval_tok_s']:.0f} validation tokens/s, less {epochs} validations of {validation:.1f} s")
    if budget_s < first_epoch:
        steps = max(1, math.floor(budget_s * rate / per_step + 1e-9))
        return ["--time-budget", f"{budget_s:g}", "--max-steps", str(steps)], (
            f"the first epoch would not fit (about {first_epoch:.0f} s at the calibration's {rate:.0f} tokens/s): "
            f"--max-steps {steps}")
    return ["--time-budget", f"{budget_s:g}"], "the script's own: no epoch started that would likely end past --time-budget"


def run_torch(py, script, data_dir, extra, budget_s, calibration, name, host, fill=False):
    flags, rule = torch_budget_rule(budget_s, calibration, fill)
    cmd = torch_command(py, script, data_dir, extra) + flags
    load_start, started = peers.load_average(), utc_now()
    events, status, err, wall = run_json(cmd)
    commands = ([calibration["command"]] if calibration else []) + [cmd]
    rec = record("pytorch", name, budget_s, host, commands=commands, started_utc=started, load_average_start=load_start,
                 load_average_end=peers.load_average(), process_wall_seconds=wall, exit_status=status, budget_rule=rule,
                 calibration_tokens_per_sec=calibration["train_tok_s"] if calibration else None)
    config = next((e for e in events if e.get("event") == "config"), None)
    epochs = [e for e in events if e.get("event") == "epoch"]
    test = next((e for e in events if e.get("event") == "test"), None)
    stop = next((e for e in events if e.get("event") == "budget_stop"), None)
    cut = bool("--max-steps" in cmd and epochs and config and epochs[-1]["steps"] < steps_per_epoch(config))
    if epochs:
        train_s = sum(e["train_s"] for e in epochs)
        words = sum(round(e["train_tok_s"] * e["train_s"]) for e in epochs)
        steps = sum(e["steps"] for e in epochs)
        valid = [e["valid_ppl"] for e in epochs if e.get("valid_ppl") is not None and math.isfinite(e["valid_ppl"])]
        # a validation after a --max-steps cut is after the budget's end, as rnnlab's last one
        train_wall = sum(e["epoch_s"] for e in epochs) - (epochs[-1]["epoch_s"] - epochs[-1]["train_s"] if cut else 0)
        rec.update({"train_wall_seconds": train_wall, "words": words,
                    "words_per_sec": words / train_s if train_s > 0 else None, "steps": steps,
                    "epochs": steps / steps_per_epoch(config) if config else len(epochs),
                    "epochs_completed": sum(1 for e in epochs if config and e["steps"] == steps_per_epoch(config)),
                    "best_valid_ppl": min(valid) if valid else None, "epoch_valid_ppl": [e.get("valid_ppl") for e in epochs]})
    if config:
        rec["torch"] = config.get("torch")
    rec["stopped"] = f"time budget, before epoch {stop['before_epoch']}" if stop else "max_steps" if cut else "epochs"
    if test:
        rec["test_ppl"] = peers.finite(test.get("test_ppl"))
        rec["test_seconds"] = test.get("test_s")
    else:
        rec["note"] = f"no test line (exit status {status}): {err}"
    return rec


# ----------------------------------------------------------------------------
# peers
# ----------------------------------------------------------------------------

def peer_configuration(system, args):
    if system == "rnnlm-0.4b":
        return f"h{args.hidden}-c{args.classes}"
    threads = f"-t{args.threads}" if args.threads > 1 else ""   # HogWild: another configuration
    return f"h{args.hidden}-" + ("hs" if system == "faster-rnnlm-hs" else f"nce{args.nce_samples}") + threads


def run_peer(system, binary, files, budgets, work_dir, opts, host):
    """One training run up to the largest budget with a snapshot at each; a record per budget."""
    args = types.SimpleNamespace(hidden=opts.peer_hidden, classes=opts.peer_classes, nce_samples=opts.peer_nce_samples,
                                 threads=opts.peer_threads, seed=opts.peer_seed, epochs=None,
                                 save_every_words=opts.peer_save_every_words, time_limit=max(budgets), smoke=False)
    folder = os.path.join(work_dir, "peers", f"{system}-{datetime.datetime.now(datetime.timezone.utc):%Y%m%dT%H%M%S}")
    os.makedirs(folder)
    train_words = peers.count_words(files["train"])
    log = peers.RnnlmLog(train_words) if system == "rnnlm-0.4b" else peers.FasterLog(train_words)
    argv = peers.train_args(system, peers.MODEL, files, args)
    snaps = peers.Snapshots(budgets, os.path.join(folder, "snapshots"))
    load_start, started = peers.load_average(), utc_now()
    stop, status, wall, cpu = peers.train(system, binary, argv, folder, log, args, snapshots=snaps)
    train_cmd = [os.path.abspath(binary), *argv]
    test_cmd = [os.path.abspath(binary), *peers.test_args(system, peers.MODEL, files["test"])]
    sha = peers.sha256(binary)
    out = []
    for taken in snaps.taken:
        valid = [e["valid_ppl"] for e, t in zip(log.epochs, log.epoch_times)
                 if t <= taken["seconds"] and e["valid_ppl"] is not None and not e.get("rejected")]
        words = taken["words"]
        rec = record(system, peer_configuration(system, args), taken["mark"], host, commands=[train_cmd, test_cmd],
                     started_utc=started, load_average_start=load_start, load_average_end=taken["load_average"],
                     train_wall_seconds=taken["seconds"], epochs=words / train_words if train_words else None,
                     epochs_completed=taken["epochs_completed"], words=words,
                     words_per_sec=log.words_per_sec_until(taken["seconds"]),
                     best_valid_ppl=min(valid) if valid else None, note=taken["note"], binary_sha256=sha,
                     threads=1 if system == "rnnlm-0.4b" else args.threads, seed=args.seed,
                     run_stopped=stop, run_exit_status=status, run_wall_seconds=wall, run_cpu_seconds=cpu,
                     reported_words_per_sec=log.reported_words_per_sec(), reported_clock=log.reported_clock)
        if taken["model"]:
            ppl, seconds, tail = peers.evaluate(system, binary, peers.MODEL, files["test"], taken["model"])
            rec["test_ppl"], rec["test_seconds"] = ppl, seconds
            if tail is not None:
                rec["note"] = "; ".join(filter(None, [rec["note"], f"the test mode printed no perplexity: {tail}"]))
        out.append(rec)
    return out


# ----------------------------------------------------------------------------
# run
# ----------------------------------------------------------------------------

def executable(path, flag):
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        fail(f"{flag} {path}: not an executable file")


def command_run(opts):
    budgets = parse_budgets(opts.budgets)
    peer_binaries = {"rnnlm-0.4b": opts.rnnlm, "faster-rnnlm-hs": opts.faster, "faster-rnnlm-nce": opts.faster}
    peer_systems = opts.peer_systems.split(",") if opts.peer_systems else [s for s in peers.SYSTEMS if peer_binaries[s]]
    for s in peer_systems:
        if s not in peers.SYSTEMS:
            fail(f"--peer-systems names {s!r}; the peers are {', '.join(peers.SYSTEMS)}")
        flag = "--rnnlm-0.4b" if s == "rnnlm-0.4b" else "--faster-rnnlm"
        if not peer_binaries[s]:
            fail(f"{s} needs {flag} PATH")
        executable(peer_binaries[s], flag)
    if opts.rnnlab:
        executable(opts.rnnlab, "--rnnlab")
        if not opts.experiment:
            fail("--rnnlab needs at least one --experiment FILE")
    elif opts.experiment:
        fail("--experiment needs --rnnlab BIN")
    for e in opts.experiment:
        if not os.path.isfile(e):
            fail(f"--experiment {e}: no such file")
    for s in opts.rnnlab_set:
        if "=" not in s:
            fail(f"--rnnlab-set {s!r}: expected KEY=VALUE")
    if bool(opts.python) != bool(opts.torch_script):
        fail("the PyTorch reference needs both --python PY and --torch-script PATH")
    if opts.torch_script and not os.path.isfile(opts.torch_script):
        fail(f"--torch-script {opts.torch_script}: no such file")
    if not (opts.rnnlab or opts.python or peer_systems):
        fail("nothing to run: give --rnnlab BIN --experiment FILE, --python PY --torch-script PATH, "
             "and/or --rnnlm-0.4b PATH / --faster-rnnlm PATH")
    if opts.torch_fill and not opts.torch_calibrate_steps:
        fail("--torch-fill needs the calibration run (--torch-calibrate-steps above 0)")
    if not os.path.isdir(opts.data_dir):
        fail(f"--data-dir {opts.data_dir}: no such folder")
    if min(opts.peer_hidden, opts.peer_classes, opts.peer_nce_samples, opts.peer_threads) < 1 or opts.torch_calibrate_steps < 0:
        fail("--peer-hidden, --peer-classes, --peer-nce-samples and --peer-threads must be ≥ 1, --torch-calibrate-steps ≥ 0")

    host = peers.machine()
    work_dir = os.path.abspath(opts.work_dir) if opts.work_dir else tempfile.mkdtemp(prefix="rnnlab-frontier-")
    os.makedirs(work_dir, exist_ok=True)
    open(opts.out, "a").close()
    try:
        if opts.rnnlab:
            for experiment in opts.experiment:
                for b in budgets:
                    append(opts.out, run_rnnlab(opts.rnnlab, experiment, opts.rnnlab_set, b, opts.data_dir, work_dir, host,
                                                opts.rnnlab_label))
        if opts.python:
            calibration = (calibrate_torch(opts.python, opts.torch_script, opts.data_dir, opts.torch_arg, opts.torch_calibrate_steps)
                           if opts.torch_calibrate_steps else None)
            for b in budgets:
                append(opts.out, run_torch(opts.python, opts.torch_script, opts.data_dir, opts.torch_arg, b, calibration,
                                           opts.torch_name, host, fill=opts.torch_fill))
        if peer_systems:
            files = {name: peers.split_path(opts.data_dir, name) for name in ("train", "valid", "test")}
            for s in peer_systems:
                for rec in run_peer(s, peer_binaries[s], files, budgets, work_dir, opts, host):
                    append(opts.out, rec)
    finally:
        if not opts.work_dir:
            shutil.rmtree(work_dir, ignore_errors=True)


# ----------------------------------------------------------------------------
# plot
# ----------------------------------------------------------------------------

def read_records(path):
    """The records of a results file; one sentence and exit status 1 for a file that is missing,
    unreadable, or holds a line that is not a record."""
    out = []
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.readlines()
    except (OSError, UnicodeDecodeError) as error:
        fail(f"{path}: cannot be read ({error.strerror if isinstance(error, OSError) else 'not UTF-8 text'}); "
             "give the file `frontier.py run --out` wrote")
    for k, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            fail(f"{path}:{k}: not a JSON object")
        missing = [key for key in ("system", "configuration", "budget_s") if not isinstance(record, dict) or key not in record]
        if missing:
            fail(f"{path}:{k}: not a frontier record (no {', '.join(missing)})")
        out.append(record)
    return out


def systems_of(records):
    seen = []
    for r in records:
        if r["system"] not in seen:
            seen.append(r["system"])
    return sorted(seen, key=lambda s: (SYSTEM_ORDER.index(s) if s in SYSTEM_ORDER else len(SYSTEM_ORDER), seen.index(s)))


def best(records):
    """{(system, budget_s): the record with the lowest test perplexity} (records without one left out)."""
    out = {}
    for r in records:
        p = r.get("test_ppl")
        if p is None or not math.isfinite(p):
            continue
        key = (r["system"], r["budget_s"])
        if key not in out or p < out[key]["test_ppl"]:
            out[key] = r
    return out


def nice_step(span, count):
    raw = span / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def fmt(x):
    return f"{x:.2f}".rstrip("0").rstrip(".")


def svg(records, title, y_max=None):
    """The frontier chart: x the budget in minutes (log), y the best test perplexity (linear).
    With `y_max`, a point above it does not stretch the axis: it is drawn on the top edge as an
    open marker labelled with its value."""
    top = best(records)
    systems = systems_of(records)
    budgets = sorted({r["budget_s"] for r in records})
    values = [r["test_ppl"] for r in top.values() if y_max is None or r["test_ppl"] <= y_max]
    W, H, left, right, top_y, bottom = 640, 400, 59.5, 481.5, 34.0, 348.0
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    step = nice_step((hi - lo) or max(hi, 1.0), 5)
    y0, y1 = math.floor(lo / step) * step, math.ceil(hi / step) * step
    if y1 <= y0:
        y0, y1 = y0 - step, y1 + step
    lx0, lx1 = math.log(budgets[0] / 60), math.log(budgets[-1] / 60)
    pad = (lx1 - lx0) * 0.08 or 0.5
    lx0, lx1 = lx0 - pad, lx1 + pad

    def X(seconds):
        return round(left + (math.log(seconds / 60) - lx0) / (lx1 - lx0) * (right - left), 2)

    def Y(ppl):
        return round(bottom - (min(ppl, y1) - y0) / (y1 - y0) * (bottom - top_y), 2)

    def above(ppl):
        return ppl > y1

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
           f'font-family="sans-serif" font-size="11" role="img">',
           f"  <title>{escape(title)}</title>", "  <g>",
           f'    <rect x="0" y="0" width="{W}" height="{H}" fill="#ffffff"/>',
           f'    <text x="{(left + right) / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">{escape(title)}</text>',
           '    <g stroke="#e6e6e6" stroke-width="1">']
    yticks = []
    v = y0
    while v <= y1 + step / 2:
        yticks.append(v)
        v += step
    out += [f'      <line x1="{X(b)}" y1="{top_y}" x2="{X(b)}" y2="{bottom}"/>' for b in budgets]
    out += [f'      <line x1="{left}" y1="{Y(v)}" x2="{right}" y2="{Y(v)}"/>' for v in yticks]
    out += ["    </g>", '    <g fill="#333333" font-size="11">']
    out += [f'      <text x="{X(b)}" y="{bottom + 16}" text-anchor="middle">{fmt(b / 60)}</text>' for b in budgets]
    out += [f'      <text x="{left - 6}" y="{Y(v) + 4}" text-anchor="end">{fmt(v)}</text>' for v in yticks]
    out += ["    </g>",
            f'    <text x="{(left + right) / 2}" y="{bottom + 40}" text-anchor="middle" font-size="12">training budget (minutes of wall time, log scale)</text>',
            f'    <text x="14" y="{(top_y + bottom) / 2}" transform="rotate(-90 14 {(top_y + bottom) / 2})" text-anchor="middle" '
            f'font-size="12">test perplexity (best configuration)</text>']
    legend = []
    others = [s for s in systems if s not in SYSTEM_ORDER]
    for k, s in enumerate(systems):
        # a system keeps its colour whichever others are in the file
        colour = COLOURS[(SYSTEM_ORDER.index(s) if s in SYSTEM_ORDER else len(SYSTEM_ORDER) + others.index(s)) % len(COLOURS)]
        pts = [(X(b), Y(top[(s, b)]["test_ppl"])) for b in budgets if (s, b) in top]
        out.append(f'    <g stroke="{colour}" fill="{colour}">')
        if pts:
            out.append('      <polyline points="' + " ".join(f"{x},{y}" for x, y in pts) +
                       '" fill="none" stroke-width="1.5" stroke-linejoin="round"/>')
            for b in budgets:
                if (s, b) not in top:
                    continue
                ppl, x, y = top[(s, b)]["test_ppl"], X(b), Y(top[(s, b)]["test_ppl"])
                if above(ppl):   # off the scale: an open marker on the edge, and its value
                    out += [f'      <circle cx="{x}" cy="{y}" r="3.5" fill="#ffffff" stroke-width="1.5"/>',
                            f'      <text x="{x + 6}" y="{y + 14}" stroke="none" font-size="10">{escape(number(ppl))} (off the scale)</text>']
                else:
                    out.append(f'      <circle cx="{x}" cy="{y}" r="3" stroke="none"/>')
        out.append("    </g>")
        ly = top_y + 8 + 18 * k
        legend += [f'      <line x1="{right + 12}" y1="{ly}" x2="{right + 34}" y2="{ly}" stroke="{colour}" stroke-width="2"/>',
                   f'      <text x="{right + 40}" y="{ly + 4}">{escape(s)}</text>']
    out += [f'    <rect x="{left}" y="{top_y}" width="{right - left}" height="{bottom - top_y}" fill="none" stroke="#333333" stroke-width="1"/>',
            '    <g font-size="11" fill="#333333">', *legend, "    </g>", "  </g>", "</svg>", ""]
    return "\n".join(out)


def number(x, digits=1):
    return "—" if x is None else f"{x:,.{digits}f}"


def markdown(records):
    """Two tables: the best test perplexity per budget and system (the best of each budget in
    bold), and every record's epochs, words/s and test perplexity."""
    top = best(records)
    systems = systems_of(records)
    budgets = sorted({r["budget_s"] for r in records})
    lines = ["| budget | " + " | ".join(systems) + " |", "|---|" + "---|" * len(systems)]
    for b in budgets:
        row = [top[(s, b)] for s in systems if (s, b) in top]
        low = min((r["test_ppl"] for r in row), default=None)
        cells = []
        for s in systems:
            r = top.get((s, b))
            if r is None:
                cells.append("—")
                continue
            p = f"{r['test_ppl']:.1f}"
            cells.append((f"**{p}**" if f"{r['test_ppl']:.1f}" == f"{low:.1f}" else p) + f" ({r['configuration']})")
        lines.append(f"| {budget_label(b)} | " + " | ".join(cells) + " |")
    lines += ["", "| system | configuration | budget | training s | epochs | words/s | best valid ppl | test ppl | note |",
              "|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(records, key=lambda r: (systems.index(r["system"]), r["budget_s"], r["configuration"])):
        lines.append(f"| {r['system']} | {r['configuration']} | {budget_label(r['budget_s'])} | "
                     f"{number(r.get('train_wall_seconds'))} | {number(r.get('epochs'), 2)} | {number(r.get('words_per_sec'), 0)} | "
                     f"{number(r.get('best_valid_ppl'))} | {number(r.get('test_ppl'))} | {(r.get('note') or '').replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def command_plot(opts):
    records = read_records(opts.results)
    if not records:
        fail(f"{opts.results}: no records")
    text = svg(records, opts.title, y_max=opts.y_max)
    with open(opts.svg, "w", encoding="utf-8") as fh:
        fh.write(text)
    if opts.markdown:
        sys.stdout.write(markdown(records))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="train the systems within each budget and append a record per budget to --out",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("--out", required=True, metavar="RESULTS.jsonl", help="append the records here (one JSON object a line)")
    r.add_argument("--budgets", required=True, help="comma-separated: minutes, or with s / m / h (1,5,15,60; 30s)")
    r.add_argument("--data-dir", required=True,
                   help="folder with ptb.{train,valid,test}.txt; rnnlab gets its parent as --data-root")
    r.add_argument("--work-dir", default=None, help="keep the runs (rnnlab's run folders, the peers' models and snapshots) "
                                                   "here instead of a temporary folder")
    r.add_argument("--rnnlab", metavar="BIN", help="the rnnlab binary")
    r.add_argument("--experiment", metavar="FILE", action="append", default=[],
                   help="an rnnlab experiment file: a candidate configuration, run at every budget (repeatable)")
    r.add_argument("--rnnlab-set", metavar="KEY=VALUE", action="append", default=[],
                   help="passed to every rnnlab run as --set (repeatable), before the budget's training.time_budget")
    r.add_argument("--rnnlab-label", metavar="TEXT", default=None,
                   help="appended to the configurations' names (the experiment file's name) as +TEXT: "
                        "to tell apart runs of one file with different --rnnlab-set")
    r.add_argument("--python", metavar="PY", help="a Python with torch, for the PyTorch reference")
    r.add_argument("--torch-script", metavar="PATH", help="the shared reference torch_rnnlm.py")
    r.add_argument("--torch-arg", metavar="ARG", action="append", default=[],
                   help="an extra flag for torch_rnnlm.py, after its quality flags (repeatable; --torch-arg=--bptt=35)")
    r.add_argument("--torch-name", default="elman-tied-h200", help="the PyTorch configuration's name in the records")
    r.add_argument("--torch-calibrate-steps", type=int, default=100, metavar="N",
                   help="training steps of the calibration run that says whether a first epoch fits a budget (0: none, "
                        "the script's own rule alone; a first epoch then always runs whole)")
    r.add_argument("--torch-fill", action="store_true",
                   help="instead of the script's rule, train the steps that fit in each budget at the calibration's rates "
                        "(--max-steps; the last epoch cut short); name the configuration apart with --torch-name")
    r.add_argument("--rnnlm-0.4b", dest="rnnlm", metavar="PATH", help="rnnlm-0.4b's rnnlm binary")
    r.add_argument("--faster-rnnlm", dest="faster", metavar="PATH", help="faster-rnnlm's rnnlm binary")
    r.add_argument("--peer-systems", default=None,
                   help=f"comma-separated, from {', '.join(peers.SYSTEMS)} (default: every peer whose binary is given)")
    r.add_argument("--peer-threads", type=int, default=1, help="faster-rnnlm's -threads (above 1: HogWild, not deterministic)")
    r.add_argument("--peer-hidden", type=int, default=200)
    r.add_argument("--peer-classes", type=int, default=100, help="rnnlm-0.4b's -class")
    r.add_argument("--peer-nce-samples", type=int, default=20, help="faster-rnnlm-nce's -nce")
    r.add_argument("--peer-seed", type=int, default=1)
    r.add_argument("--peer-save-every-words", type=int, default=None, metavar="N",
                   help="rnnlm-0.4b's -anti-kasparek N: a model file within its first epoch (it saves only at epoch ends otherwise)")
    p = sub.add_parser("plot", help="the SVG chart and the Markdown tables of a results file")
    p.add_argument("results", metavar="RESULTS.jsonl")
    p.add_argument("--svg", required=True, metavar="OUT.svg")
    p.add_argument("--y-max", type=float, metavar="PPL",
                   help="the top of the perplexity axis: a point above it is drawn on the top edge with its value")
    p.add_argument("--markdown", action="store_true", help="print the tables on stdout")
    p.add_argument("--title", default="PTB: test perplexity within a training budget")
    opts = ap.parse_args(argv)
    if opts.command == "run":
        command_run(opts)
    else:
        command_plot(opts)


if __name__ == "__main__":
    main()
