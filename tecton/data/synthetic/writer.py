"""Generate the synthetic universe and write it as vendor CSVs (see ``readers.vendor_csv``).

Fundamentals go to ``fundamentals/<MARKET>.csv`` (``release_date,period_end,series,value``, one
row per release, see ``readers.fundamentals_csv``), which the vendor-csv reader lands too. Daily FX
spot of every non-USD currency the markets use goes to ``fx/<CCY>USD.csv`` (``date,price``: USD
per one unit, every weekday; see ``synthetic.fx`` for how it agrees with the FX futures).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

from tecton.data.synthetic.curve import ContractBars, market_contracts
from tecton.data.synthetic.defects import KINDS, Defect, inject
from tecton.data.synthetic.fundamentals import FundamentalSeries, market_fundamentals
from tecton.data.synthetic.fx import FxSpot, currencies_of, fx_spots
from tecton.data.synthetic.prices import GRID, factors, market_path
from tecton.markets.metadata import market_specs

BAR_COLUMNS = ("date", "open", "high", "low", "close", "volume", "open_interest")
CONTRACT_COLUMNS = (
    "market_id", "contract_id", "delivery_month", "first_trade_date", "expiry_date", "first_notice_date",
)  # fmt: skip
DEFECT_COLUMNS = ("kind", "market_id", "contract_id", "file", "first_date", "last_date")
DEFECTS_FILE = "_defects.csv"
CONTRACTS_FILE = "contracts.csv"
FUNDAMENTALS_FOLDER = "fundamentals"
FUNDAMENTAL_COLUMNS = ("release_date", "period_end", "series", "value")
FX_FOLDER = "fx"
FX_COLUMNS = ("date", "price")


@dataclass(frozen=True)
class GenerateSummary:
    """What ``generate`` wrote."""

    markets: tuple[str, ...]
    contracts: int
    rows: int  # bars
    files: int  # every file written, fundamentals included
    defects: int
    out: Path
    fundamentals: int = 0  # rows of fundamentals (one per market, series and release)
    currencies: tuple[str, ...] = ()  # FX spot files written (fx/<CCY>USD.csv)


def generate(
    out: Path,
    markets: Sequence[str] | None = None,
    start: dt.date = dt.date(2000, 1, 1),
    end: dt.date = dt.date(2024, 12, 31),
    seed: int = 42,
    defects: int = 0,
    progress: Callable[[int], None] | None = None,
) -> GenerateSummary:
    """Write a synthetic futures universe as per-contract vendor CSVs.

    Parameters
    ----------
    out : Path
        Folder to write ``<MARKET>_<YYYYMM>.csv`` files, ``contracts.csv``,
        ``fundamentals/<MARKET>.csv``, ``fx/<CCY>USD.csv`` and (with defects) ``_defects.csv``
        into. Created if missing.
    markets : sequence of str, optional
        Market ids from the metadata; all markets when omitted.
    start, end : date
        Inclusive window of bar dates (and of fundamentals' release dates).
    seed : int
        Same seed and arguments give byte-identical files; each market depends only on
        ``(seed, market_id)``, so a subset equals the same markets of a larger run.
    defects : int
        Number of defects of each kind (see ``defects.KINDS``) to inject; 0 writes clean data.
    progress : callable, optional
        Called with the number of markets finished so far.

    Returns
    -------
    GenerateSummary
    """
    specs = market_specs()
    ids = list(specs) if markets is None else list(dict.fromkeys(markets))
    if unknown := [m for m in ids if m not in specs]:
        raise ValueError(f"unknown market(s) {', '.join(unknown)}; valid: {', '.join(specs)}")
    if not ids:
        raise ValueError(f"no markets given; valid: {', '.join(specs)}")
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    if np.datetime64(start, "D") < GRID[0] or np.datetime64(end, "D") > GRID[-1] - 800:
        raise ValueError(f"window must lie within {GRID[0]} .. {GRID[-1] - 800}")
    classes = tuple(sorted({s.asset_class for s in specs.values()}))
    subs = tuple(sorted({f"{s.asset_class}/{s.sub_class}" for s in specs.values()}))
    f = factors(seed, classes, subs)
    contracts: list[ContractBars] = []
    fundamentals: dict[str, list[FundamentalSeries]] = {}
    for done, market_id in enumerate(ids, start=1):
        spec = specs[market_id]
        path = market_path(spec, seed, f)
        contracts += market_contracts(spec, seed, path, start, end)
        fundamentals[market_id] = market_fundamentals(spec, seed, path, start, end)
        if progress is not None:
            progress(done)
    contracts, log = inject(contracts, defects, seed)
    spots = fx_spots(currencies_of(specs[m] for m in ids), specs, seed, f, start, end)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = sum(_write_bars(out, bars) for bars in contracts)
    _write_contracts(out / CONTRACTS_FILE, contracts)
    if log:
        _write_defects(out / DEFECTS_FILE, log)
    written = [
        _write_fundamentals(out / FUNDAMENTALS_FOLDER, m, s) for m, s in fundamentals.items() if s
    ]
    for spot in spots:
        _write_fx(out / FX_FOLDER, spot)
    files = len(contracts) + 1 + len(written) + len(spots)
    return GenerateSummary(
        tuple(ids), len(contracts), rows, files, len(log), out, sum(written),
        tuple(s.currency for s in spots),
    )  # fmt: skip


def _write_bars(out: Path, bars: ContractBars) -> int:
    table = pa.table(
        {
            "date": pa.array(bars.dates, pa.date32()),
            "open": bars.open,
            "high": bars.high,
            "low": bars.low,
            "close": bars.close,
            "volume": bars.volume,
            "open_interest": bars.open_interest,
        }
    )
    buf = io.BytesIO()
    buf.write((",".join(BAR_COLUMNS) + "\n").encode())
    pcsv.write_csv(table, buf, pcsv.WriteOptions(include_header=False, quoting_style="none"))
    (out / f"{bars.contract_id}.csv").write_bytes(buf.getvalue())
    return len(bars)


def _write_fundamentals(folder: Path, market_id: str, series: list[FundamentalSeries]) -> int:
    """``<folder>/<MARKET>.csv``: every release of the market's series, by date then series."""
    table = pa.concat_tables(
        pa.table(
            {
                "release_date": pa.array(s.release_date, pa.date32()),
                "period_end": pa.array(s.period_end, pa.date32()),
                "series": pa.repeat(pa.scalar(s.series), len(s)),
                "value": s.value,
            }
        )
        for s in series
    ).sort_by([("release_date", "ascending"), ("series", "ascending")])
    buf = io.BytesIO()
    buf.write((",".join(FUNDAMENTAL_COLUMNS) + "\n").encode())
    pcsv.write_csv(table, buf, pcsv.WriteOptions(include_header=False, quoting_style="none"))
    folder.mkdir(exist_ok=True)
    (folder / f"{market_id}.csv").write_bytes(buf.getvalue())
    return table.num_rows


def _write_fx(folder: Path, spot: FxSpot) -> None:
    """``<folder>/<CCY>USD.csv``: ``date,price``, one row per weekday, in date order."""
    table = pa.table({"date": pa.array(spot.dates, pa.date32()), "price": spot.price})
    buf = io.BytesIO()
    buf.write((",".join(FX_COLUMNS) + "\n").encode())
    pcsv.write_csv(table, buf, pcsv.WriteOptions(include_header=False, quoting_style="none"))
    folder.mkdir(exist_ok=True)
    (folder / f"{spot.pair}.csv").write_bytes(buf.getvalue())


def _write_contracts(path: Path, contracts: list[ContractBars]) -> None:
    rows = sorted(
        (
            b.market_id, b.contract_id, b.delivery_month, str(b.dates.min()),
            b.expiry.isoformat(), b.first_notice.isoformat() if b.first_notice else "",
        )
        for b in contracts
    )  # fmt: skip
    _write_rows(path, CONTRACT_COLUMNS, rows)


def _write_defects(path: Path, log: list[Defect]) -> None:
    rows = [
        (d.kind, d.market_id, d.contract_id, d.file, str(d.first_date), str(d.last_date))
        for d in log
    ]
    _write_rows(path, DEFECT_COLUMNS, rows)


def _write_rows(path: Path, header: Sequence[str], rows) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


__all__ = ["DEFECTS_FILE", "KINDS", "GenerateSummary", "generate"]
