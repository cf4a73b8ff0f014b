"""The synthetic generator: determinism, calendars, expiries, OHLC, rolls, carry, defects."""

from __future__ import annotations

import datetime as dt
import filecmp
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tecton.data.readers import vendor_csv
from tecton.data.synthetic import DEFECTS_FILE, KINDS, generate
from tecton.markets import market_specs, trading_days

MARKETS = ["SP500", "US10", "CRUDE", "CORN"]
START, END = dt.date(2018, 1, 1), dt.date(2021, 6, 30)


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    generate(out, MARKETS, START, END, seed=7)
    return out


@pytest.fixture(scope="module")
def bars(clean) -> pd.DataFrame:
    frames = []
    for path in sorted(clean.glob("*_*.csv")):
        if path.name.startswith("_"):
            continue
        df = pd.read_csv(path, parse_dates=["date"])
        df["contract_id"] = path.stem
        df["market_id"] = path.stem.rsplit("_", 1)[0]
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def contracts(clean) -> pd.DataFrame:
    return pd.read_csv(clean / "contracts.csv", parse_dates=["first_trade_date", "expiry_date"])


def _files(folder: Path) -> dict[str, bytes]:
    """Every file written, fundamentals/<MARKET>.csv included, by its path under ``folder``."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_byte_identical_files(clean, tmp_path):
    generate(tmp_path, MARKETS, START, END, seed=7)
    assert _files(tmp_path) == _files(clean)


def test_other_seed_gives_other_data(clean, tmp_path):
    generate(tmp_path, MARKETS, START, END, seed=8)
    assert not filecmp.cmp(tmp_path / "SP500_201903.csv", clean / "SP500_201903.csv", shallow=False)


def test_subset_equals_same_markets_of_larger_run(clean, tmp_path):
    generate(tmp_path, ["CORN", "US10"], START, END, seed=7)
    small = _files(tmp_path)
    big = _files(clean)
    assert {"fundamentals/CORN.csv", "fundamentals/US10.csv"} <= set(small)
    for name, data in small.items():
        if name != "contracts.csv":
            assert data == big[name], name
    assert _rows_of(small["contracts.csv"], "CORN", "US10") == _rows_of(
        big["contracts.csv"], "CORN", "US10"
    )


def _rows_of(data: bytes, *markets: str) -> set[str]:
    return {r for r in data.decode().splitlines()[1:] if r.startswith(markets)}


def test_summary_and_progress(tmp_path):
    seen = []
    summary = generate(
        tmp_path, ["GOLD", "EUR"], dt.date(2020, 1, 1), dt.date(2020, 12, 31), progress=seen.append
    )
    assert seen == [1, 2]
    assert summary.markets == ("GOLD", "EUR")
    assert summary.files == len(list(tmp_path.rglob("*.csv")))
    assert summary.contracts == len(list(tmp_path.glob("*_*.csv")))
    assert sorted(p.name for p in (tmp_path / "fundamentals").iterdir()) == ["EUR.csv", "GOLD.csv"]
    assert summary.fundamentals == sum(
        len(p.read_text().splitlines()) - 1 for p in (tmp_path / "fundamentals").glob("*.csv")
    )
    assert summary.rows == sum(
        len(p.read_text().splitlines()) - 1 for p in tmp_path.glob("*_*.csv")
    )
    assert summary.defects == 0 and not (tmp_path / DEFECTS_FILE).exists()


def test_unknown_market_names_valid_ones(tmp_path):
    with pytest.raises(ValueError, match="NOPE") as err:
        generate(tmp_path, ["SP500", "NOPE"])
    assert "SP500" in str(err.value) and "CRUDE" in str(err.value)


def test_start_after_end_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="after"):
        generate(tmp_path, ["SP500"], dt.date(2020, 1, 2), dt.date(2020, 1, 1))


def test_bars_only_on_trading_days_inside_window(bars):
    assert bars.date.dt.dayofweek.max() < 5
    assert bars.date.min() >= pd.Timestamp(START) and bars.date.max() <= pd.Timestamp(END)
    specs = market_specs()
    for market_id, group in bars.groupby("market_id"):
        days = trading_days(specs[market_id].calendar)
        assert np.isin(group.date.to_numpy().astype("datetime64[D]"), days).all(), market_id
    # every trading day of a liquid market's window has a front bar
    sp = bars[bars.market_id == "SP500"].date.unique()
    days = trading_days("CME_Equity")
    window = days[(days >= np.datetime64(START)) & (days <= np.datetime64(END))]
    assert len(sp) == len(window)


def test_expiries_match_metadata_and_no_bars_after_expiry(bars, contracts):
    specs = market_specs()
    for row in contracts.itertuples():
        spec = specs[row.market_id]
        year, month = divmod(row.delivery_month, 100)
        assert row.expiry_date.date() == spec.expiry(year, month)
        notice = spec.first_notice(year, month)
        assert (
            pd.isna(row.first_notice_date)
            if notice is None
            else row.first_notice_date == notice.isoformat()
        )
    last = bars.groupby("contract_id").date.max()
    first = bars.groupby("contract_id").date.min()
    info = contracts.set_index("contract_id")
    assert (last <= info.expiry_date.loc[last.index]).all()
    assert (first == info.first_trade_date.loc[first.index]).all()
    assert set(info.index) == set(last.index)


def test_contracts_are_listed_listing_months_before_expiry(bars, contracts):
    spec = market_specs()["CORN"]
    life = bars[bars.contract_id == "CORN_201912"].date
    assert life.min() >= pd.Timestamp(START)
    assert life.min() <= pd.Timestamp(2018, 12, 31)
    assert life.max() == pd.Timestamp(spec.expiry(2019, 12))
    assert len(life) > 200 * spec.listing_months / 12


def test_clean_files_read_through_vendor_reader(clean):
    files = vendor_csv.discover(clean)
    assert {f.table for f in files} == {"bars", "contracts", "fundamentals"}
    rows = sum(vendor_csv.read(f).num_rows for f in files if f.table == "bars")
    assert rows > 5000
    fundamentals = [vendor_csv.read(f) for f in files if f.table == "fundamentals"]
    assert len(fundamentals) == len(MARKETS) and all(t.num_rows > 100 for t in fundamentals)


def test_ohlc_valid_and_counts_integral(bars, clean):
    assert (bars.low <= bars[["open", "close"]].min(axis=1)).all()
    assert (bars.high >= bars[["open", "close"]].max(axis=1)).all()
    assert (bars.volume >= 0).all() and (bars.open_interest >= 0).all()
    header, first = (clean / "SP500_201903.csv").read_text().splitlines()[:2]
    assert header == "date,open,high,low,close,volume,open_interest"
    assert all(v.isdigit() for v in first.split(",")[-2:])
    # prices on the tick grid, and no spurious flat liquid bars
    ticks = bars[bars.market_id == "SP500"].close / 0.25
    assert np.allclose(ticks, ticks.round())
    assert (bars.groupby("contract_id").close.diff().eq(0).mean()) < 0.1


def test_open_interest_rolls_to_next_contract_before_expiry(bars, contracts):
    assert market_specs()["US10"].roll_rule == "open_interest"
    oi = bars[bars.market_id == "US10"].pivot(
        index="date", columns="contract_id", values="open_interest"
    )
    info = contracts[contracts.market_id == "US10"].sort_values("expiry_date")
    checked = 0
    for front, nxt, expiry in zip(
        info.contract_id, info.contract_id[1:], info.expiry_date, strict=False
    ):
        window = oi.loc[oi.index <= expiry, [front, nxt]].dropna()
        if len(window) < 40:
            continue
        over = window[nxt] > window[front]
        crossed = over.idxmax()
        assert over.any() and over.loc[crossed:].all(), front  # overtakes once and stays ahead
        days_before = (window.index > crossed).sum()
        assert 3 <= days_before < 40, (front, days_before)
        assert (window[front].iloc[:-40] > window[nxt].iloc[:-40]).all()
        checked += 1
    assert checked >= 10


def test_expiring_contract_volume_thins(bars, contracts):
    sp = bars[bars.contract_id == "SP500_201912"].set_index("date")
    assert sp.volume.iloc[-2:].mean() < 0.2 * sp.volume.iloc[-60:-20].mean()


def test_crude_may_2020_prints_negative(bars):
    c = bars[bars.contract_id == "CRUDE_202005"].set_index("date")
    april = c.loc["2020-04"]
    assert april.close.min() < 0
    assert april.close.idxmin() == pd.Timestamp("2020-04-20")
    assert (c.low <= c[["open", "close"]].min(axis=1)).all()
    assert (c.high >= c[["open", "close"]].max(axis=1)).all()
    # other contracts stay positive
    assert (
        bars[(bars.market_id == "CRUDE") & (bars.contract_id != "CRUDE_202005")].close > 0
    ).all()


def test_contango_and_backwardation_both_occur(bars, contracts):
    for market_id in ("CRUDE", "CORN"):
        close = bars[bars.market_id == market_id].pivot(
            index="date", columns="contract_id", values="close"
        )
        order = contracts[contracts.market_id == market_id].sort_values("expiry_date").contract_id
        close = close[list(order)]
        values = close.to_numpy()
        has = ~np.isnan(values)
        front = has.argmax(axis=1)
        rows = np.arange(len(values))
        nxt = np.minimum(front + 1, values.shape[1] - 1)
        spread = values[rows, front] - values[rows, nxt]
        spread = spread[~np.isnan(spread)]
        assert (spread > 0).mean() > 0.05, f"{market_id} never backwardated"
        assert (spread < 0).mean() > 0.05, f"{market_id} never in contango"


def test_grain_curve_is_seasonal(bars):
    # new-crop December corn trades below old-crop July on average
    close = bars[bars.market_id == "CORN"].pivot(
        index="date", columns="contract_id", values="close"
    )
    both = close[["CORN_201907", "CORN_201912"]].dropna()
    assert (both.CORN_201907 > both.CORN_201912).mean() > 0.5


# ---------------------------------------------------------------- defects
N_DEFECTS = 2


@pytest.fixture(scope="module")
def defected(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("defected")
    summary = generate(out, MARKETS, START, END, seed=7, defects=N_DEFECTS)
    assert summary.defects == N_DEFECTS * len(KINDS)
    return out


@pytest.fixture(scope="module")
def log(defected) -> pd.DataFrame:
    return pd.read_csv(defected / DEFECTS_FILE, parse_dates=["first_date", "last_date"])


def _read(folder: Path, file: str) -> pd.DataFrame:
    return pd.read_csv(folder / file, parse_dates=["date"])


def test_defect_log_has_n_per_kind(log):
    assert list(log.columns) == [
        "kind",
        "market_id",
        "contract_id",
        "file",
        "first_date",
        "last_date",
    ]
    assert log.kind.value_counts().to_dict() == dict.fromkeys(KINDS, N_DEFECTS)
    assert (log.file == log.contract_id + ".csv").all()


def test_defects_do_not_overlap(log):
    for _, group in log.groupby("market_id"):
        group = group.sort_values("first_date")
        assert (group.first_date.iloc[1:].to_numpy() > group.last_date.iloc[:-1].to_numpy()).all()


def test_each_defect_is_present(log, clean, defected):
    for d in log.itertuples():
        bad, good = _read(defected, d.file), _read(clean, d.file)
        if d.kind == "spike":
            g = good.set_index("date")
            sigma = g.close.diff().std()
            b = bad.set_index("date")
            assert abs(b.close[d.first_date] - g.close[d.first_date]) > 6 * sigma
            after = b.index[b.index.get_loc(d.first_date) + 1]
            assert b.close[after] == g.close[after]  # reverts next day
        elif d.kind == "gap":
            missing = good.date[(good.date >= d.first_date) & (good.date <= d.last_date)]
            assert len(missing) >= 6
            assert not bad.date.isin(missing).any()
            assert len(bad) == len(good) - len(missing)
        elif d.kind == "duplicate":
            rows = bad[bad.date == d.first_date]
            assert len(rows) == 2 and rows.iloc[0].equals(rows.iloc[1])
        elif d.kind == "stale":
            run = bad[(bad.date >= d.first_date) & (bad.date <= d.last_date)]
            assert len(run) >= 6
            assert run[["open", "high", "low", "close"]].nunique().max() == 1
            assert run.close.nunique() == 1 and (run.volume > 0).all()
        elif d.kind == "bad_ohlc":
            row = bad[bad.date == d.first_date].iloc[0]
            assert row.close > row.high or row.open < row.low
            assert row.high >= row.low


def test_defects_leave_other_rows_clean(log, clean, defected):
    touched = set(log.file)
    for path in clean.glob("*_*.csv"):
        if path.name not in touched:
            assert path.read_bytes() == (defected / path.name).read_bytes()
    assert (clean / "contracts.csv").read_bytes() == (defected / "contracts.csv").read_bytes()
    for d in log.itertuples():
        bad, good = _read(defected, d.file), _read(clean, d.file)
        hit = log[log.file == d.file]
        pd.testing.assert_frame_equal(_outside(bad, hit), _outside(good, hit))


def _outside(df: pd.DataFrame, hit: pd.DataFrame) -> pd.DataFrame:
    """Rows of a contract outside every logged defect's dates."""
    inside = np.any(
        [(df.date >= r.first_date) & (df.date <= r.last_date) for r in hit.itertuples()], axis=0
    )
    return df[~inside].reset_index(drop=True)


def test_defects_avoid_crude_negative_days(tmp_path):
    generate(tmp_path, ["CRUDE"], dt.date(2019, 10, 1), dt.date(2020, 9, 30), seed=3, defects=1)
    log = pd.read_csv(tmp_path / DEFECTS_FILE)
    assert "CRUDE_202005" not in set(log.contract_id)
