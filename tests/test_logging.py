"""Log lines are JSON for collectors and readable, coloured lines for a person at a terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from questpath.config import Settings
from questpath.observability import LogFormat, resolve_log_format
from tests.servers import COMMAND_TIMEOUT

ANSI_ESCAPE = "\x1b["


@pytest.mark.parametrize(
    ("setting", "tty", "chosen"),
    [
        ("auto", True, "console"),
        ("auto", False, "json"),
        ("json", True, "json"),
        ("console", False, "console"),
    ],
)
def test_auto_picks_console_lines_for_a_terminal_and_json_otherwise(
    setting: LogFormat, tty: bool, chosen: str
) -> None:
    assert resolve_log_format(setting, tty) == chosen


def test_the_older_log_json_setting_still_chooses_the_format(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QUESTPATH_LOG_JSON", "false")
    assert Settings().log_format == "console"
    monkeypatch.setenv("QUESTPATH_LOG_JSON", "true")
    assert Settings().log_format == "json"
    monkeypatch.setenv("QUESTPATH_LOG_FORMAT", "console")
    assert Settings().log_format == "console"  # the new setting wins
    monkeypatch.delenv("QUESTPATH_LOG_JSON")
    monkeypatch.delenv("QUESTPATH_LOG_FORMAT")
    assert Settings().log_format == "auto"


LOG_TWO_LINES = """
import logging, sys, structlog
from questpath.observability import configure_logging
configure_logging("INFO", sys.argv[1])
structlog.get_logger("questpath.check").info("from structlog", answer=42)
logging.getLogger("uvicorn.error").info("from the standard library")
"""
LOG_AN_ERROR = """
import structlog
from questpath.observability import configure_logging
configure_logging("INFO", "console")
password = "hunter2"
try:
    1 / 0
except ZeroDivisionError:
    structlog.get_logger("questpath.check").exception("failed")
"""


def _run_logging(
    stderr: int, script: str = LOG_TWO_LINES, log_format: str = "auto"
) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUESTPATH_LOG_")}
    return subprocess.Popen(
        [sys.executable, "-c", script, log_format],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        env=env,
    )


def test_logs_on_a_terminal_are_coloured_console_lines() -> None:
    controller, terminal = os.openpty()
    process = _run_logging(terminal)
    os.close(terminal)
    shown = b""
    try:
        while True:  # a terminal reports end of output as EIO once the process has gone
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        process.wait(timeout=COMMAND_TIMEOUT)
        os.close(controller)

    text = shown.decode()
    assert process.returncode == 0, text
    assert ANSI_ESCAPE in text
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 2, text
    assert not any(line.lstrip().startswith("{") for line in lines)
    assert "from structlog" in lines[0]
    assert "answer" in lines[0]
    assert "from the standard library" in lines[1]


def test_logs_into_a_pipe_are_json_lines() -> None:
    process = _run_logging(subprocess.PIPE)
    _, err = process.communicate(timeout=COMMAND_TIMEOUT)

    assert process.returncode == 0, err
    first, second = (json.loads(line) for line in err.decode().splitlines())
    assert (first["event"], first["answer"], first["level"]) == ("from structlog", 42, "info")
    assert (second["event"], second["logger"]) == ("from the standard library", "uvicorn.error")


def test_console_lines_into_a_pipe_have_no_colour_codes_nor_local_variables() -> None:
    process = _run_logging(subprocess.PIPE, LOG_AN_ERROR)
    _, err = process.communicate(timeout=COMMAND_TIMEOUT)

    text = err.decode()
    assert process.returncode == 0, text
    assert "failed" in text
    assert "ZeroDivisionError" in text
    assert ANSI_ESCAPE not in text
    assert "hunter2" not in text
