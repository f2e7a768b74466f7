"""`--profile`: where the server spends its time, sampled by py-spy from outside the process.

py-spy (a dev dependency) attaches to the server's PID with ptrace, samples its Python stacks
100 times a second without pausing it (`--nonblocking`) and writes them collapsed, one stack a
line (`outermost;...;innermost count`). Idle samples are left out, so the shares below are of
the time the server was running Python code.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.servers import PYTHON

PY_SPY = PYTHON.parent / "py-spy"
RATE = 100
OWN_CODE = "questpath/"
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>.*?)(?::\d+)?\)$")


@dataclass
class Profile:
    samples: int
    own: list[tuple[str, float]]  # function, share of samples in which it was the innermost
    total: list[tuple[str, float]]  # function, share of samples in which it was on the stack
    ours: list[tuple[str, float]]  # the same, for QuestPath's own functions only


class Profiler:
    """`with Profiler(pid, output):` samples `pid` for the duration of the block."""

    def __init__(self, pid: int, output: Path) -> None:
        if not PY_SPY.exists():
            raise RuntimeError(f"--profile needs py-spy ({PY_SPY}): `uv sync` installs it")
        self.pid = pid
        self.output = output
        self.process: subprocess.Popen[bytes] | None = None
        self.log = output.with_suffix(".log")

    def __enter__(self) -> Profiler:
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    str(PY_SPY), "record", "--pid", str(self.pid), "--format", "raw",
                    "--output", str(self.output), "--rate", str(RATE), "--nonblocking",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        time.sleep(0.5)  # let it attach before the measured work starts
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def result(self, top: int = 15) -> Profile:
        if not self.output.exists():
            raise RuntimeError(f"py-spy wrote no profile:\n{self.log.read_text()[-2000:]}")
        return summarise(self.output.read_text().splitlines(), top)


def function_name(frame: str) -> str:
    """`handle (questpath/events/service.py:42)` -> `handle (questpath/events/service.py)`:
    a function's samples count together whichever line they were on."""
    match = FRAME.match(frame)
    if match is None:
        return frame
    path = match["file"]
    for marker in ("/site-packages/", "/src/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{match['function']} ({path})"


def summarise(lines: list[str], top: int) -> Profile:
    """The `top` functions by own samples and by total samples, from collapsed stacks.

    The total column leaves out the frames that every sample of a thread shares (its entry
    point down to the event loop, or down to a worker thread's loop): they are on 100% of
    the stacks and say nothing."""
    stacks: list[tuple[list[str], int]] = []
    for line in lines:
        stack, _, count_text = line.rpartition(" ")
        if stack and count_text.isdigit():
            stacks.append(([function_name(frame) for frame in stack.split(";")], int(count_text)))
    samples = sum(count for _, count in stacks)
    if not samples:
        return Profile(0, [], [], [])
    shared = _shared_prefixes([frames for frames, _ in stacks])
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for frames, count in stacks:
        own[frames[-1]] += count
        for name in set(frames[shared[frames[0]] :]):
            total[name] += count

    def shares(counter: Counter[str]) -> list[tuple[str, float]]:
        return [(name, count / samples) for name, count in counter.most_common(top)]

    ours = Counter({name: n for name, n in total.items() if f"({OWN_CODE}" in name})
    return Profile(samples, shares(own), shares(total), shares(ours))


def _shared_prefixes(stacks: list[list[str]]) -> dict[str, int]:
    """For each outermost frame (one per kind of thread), how many frames all its stacks share."""
    prefixes: dict[str, list[str]] = {}
    for frames in stacks:
        prefix = prefixes.setdefault(frames[0], frames)
        n = 0
        while n < min(len(prefix), len(frames)) and prefix[n] == frames[n]:
            n += 1
        prefixes[frames[0]] = prefix[:n]
    return {root: len(prefix) for root, prefix in prefixes.items()}
