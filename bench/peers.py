#!/usr/bin/env python3
"""Peers side by side: Mikolov's rnnlm-0.4b and faster-rnnlm trained on the PTB files, timed and scored.

Systems: rnnlm-0.4b (--rnnlm-0.4b PATH): -hidden H -class 100 -bptt 4 -bptt-block 10 -binary -debug 2;
         faster-rnnlm-hs and faster-rnnlm-nce (--faster-rnnlm PATH): sigmoid, -nce 0 (hierarchical
         softmax) or -nce 20, -direct 0 -bptt 4 -bptt-skip 10 -alpha 0.1 -beta 1e-6 -threads 1.
         The binaries are built by the user (bench/README.md names the commits); this script only
         runs the binaries whose paths it is given, each in a fresh folder (both resume from an
         existing model file).
Stops:   by themselves when validation stops improving; --time-limit kills the training after that
         many seconds of wall time, --epochs after that many epochs (rnnlm-0.4b's -max-iter;
         faster-rnnlm has no such flag and is killed). faster-rnnlm rewrites its model file in
         place after each epoch's validation line: a kill waits for the output after that line
         (up to 50,000 more words of training), which proves the file written, and never lands
         while a peer has its model file open (SIGSTOP, a look at /proc/<pid>/fd, then SIGKILL
         or SIGCONT). Wall time includes the peers' own validation passes.
Scores:  the model file saved last, evaluated by the tool's own test mode on the valid and test
         files: rnnlm-0.4b's "PPL net", faster-rnnlm's "Test entropy" in bits (2^bits), NCE with
         -nce-accurate-test 1 (exactly normalised). The per-epoch validation figures printed
         during training are recorded too.
Speed:   words/s of training, wall clock: between the first and the last progress line of each
         epoch (rnnlm-0.4b prints one every 10,000 words, faster-rnnlm every 50,000), timed as
         they arrive; a word is a token or an end of sentence. The tools' own figures are kept
         as reported_words_per_sec: rnnlm-0.4b divides by CPU time (clock()), so on a busy
         machine it is higher than the wall-clock figure; faster-rnnlm's is wall clock.
Output:  one JSON object per run on stdout (sorted keys), with the CPU model and vector flags
         (/proc/cpuinfo) and the load average at the start and the end of the run.
Will not: build the peers, run them on anything but word-level files with one sentence per
         line, or say anything about a machine other than the one it ran on.
"""
import argparse
import hashlib
import json
import math
import os
import queue
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

SYSTEMS = ("rnnlm-0.4b", "faster-rnnlm-hs", "faster-rnnlm-nce")

# The model file's name in each run's folder.
MODEL = "model"

# How long a kill waits for a peer to finish writing its model file.
SAVE_WAIT_SECONDS = 120


def emit(obj):
    sys.stdout.write(json.dumps(obj, sort_keys=True) + "\n")
    sys.stdout.flush()


def finite(x):
    """x, or None when it is NaN or infinite (JSON has neither)."""
    return x if x is not None and math.isfinite(x) else None


def ppl_from_bits(bits):
    return finite(2.0 ** bits) if math.isfinite(bits) else None


# ----------------------------------------------------------------------------
# machine
# ----------------------------------------------------------------------------

def machine(cpuinfo_text=None):
    """CPU model, vector flags (SSE4, AVX*, FMA, AMX*, in /proc order) and cores, as `rnnlab bench` prints them."""
    if cpuinfo_text is None:
        try:
            with open("/proc/cpuinfo", encoding="utf-8") as fh:
                cpuinfo_text = fh.read()
        except OSError:
            cpuinfo_text = ""
    model, flags = "unknown", []
    for line in cpuinfo_text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip(), value.strip()
        if key == "model name" and model == "unknown":
            model = value
        if key == "flags" and not flags:
            flags = value.split()
    vector = [f for f in flags if f.startswith(("sse4", "avx", "amx")) or f == "fma"]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cpu_model": model, "vector_flags": vector, "cores": cores}


def load_average():
    """The 1, 5 and 15 minute load averages, "0.52 0.80 1.10", or "unknown"."""
    try:
        with open("/proc/loadavg", encoding="utf-8") as fh:
            return " ".join(fh.read().split()[:3])
    except OSError:
        return "unknown"


# ----------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------

