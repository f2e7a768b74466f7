"""The last step on each database: `questpath verify`, which recomputes every learner's
projections from the event log and lists each difference. A benchmark that leaves the
projections wrong has measured a server that is fast at being wrong.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.servers import QUESTPATH, questpath_environment


@dataclass
class Verified:
    exit_code: int
    learners: int  # how many it checked
    differing: int  # how many had projections that differ from the log
    last_line: str

    @property
    def clean(self) -> bool:
        return self.exit_code == 0 and self.differing == 0

    def summary(self) -> str:
        if self.clean:
            return f"clean ({self.learners:,} learners)"
        if self.exit_code == 1 and self.differing:
            return f"{self.differing:,} of {self.learners:,} learners differ from the log"
        return f"failed (exit {self.exit_code}): {self.last_line}"


def verify(workdir: Path, database_url: str, secret_key: str) -> Verified:
    done = subprocess.run(
        [str(QUESTPATH), "verify"],
        env=questpath_environment(workdir, database_url, secret_key),
        capture_output=True,
        text=True,
        check=False,
    )
    lines = (done.stdout + done.stderr).strip().splitlines() or [""]
    last = lines[-1]
    clean = re.search(r"Verified (\d+) learner", last)
    differing = re.search(r"(\d+) of (\d+) learners? had projections", last)
    if clean:
        return Verified(done.returncode, int(clean[1]), 0, last)
    if differing:
        return Verified(done.returncode, int(differing[2]), int(differing[1]), last)
    return Verified(done.returncode, 0, 0, last)
