"""bench/peers.py reads the peers' output right: a few lines captured from real PTB runs of
rnnlm-0.4b and faster-rnnlm (Tests/python/peer-output) fed through its segmenter and parsers with
made-up arrival times. The end-to-end test runs `peers.py --smoke` on the peer binaries named by
RNNLAB_RNNLM_04B and RNNLAB_FASTER_RNNLM and is skipped, saying so, when they are not given:
the project does not build the peers (bench/README.md says where to fetch them)."""
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import peers  # noqa: E402

SAMPLES = Path(__file__).resolve().parent / "peer-output"
PTB = Path(os.environ.get("RNNLAB_PTB_DIR", ROOT.parent / "shared" / "data" / "ptb"))


def writes(text):
    """The output cut the way the peers write it: a write begins at every '\\r' and after every '\\n'."""
    out, start = [], 0
    for k, c in enumerate(text):
        if c == "\r" and k > start:
            out.append(text[start:k])
            start = k
        elif c == "\n":
            out.append(text[start:k + 1])
            start = k + 1
    if start < len(text):
        out.append(text[start:])
    return out


def feed(log, text):
    """Feeds `text` to `log` one write per second (write k arrives at t = k); returns the segments."""
    seg, segments = peers.Segmenter(), []
    for k, chunk in enumerate(writes(text)):
        log.output(float(k))
        for t, s in seg.feed(chunk, float(k)):
            segments.append((t, s))
            log.feed(t, s)
    for t, s in seg.close():
        segments.append((t, s))
        log.feed(t, s)
    return segments


def sample(name):
    with open(SAMPLES / name, encoding="utf-8", newline="") as fh:   # keep the \r
        return fh.read()


def test_segments_are_timed_by_their_first_character():
    seg = peers.Segmenter()
    assert seg.feed("Initial entropy (bits) valid: 9.9\n", 0.0) == [(0.0, "Initial entropy (bits) valid: 9.9")]
    assert seg.feed("\rEpoch  1  progress:  5.39%  ", 1.0) == []
    # the next progress line ends the first; the validation figure is appended to the last one
    assert seg.feed("\rEpoch  1  progress: 10.80%  ", 2.0) == [(1.0, "Epoch  1  progress:  5.39%  ")]
    assert seg.feed("entropy (bits) ", 5.0) == []
    assert seg.feed("valid:  8.3  elapsed: 1.0s+0.1s", 6.0) == []
    assert seg.feed("\n", 7.0) == [(2.0, "Epoch  1  progress: 10.80%  entropy (bits) valid:  8.3  elapsed: 1.0s+0.1s")]
    assert seg.close() == []


def test_rnnlm_04b_training_output():
    log = peers.RnnlmLog()
    text = sample("rnnlm-0.4b-train.stdout")
    segments = feed(log, text)
    assert log.train_words == 929589
    # a progress line is printed when the word counter is a multiple of 10,000 (the sample
    # keeps the first three and the last of the epoch's 92)
    points = log.points[1]
    assert [w for _, w in points] == [10000, 20000, 30000, 920000]
    (t0, w0), (t1, w1) = points[0], points[-1]
    assert log.epochs[0]["words_per_sec"] == pytest.approx((w1 - w0) / (t1 - t0))
    last = [s for _, s in segments if "VALID entropy" in s][-1]
    bits = float(last.split("VALID entropy:")[1])
    epoch = log.epochs[-1]
    assert len(log.epochs) == text.count("VALID entropy")
    assert epoch["epoch"] == int(last.split("Iter:")[1].split()[0]) + 1
    assert epoch["valid_ppl"] == pytest.approx(2 ** bits)
    assert epoch["reported_words_per_sec"] == float(last.split("Words/sec:")[1].split()[0])
    assert log.words_per_sec() == pytest.approx(sum(
        (p[-1][1] - p[0][1]) for p in log.points.values()) / sum((p[-1][0] - p[0][0]) for p in log.points.values()))
    assert not log.saving   # rnnlm-0.4b writes a temporary file and renames it


def test_faster_rnnlm_training_output():
    text = sample("faster-rnnlm-hs-train.stderr")
    log = peers.FasterLog(train_words=929589)
    feed(log, text)
    assert log.initial_valid_bits == pytest.approx(float(text.split("valid:")[1].split()[0]))
    valid_lines = [l for l in text.split("\n") if "elapsed:" in l]
    assert len(log.epochs) == len(valid_lines) >= 2
    for e, line in zip(log.epochs, valid_lines):
        bits = float(line.split("valid:")[1].split()[0])
        assert e["valid_ppl"] == pytest.approx(2 ** bits)
        assert e["train_seconds"] == float(line.split("elapsed:")[1].split("s+")[0])
        assert e["rejected"] == ("Awful" in line)
        # words from the progress fraction of the last and first progress lines, one write a second
        progress = [float(p.split("progress:")[1].split("%")[0]) for p in line.split("\r") if "progress:" in p]
        seconds = len(progress) - 1
        assert e["words_per_sec"] == pytest.approx((progress[-1] - progress[0]) / 100 * 929589 / seconds)
        assert e["reported_words_per_sec"] == float(line.split("Kwords/sec")[-2].split()[-1]) * 1000


def test_faster_rnnlm_kill_waits_for_the_output_after_an_epoch():
    log = peers.FasterLog(train_words=929589)
    seg = peers.Segmenter()
    for chunk in ["Initial entropy (bits) valid:  9.97577\n", "\rEpoch  1  lr: 1.00e-01/1.00e-01  progress:  96.82%  57.39 Kwords/sec  ",
                  "entropy (bits) ", "valid:  8.34627", "  elapsed: 16.1s+0.8s", "\n"]:
        log.output(0.0)
        for t, s in seg.feed(chunk, 0.0):
            log.feed(t, s)
    assert log.saving, "after an epoch's line faster-rnnlm writes its model file"
    log.output(1.0)
    assert not log.saving