def split_path(data_dir, name):
    for cand in (f"ptb.{name}.txt", f"{name}.txt"):
        p = os.path.join(data_dir, cand)
        if os.path.exists(p):
            return os.path.abspath(p)
    raise SystemExit(f"peers.py: no {name} file (ptb.{name}.txt or {name}.txt) in {data_dir}")


def count_words(path):
    """Tokens plus one end of sentence per non-empty line: what both peers train on and score."""
    n = 0
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            k = len(line.split())
            n += k + 1 if k else 0
    return n


def smoke_corpus(data_dir, folder):
    """The first 6,000 training lines (about 130,000 words: a few progress lines of each peer) and
    the first 300 validation and test lines, copied into `folder`."""
    os.makedirs(folder, exist_ok=True)
    files = {}
    for name, lines in (("train", 6000), ("valid", 300), ("test", 300)):
        dst = os.path.join(folder, f"{name}.txt")
        with open(split_path(data_dir, name), encoding="utf-8") as src, open(dst, "w", encoding="utf-8") as out:
            for k, line in enumerate(src):
                if k == lines:
                    break
                out.write(line)
        files[name] = dst
    return files


# ----------------------------------------------------------------------------
# command lines
# ----------------------------------------------------------------------------

def train_args(system, model, files, args):
    """The training command's arguments (after the binary)."""
    if system == "rnnlm-0.4b":
        a = ["-train", files["train"], "-valid", files["valid"], "-rnnlm", model,
             "-hidden", str(args.hidden), "-class", str(args.classes), "-bptt", "4", "-bptt-block", "10",
             "-rand-seed", str(args.seed), "-debug", "2", "-binary"]
        if args.epochs:
            a += ["-max-iter", str(args.epochs)]
        if args.save_every_words:
            a += ["-anti-kasparek", str(args.save_every_words)]
        return a
    nce = "20" if system == "faster-rnnlm-nce" else "0"
    if system == "faster-rnnlm-nce" and args.nce_samples:
        nce = str(args.nce_samples)
    return ["-rnnlm", model, "-train", files["train"], "-valid", files["valid"],
            "-hidden", str(args.hidden), "-hidden-type", "sigmoid", "-nce", nce, "-direct", "0",
            "-threads", str(args.threads), "-bptt", "4", "-bptt-skip", "10", "-alpha", "0.1",
            "-beta", "1e-6", "-seed", str(args.seed)]


def test_args(system, model, path):
    """The evaluation command's arguments: the tool's test mode on `path` with the saved model."""
    a = ["-rnnlm", model, "-test", path]
    if system == "faster-rnnlm-nce":
        a += ["-nce-accurate-test", "1"]
    return a


def model_files(system, model):
    """The files a saved model consists of."""
    return [model] if system == "rnnlm-0.4b" else [model, model + ".nnet"]


# ----------------------------------------------------------------------------
# output
# ----------------------------------------------------------------------------

class Segmenter:
    """Cuts a stream into segments at every carriage return or newline (both peers redraw their
    progress line with '\\r'). A segment is timed by the arrival of its first character: a
    progress line is written at once, but what follows it on the same line may come much later
    (faster-rnnlm appends the epoch's validation figure to its last progress line)."""

    def __init__(self):
        self.pending, self.pending_t = "", None

    def feed(self, text, t):
        """The segments that `text`, arrived at time t, completes: [(time, text)]."""
        parts = re.split(r"[\r\n]", text)
        out = []
        if parts[0] and not self.pending:
            self.pending_t = t
        self.pending += parts[0]
        for part in parts[1:]:
            if self.pending.strip():
                out.append((self.pending_t, self.pending))
            self.pending, self.pending_t = part, t
        return out

    def close(self):
        out = [(self.pending_t, self.pending)] if self.pending.strip() else []
        self.pending, self.pending_t = "", None
        return out


