"""Write small vendor-CSV files for tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

HEADER = "date,open,high,low,close,volume,open_interest"


def bars(start: dt.date, days: int, price: float = 50.0, step: float = 0.5) -> list[tuple]:
    """Weekday bars with a simple rising close and a valid OHLC."""
    out, day, close = [], start, price
    while len(out) < days:
        if day.weekday() < 5:
            out.append(
                (day, close - 0.1, close + 1, close - 1, close, 100 + len(out), 1000 + len(out))
            )
            close += step
        day += dt.timedelta(days=1)
    return out


def write_contract(folder: Path, contract_id: str, rows: list[tuple]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{contract_id}.csv"
    lines = [HEADER] + [",".join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path
