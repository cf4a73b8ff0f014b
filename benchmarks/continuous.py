"""Continuous contracts: tecton's dbt build vs a row-by-row pandas Panama stitch.

The reference stitches the way pysystemtrade's ``_panama_stitch`` does: walk the rows one by
one, and at each roll add the roll gap to every adjusted price so far. Both start from the same
input (the warehouse's unified observations: held contract, its price, the forward price) and
their outputs are checked equal before any time is printed.

tecton's side is the dbt models that turn the held-contract observations into continuous series
(a full refresh of each), plus one read of the adjusted series: futures_cont_observed and
futures_cont are views, so the read is where their join runs. The two sides run interleaved,
``--repeat`` times each (the machine is shared: compare figures from the same run); the table
shows the best of each. Run: ``uv run python -m benchmarks.continuous [--markets ...]``
(target: >= 20x).

``--peer`` times instead the whole ``dbt build`` (every model and test) on the pysystemtrade peer
data in ``../shared/data/pysystemtrade``, the build ``tests/dbt/test_marts_peer.py`` shares
(target: < 120 s).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks._common import print_table, timer, universe_parser

# the models that turn held-contract observations into continuous series (dbt_project/models):
# roll bookkeeping, the table of roll offsets, and the adjusted series at both grains
CONTINUOUS_MODELS = (
    "int_observations_unioned int_roll_offsets_summed futures_cont_observed futures_cont"
)
OBSERVATIONS = "int_observations_unioned"
# the Panama-adjusted series at observation grain, the reference's output
ADJUSTED = "select market_id, observed_at, price_adj from futures_cont_observed"
PEER = Path(__file__).resolve().parents[2] / "shared" / "data" / "pysystemtrade"


def panama_row_by_row(obs: pd.DataFrame) -> pd.Series:
    """pysystemtrade-style: per market, iterate rows; on a roll, shift all earlier prices."""
    out = []
    for _, market in obs.groupby("market_id", sort=False):
        market = market.set_index("observed_at")
        previous = market.iloc[0]
        adjusted = [previous.price]
        for when in market.index[1:]:
            row = market.loc[when]
            if row.contract_id == previous.contract_id:
                adjusted.append(row.price)
            else:
                gap = previous.forward_price - previous.price
                adjusted = [a + gap for a in adjusted]
                adjusted.append(row.price)
            previous = row
        out.append(pd.Series(adjusted, index=market.index))
    return pd.concat(out, ignore_index=True)


def peer_build(work: Path) -> None:
    """Land the peer data in a fresh lake, then time one full ``dbt build`` of it."""
    from tecton.dal import warehouse
    from tecton.dal.storage import Storage
    from tecton.lake import Lake, commit, plan, stage

    home = work / "peer-home"
    lake = Lake(Storage(str(home / "lake")))
    p = plan(PEER, "pysystemtrade", lake)
    commit(p, [stage(b, "pysystemtrade", lake) for b in p.batches(50)], lake)
    with timer() as t:
        report = warehouse.build(full_refresh=True, data_home=home, lake=str(home / "lake"))
    assert report.ok, report.failures
    rows = [
        {
            "build": "dbt build, every model and test, pysystemtrade peer data",
            "seconds": t(),
            "target": 120.0,
        }
    ]
    print_table(
        "peer build (the warehouse tests/dbt/test_marts_peer.py shares)",
        rows,
        ["build", "seconds", "target"],
    )


def main() -> None:
    parser = universe_parser(__doc__)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each side, interleaved; best of"
    )
    parser.add_argument(
        "--peer", action="store_true", help="time the full build on the peer data instead"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tecton-bench-continuous-"))
    if args.peer:
        return peer_build(work)
    os.environ["TECTON_HOME"] = str(work / "home")
    import duckdb

    from tecton.dal import warehouse
    from tecton.data.synthetic import generate
    from tecton.lake import Lake, commit, plan, stage

    generate(work / "raw", args.markets, args.start, args.end)
    lake = Lake()
    p = plan(work / "raw", "vendor-csv", lake)
    commit(p, [stage(b, "vendor-csv", lake) for b in p.batches(500)], lake)
    report = warehouse.build(full_refresh=True)  # everything up to the observations
    assert report.ok, report.failures

    with duckdb.connect(str(warehouse.warehouse_path()), read_only=True) as con:
        obs = con.execute(
            f"select market_id, observed_at, contract_id, price, forward_price from {OBSERVATIONS} "
            "order by market_id, observed_at"
        ).fetch_df()

    t_ref, t_models, t_read, t_wall = [], [], [], []
    for _ in range(args.repeat):
        with timer() as t:
            reference = panama_row_by_row(obs)
        t_ref.append(t())
        with timer() as t:  # the continuous-contract models alone, on the same observations
            report = warehouse.build(full_refresh=True, select=CONTINUOUS_MODELS)
            assert report.ok, report.failures
            # the adjusted series comes out of views: compute it once, as any reader would
            with (
                duckdb.connect(str(warehouse.warehouse_path()), read_only=True) as con,
                timer() as t_out,
            ):
                con.execute(ADJUSTED).to_arrow_table()
        t_wall.append(t())
        t_read.append(t_out())
        # the models' own execution time as dbt reports it (the build also ran their tests)
        results = json.loads(
            (Path(os.environ["TECTON_HOME"]) / "dbt" / "target" / "run_results.json").read_text()
        )
        t_models.append(
            sum(
                r["execution_time"]
                for r in results["results"]
                if r["unique_id"].startswith("model.")
            )
        )

    with duckdb.connect(str(warehouse.warehouse_path()), read_only=True) as con:
        ours = con.execute(f"{ADJUSTED} order by market_id, observed_at").fetch_df()
    assert len(reference) == len(ours)
    both = np.isfinite(reference.to_numpy()) & np.isfinite(ours.price_adj.to_numpy())
    worst = np.max(np.abs(reference.to_numpy()[both] - ours.price_adj.to_numpy()[both]))
    assert worst <= 1e-9 * np.nanmax(np.abs(obs.price)), f"outputs differ by {worst}"

    ref, models, read, wall = min(t_ref), min(t_models), min(t_read), min(t_wall)
    rows = [
        {
            "build": "pandas row-by-row Panama stitch (pysystemtrade style)",
            "seconds": ref,
            "x": 1.0,
        },
        {
            "build": "tecton continuous models, their execution (dbt timing)",
            "seconds": models,
            "x": ref / models,
        },
        {
            "build": "tecton models + reading the adjusted series out",
            "seconds": models + read,
            "x": ref / (models + read),
        },
        {
            "build": "tecton, wall time incl. dbt start-up, the models' tests, the read",
            "seconds": wall,
            "x": ref / wall,
        },
    ]
    title = (
        f"continuous contracts: {len(obs):,} observations, outputs equal (max diff {worst:.1e}); "
        f"best of {args.repeat} interleaved runs"
    )
    print_table(title, rows, ["build", "seconds", "x"])
    spread = ", ".join(
        f"{r / (m + o):.1f}x" for r, m, o in zip(t_ref, t_models, t_read, strict=True)
    )
    print(f"each run, reference / (models + read): {spread}")


if __name__ == "__main__":
    main()
