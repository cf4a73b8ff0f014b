"""Mantle.select vs the same query in plain DuckDB SQL, on the same warehouse file, same run.

Builds a warehouse from the synthetic universe (generate, ingest, dbt build) unless ``--home``
points at a data home that has one. Both contenders use the same DuckDB connection (Mantle's own,
read-only) and return a pandas DataFrame; the SQL side is hand-written with ``?`` parameters and
read both ways DuckDB offers (``.df()`` and Arrow then pandas): the faster is the reference.
Run: ``uv run python -m benchmarks.mantle [--markets CRUDE GOLD ...] [--home DIR]``.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks._common import print_table, universe_parser

SQL_ALL = (
    "select market_id, trade_date, contract_id, price_adj from futures_cont "
    "where trade_date between ? and ? order by market_id, trade_date, contract_id"
)
SQL_ONE = (
    "select market_id, trade_date, contract_id, price_adj from futures_cont "
    "where market_id = ? order by market_id, trade_date, contract_id"
)


def prepare(home: Path, markets, start: dt.date, end: dt.date) -> None:
    from tecton.dal import warehouse
    from tecton.data.synthetic import generate
    from tests.support.lake import ingest_now

    raw = home / "raw"
    generate(raw, markets, start, end)
    assert ingest_now(raw).ok
    report = warehouse.build()  # releases dbt-duckdb's connection itself
    if not report.ok:
        raise SystemExit(f"build failed: {report.failures}")


def best_and_median(fn, repeats: int) -> tuple[float, float, int]:
    fn()  # warm: connection, catalog, page cache
    times, rows = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        rows = len(fn())
        times.append(time.perf_counter() - start)
    return min(times) * 1000, statistics.median(times) * 1000, rows


def main() -> None:
    parser = universe_parser(__doc__)
    parser.add_argument(
        "--home", type=Path, default=None, help="a data home with a built warehouse"
    )
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()

    home = args.home or Path(tempfile.mkdtemp(prefix="tecton-bench-mantle-"))
    os.environ["TECTON_HOME"] = str(home)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
    if not (home / "warehouse.duckdb").exists():
        prepare(home, args.markets, args.start, args.end)

    from tecton.dal.mantle import Mantle

    con = Mantle._warehouse().con().con  # the raw duckdb connection Mantle itself reads through
    cont = Mantle.Tables.futures.cont
    market = Mantle.markets(cont)[0]
    lo, hi = args.start, args.end
    cases = {
        "full universe": (
            lambda: Mantle.select(cont, lo, hi, columns=["price_adj", "contract_id"]),
            lambda: con.execute(SQL_ALL, [lo, hi]).df(),
            lambda: con.execute(SQL_ALL, [lo, hi]).arrow().read_all().to_pandas(),
        ),
        f"one market ({market}), full history": (
            lambda: Mantle.select(cont, columns=["price_adj", "contract_id"], markets=[market]),
            lambda: con.execute(SQL_ONE, [market]).df(),
            lambda: con.execute(SQL_ONE, [market]).arrow().read_all().to_pandas(),
        ),
    }
    rows = []
    for name, (mantle, sql_df, sql_arrow) in cases.items():
        m_best, m_med, n = best_and_median(mantle, args.repeats)
        d_best, d_med, n_df = best_and_median(sql_df, args.repeats)
        a_best, a_med, n_ar = best_and_median(sql_arrow, args.repeats)
        assert n == n_df == n_ar, (n, n_df, n_ar)
        ref_best = min(d_best, a_best)
        rows.append(
            {
                "read": f"{name}: SQL .df()",
                "rows": n,
                "best ms": d_best,
                "median ms": d_med,
                "x ref": d_best / ref_best,
            }
        )
        rows.append(
            {
                "read": f"{name}: SQL arrow→pandas",
                "rows": n,
                "best ms": a_best,
                "median ms": a_med,
                "x ref": a_best / ref_best,
            }
        )
        rows.append(
            {
                "read": f"{name}: Mantle.select",
                "rows": n,
                "best ms": m_best,
                "median ms": m_med,
                "x ref": m_best / ref_best,
            }
        )
    print_table(
        "Mantle.select vs plain DuckDB SQL (same connection, same file)",
        rows,
        ["read", "rows", "best ms", "median ms", "x ref"],
    )


if __name__ == "__main__":
    main()