class TrainingLog:
    """What a peer's training output says: progress points (arrival time, words done in the
    epoch), the tool's own words/s, and each finished epoch's validation entropy."""

    def __init__(self, train_words=None):
        self.train_words = train_words
        self.epochs = []        # finished epochs: {"epoch", "valid_ppl", "words_per_sec", "reported_words_per_sec", ...}
        self.points = {}        # epoch -> [(t, words)] from its progress lines
        self.reported = {}      # epoch -> the tool's last words/s figure for it
        self.saving = False     # the last epoch's model file may not be written yet
        self.epoch_times = []   # seconds from launch at which each finished epoch's line arrived (train() fills it)
        self.started = 0.0      # the launch, on time.monotonic()'s clock (train() sets it)

    def output(self, t):
        """Any output arrived at time t (before its segments are fed)."""

    def feed(self, t, text):
        raise NotImplementedError

    def progress(self, epoch, t, words, reported):
        self.points.setdefault(epoch, []).append((t, words))
        self.reported[epoch] = reported

    def slope(self, epoch):
        """(words, seconds) between the epoch's first and last progress line, or None."""
        pts = self.points.get(epoch, [])
        if len(pts) < 2 or pts[-1][0] <= pts[0][0]:
            return None
        return pts[-1][1] - pts[0][1], pts[-1][0] - pts[0][0]

    def finish_epoch(self, epoch, valid_bits, **extra):
        s = self.slope(epoch)
        self.epochs.append({"epoch": epoch, "valid_entropy_bits": finite(valid_bits),
                            "valid_ppl": ppl_from_bits(valid_bits),
                            "words_per_sec": s[0] / s[1] if s else None,
                            "reported_words_per_sec": self.reported.get(epoch), **extra})

    def words_per_sec(self):
        """Σ words / Σ seconds over every epoch's progress lines (a partial last epoch included)."""
        spans = [s for s in (self.slope(e) for e in self.points) if s]
        seconds = sum(s[1] for s in spans)
        return sum(s[0] for s in spans) / seconds if seconds > 0 else None

    def words_done(self, elapsed):
        """Words trained `elapsed` seconds after launch (log.started): every epoch whose line had
        arrived by then, plus the last progress line of the epoch in progress."""
        t = self.started + elapsed
        finished = sum(1 for s in self.epoch_times if s <= elapsed)
        partial = max((w for ti, w in self.points.get(finished + 1, []) if ti <= t), default=0)
        return finished * (self.train_words or 0) + partial

    def words_per_sec_until(self, elapsed):
        """words_per_sec() over the progress lines that had arrived `elapsed` seconds after launch."""
        t = self.started + elapsed
        spans = []
        for pts in self.points.values():
            pts = [p for p in pts if p[0] <= t]
            if len(pts) >= 2 and pts[-1][0] > pts[0][0]:
                spans.append((pts[-1][1] - pts[0][1], pts[-1][0] - pts[0][0]))
        seconds = sum(s[1] for s in spans)
        return sum(s[0] for s in spans) / seconds if seconds > 0 else None

    def reported_words_per_sec(self):
        """The median of the tool's own figure at the end of each finished epoch (of the last
        progress line when no epoch finished)."""
        vals = sorted(e["reported_words_per_sec"] for e in self.epochs if e["reported_words_per_sec"])
        if not vals:
            vals = sorted(self.reported.values())
        if not vals:
            return None
        m = len(vals) // 2
        return vals[m] if len(vals) % 2 else (vals[m - 1] + vals[m]) / 2


class RnnlmLog(TrainingLog):
    """rnnlm-0.4b (-debug 2), on stdout:
        Words in train file: 929589
        Iter:   0\tAlpha: 0.100000\t   TRAIN entropy: 7.9  Progress: 1.08%   Words/sec: 8301.2     (every 10,000 words)
        Iter:   0\tAlpha: 0.100000\t   TRAIN entropy: 7.1    Words/sec: 8290.0   VALID entropy: 7.4 (epoch end)
    Its Words/sec divides by clock(), the process's CPU time. It writes its model file under a
    temporary name and renames it, so a kill never leaves a half-written one."""

    WORDS = re.compile(r"Words in train file:\s*(\d+)")
    PROGRESS = re.compile(r"Iter:\s*(\d+)\s+Alpha:\s*(\S+)\s+TRAIN entropy:\s*(\S+)\s+"
                          r"Progress:\s*([\d.]+)%\s+Words/sec:\s*([\d.]+)")
    EPOCH = re.compile(r"Iter:\s*(\d+)\s+Alpha:\s*(\S+)\s+TRAIN entropy:\s*(\S+)\s+"
                       r"Words/sec:\s*([\d.]+)\s+VALID entropy:\s*(\S+)")
    reported_clock = "cpu"

    def feed(self, t, text):
        m = self.WORDS.search(text)
        if m:
            self.train_words = int(m.group(1))
            return
        m = self.EPOCH.search(text)
        if m:
            epoch = int(m.group(1)) + 1
            self.reported[epoch] = float(m.group(4))
            self.finish_epoch(epoch, float(m.group(5)), lr=float(m.group(2)),
                              train_entropy_bits=finite(float(m.group(3))))
            return
        m = self.PROGRESS.search(text)
        if m and self.train_words:
            # the line is printed when the word counter is a multiple of 10,000
            words = round(float(m.group(4)) / 100 * self.train_words / 10000) * 10000
            self.progress(int(m.group(1)) + 1, t, words, float(m.group(5)))


