"""rnnlab's TensorBoard event files, read with TensorBoard's own reader (EventAccumulator and
EventMultiplexer), checked value by value against metrics.csv and evals.csv of real runs: one
left alone, one killed with SIGKILL and resumed, one stopped with SIGINT and resumed."""
import pandas as pd
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.backend.event_processing.plugin_event_multiplexer import EventMultiplexer
from tensorboard.util import tensor_util

from conftest import ROOT, rnnlab

# Each CSV column's printf format bounds how far the written value is from the exact one.
TRAIN = {  # tag: (metrics.csv column, half a unit of its last written digit; None: %.6g)
    "train/loss": ("train_loss", 0.5e-6),
    "train/perplexity": ("train_ppl", 0.5e-4),
    "train/learning_rate": ("lr", None),
    "train/grad_norm": ("grad_norm", 0.5e-6),
    "train/tokens_per_sec": ("tokens_per_sec", 0.05),
}


def close(tb, csv, rounding):
    """Whether a float32 TensorBoard value matches a CSV value written with `rounding`."""
    allowed = (abs(csv) * 0.5e-5 if rounding is None else rounding) + abs(csv) * 2 ** -23
    return abs(tb - csv) <= allowed


def accumulator(run_dir):
    acc = EventAccumulator(str(run_dir / "tensorboard"), size_guidance={"scalars": 0, "tensors": 0})
    acc.Reload()
    return acc


def check_against_csv(run_dir, min_rows=10):
    acc = accumulator(run_dir)
    metrics = pd.read_csv(run_dir / "metrics.csv")
    evals = pd.read_csv(run_dir / "evals.csv")
    assert len(metrics) >= min_rows
    for tag, (column, rounding) in TRAIN.items():
        events = acc.Scalars(tag)
        steps = [e.step for e in events]
        assert steps == list(metrics["step"]), f"{run_dir.name} {tag}: steps {steps} vs metrics.csv {list(metrics['step'])}"
        for e, want in zip(events, metrics[column]):
            assert close(e.value, want, rounding), f"{run_dir.name} {tag} at step {e.step}: {e.value} vs {want}"
    for split in ("valid", "test"):
        rows = evals[evals["split"] == split]
        assert len(rows) >= 1, f"{run_dir.name}: no {split} rows"
        for tag, column, rounding in ((f"{split}/loss", "loss", 0.5e-6), (f"{split}/perplexity", "ppl", 0.5e-4)):
            events = acc.Scalars(tag)
            assert [e.step for e in events] == list(rows["step"]), f"{run_dir.name} {tag}"
            for e, want in zip(events, rows[column]):
                assert close(e.value, want, rounding), f"{run_dir.name} {tag} at step {e.step}: {e.value} vs {want}"
    expected_tags = set(TRAIN) | {"valid/loss", "valid/perplexity", "test/loss", "test/perplexity"}
    assert set(acc.Tags()["scalars"]) == expected_tags
    # The resolved experiment, once, as the Text dashboard's tensor: a Markdown code block.
    config = acc.Tensors("config")
    assert [e.step for e in config] == [0]
    text = tensor_util.make_ndarray(config[0].tensor_proto).item().decode()
    assert "\n".join(line[4:] for line in text.split("\n")) == (run_dir / "config.yaml").read_text()
    assert acc.SummaryMetadata("config").plugin_data.plugin_name == "text"
    return acc


def test_uninterrupted_run_matches_its_csv_files(runs):
    acc = check_against_csv(runs["whole"])
    assert acc.file_version == 2.0


@pytest.mark.parametrize("name", ["killed", "stopped"])
def test_resumed_run_has_every_step_once_and_matches_its_csv_files(runs, name):
    run_dir = runs[name]
    files = sorted(p.name for p in (run_dir / "tensorboard").iterdir())
    assert len(files) == 2, f"one event file per process: {files}"
    check_against_csv(run_dir)
    # Exact resume: the same losses as the run left alone, step for step.
    whole, resumed = accumulator(runs["whole"]), accumulator(run_dir)
    for tag in ("train/loss", "valid/perplexity", "test/perplexity"):
        assert [(e.step, e.value) for e in resumed.Scalars(tag)] == [(e.step, e.value) for e in whole.Scalars(tag)], tag


