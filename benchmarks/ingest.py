"""Ingest of the default synthetic universe: tecton vs the floor.

The floor is the least any ingest must do: a plain pyarrow read of the same CSVs plus one
``write_deltalake`` of the result, partitioned the same way. tecton also hashes, archives,
validates and logs every file. Run: ``uv run python benchmarks/ingest.py [--markets ...]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
from deltalake import write_deltalake

from benchmarks._common import print_table, timer

TYPES = pcsv.ConvertOptions(
    column_types={"date": pa.date32(), **{c: pa.float64() for c in ("open", "high", "low", "close", "volume", "open_interest")}}
)


def floor(source: Path, lake: Path) -> int:
    tables = []
    for path in sorted(source.glob("*_*.csv")):
        table = pcsv.read_csv(path, convert_options=TYPES)
        market = path.stem.rsplit("_", 1)[0]
        tables.append(table.append_column("market_id", pa.array([market] * table.num_rows)))
    data = pa.concat_tables(tables)
    data = data.append_column("year", pc.year(data["date"]))
    write_deltalake(str(lake), data, partition_by=["market_id", "year"], mode="append")
    return data.num_rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--markets", nargs="*", default=None)
    parser.add_argument("--start", default="2000-01-01")
    parser.add_argument("--end", default="2024-12-31")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tecton-bench-ingest-"))
    os.environ["TECTON_HOME"] = str(work / "home")
    from tecton.dal.storage import Storage
    from tecton.data.synthetic import generate
    from tecton.lake import Lake, commit, plan, stage

    source = work / "raw"
    summary = generate(source, args.markets, dt.date.fromisoformat(args.start), dt.date.fromisoformat(args.end))
    bars = summary.rows

    with timer() as t_floor:
        floor(source, work / "floor")

    lake = Lake(Storage(str(work / "lake-library")))
    with timer() as t_lib:
        p = plan(source, "vendor-csv", lake)
        commit(p, [stage(b, "vendor-csv", lake) for b in p.batches(200)], lake)

    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
    from flows.ingest import ingest

    (work / "empty").mkdir()
    ingest(str(work / "empty"), lake=str(work / "warmup"))  # starts Prefect's temporary server once
    with timer() as t_flow:
        ingest(str(source), lake=str(work / "lake-flow"))

    rows = [
        {"ingest": "floor: pyarrow read + one write_deltalake", "seconds": t_floor(), "rows/s": bars / t_floor(), "x floor": 1.0},
        {"ingest": "tecton library steps (plan, stage, commit)", "seconds": t_lib(), "rows/s": bars / t_lib(), "x floor": t_lib() / t_floor()},
        {"ingest": "tecton Prefect flow `ingest` (server warm)", "seconds": t_flow(), "rows/s": bars / t_flow(), "x floor": t_flow() / t_floor()},
    ]
    print_table(f"ingest: {summary.files:,} files, {bars:,} bars, {len(summary.markets)} markets", rows, ["ingest", "seconds", "rows/s", "x floor"])


if __name__ == "__main__":
    main()