def seconds(value, unit):
    return float(value) * {"s": 1, "m": 60, "h": 3600}[unit]


class FasterLog(TrainingLog):
    """faster-rnnlm, on stderr:
        Initial entropy (bits) valid: 13.29   (after the initial model file is written)
        Epoch  1  lr: 1.00e-01/1.00e-01  progress:  5.38%  101.39 Kwords/sec   (every 50,000 words)
        ... entropy (bits) valid:  7.6  elapsed: 9.1s+0.4s[\tBad: ...|\tAwful: Nnet rejected]   (epoch end)
    progress is a fraction of the training file's bytes; Kwords/sec is wall clock since the epoch
    began. After an epoch's line it rewrites its model file in place (unless the epoch was
    rejected): `saving` holds until the next output arrives, so that a kill leaves that epoch's
    model on disk."""

    PROGRESS = re.compile(r"Epoch\s+(\d+)\s+lr:\s*(\S+)/(\S+)\s+progress:\s*([\d.]+)%\s+([\d.]+)\s*Kwords/sec")
    VALID = re.compile(r"valid:\s*(\S+)\s+elapsed:\s*([\d.]+)([smh])\+([\d.]+)([smh])")
    INITIAL = re.compile(r"Initial entropy \(bits\) valid:\s*(\S+)")
    reported_clock = "wall"

    def __init__(self, train_words=None):
        super().__init__(train_words)
        self.initial_valid_bits = None
        self.lr = {}

    def output(self, t):
        self.saving = False

    def feed(self, t, text):
        m = self.INITIAL.search(text)
        if m:
            self.initial_valid_bits = float(m.group(1))
            return
        epoch = None
        m = self.PROGRESS.search(text)
        if m:
            epoch = int(m.group(1))
            self.lr[epoch] = float(m.group(2))
            if self.train_words:
                self.progress(epoch, t, float(m.group(4)) / 100 * self.train_words, float(m.group(5)) * 1000)
            else:
                self.reported[epoch] = float(m.group(5)) * 1000
        m = self.VALID.search(text)
        if m:
            if epoch is None:   # an epoch shorter than 50,000 words prints no "Epoch N"
                epoch = (self.epochs[-1]["epoch"] if self.epochs else 0) + 1
            rejected = "Awful" in text
            self.finish_epoch(epoch, float(m.group(1)), lr=self.lr.get(epoch),
                              train_seconds=seconds(m.group(2), m.group(3)),
                              valid_seconds=seconds(m.group(4), m.group(5)), rejected=rejected)
            self.saving = not rejected


def rnnlm_test_ppl(stdout):
    """rnnlm-0.4b's test mode: "PPL net: 141.2"."""
    m = re.search(r"PPL net:\s*(\S+)", stdout)
    return finite(float(m.group(1))) if m else None


def faster_test_ppl(stderr):
    """faster-rnnlm's test mode: "Test entropy 7.13" in bits (NCE prints it only with -nce-accurate-test 1)."""
    m = re.search(r"Test entropy\s+(\S+)", stderr)
    return ppl_from_bits(float(m.group(1))) if m else None


# ----------------------------------------------------------------------------
# running
# ----------------------------------------------------------------------------

def reader(stream, name, q):
    fd = stream.fileno()
    while True:
        chunk = os.read(fd, 65536)
        q.put((time.monotonic(), name, chunk or None))
        if not chunk:
            return


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def open_files(pid):
    """The paths a process has open (Linux's /proc), or None when they cannot be read."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return None
    paths = set()
    for fd in fds:
        try:
            paths.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            pass
    return paths


def process_state(pid):
    """The state letter of /proc/<pid>/stat ('R', 'S', 'T' stopped, ...), or None."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            return fh.read().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return None


