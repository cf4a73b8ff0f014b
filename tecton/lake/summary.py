"""What the lake holds: tables with their versions, and bars per market."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from tecton.lake.tables import Lake


def tables(lake: Lake) -> list[dict]:
    """One row per table: name, current version, rows, files."""
    out = []
    for name in lake.table_names():
        table = lake.table(name)
        files = table.get_add_actions(flatten=True)
        rows = pc.sum(pa.table(files)["num_records"]).as_py() or 0
        out.append(
            {"table": name, "version": table.version(), "rows": rows, "files": len(pa.table(files))}
        )
    return out


def bars_by_market(lake: Lake) -> list[dict]:
    """One row per market: contracts, bars, first and last trade date."""
    if not lake.exists("bars"):
        return []
    bars = (
        lake.table("bars")
        .to_pyarrow_dataset()
        .to_table(columns=["market_id", "contract_id", "trade_date"])
    )
    grouped = bars.group_by("market_id").aggregate(
        [
            ("contract_id", "count_distinct"),
            ("trade_date", "count"),
            ("trade_date", "min"),
            ("trade_date", "max"),
        ]
    )
    return sorted(
        (
            {
                "market_id": r["market_id"],
                "contracts": r["contract_id_count_distinct"],
                "bars": r["trade_date_count"],
                "first": r["trade_date_min"],
                "last": r["trade_date_max"],
            }
            for r in grouped.to_pylist()
        ),
        key=lambda r: r["market_id"],
    )
