"""Continuous contracts: tecton's dbt build vs a row-by-row pandas Panama stitch.

The reference stitches the way pysystemtrade's ``_panama_stitch`` does: walk the rows one by
one, and at each roll add the roll gap to every adjusted price so far. Both start from the same
input (the warehouse's unified observations: held contract, its price, the forward price) and
their outputs are checked equal before any time is printed.
Run: ``uv run python -m benchmarks.continuous [--markets ...]`` (target: >= 20x).
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
CONTINUOUS_MODELS = "int_observations_unioned int_roll_offsets_summed futures_cont_observed futures_cont"
OBSERVATIONS = "int_observations_unioned"


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


def main() -> None:
    parser = universe_parser(__doc__)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tecton-bench-continuous-"))
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

    with timer() as t_ours:  # the continuous-contract models alone, on the same observations
        report = warehouse.build(full_refresh=True, select=CONTINUOUS_MODELS)
    assert report.ok, report.failures
    # the models' own execution time as dbt reports it (the build also ran their tests)
    results = json.loads((Path(os.environ["TECTON_HOME"]) / "dbt" / "target" / "run_results.json").read_text())
    models = sum(r["execution_time"] for r in results["results"] if r["unique_id"].startswith("model."))

    with duckdb.connect(str(warehouse.warehouse_path()), read_only=True) as con:
        obs = con.execute(
            f"select market_id, observed_at, contract_id, price, forward_price from {OBSERVATIONS} "
            "order by market_id, observed_at"
        ).fetch_df()
        ours = con.execute(
            "select market_id, observed_at, price_adj from futures_cont_observed order by market_id, observed_at"
        ).fetch_df()

    with timer() as t_ref:
        reference = panama_row_by_row(obs)

    assert len(reference) == len(ours)
    both = np.isfinite(reference.to_numpy()) & np.isfinite(ours.price_adj.to_numpy())
    worst = np.max(np.abs(reference.to_numpy()[both] - ours.price_adj.to_numpy()[both]))
    assert worst <= 1e-9 * np.nanmax(np.abs(obs.price)), f"outputs differ by {worst}"

    rows = [
        {"build": "pandas row-by-row Panama stitch (pysystemtrade style)", "seconds": t_ref(), "x": 1.0},
        {"build": "tecton continuous models, their execution (dbt timing)", "seconds": models, "x": t_ref() / models},
        {"build": "tecton, wall time incl. dbt start-up and the models' tests", "seconds": t_ours(), "x": t_ref() / t_ours()},
    ]
    print_table(f"continuous contracts: {len(obs):,} observations, outputs equal (max diff {worst:.1e})", rows, ["build", "seconds", "x"])


if __name__ == "__main__":
    main()
