"""Progress bars that show when a person is watching and cost nothing when not.

The command line opens a ``rich`` display with :func:`displayed`; library code and flows report
through :func:`bar`, which is a no-op when no display is open (notebooks, schedulers, tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

_active: Progress | None = None


@contextmanager
def displayed(console: Console | None = None) -> Iterator[Progress]:
    """Show progress bars for the code run inside this block."""
    global _active
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
    _active = progress
    try:
        with progress:
            yield progress
    finally:
        _active = None


class Bar:
    """One bar: call it to advance; ``resize`` once the total is known. A no-op without a display."""

    def __init__(self, progress: Progress | None, description: str, total: int):
        self._progress, self._total = progress, total
        self._task = progress.add_task(description, total=total) if progress else None

    def __call__(self, n: int = 1) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, n)

    def resize(self, total: int) -> None:
        self._total = total
        if self._progress is not None:
            self._progress.update(self._task, total=total)

    def finish(self) -> None:
        if self._progress is not None:
            self._progress.update(self._task, completed=self._total)


@contextmanager
def bar(description: str, total: int) -> Iterator[Bar]:
    """A bar of ``total`` steps; yields a :class:`Bar`. Silent without a display."""
    progress = Bar(_active, description, total)
    try:
        yield progress
    finally:
        progress.finish()
