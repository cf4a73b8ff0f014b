"""Realism is measured, not claimed: stylised facts of the synthetic universe per asset class
must lie inside the range the real pysystemtrade futures data spans.

Run with ``-s`` to see the table of synthetic per-class figures against the real ranges.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv
import pytest

from tecton.data.synthetic import generate
from tecton.markets import market_specs

REAL = Path(__file__).parents[2] / ".." / "shared" / "data" / "pysystemtrade"
START, END = dt.date(2000, 1, 1), dt.date(2024, 12, 31)
FACTS = ("excess_kurtosis", "acf_abs_1_20", "acf_1", "vol_ann", "roll_yield_ann")
# real instruments that stand for markets in tecton's universe (BITCOIN has no counterpart)
REAL_NAMES = {"EDOLLAR": "SOFR", "CRUDE_W": "CRUDE"}


# ---------------------------------------------------------------- facts of one return series
def series_facts(ret: pd.Series) -> dict[str, float]:
    r = ret.dropna()
    a = r.abs()
    return {
        "excess_kurtosis": float(r.kurt()),
        "acf_abs_1_20": float(np.mean([a.autocorr(lag) for lag in range(1, 21)])),
        "acf_1": float(r.autocorr(1)),
        "vol_ann": float(r.std() * np.sqrt(252)),
    }


def mean_pairwise(returns: dict[str, pd.Series], pairs) -> float:
    values = []
    for a, b in pairs:
        both = pd.concat([returns[a], returns[b]], axis=1, join="inner").dropna()
        if len(both) > 250:
            values.append(both.iloc[:, 0].corr(both.iloc[:, 1]))
    return float(np.mean(values)) if values else float("nan")


def correlations(returns: dict[str, pd.Series], cls: dict[str, str]) -> dict[str, float]:
    """Average pairwise correlation within each class and for each pair of classes."""
    names = sorted(returns)
    by_class: dict[str, list[str]] = {}
    for n in names:
        by_class.setdefault(cls[n], []).append(n)
    out = {}
    for c, members in sorted(by_class.items()):
        if len(members) > 1:
            out[f"within:{c}"] = mean_pairwise(returns, itertools.combinations(members, 2))
    for c1, c2 in itertools.combinations(sorted(by_class), 2):
        out[f"across:{c1}/{c2}"] = mean_pairwise(
            returns, itertools.product(by_class[c1], by_class[c2])
        )
    return out


# ---------------------------------------------------------------- real data
def _months(contract: pd.Series) -> pd.Series:
    """``YYYYMM00`` contract ids to a month count."""
    return (contract // 10000) * 12 + (contract // 100) % 100


def real_instrument(code: str) -> tuple[pd.Series, float]:
    df = pd.read_csv(REAL / "multiple_prices_csv" / f"{code}.csv.gz", parse_dates=["DATETIME"])
    df["date"] = df["DATETIME"].dt.normalize()
    df = df.groupby("date").last()  # the daily part: each calendar date's last row
    same = df["PRICE_CONTRACT"].eq(df["PRICE_CONTRACT"].shift())
    ret = (df["PRICE"].diff() / df["PRICE"].shift()).where(same)
    years = (_months(df["CARRY_CONTRACT"]) - _months(df["PRICE_CONTRACT"])) / 12
    roll = ((df["PRICE"] - df["CARRY"]) / df["PRICE"] / years).where(years != 0)
    return ret.replace([np.inf, -np.inf], np.nan), float(roll.dropna().mean())


def real_facts() -> tuple[pd.DataFrame, dict[str, float]]:
    config = pd.read_csv(REAL / "csvconfig" / "instrumentconfig.csv").set_index("Instrument")
    specs = market_specs()
    codes = sorted(
        p.name.removesuffix(".csv.gz")
        for p in (REAL / "multiple_prices_csv").glob("*.csv.gz")
        if REAL_NAMES.get(p.name.removesuffix(".csv.gz"), p.name.removesuffix(".csv.gz")) in specs
    )
    rows, returns = {}, {}
    for code in codes:
        ret, roll = real_instrument(code)
        returns[code] = ret
        rows[code] = {**series_facts(ret), "roll_yield_ann": roll}
    table = pd.DataFrame(rows).T
    table["asset_class"] = config.loc[table.index, "AssetClass"]
    return table, correlations(returns, table["asset_class"].to_dict())


# ---------------------------------------------------------------- synthetic data
def _read_bars(path: Path) -> pa.Table:
    return pcsv.read_csv(
        path, convert_options=pcsv.ConvertOptions(column_types={"date": pa.date32()})
    )


def synthetic_market(folder: Path, market_id: str, contracts: pd.DataFrame):
    """Front-contract returns (roll a few days before first notice / expiry) and roll yield."""
    spec = market_specs()[market_id]
    info = contracts[contracts.market_id == market_id].sort_values("expiry_date")
    closes = {}
    for cid in info.contract_id:
        t = _read_bars(folder / f"{cid}.csv").to_pandas()
        closes[cid] = pd.Series(t["close"].to_numpy(), index=pd.to_datetime(t["date"]))
    wide = pd.DataFrame(closes).sort_index()
    dates = wide.index
    ref = pd.to_datetime(info.first_notice_date.fillna(info.expiry_date))
    ref_pos = np.searchsorted(dates, ref.to_numpy(), side="right") - 1
    roll_pos = ref_pos - max(spec.roll_days, 5)  # hold until this row, then the next contract
    held = np.searchsorted(roll_pos, np.arange(len(dates)), side="left")  # first j with roll > t
    ok = held < len(info) - 1
    cols = np.minimum(held, len(info) - 1)
    values = wide.to_numpy()
    rows = np.arange(len(dates))
    price = values[rows, cols]
    prev = np.concatenate(([np.nan], values[rows[1:] - 1, cols[1:]]))
    ret = pd.Series(np.where(ok, price / prev - 1, np.nan), index=dates)
    nxt = values[rows, np.minimum(cols + 1, len(info) - 1)]
    month = info.delivery_month.to_numpy()
    mi = (month // 100) * 12 + month % 100
    years = (mi[np.minimum(cols + 1, len(info) - 1)] - mi[cols]) / 12
    with np.errstate(invalid="ignore", divide="ignore"):
        roll = np.where(ok & (years > 0), (price - nxt) / price / years, np.nan)
    return ret, float(np.nanmean(roll))


def synthetic_facts(folder: Path) -> tuple[pd.DataFrame, dict[str, float]]:
    contracts = pd.read_csv(folder / "contracts.csv")
    specs = market_specs()
    rows, returns = {}, {}
    for market_id in sorted(contracts.market_id.unique()):
        ret, roll = synthetic_market(folder, market_id, contracts)
        returns[market_id] = ret
        rows[market_id] = {**series_facts(ret), "roll_yield_ann": roll}
    table = pd.DataFrame(rows).T
    table["asset_class"] = [specs[m].asset_class for m in table.index]
    return table, correlations(returns, table["asset_class"].to_dict())


# ---------------------------------------------------------------- fixtures and tests
@pytest.fixture(scope="session")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic_universe")
    generate(folder, start=START, end=END, seed=42)
    return synthetic_facts(folder)


@pytest.fixture(scope="session")
def real():
    if not (REAL / "multiple_prices_csv").is_dir():
        pytest.skip(f"real pysystemtrade data not found at {REAL.resolve()}")
    return real_facts()


def _report(syn_classes: pd.DataFrame, real_table: pd.DataFrame) -> None:
    lines = [f"{'class':<10}" + "".join(f"{f:>24}" for f in FACTS)]
    for cls, row in syn_classes.iterrows():
        lines.append(f"{cls:<10}" + "".join(f"{row[f]:>24.3f}" for f in FACTS))
    lo, hi = real_table[list(FACTS)].min(), real_table[list(FACTS)].max()
    lines.append(f"{'real':<10}" + "".join(f"{f'[{lo[f]:.3f}, {hi[f]:.3f}]':>24}" for f in FACTS))
    print("\n" + "\n".join(lines))


def test_per_class_facts_within_real_ranges(synthetic, real):
    syn_table, _ = synthetic
    real_table, _ = real
    syn_classes = syn_table.groupby("asset_class")[list(FACTS)].mean()
    _report(syn_classes, real_table)
    outside = []
    for fact in FACTS:
        lo, hi = real_table[fact].min(), real_table[fact].max()
        for cls, value in syn_classes[fact].items():
            if not lo <= value <= hi:
                outside.append(f"{cls} {fact}={value:.3f} not in [{lo:.3f}, {hi:.3f}]")
    assert not outside, "\n".join(outside)


def test_correlations_within_real_ranges(synthetic, real):
    _, syn_corr = synthetic
    _, real_corr = real
    outside = []
    print()
    for kind in ("within", "across"):
        real_values = [v for k, v in real_corr.items() if k.startswith(kind)]
        lo, hi = min(real_values), max(real_values)
        syn = {k: v for k, v in syn_corr.items() if k.startswith(kind)}
        print(f"{kind}: real [{lo:.2f}, {hi:.2f}]; synthetic " + ", ".join(
            f"{k.split(':')[1]}={v:.2f}" for k, v in syn.items()
        ))  # fmt: skip
        outside += [
            f"{k}={v:.3f} not in [{lo:.3f}, {hi:.3f}]" for k, v in syn.items() if not lo <= v <= hi
        ]
    assert not outside, "\n".join(outside)


def test_correlation_higher_within_classes_than_across(synthetic):
    _, syn_corr = synthetic
    within = np.mean([v for k, v in syn_corr.items() if k.startswith("within")])
    across = np.mean([v for k, v in syn_corr.items() if k.startswith("across")])
    assert within > across + 0.3
