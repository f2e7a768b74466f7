"""The code reads top to bottom: the import contracts in pyproject.toml hold.

Entry points sit above the features that combine domains (the recorder, the dashboard, the
export, verify), which sit above the domains, which sit above the web toolkit and the
infrastructure. Domain `rules.py` modules stay pure.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_import_contract_is_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
