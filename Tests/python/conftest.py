"""Shared fixtures of the Python tests: the built rnnlab binary and small real runs made with it.

The tests check rnnlab's files with the tools researchers read them with (TensorBoard's event
reader, pandas, a headless Chromium). They run the real binary (RNNLAB_BIN, default
.build/debug/rnnlab) on experiments/quickstart.yaml shrunk with --set, so they take seconds.
"""
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("RNNLAB_BIN", ROOT / ".build" / "debug" / "rnnlab"))

# A few hundred steps of a small model: long enough (a second or more in a debug build) for a
# stop to land mid-training, small enough for CI.
SMALL = [
    "--set", "model.embedding_size=16", "--set", "model.hidden_size=16",
    "--set", "data.train_tokens=40000", "--set", "data.valid_tokens=2000", "--set", "data.test_tokens=2000",
    "--set", "training.batch_size=8", "--set", "training.bptt=10", "--set", "training.epochs=2",
    "--set", "training.log_every=5", "--set", "training.eval_every=40", "--set", "training.checkpoint_every=20",
    "--set", "training.time_budget=600",
]


def rnnlab(*args, check=True):
    """Runs rnnlab; returns the CompletedProcess (text output)."""
    r = subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, timeout=600)
    if check and r.returncode != 0:
        raise AssertionError(f"rnnlab {' '.join(map(str, args))} exited {r.returncode}: {r.stderr}")
    return r


def last_logged_step(run_dir):
    try:
        lines = (run_dir / "metrics.csv").read_text().splitlines()
    except FileNotFoundError:
        return 0
    rows = [l for l in lines[1:] if l.count(",") == 8]
    return int(rows[-1].split(",")[0]) if rows else 0


def start_and_stop(results, name, sig):
    """Starts the small quick start as run `name` and sends `sig` once it has logged a step past
    a checkpoint (step 25, 30 or 35 with checkpoints every 20), so that a kill leaves rows and
    events after the checkpoint for the resumed run to cut. Returns the run folder."""
    run_dir = results / "quickstart" / name
    p = subprocess.Popen([str(BIN), "run", ROOT / "experiments" / "quickstart.yaml", "--results", results,
                          "--name", name, "--quiet", *SMALL], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and p.poll() is None:
        step = last_logged_step(run_dir)
        if step > 20 and step % 20 != 0 and (run_dir / "checkpoint" / "last.ckpt").exists():
            p.send_signal(sig)
            break
        time.sleep(0.002)
    p.wait(timeout=300)
    assert p.returncode != 0, f"the run finished before the stop landed; make it longer: {p.stderr.read()}"
    return run_dir


@pytest.fixture(scope="session")
def runs(tmp_path_factory):
    """Three runs of one experiment folder: `whole` (left alone), `killed` (kill -9 after a
    checkpoint, then --resume) and `stopped` (SIGINT, then --resume)."""
    assert BIN.exists(), f"{BIN} does not exist; build rnnlab first (swift build)"
    results = tmp_path_factory.mktemp("results")
    rnnlab("run", ROOT / "experiments" / "quickstart.yaml", "--results", results, "--name", "whole", "--quiet", *SMALL)
    killed = start_and_stop(results, "killed", signal.SIGKILL)
    killed_events_before = sorted((killed / "tensorboard").iterdir())
    rnnlab("run", "--resume", killed, "--quiet")
    stopped = start_and_stop(results, "stopped", signal.SIGINT)
    rnnlab("run", "--resume", stopped, "--quiet")
    return {"root": results / "quickstart", "whole": results / "quickstart" / "whole", "killed": killed,
            "stopped": stopped, "killed_events_before": killed_events_before}


@pytest.fixture(scope="session")
def report(tmp_path_factory):
    """The demo sweep (experiments/tied-vs-untied.yaml) shrunk to seconds with --set, and its
    report: the folder holding report.html, runs.csv, and the experiment folder of the runs."""
    assert BIN.exists(), f"{BIN} does not exist; build rnnlab first (swift build)"
    results = tmp_path_factory.mktemp("sweep")
    rnnlab("sweep", ROOT / "experiments" / "tied-vs-untied.yaml", "--results", results, "--jobs", "2",
           "--set", "data.train_tokens=12000", "--set", "data.valid_tokens=1500", "--set", "data.test_tokens=1500",
           "--set", "data.words=300", "--set", "training.epochs=1", "--set", "training.log_every=5",
           "--set", "training.eval_every=10", "--set", "sweep.seeds=2")
    out = results / "report"
    rnnlab("report", results / "tied-vs-untied", "--output", out)
    return {"output": out, "runs": results / "tied-vs-untied"}
