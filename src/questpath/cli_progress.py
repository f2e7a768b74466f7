"""Progress bars for long commands, drawn on a terminal only: what a pipe, a test or cron reads
stays the plain lines the commands print."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

Update = Callable[[int, int | None], None]


@contextmanager
def progress_bar(description: str, *, count: bool = False) -> Iterator[Update]:
    """Yield `update(done, total)`; `count` shows "done/total" (learners) instead of a percentage
    (pages). On standard error, so standard output stays what the command prints."""
    console = Console(stderr=True)
    amount = MofNCompleteColumn() if count else TextColumn("{task.percentage:>3.0f}%")
    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        amount,
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_interactive,
    )
    with bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update
