"""Tables the studies print, as Markdown (ready to paste into ``studies/README.md``)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def markdown(frame: pd.DataFrame, formats: Mapping[str, str] | None = None) -> str:
    """``frame`` as a Markdown table, index first; ``formats`` by column (e.g. ``"{:.2f}"``).

    Numbers without a format get 4 significant digits; NaN prints as an empty cell.
    """
    formats = dict(formats or {})
    header = [str(frame.index.name or ""), *map(str, frame.columns)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for key, row in frame.iterrows():
        cells = [str(key)] + [_cell(row[c], formats.get(str(c))) for c in frame.columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(value: object, fmt: str | None) -> str:
    if isinstance(value, float | np.floating) and np.isnan(value):
        return ""
    if fmt is not None:
        return fmt.format(value)
    if isinstance(value, float | np.floating):
        return f"{value:.4g}"
    return str(value)


def run_from_command_line(
    doc: str, run_study: Callable[..., Any], render: Callable[[Any], str], argv: list[str] | None
) -> Any:
    """A study's command line (``--markets``, ``--since``, ``--home``, ``--rebuild``): run it,
    print its tables, return it."""
    from studies.peer_data import all_markets

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--markets", nargs="+", default=None, help="peer codes (default: all 29)")
    parser.add_argument("--since", default="1970-01-01", help="first day of data kept")
    parser.add_argument("--home", type=Path, default=None, help="data home to build or reuse")
    parser.add_argument("--rebuild", action="store_true", help="build the home again")
    args = parser.parse_args(argv)
    study = run_study(args.markets or all_markets(), args.since, args.home, args.rebuild)
    print(render(study))
    return study