def kill_between_saves(p, model_paths):
    """Stops the process (SIGSTOP), then kills it unless it has a model file open, that is, is
    writing it (faster-rnnlm rewrites its model file in place): then lets it go on (SIGCONT) and
    returns False, to be asked again. Where /proc cannot be read, kills at once."""
    p.send_signal(signal.SIGSTOP)
    deadline = time.monotonic() + 1
    while process_state(p.pid) not in ("T", "t", None) and time.monotonic() < deadline:
        time.sleep(0.001)
    files = open_files(p.pid)
    if files and files & set(model_paths):
        p.send_signal(signal.SIGCONT)
        return False
    p.kill()
    return True


class Snapshots:
    """Copies of the model file saved last, taken at marks (seconds after launch) while a peer
    trains, so that one run up to the last mark stands for separate runs killed at each mark
    (one thread of either peer trains deterministically). A copy is taken as a kill is made (see
    kill_between_saves): after the output that follows an epoch's line when faster-rnnlm is
    writing its model, with the process stopped and no model file open, then the process goes on.
    A mark reached after the peer stopped by itself gets its final model. `taken` holds, per mark:
    mark, seconds (when the copy was taken), epochs_completed, words (trained by then),
    load_average, model (the copy's path, or None) and note."""

    def __init__(self, marks, folder):
        self.marks = sorted(marks)
        self.folder = folder
        self.taken = []

    def due(self, elapsed):
        """The next mark is reached and not yet taken."""
        return len(self.taken) < len(self.marks) and elapsed >= self.marks[len(self.taken)]

    def take(self, model_paths, elapsed, log, note=None):
        """Copies the model files (if they all exist) into at-<k>/ and records the mark."""
        k = len(self.taken)
        dest = os.path.join(self.folder, f"at-{k + 1}")
        os.makedirs(dest, exist_ok=True)
        missing = [os.path.basename(m) for m in model_paths if not os.path.exists(m)]
        if not missing:
            for m in model_paths:
                shutil.copyfile(m, os.path.join(dest, os.path.basename(m)))
        else:
            note = (f"no model file yet ({', '.join(missing)} missing): rnnlm-0.4b saves after each epoch, "
                    "or every --save-every-words words"
                    + (f"; {note}" if note else ""))
        self.taken.append({"mark": self.marks[k], "seconds": elapsed, "epochs_completed": len(log.epochs),
                           "words": log.words_done(elapsed), "load_average": load_average(),
                           "model": None if missing else dest, "note": note})


def copy_between_saves(p, model_paths, snapshots, elapsed, log):
    """Stops the process (SIGSTOP) and takes the snapshot unless it has a model file open, then
    lets it go on (SIGCONT). Returns whether the snapshot was taken (else ask again)."""
    p.send_signal(signal.SIGSTOP)
    try:
        deadline = time.monotonic() + 1
        while process_state(p.pid) not in ("T", "t", None) and time.monotonic() < deadline:
            time.sleep(0.001)
        files = open_files(p.pid)
        if files and files & set(model_paths):
            return False
        snapshots.take(model_paths, elapsed, log)
        return True
    finally:
        p.send_signal(signal.SIGCONT)


