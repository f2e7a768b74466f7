"""The servers under load, each a separate process: `questpath serve` and the no-op app.

Both run uvicorn with its defaults (uvloop, httptools) on 127.0.0.1; the no-op app with one
worker, `questpath serve` with as many as asked for (`--workers`).
Also the /proc readings the benchmark takes of processes: CPU time and peak resident memory.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

PYTHON = Path(sys.executable)
QUESTPATH = PYTHON.parent / "questpath"
ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 180.0  # a busy 2-core machine takes a while to import and migrate
STOP_TIMEOUT = 15.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """A server process on a free port; `start()` returns once it answers `ready_path`."""

    name = "server"
    ready_path = "/health"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workdir / f"{self.name}-{self.port}.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict[str, str]:
        return dict(os.environ)

    def start(self) -> Server:
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                self.command(),
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.environment(),
                cwd=ROOT,
            )
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.output()}")
            try:
                if httpx.get(self.base_url + self.ready_path, timeout=2).status_code == 200:
                    self.settle(deadline)
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} was not ready within {READY_TIMEOUT} s:\n{self.output()}")

    def settle(self, deadline: float) -> None:
        """Wait for a multi-worker server's workers: one answering does not mean all started."""

    def cpu_time(self) -> float:
        """The server's CPU seconds so far: the process and, with several workers, its workers."""
        return tree_cpu_seconds(self.pid)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)
        self.process = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


class QuestPathServer(Server):
    """`questpath serve` on `database_url`: one worker, migrations applied at start."""

    name = "questpath"

    def __init__(self, workdir: Path, database_url: str, secret_key: str, workers: int = 1) -> None:
        super().__init__(workdir)
        self.database_url = database_url
        self.secret_key = secret_key
        self.workers = workers

    def command(self) -> list[str]:
        return [
            str(QUESTPATH), "serve", "--host", "127.0.0.1", "--port", str(self.port),
            "--workers", str(self.workers),
        ]  # fmt: skip

    def environment(self) -> dict[str, str]:
        return questpath_environment(self.workdir, self.database_url, self.secret_key)

    def settle(self, deadline: float) -> None:
        """With several workers, wait until each has started and gone idle (its CPU time
        stops growing): the supervisor answers nothing itself, and the log is off."""
        if self.workers == 1:
            return
        last: dict[int, float] = {}
        while time.monotonic() < deadline:
            workers = [pid for pid in children(self.pid) if b"spawn_main" in _cmdline(pid)]
            now = {pid: cpu_seconds(pid) for pid in workers}
            # An idle worker still answers the supervisor's pings: allow a tick of CPU.
            started = len(now) >= self.workers and now.keys() == last.keys()
            if started and all(now[pid] - last[pid] <= 0.02 for pid in now):
                return
            last = now
            time.sleep(0.5)
        raise RuntimeError(f"{self.name}: {self.workers} workers did not start:\n{self.output()}")


def questpath_environment(workdir: Path, database_url: str, secret_key: str) -> dict[str, str]:
    """What `questpath` (the server or a CLI command) runs with in the benchmark."""
    return {
        **os.environ,
        "QUESTPATH_DATABASE_URL": database_url,
        "QUESTPATH_DATA_DIR": str(workdir / "data"),
        "QUESTPATH_SECRET_KEY": secret_key,
        "QUESTPATH_LOG_LEVEL": "WARNING",
        "QUESTPATH_LOG_FORMAT": "json",
        # The run signs dozens of accounts up from 127.0.0.1, past the default 10 an hour per
        # address; every other limit stays at its default, so its cost is measured.
        "QUESTPATH_RATE_LIMIT_REGISTRATION": "100000/hour",
    }


class NoopServer(Server):
    """bench/noop_app.py under the same uvicorn: the HTTP stack with no work behind it."""

    name = "noop"

    def command(self) -> list[str]:
        return [
            str(PYTHON), "-m", "uvicorn", "bench.noop_app:app", "--host", "127.0.0.1",
            "--port", str(self.port), "--workers", "1", "--log-level", "warning",
            "--no-access-log",
        ]  # fmt: skip


def new_secret_key() -> str:
    return secrets.token_urlsafe(48)


# /proc readings -------------------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    # The command name is in parentheses and may hold spaces: split after its closing one.
    return text.rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except (FileNotFoundError, ProcessLookupError):
        return b""


def children(root: int) -> list[int]:
    """The live direct children of `root`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if int(_stat_fields(int(entry))[1]) == root:
                found.append(int(entry))
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def tree_cpu_seconds(root: int) -> float:
    """CPU time of `root` and its children (PostgreSQL's postmaster and backends, uvicorn's
    supervisor and workers): the live ones, and those that exited and were reaped by `root`
    (the kernel adds those to its cutime and cstime), so that a closed connection's backend
    does not take its CPU time out of the sum."""
    fields = _stat_fields(root)
    total = sum(int(v) for v in fields[11:15]) / CLOCK_TICKS
    for pid in children(root):
        try:
            total += cpu_seconds(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue  # exited between the listing and the reading: counted once it is reaped
    return total


def machine_busy_seconds() -> float:
    """CPU time every core of the machine has spent busy so far (not idle, not waiting on I/O)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def memory_kib(pid: int, field: str) -> int:
    """A line of /proc/<pid>/status in KiB: VmHWM is the peak resident set, VmRSS the current."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)
