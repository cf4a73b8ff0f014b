"""Holdings: what an account holds now, from a mapping or a CSV file (``market_id,contracts``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from tecton.errors import TectonError

COLUMNS = ("market_id", "contracts")


def read_holdings(path: str | Path) -> pd.Series:
    """Contracts per market from a CSV with columns ``market_id,contracts`` (one row a market).

    Raises
    ------
    TectonError
        One line naming the file and, where it is one row's fault, the row: no such file, a
        missing column, a market listed twice, or contracts that are not a whole number.
    """
    path = Path(path)
    try:
        rows = pd.read_csv(path, dtype=str, skipinitialspace=True, comment="#")
    except FileNotFoundError:
        raise TectonError(f"{path}: no such holdings file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise TectonError(f"{path}: not a holdings CSV: {str(exc).splitlines()[0]}") from None
    missing = [c for c in COLUMNS if c not in rows.columns]
    if missing:
        raise TectonError(
            f"{path}: missing column {', '.join(missing)} (expected {','.join(COLUMNS)}, "
            f"got {','.join(map(str, rows.columns))})"
        )
    ids = rows["market_id"].fillna("").str.strip().str.upper()
    for line, (market, text) in enumerate(zip(ids, rows["contracts"], strict=True), start=2):
        if not market:
            raise TectonError(f"{path}:{line}: market_id is empty")
        if not _whole(text):
            raise TectonError(
                f"{path}:{line}: contracts for {market} must be a whole number, got {text!r}"
            )
    duplicated = ids[ids.duplicated()]
    if len(duplicated):
        line = int(duplicated.index[0]) + 2
        raise TectonError(f"{path}:{line}: {duplicated.iloc[0]} is listed twice")
    return pd.Series(
        pd.to_numeric(rows["contracts"]).to_numpy(float), index=ids.to_numpy(), name="contracts"
    )


def _whole(text: object) -> bool:
    try:
        value = float(str(text))
    except ValueError:
        return False
    return bool(np.isfinite(value) and value.is_integer())


def holdings_vector(
    holdings: Mapping[str, float] | pd.Series | None, markets: list[str], strategy: str
) -> np.ndarray:
    """Current contracts per market of ``markets`` (0 where not held); refuses what it cannot trade."""
    held = pd.Series({} if holdings is None else dict(holdings), dtype=object)
    outside = [m for m in held.index if m not in markets]
    if outside:
        raise TectonError(
            f"holdings name {', '.join(map(str, outside))}, which strategy {strategy} does not "
            "trade (unknown market or outside its universe)"
        )
    values = pd.to_numeric(held, errors="coerce")
    bad = [m for m, v in values.items() if not (np.isfinite(v) and float(v).is_integer())]
    if bad:
        raise TectonError(
            f"holdings for {', '.join(bad)} must be whole numbers of contracts, got "
            + ", ".join(repr(held[m]) for m in bad)
        )
    return values.reindex(markets).fillna(0.0).to_numpy(dtype=float)
