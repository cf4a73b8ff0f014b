"""Tables the studies print, as Markdown (ready to paste into ``studies/README.md``)."""

from __future__ import annotations

from collections.abc import Mapping

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
