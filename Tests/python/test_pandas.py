"""metrics.csv, evals.csv and runs.csv load with a plain `pandas.read_csv` with the right
dtypes, and the docs/results-tree.md snippet that plots two runs' validation curves runs."""
import re

import numpy as np
import pandas as pd

from conftest import ROOT

METRICS = {"step": "int", "epoch": "float", "tokens": "int", "train_loss": "float", "train_ppl": "float",
           "lr": "float", "grad_norm": "float", "tokens_per_sec": "float", "elapsed_s": "float"}
EVALS = {"step": "int", "epoch": "int", "tokens": "int", "split": "str", "loss": "float", "ppl": "float"}
RUNS = {"experiment": "str", "run": "str", "path": "str",
        "model.embedding_size": "int", "model.hidden_size": "int", "model.tied": "bool", "seed": "int",
        "params": "int", "best_valid_ppl": "float", "valid_ppl": "float", "test_ppl": "float",
        "floor_ppl": "float", "train_tokens_per_sec": "float", "wall_seconds": "float", "steps": "int",
        "tokens_trained": "int", "status": "str"}


def kind(dtype):
    """int, float, bool or str (pandas 2 reads text as object, pandas 3 as str)."""
    types = pd.api.types
    if types.is_bool_dtype(dtype):
        return "bool"
    if types.is_integer_dtype(dtype):
        return "int" if dtype == "int64" else str(dtype)
    if types.is_float_dtype(dtype):
        return "float" if dtype == "float64" else str(dtype)
    return "str" if types.is_string_dtype(dtype) or types.is_object_dtype(dtype) else str(dtype)


def dtypes(frame):
    return {name: kind(t) for name, t in frame.dtypes.items()}


def test_run_files_load_with_their_dtypes(runs):
    for name in ("whole", "killed", "stopped"):
        metrics = pd.read_csv(runs[name] / "metrics.csv")
        evals = pd.read_csv(runs[name] / "evals.csv")
        assert dtypes(metrics) == METRICS
        assert dtypes(evals) == EVALS
        assert metrics["step"].is_monotonic_increasing and metrics["step"].is_unique
        assert set(evals["split"]) == {"valid", "test"}
        assert np.allclose(evals["ppl"], np.exp(evals["loss"]), rtol=1e-5)


def test_runs_csv_loads_with_its_dtypes(report):
    runs = pd.read_csv(report["output"] / "runs.csv")
    assert dtypes(runs) == RUNS
    assert len(runs) == 8 and set(runs["status"]) == {"completed"}
    assert runs["floor_ppl"].notna().all() and (runs["test_ppl"] > runs["floor_ppl"]).all()


def test_documented_plot_snippet_runs(report, tmp_path, monkeypatch):
    """The three lines in docs/results-tree.md, run as written from the results folder."""
    text = (ROOT / "docs" / "results-tree.md").read_text()
    block = re.search(r"<!-- pandas-snippet -->\n```python\n(.*?)```", text, re.S)
    assert block, "docs/results-tree.md has no pandas snippet block"
    code = block.group(1)
    assert len([l for l in code.splitlines() if l.strip() and not l.startswith("#")]) == 3
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    runs = sorted(p.name for p in report["runs"].iterdir() if (p / "evals.csv").exists())
    code = code.replace("results/tied-vs-untied", str(report["runs"]))
    code = re.sub(r"\[\"[^\"]*\", \"[^\"]*\"\]", repr(runs[:2]).replace("'", '"'), code, count=1)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "results-tree.md", "exec"), {})
    axes = plt.gca()
    assert len(axes.get_lines()) == 2
    assert [l.get_label() for l in axes.get_lines()] == runs[:2]
    plt.savefig(tmp_path / "curves.png")