def train(system, binary, argv, folder, log, args, snapshots=None):
    """Runs the training command in `folder`, feeding its output to `log`, killing it at the
    time or epoch limit, taking `snapshots` (a Snapshots, or None) at their marks. Returns (how
    it stopped, exit status, wall seconds, CPU seconds)."""
    cpu0 = children_cpu()
    t0 = time.monotonic()
    try:
        p = subprocess.Popen([binary, *argv], cwd=folder, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as error:
        raise SystemExit(f"peers.py: {system}: cannot run {binary}: {error.strerror}")
    q = queue.Queue()
    for stream, name in ((p.stdout, "stdout"), (p.stderr, "stderr")):
        threading.Thread(target=reader, args=(stream, name, q), daemon=True).start()
    segmenters = {"stdout": Segmenter(), "stderr": Segmenter()}
    raw = {name: open(os.path.join(folder, f"train.{name}"), "wb") for name in segmenters}
    model_paths = [os.path.join(os.path.realpath(folder), f) for f in model_files(system, MODEL)]
    kill_epochs = args.epochs if system != "rnnlm-0.4b" else None   # rnnlm-0.4b stops at -max-iter
    log.started = t0
    stop, stop_at, killed_at, open_streams = None, None, None, 2
    snap_wait = None    # when the pending snapshot's mark was seen
    while open_streams:
        try:
            t, name, chunk = q.get(timeout=0.05)
        except queue.Empty:
            t = None
        if t is not None:
            if chunk is None:
                open_streams -= 1
                segments = segmenters[name].close()
            else:
                raw[name].write(chunk)
                log.output(t)
                segments = segmenters[name].feed(chunk.decode("utf-8", "replace"), t)
            for ts, text in segments:
                log.feed(ts, text)
                while len(log.epoch_times) < len(log.epochs):
                    log.epoch_times.append(t - t0)   # when the line was whole, not when it began
        now = time.monotonic()
        if snapshots and killed_at is None and p.poll() is None and snapshots.due(now - t0):
            snap_wait = snap_wait or now
            if not log.saving or now - snap_wait > SAVE_WAIT_SECONDS:
                if copy_between_saves(p, model_paths, snapshots, now - t0, log):
                    snap_wait = None
            continue
        if stop is None and p.poll() is None:
            if args.time_limit and now - t0 >= args.time_limit:
                stop, stop_at = "time_limit", now
            elif kill_epochs and len(log.epochs) >= kill_epochs:
                stop, stop_at = "epoch_limit", now
        if stop and killed_at is None and p.poll() is None and (not log.saving or now - stop_at > SAVE_WAIT_SECONDS):
            if now - stop_at > SAVE_WAIT_SECONDS:
                p.kill()
                killed_at = now
            elif kill_between_saves(p, model_paths):
                killed_at = now
    status = p.wait()
    end = killed_at if killed_at is not None else time.monotonic()
    for fh in raw.values():
        fh.close()
    if killed_at is None:
        if status != 0:
            stop = "failed"
        elif args.epochs and len(log.epochs) >= args.epochs:
            stop = "epoch_limit"
        else:
            stop = "converged"
    if snapshots:
        # marks after the peer stopped (by itself, failing, or at the epoch limit): its final model
        while len(snapshots.taken) < len(snapshots.marks):
            note = (f"training failed (exit status {status}) at {end - t0:.1f} s" if stop == "failed"
                    else f"stopped by itself at {end - t0:.1f} s ({stop})" if killed_at is None
                    else f"killed at {end - t0:.1f} s ({stop}), before this mark")
            snapshots.take(model_paths, end - t0, log, note=note)
    return stop, status, end - t0, children_cpu() - cpu0


def evaluate(system, binary, model, path, folder):
    """(perplexity or None, seconds, the command's output tail on failure)."""
    t0 = time.monotonic()
    r = subprocess.run([binary, *test_args(system, model, path)], cwd=folder, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, errors="replace")
    elapsed = time.monotonic() - t0
    ppl = rnnlm_test_ppl(r.stdout) if system == "rnnlm-0.4b" else faster_test_ppl(r.stderr)
    tail = None if ppl is not None else (r.stdout[-400:] + r.stderr[-400:]).strip()
    return ppl, elapsed, tail


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run(system, binary, files, workdir, args, host):
    folder = os.path.join(workdir, system)
    shutil.rmtree(folder, ignore_errors=True)   # both peers resume from a model file they find
    os.makedirs(folder)
    model = MODEL
    train_words = count_words(files["train"])
    log = RnnlmLog(train_words) if system == "rnnlm-0.4b" else FasterLog(train_words)
    argv = train_args(system, model, files, args)
    load_start = load_average()
    stop, status, wall, cpu = train(system, binary, argv, folder, log, args)
    record = {"event": "peer", "system": system, "binary": os.path.abspath(binary), "binary_sha256": sha256(binary),
              "train_args": argv, "test_args": test_args(system, model, "FILE"),
              "hidden": args.hidden, "threads": 1 if system == "rnnlm-0.4b" else args.threads, "seed": args.seed,
              "time_limit": args.time_limit, "epoch_limit": args.epochs, "smoke": args.smoke,
              "data": {k: v for k, v in files.items()}, "train_words_per_epoch": log.train_words,
              "stopped": stop, "exit_status": status, "wall_seconds": wall, "cpu_seconds": cpu,
              "epochs_completed": len(log.epochs), "epochs": log.epochs,
              "train_words_per_sec": log.words_per_sec(),
              "reported_words_per_sec": log.reported_words_per_sec(), "reported_clock": log.reported_clock,
              "valid_ppl": None, "test_ppl": None, "load_average_start": load_start, **host}
    if system != "rnnlm-0.4b":
        record["initial_valid_ppl"] = ppl_from_bits(log.initial_valid_bits) if log.initial_valid_bits is not None else None
    missing = [f for f in model_files(system, model) if not os.path.exists(os.path.join(folder, f))]
    if missing:
        record["note"] = (f"no model file when training stopped ({', '.join(missing)} missing): rnnlm-0.4b saves "
                          "after each epoch, or every --save-every-words words")
    elif stop == "failed":
        record["note"] = "training failed: " + open(os.path.join(folder, "train.stdout"), errors="replace").read()[-300:]
    else:
        for split in ("valid", "test"):
            ppl, seconds_, tail = evaluate(system, binary, model, files[split], folder)
            record[f"{split}_ppl"], record[f"{split}_eval_seconds"] = ppl, seconds_
            if tail is not None:
                record[f"{split}_error"] = tail
    record["load_average_end"] = load_average()
    return record


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rnnlm-0.4b", dest="rnnlm", metavar="PATH", help="rnnlm-0.4b's rnnlm binary")
    ap.add_argument("--faster-rnnlm", dest="faster", metavar="PATH", help="faster-rnnlm's rnnlm binary")
    ap.add_argument("--systems", default=None,
                    help=f"comma-separated, from {', '.join(SYSTEMS)} (default: every system whose binary is given)")
    ap.add_argument("--data-dir", required=True, help="folder with ptb.{train,valid,test}.txt or {train,valid,test}.txt")
    ap.add_argument("--hidden", type=int, default=200)
    ap.add_argument("--classes", type=int, default=100, help="rnnlm-0.4b's -class")
    ap.add_argument("--nce-samples", type=int, default=20, help="faster-rnnlm-nce's -nce")
    ap.add_argument("--threads", type=int, default=1, help="faster-rnnlm's -threads (above 1: HogWild, not deterministic)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=None, metavar="SECONDS",
                    help="kill the training after this much wall time and score the model file saved last")
    ap.add_argument("--epochs", type=int, default=None, help="stop after this many epochs")
    ap.add_argument("--save-every-words", type=int, default=None, metavar="N",
                    help="rnnlm-0.4b's -anti-kasparek N (at least 10,000): a model file within the first epoch")
    ap.add_argument("--work-dir", default=None, help="keep the runs' folders (models, raw output) here instead of a temporary folder")
    ap.add_argument("--smoke", action="store_true",
                    help="a tiny corpus (the first 6,000/300/300 lines), --hidden 16, --classes 20, 2 epochs, 60 s at most")
    args = ap.parse_args()

    binaries = {"rnnlm-0.4b": args.rnnlm, "faster-rnnlm-hs": args.faster, "faster-rnnlm-nce": args.faster}
    systems = args.systems.split(",") if args.systems else [s for s in SYSTEMS if binaries[s]]
    for s in systems:
        if s not in SYSTEMS:
            raise SystemExit(f"peers.py: --systems names {s!r}; the systems are {', '.join(SYSTEMS)}")
        b = binaries[s]
        flag = "--rnnlm-0.4b" if s == "rnnlm-0.4b" else "--faster-rnnlm"
        if not b:
            raise SystemExit(f"peers.py: {s} needs {flag} PATH")
        if not (os.path.isfile(b) and os.access(b, os.X_OK)):
            raise SystemExit(f"peers.py: {flag} {b}: not an executable file")
    if not systems:
        raise SystemExit("peers.py: give --rnnlm-0.4b PATH and/or --faster-rnnlm PATH")
    if min(args.hidden, args.classes, args.nce_samples, args.threads) < 1 or (args.epochs is not None and args.epochs < 1):
        raise SystemExit("peers.py: --hidden, --classes, --nce-samples, --threads and --epochs must be ≥ 1")
    if args.smoke:
        args.hidden, args.classes = 16, 20
        args.epochs = args.epochs or 2
        args.time_limit = args.time_limit or 60

    workdir = os.path.abspath(args.work_dir) if args.work_dir else tempfile.mkdtemp(prefix="rnnlab-peers-")
    os.makedirs(workdir, exist_ok=True)
    try:
        if args.smoke:
            files = smoke_corpus(args.data_dir, os.path.join(workdir, "smoke-data"))
        else:
            files = {name: split_path(args.data_dir, name) for name in ("train", "valid", "test")}
        host = machine()
        for s in systems:
            emit(run(s, binaries[s], files, workdir, args, host))
    finally:
        if not args.work_dir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
