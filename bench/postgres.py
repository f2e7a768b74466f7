"""A throwaway PostgreSQL server for one benchmark run, started like scripts/test starts its own.

initdb and pg_ctl come from the newest /usr/lib/postgresql/*/bin; as root they run as the
`postgres` account. The server listens on 127.0.0.1 on a free port with its data in a temp dir.
Unlike the test suite's server it keeps PostgreSQL's default durability settings (fsync,
synchronous_commit and full_page_writes stay on), so commits cost what they cost in production.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bench.servers import free_port, tree_cpu_seconds

DATABASE = "questpath_bench"
ROLE = "questpath"


class PostgresUnavailable(RuntimeError):
    pass


def _bin_dir() -> Path:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.parent.name)],
    )
    if not found:
        raise PostgresUnavailable(
            "no initdb under /usr/lib/postgresql/*/bin: install PostgreSQL "
            "(apt-get install postgresql) or run with --backends sqlite"
        )
    return found[-1].parent


class ThrowawayPostgres:
    """Start with `start()`, which returns the database URL; `stop()` removes everything."""

    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.dir = Path(tempfile.mkdtemp(prefix="questpath-bench-pg."))
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        self.started = False

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> str:
        self.dir.chmod(0o755)
        if self.as_root:
            if subprocess.run(["id", "-u", "postgres"], capture_output=True).returncode != 0:
                subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
            shutil.chown(self.dir, user="postgres")
        data = self.dir / "data"
        # --no-sync only skips initdb's own flush of the new cluster; the server runs with the
        # default fsync=on, synchronous_commit=on, full_page_writes=on.
        self._run(
            str(self.bin / "initdb"), "-D", str(data), "-U", ROLE, "-A", "trust", "-E", "UTF8",
            "--no-sync",
        )  # fmt: skip
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(self.dir / "server.log"), "-w",
            "start", "-o", f"-h 127.0.0.1 -p {self.port} -k {self.dir}",
        )  # fmt: skip
        self.started = True
        self._run(
            str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", ROLE,
            DATABASE,
        )  # fmt: skip
        return f"postgresql+asyncpg://{ROLE}@127.0.0.1:{self.port}/{DATABASE}"

    @property
    def postmaster_pid(self) -> int:
        return int((self.dir / "data" / "postmaster.pid").read_text().split()[0])

    def stop(self) -> None:
        if self.started:
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run(
                    str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "stop"
                )
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)

    def version(self) -> str:
        """The server's version, e.g. "15.18"."""
        done = subprocess.run(
            [str(self.bin / "postgres"), "--version"], capture_output=True, text=True, check=True
        )
        found = re.search(r"\(PostgreSQL\) (\d+(?:\.\d+)*)", done.stdout)  # "... 15.18 (Debian"
        return found[1] if found else done.stdout.strip()


@dataclass(frozen=True)
class Database:
    """A benchmark's empty database: its URL, the server's version, and a meter of the CPU
    seconds its server has used (none of its own for SQLite, which runs in its user's process)."""

    backend: str  # "sqlite" or "postgresql"
    url: str
    version: str
    cpu_seconds: Callable[[], float]


@contextlib.contextmanager
def throwaway_database(backend: str, workdir: Path) -> Iterator[Database]:
    """A new SQLite file in `workdir`, or a throwaway PostgreSQL server, removed afterwards."""
    if backend == "postgresql":
        postgres = ThrowawayPostgres()
        try:
            url = postgres.start()
            yield Database(
                backend, url, postgres.version(), partial(tree_cpu_seconds, postgres.postmaster_pid)
            )
        finally:
            postgres.stop()
    else:
        url = f"sqlite+aiosqlite:///{workdir / 'questpath.db'}"
        yield Database(backend, url, sqlite3.sqlite_version, lambda: 0.0)
