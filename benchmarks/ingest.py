"""Ingest of the default synthetic universe: tecton vs the floor.

The floor is the least any ingest must do: a plain pyarrow read of the same CSVs plus one
``write_deltalake`` of the result, partitioned the same way. tecton also hashes, archives,
validates and logs every file. Run: ``uv run python benchmarks/ingest.py [--markets ...]``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
from deltalake import write_deltalake

from benchmarks._common import print_table, timer, universe_parser

TYPES = pcsv.ConvertOptions(
    column_types={
        "date": pa.date32(),
        **{c: pa.float64() for c in ("open", "high", "low", "close", "volume", "open_interest")},
    }
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
    parser = universe_parser(__doc__)
    parser.add_argument(
        "--repeats", type=int, default=3, help="best of N runs each (into fresh lakes)"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tecton-bench-ingest-"))
    os.environ["TECTON_HOME"] = str(work / "home")
    from tecton.data.synthetic import generate
    from tecton.lake import Lake, commit, plan, stage

    source = work / "raw"
    summary = generate(source, args.markets, args.start, args.end)
    bars = summary.rows

    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
    from flows import in_process
    from flows.ingest import ingest

    (work / "empty").mkdir()
    ingest(str(work / "empty"), lake=str(work / "warmup"))  # starts Prefect's temporary server once

    def library(lake_root: Path) -> None:
        lake = Lake(str(lake_root))
        p = plan(source, "vendor-csv", lake)
        commit(p, [stage(b, "vendor-csv", lake) for b in p.batches(500)], lake)

    contenders = {
        "floor": lambda root: floor(source, root),
        "library": library,
        # the ingest alone, as the floor: the quality checks are timed by benchmarks/quality.py
        "flow": lambda root: ingest(str(source), lake=str(root), check=False),
    }
    stack = contextlib.ExitStack()
    stack.enter_context(in_process())  # as the CLI runs flows
    best = {name: float("inf") for name in contenders}
    for repeat in range(args.repeats):  # interleaved, best of N: the machine's noise hits all alike
        for name, run in contenders.items():
            with timer() as elapsed:
                run(work / f"{name}-{repeat}")
            best[name] = min(best[name], elapsed())
    t_floor, t_lib, t_flow = (lambda n=n: best[n] for n in ("floor", "library", "flow"))

    rows = [
        {
            "ingest": "floor: pyarrow read + one write_deltalake",
            "seconds": t_floor(),
            "rows/s": bars / t_floor(),
            "x floor": 1.0,
        },
        {
            "ingest": "tecton library steps (plan, stage, commit)",
            "seconds": t_lib(),
            "rows/s": bars / t_lib(),
            "x floor": t_lib() / t_floor(),
        },
        {
            "ingest": "tecton Prefect flow `ingest` (server warm)",
            "seconds": t_flow(),
            "rows/s": bars / t_flow(),
            "x floor": t_flow() / t_floor(),
        },
    ]
    print_table(
        f"ingest: {summary.files:,} files, {bars:,} bars, {len(summary.markets)} markets, best of {args.repeats}",
        rows,
        ["ingest", "seconds", "rows/s", "x floor"],
    )


if __name__ == "__main__":
    main()
