"""The servers under load, each a separate process: `questpath serve` and the no-op app.

Both run uvicorn with one worker and its defaults (uvloop, httptools), on 127.0.0.1.
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
READY_TIMEOUT = 60.0
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
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} was not ready within {READY_TIMEOUT} s:\n{self.output()}")

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

    def __init__(self, workdir: Path, database_url: str, secret_key: str) -> None:
        super().__init__(workdir)
        self.database_url = database_url
        self.secret_key = secret_key

    def command(self) -> list[str]:
        return [str(QUESTPATH), "serve", "--host", "127.0.0.1", "--port", str(self.port)]

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "QUESTPATH_DATABASE_URL": self.database_url,
            "QUESTPATH_DATA_DIR": str(self.workdir / "data"),
            "QUESTPATH_SECRET_KEY": self.secret_key,
            "QUESTPATH_LOG_LEVEL": "WARNING",
            "QUESTPATH_LOG_JSON": "true",
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


def tree_cpu_seconds(root: int) -> float:
    """CPU time of `root` and its direct children (PostgreSQL's postmaster and backends)."""
    total = cpu_seconds(root)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = _stat_fields(int(entry))
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == root:
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
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
