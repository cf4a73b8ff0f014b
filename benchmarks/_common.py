"""Shared benchmark plumbing: a timer and the printed comparison table."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time
from collections.abc import Callable
from contextlib import contextmanager

from rich.console import Console
from rich.table import Table


@contextmanager
def timer() -> Callable[[], float]:
    start = time.perf_counter()
    elapsed = [0.0]
    yield lambda: elapsed[0]
    elapsed[0] = time.perf_counter() - start


def universe_parser(description: str | None) -> argparse.ArgumentParser:
    """Arguments every benchmark takes: which synthetic universe (default: all markets, 2000-2024)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--markets", nargs="*", default=None)
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2000, 1, 1))
    parser.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2024, 12, 31))
    return parser


def machine() -> str:
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def print_table(title: str, rows: list[dict], columns: list[str]) -> None:
    table = Table(title=title, title_justify="left")
    for col in columns:
        table.add_column(col, justify="left" if col == columns[0] else "right")
    for row in rows:
        table.add_row(
            *[
                row[c]
                if isinstance(row[c], str)
                else f"{row[c]:,.2f}"
                if isinstance(row[c], float)
                else f"{row[c]:,}"
                for c in columns
            ]
        )
    Console().print(table)
    Console().print(f"machine: {machine()}")
