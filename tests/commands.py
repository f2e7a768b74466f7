"""The `questpath` command run in the test process, with its settings from the environment."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from questpath.cli import app as cli
from questpath.config import get_settings


def questpath(database_url: str, data_dir: Path, *args: str, **env: str) -> Result:
    """Run the `questpath` command in this process (a subprocess spends seconds importing)."""
    variables = {
        "QUESTPATH_DATABASE_URL": database_url,
        "QUESTPATH_DATA_DIR": str(data_dir),
        **env,
    }
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(cli, list(args))
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()
