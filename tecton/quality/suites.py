"""The expectation suite every run's new bars are validated against, defined in code.

One suite, ``bars_partition``, over one batch per run: the staged bars plus the statistics of
``tecton.quality.stats``. Each expectation carries ``meta.rule`` (the rule a failing row is
reported under) and ``meta.message`` (the one line a user reads). The stored JSON in
``expectations/bars_partition.json`` is this suite written out
(``uv run python -m tecton.quality.suites``); a test fails when the two drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path

import great_expectations as gx
import great_expectations.expectations as gxe

from tecton.quality import thresholds as th

SUITE_NAME = "bars_partition"
STORED = Path(__file__).resolve().parents[2] / "expectations" / f"{SUITE_NAME}.json"

KEYS = ("market_id", "contract_id", "trade_date", "observed_at", "source_file")
TYPES = {
    "delivery_month": "int32",
    "open": "float64",
    "high": "float64",
    "low": "float64",
    "close": "float64",
    "volume": "float64",
    "open_interest": "float64",
    "year": "int32",
    "observed_at": "datetime64[us]",
    "trade_date": "datetime64[s]",
}
PAIRS = (("high", "open"), ("high", "close"), ("open", "low"), ("close", "low"))


def _meta(rule: str, message: str) -> dict:
    return {"rule": rule, "message": message}


def expectations() -> list[gxe.Expectation]:
    """The suite's expectations, in the order they are reported."""
    out: list[gxe.Expectation] = []
    for column, dtype in TYPES.items():
        out.append(
            gxe.ExpectColumnValuesToBeOfType(
                column=column, type_=dtype, meta=_meta("schema", f"{column} is not {dtype}")
            )
        )
    for column in KEYS:
        out.append(
            gxe.ExpectColumnValuesToNotBeNull(
                column=column, meta=_meta("not_null_key", f"{column} is missing")
            )
        )
    out.append(
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["market_id", "contract_id", "observed_at", "role_key"],
            meta=_meta("unique_key", "more than one bar for (market, contract, date, role)"),
        )
    )
    for a, b in PAIRS:
        out.append(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=a, column_B=b, or_equal=True, ignore_row_if="either_value_is_missing",
                meta=_meta("ohlc_order", f"{b} is above {a}"),
            )
        )  # fmt: skip
    out.append(
        gxe.ExpectColumnValuesToBeBetween(
            column="min_price", min_value=0, strict_min=True,
            meta=_meta("positive_price", "a price is zero or negative in a market that does not allow it"),
        )
    )  # fmt: skip
    for column in ("volume", "open_interest"):
        out.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=column, min_value=0, meta=_meta("non_negative", f"{column} is negative")
            )
        )
    out.append(
        gxe.ExpectColumnValuesToBeInSet(
            column="is_trading_day",
            value_set=[True],
            meta=_meta("trading_day", "trade_date is not a trading day of the exchange"),
        )
    )
    out.append(
        gxe.ExpectColumnValuesToBeBetween(
            column="order_step_s", min_value=0, strict_min=True,
            meta=_meta("date_order", "a bar is not after the one the file lists before it"),
        )
    )  # fmt: skip
    out.append(
        gxe.ExpectColumnValuesToBeBetween(
            column="gap_days", min_value=0, max_value=th.GAP_DAYS,
            meta=_meta("gap", f"more than {th.GAP_DAYS} trading days missing inside the contract's life"),
        )
    )  # fmt: skip
    for asset_class, z in sorted(th.SPIKE_Z.items()):
        out.append(
            gxe.ExpectColumnValuesToBeBetween(
                column="spike_z", min_value=-z, max_value=z,
                row_condition=f'asset_class=="{asset_class}"', condition_parser="pandas",
                meta=_meta("spike", f"one-day reverting move beyond {z:g} robust sd ({asset_class})"),
            )
        )  # fmt: skip
    z = th.SPIKE_Z_DEFAULT
    out.append(
        gxe.ExpectColumnValuesToBeBetween(
            column="spike_z", min_value=-z, max_value=z,
            row_condition='asset_class=="unknown"', condition_parser="pandas",
            meta=_meta("spike", f"one-day reverting move beyond {z:g} robust sd"),
        )
    )  # fmt: skip
    out.append(
        gxe.ExpectColumnValuesToBeBetween(
            column="stale_days", min_value=1, max_value=th.STALE_DAYS - 1,
            meta=_meta("stale", f"the same flat price for {th.STALE_DAYS}+ days while volume trades"),
        )
    )  # fmt: skip
    return out


def suite() -> gx.ExpectationSuite:
    return gx.ExpectationSuite(name=SUITE_NAME, expectations=expectations())


def as_json() -> dict:
    """The suite as stored JSON (without GX's generated ids, so it is stable)."""
    return {
        "name": SUITE_NAME,
        "expectations": [
            {"type": e.expectation_type, "kwargs": e.configuration.kwargs, "meta": e.meta}
            for e in expectations()
        ],
    }


def write(path: Path = STORED) -> Path:
    path.write_text(json.dumps(as_json(), indent=2, sort_keys=True, default=str) + "\n")
    return path


if __name__ == "__main__":  # pragma: no cover
    print(f"wrote {write()}")
