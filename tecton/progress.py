"""Progress bars that show when a person is watching and cost nothing when not.

The command line opens a ``rich`` display with :func:`displayed`; library code and flows report
through :func:`bar`, which is a no-op when no display is open (notebooks, schedulers, tests).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
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


@contextmanager
def bar(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A bar of ``total`` steps; yields ``advance(n)``. Silent without a display."""
    if _active is None:
        yield lambda n=1: None
        return
    task = _active.add_task(description, total=total)
    try:
        yield lambda n=1: _active.advance(task, n) if _active else None
    finally:
        if _active is not None:
            _active.update(task, completed=total)