def test_kill_left_events_after_the_checkpoint_that_resume_cut(runs):
    """The killed process had logged steps after its last checkpoint (the stop is sent then);
    its file was cut back, and no step appears in both files (checked above)."""
    files = runs["killed_events_before"]
    assert len(files) == 1
    acc = EventAccumulator(str(runs["killed"] / "tensorboard" / files[0].name), size_guidance={"scalars": 0})
    acc.Reload()
    steps = [e.step for e in acc.Scalars("train/loss")]
    assert steps and steps[-1] % 20 == 0, f"the first process's file keeps steps up to its checkpoint only: {steps}"


def test_experiment_folder_shows_each_run_separately(runs):
    """What `tensorboard --logdir <experiment or sweep folder>` loads (the server's multiplexer):
    one run per run folder, each with its scalars (for the Scalars dashboard) and its text."""
    mux = EventMultiplexer(size_guidance={"tensors": 0})
    mux.AddRunsFromDirectory(str(runs["root"]))
    mux.Reload()
    names = ["killed/tensorboard", "stopped/tensorboard", "whole/tensorboard"]
    assert sorted(mux.Runs()) == names
    scalars = mux.PluginRunToTagToContent("scalars")
    assert sorted(scalars) == names
    assert all("valid/perplexity" in scalars[run] and "train/loss" in scalars[run] for run in names)
    assert sorted(mux.PluginRunToTagToContent("text")) == names


def one_sentence(r):
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert r.returncode == 1 and len(lines) == 1, f"exit {r.returncode}, stderr: {r.stderr!r}"
    return lines[0]


def interrupted_copy(runs, tmp_path, name):
    import shutil
    target = tmp_path / name
    shutil.copytree(runs["whole"], target)
    summary = (target / "summary.json").read_text().replace('"status" : "completed"', '"status" : "interrupted"')
    (target / "summary.json").write_text(summary)
    return target


def test_tensorboard_folder_that_is_a_file_stops_a_resume_with_one_sentence(runs, tmp_path):
    run_dir = interrupted_copy(runs, tmp_path, "tbfile")
    import shutil
    shutil.rmtree(run_dir / "tensorboard")
    (run_dir / "tensorboard").write_text("not a folder\n")
    r = rnnlab("run", "--resume", run_dir, check=False)
    folder = run_dir / "tensorboard"
    assert one_sentence(r) == (f"rnnlab: error: the TensorBoard folder {folder} is a file, not a folder; "
                               "remove or repair it (rnnlab recreates it), or move it away to keep it.")
    assert (run_dir / "tensorboard").read_text() == "not a folder\n"
    pd.read_csv(run_dir / "metrics.csv"), pd.read_csv(run_dir / "evals.csv")   # still whole


def test_unreadable_event_file_stops_a_resume_with_one_sentence(runs, tmp_path):
    run_dir = interrupted_copy(runs, tmp_path, "tbunreadable")
    # A folder where an event file should be: unreadable even for root (CI runs as root, so
    # permission bits alone would not stop it).
    bad = run_dir / "tensorboard" / "events.out.tfevents.0000000001.host.1.0"
    bad.mkdir()
    r = rnnlab("run", "--resume", run_dir, check=False)
    assert one_sentence(r) == (f"rnnlab: error: the TensorBoard event file {bad} cannot be read (permission denied, or not a file?); "
                               "remove or repair it (rnnlab recreates it), or move it away to keep it.")
    assert len([p for p in (run_dir / "tensorboard").iterdir() if p.is_file()]) == 1, "no new event file"


def test_sweep_run_two_at_a_time_are_separate_tensorboard_runs(report):
    """The demo sweep ran with --jobs 2: every run folder has its own tensorboard/ with one
    event file, and the sweep folder as --logdir shows each run once."""
    folders = sorted(p for p in report["runs"].iterdir() if (p / "summary.json").exists())
    assert len(folders) == 8
    for folder in folders:
        assert len(list((folder / "tensorboard").iterdir())) == 1, folder
    mux = EventMultiplexer(size_guidance={"tensors": 0})
    mux.AddRunsFromDirectory(str(report["runs"]))
    mux.Reload()
    assert sorted(mux.Runs()) == sorted(f"{p.name}/tensorboard" for p in folders)
    for folder in folders:
        check_against_csv(folder, min_rows=3)