def test_faster_rnnlm_rejected_epoch_and_minutes():
    log = peers.FasterLog(train_words=100)
    log.feed(0.0, "Epoch 3  lr: 2.50e-02/2.50e-02  progress:  96.82%  57.39 Kwords/sec  "
                  "entropy (bits) valid:      nan  elapsed: 17.2m+1.5m\tAwful: Nnet rejected")
    e = log.epochs[0]
    assert e["rejected"] and e["valid_ppl"] is None and e["valid_entropy_bits"] is None
    assert e["train_seconds"] == pytest.approx(17.2 * 60) and e["valid_seconds"] == pytest.approx(90)
    assert not log.saving, "a rejected epoch is not saved"


def test_test_mode_output():
    assert peers.rnnlm_test_ppl(sample("rnnlm-0.4b-test.stdout")) == pytest.approx(
        float(sample("rnnlm-0.4b-test.stdout").split("PPL net:")[1]))
    text = sample("faster-rnnlm-test.stderr")
    assert peers.faster_test_ppl(text) == pytest.approx(2 ** float(text.split("Test entropy")[1]))
    assert peers.faster_test_ppl("Use -nce-accurate-test to calculate entropy\n") is None
    assert peers.rnnlm_test_ppl("ERROR: model file 'model' not found!\n") is None


def test_machine_description():
    info = "processor\t: 0\nmodel name\t: AMD EPYC 9R14\nflags\t\t: fpu sse4_1 avx avx2 fma avx512f amx_tile sha_ni\n" \
           "processor\t: 1\nmodel name\t: other\nflags\t\t: fpu\n"
    m = peers.machine(info)
    assert m["cpu_model"] == "AMD EPYC 9R14"
    assert m["vector_flags"] == ["sse4_1", "avx", "avx2", "fma", "avx512f", "amx_tile"]
    assert m["cores"] >= 1


def test_flags_are_the_documented_ones():
    class A:
        hidden, classes, seed, epochs, save_every_words, threads, nce_samples = 200, 100, 1, None, None, 1, 20
    files = {"train": "tr", "valid": "va"}
    assert " ".join(peers.train_args("rnnlm-0.4b", "m", files, A)) == \
        "-train tr -valid va -rnnlm m -hidden 200 -class 100 -bptt 4 -bptt-block 10 -rand-seed 1 -debug 2 -binary"
    hs = " ".join(peers.train_args("faster-rnnlm-hs", "m", files, A))
    assert hs == ("-rnnlm m -train tr -valid va -hidden 200 -hidden-type sigmoid -nce 0 -direct 0 -threads 1 "
                  "-bptt 4 -bptt-skip 10 -alpha 0.1 -beta 1e-6 -seed 1")
    assert " ".join(peers.train_args("faster-rnnlm-nce", "m", files, A)) == hs.replace("-nce 0", "-nce 20")
    assert peers.test_args("faster-rnnlm-nce", "m", "te") == ["-rnnlm", "m", "-test", "te", "-nce-accurate-test", "1"]
    assert peers.test_args("rnnlm-0.4b", "m", "te") == ["-rnnlm", "m", "-test", "te"]


def test_a_missing_binary_is_named():
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "peers.py"), "--faster-rnnlm", "/nonexistent/rnnlm",
                        "--data-dir", str(PTB)], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and r.stdout == ""
    assert "--faster-rnnlm /nonexistent/rnnlm: not an executable file" in r.stderr


def peer_binaries():
    given = {"--rnnlm-0.4b": os.environ.get("RNNLAB_RNNLM_04B"), "--faster-rnnlm": os.environ.get("RNNLAB_FASTER_RNNLM")}
    present = {flag: path for flag, path in given.items() if path and os.access(path, os.X_OK)}
    return given, present


def test_smoke_run_of_the_given_peers():
    given, present = peer_binaries()
    if not present:
        pytest.skip("no peer binaries: set RNNLAB_RNNLM_04B and/or RNNLAB_FASTER_RNNLM to rnnlm-0.4b's and "
                    f"faster-rnnlm's rnnlm binaries to run peers.py --smoke (given: {given})")
    if not (PTB / "ptb.train.txt").exists():
        pytest.skip(f"no PTB files in {PTB} (set RNNLAB_PTB_DIR)")
    argv = [sys.executable, str(ROOT / "bench" / "peers.py"), "--data-dir", str(PTB), "--smoke"]
    for flag, path in present.items():
        argv += [flag, path]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    records = [json.loads(line) for line in r.stdout.splitlines()]
    expected = (["rnnlm-0.4b"] if "--rnnlm-0.4b" in present else []) + \
               (["faster-rnnlm-hs", "faster-rnnlm-nce"] if "--faster-rnnlm" in present else [])
    assert [d["system"] for d in records] == expected
    for d in records:
        assert d["stopped"] == "epoch_limit" and d["epochs_completed"] == 2, d
        assert d["train_words_per_epoch"] == 133480
        assert d["train_words_per_sec"] > 0 and d["reported_words_per_sec"] > 0
        # the saved model is the second epoch's: the tool's test mode on the valid file says
        # what its training said (up to the last digits printed)
        assert d["valid_ppl"] == pytest.approx(d["epochs"][-1]["valid_ppl"], rel=2e-4)
        assert d["epochs"][1]["valid_ppl"] < d["epochs"][0]["valid_ppl"]
        assert 50 < d["test_ppl"] < 2000 and math.isfinite(d["test_ppl"])
        assert d["cpu_model"] and d["load_average_start"] and d["load_average_end"]
