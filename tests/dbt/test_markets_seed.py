"""The market metadata is one file: dbt's seed and Python's MarketSpec read the same rows."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from tecton.markets import market_specs, markets_csv
from tests.support.dbt import DBT_PROJECT, dbt_build


def test_seed_is_the_python_metadata_file():
    assert (DBT_PROJECT / "seeds" / "markets.csv").resolve() == markets_csv().resolve()


@pytest.mark.slow
def test_dbt_seed_loads_what_python_reads(tecton_home):
    run = dbt_build(tecton_home, "--select", "markets")
    assert run.returncode == 0, run.stdout[-3000:]
    with duckdb.connect(str(tecton_home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute("select * from markets order by market_id").fetch_df()
    specs = market_specs()
    assert sorted(rows.market_id) == sorted(specs)
    for row in rows.itertuples():
        spec = specs[row.market_id]
        assert (
            row.point_value,
            row.tick_size,
            row.listing_cycle,
            row.roll_rule,
            row.roll_days,
        ) == (spec.point_value, spec.tick_size, spec.listing_cycle, spec.roll_rule, spec.roll_days)
        assert bool(row.allows_negative) == spec.allows_negative
        assert (
            None if pd.isna(row.first_notice_rule) else row.first_notice_rule
        ) == spec.first_notice_rule


def test_metadata_covers_the_asset_classes_the_product_promises():
    specs = market_specs().values()
    assert len(specs) >= 24
    classes = {s.asset_class for s in specs}
    assert classes >= {
        "equity",
        "bond",
        "stir",
        "fx",
        "energy",
        "metals",
        "ags",
        "livestock",
        "vol",
    }
    assert {"CRUDE", "GAS_US"} <= {s.market_id for s in specs}
    assert all(s.calendar and s.expiry_rule and s.listing_cycle for s in specs)
    assert {s.roll_rule for s in specs} >= {"calendar", "open_interest"}
