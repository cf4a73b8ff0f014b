"""Mantle against a hand-made warehouse: every result is checked against plain DuckDB SQL."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest
from pandas.api.types import is_datetime64_dtype, is_float_dtype, is_string_dtype

from tecton.dal import Mantle, TectonError
from tecton.dal.catalog import mart_names
from tests.dal import fake_warehouse


@pytest.fixture(autouse=True)
def warehouse(tecton_home):
    path = fake_warehouse.build(tecton_home / "warehouse.duckdb")
    yield path
    Mantle.close()


def plain(path, sql, params=()) -> pd.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


def same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False, check_exact=True
    )


# --- the call shape -----------------------------------------------------------------------------


def test_select_matches_plain_duckdb(warehouse):
    got = Mantle.select(
        Mantle.Tables.futures.cont, "2020-03-02", "2020-06-30", columns=["price_adj", "contract_id"]
    )
    want = plain(
        warehouse,
        "select market_id, trade_date, contract_id, price_adj from futures_cont "
        "where trade_date between ? and ? order by market_id, trade_date",
        [dt.date(2020, 3, 2), dt.date(2020, 6, 30)],
    )
    assert len(got) > 100
    same(got, want)


def test_dtypes_and_order(warehouse):
    df = Mantle.select(Mantle.Tables.futures.cont, dt.date(2020, 1, 1), pd.Timestamp("2020-12-31"))
    assert list(df.columns) == [
        "market_id",
        "trade_date",
        "contract_id",
        "price",
        "price_adj",
        "is_roll",
    ]
    assert is_datetime64_dtype(df.trade_date)
    assert is_string_dtype(df.market_id) and is_string_dtype(df.contract_id)
    assert is_float_dtype(df.price) and is_float_dtype(df.price_adj)
    assert df.is_roll.dtype == bool
    ordered = df.sort_values(["market_id", "trade_date"], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(df, ordered)
    assert df.market_id.unique().tolist() == ["CRUDE", "GOLD", "SP500"]


def test_markets_filter_and_string_table_name(warehouse):
    got = Mantle.select(
        "futures.cont", "2020-01-01", "2020-02-28", columns=["price"], markets=["GOLD"]
    )
    want = plain(
        warehouse,
        "select market_id, trade_date, contract_id, price from futures_cont "
        "where market_id = ? and trade_date between ? and ? order by trade_date",
        ["GOLD", dt.date(2020, 1, 1), dt.date(2020, 2, 28)],
    )
    same(got, want)
    assert Mantle.select("futures.cont", markets="GOLD").market_id.unique().tolist() == ["GOLD"]


def test_no_window_reads_everything(warehouse):
    got = Mantle.select(Mantle.Tables.futures.returns)
    want = plain(
        warehouse, "select * from futures_returns_daily order by market_id, trade_date, contract_id"
    )
    same(got, want)


def test_where_filters_by_value(warehouse):
    got = Mantle.select("futures.cont", where={"contract_id": "CRUDE_202003"})
    assert set(got.contract_id) == {"CRUDE_202003"} and len(got) > 30
    assert Mantle.select("futures.cont", where={"contract_id": "x' or '1'='1"}).empty


# --- lookback -----------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 5, 64])
def test_lookback_adds_n_bars_per_market(warehouse, n):
    start, end = dt.date(2020, 3, 2), dt.date(2020, 3, 31)
    got = Mantle.select(Mantle.Tables.futures.cont, start, end, columns=["price_adj"], lookback=n)
    inside = got[got.trade_date >= pd.Timestamp(start)]
    before = got[got.trade_date < pd.Timestamp(start)]
    for market in ["CRUDE", "GOLD", "SP500"]:
        want = plain(
            warehouse,
            "select trade_date from futures_cont where market_id = ? and trade_date < ? "
            "order by trade_date desc limit ?",
            [market, start, n],
        )
        rows = before[before.market_id == market]
        assert len(rows) == len(want) == min(n, 43 if market == "SP500" else n)
        assert sorted(rows.trade_date) == sorted(pd.to_datetime(want.trade_date))
    # the window itself is unchanged by the lookback
    same(inside, Mantle.select(Mantle.Tables.futures.cont, start, end, columns=["price_adj"]))


def test_lookback_stops_at_a_markets_first_bar(warehouse):
    # SP500 starts 2020-01-01: only its 21 January days exist before February
    got = Mantle.select(
        "futures.cont", "2020-02-03", "2020-02-07", markets=["SP500", "CRUDE"], lookback=100
    )
    before = got[got.trade_date < "2020-02-03"].groupby("market_id").size().to_dict()
    assert before == {"CRUDE": 100, "SP500": 23}


def test_lookback_is_one_query():
    expr = Mantle.query("futures.cont", "2020-03-02", "2020-03-31", markets=["CRUDE"], lookback=64)
    sql = str(expr.compile())
    assert sql.count("DENSE_RANK") == 1 and ";" not in sql


def test_pair_table_filters_both_markets(warehouse):
    got = Mantle.select(
        Mantle.Tables.futures.corr, "2020-01-01", "2020-12-31", markets=["CRUDE", "SP500"]
    )
    assert set(zip(got.market_a, got.market_b, strict=True)) == {("CRUDE", "SP500")}
    assert list(got.columns[:3]) == ["market_a", "market_b", "week_end"]


# --- lazy tables ----------------------------------------------------------------------------------


def test_table_is_lazy_ibis(warehouse):
    t = Mantle.table(Mantle.Tables.futures.cont)
    crude = t.filter(t.market_id == "CRUDE")
    expr = crude.group_by("contract_id").agg(n=crude.count())
    assert not isinstance(expr, pd.DataFrame)
    got = expr.order_by("contract_id").execute()
    want = plain(
        warehouse,
        "select contract_id, count(*) as n from futures_cont where market_id = 'CRUDE' "
        "group by all order by contract_id",
    )
    same(got, want)


# --- the catalog ----------------------------------------------------------------------------------


def test_tables_repr_and_completion():
    text = repr(Mantle.Tables)
    assert "futures.cont (futures_cont): market_id varchar, trade_date date" in text
    assert "futures.returns (futures_returns_daily)" in text
    assert "stg_" not in text and "int_" not in text and "secret" not in text
    assert dir(Mantle.Tables) == ["futures"]
    assert dir(Mantle.Tables.futures) == ["cont", "corr", "returns", "roll_schedule"]
    assert "price_adj" in dir(Mantle.Tables.futures.cont)
    assert Mantle.Tables.futures.cont.price_adj == "price_adj"


def test_naming_rule():
    names = mart_names(
        [
            "futures_cont",
            "futures_cont_observed",
            "futures_returns_daily",
            "futures_vol_daily",
            "futures_corr",
            "signals_trend_daily",
            "signals_trend_weekly",
            "crypto_daily",
            "stg_lake__bars",
            "int_rolls_scheduled",
            "markets",
        ]
    )
    assert names == {
        "crypto_daily": ("crypto", "daily"),
        "futures_cont": ("futures", "cont"),
        "futures_cont_observed": ("futures", "cont_observed"),
        "futures_corr": ("futures", "corr"),
        "futures_returns_daily": ("futures", "returns"),
        "futures_vol_daily": ("futures", "vol"),
        "signals_trend_daily": ("signals", "trend_daily"),
        "signals_trend_weekly": ("signals", "trend_weekly"),
    }


# --- bad input: one clear line that lists the choices ---------------------------------------------


def test_unknown_table_attribute_lists_tables():
    with pytest.raises(
        AttributeError, match=r"futures\.nope; tables: futures\.cont, futures\.corr"
    ):
        Mantle.select(Mantle.Tables.futures.nope)
    with pytest.raises(AttributeError, match="namespaces: futures"):
        Mantle.Tables.crypto  # noqa: B018


def test_unknown_table_name_lists_tables():
    with pytest.raises(TectonError, match=r"unknown table 'futures.bars'; tables: futures.cont, "):
        Mantle.select("futures.bars")


@pytest.mark.parametrize("column", ["nope", "price; --", "price_adj, (select 1)", "*"])
def test_unknown_column_lists_columns(column):
    with pytest.raises(TectonError) as err:
        Mantle.select(Mantle.Tables.futures.cont, columns=["price", column])
    assert "columns: market_id, trade_date, contract_id, price, price_adj, is_roll" in str(
        err.value
    )
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "market", ["WHEAT", "x'); drop table futures_cont; --", "CRUDE' OR '1'='1"]
)
def test_unknown_market_lists_markets(warehouse, market):
    with pytest.raises(TectonError, match="markets: CRUDE, GOLD, SP500"):
        Mantle.select(Mantle.Tables.futures.cont, markets=["CRUDE", market])
    assert plain(warehouse, "select count(*) as n from futures_cont").n[0] > 1000  # still there


def test_dates_are_checked():
    with pytest.raises(TectonError, match="start 2020-05-01 is after end 2020-01-01"):
        Mantle.select("futures.cont", "2020-05-01", "2020-01-01")
    with pytest.raises(TectonError, match="start 'yesterday-ish' is not a date"):
        Mantle.select("futures.cont", "yesterday-ish")
    with pytest.raises(TectonError, match="end '2020-13-45' is not a date"):
        Mantle.select("futures.cont", "2020-01-01", "2020-13-45")
    with pytest.raises(TectonError, match="lookback must be"):
        Mantle.select("futures.cont", "2020-01-01", lookback=-1)


def test_missing_warehouse_says_how_to_build(tecton_home):
    Mantle.close()
    (tecton_home / "warehouse.duckdb").unlink()
    with pytest.raises(TectonError, match=r'no warehouse at .*run "tecton build"'):
        Mantle.select(Mantle.Tables.futures.cont)


def test_reopens_when_the_file_changes(tecton_home, warehouse):
    assert "roll_schedule" in dir(Mantle.Tables.futures)
    Mantle.close()  # a read-only connection blocks writers: a rebuild needs it closed
    con = duckdb.connect(str(warehouse))
    con.execute("drop table futures_roll_schedule")
    con.execute(
        "create table futures_vol_daily as select market_id, trade_date, 0.2 as vol_ann from futures_cont"
    )
    con.close()
    assert dir(Mantle.Tables.futures) == ["cont", "corr", "returns", "vol"]
    # and a file replaced under an open connection is seen as new
    Mantle.select("futures.vol")
    fresh = fake_warehouse.build(tecton_home / "other" / "warehouse.duckdb")
    fresh.replace(warehouse)
    assert "vol" not in dir(Mantle.Tables.futures)


def test_a_tables_key_identifies_a_row_even_with_no_columns_asked(warehouse):
    # forecasts: one row per model, market, day and rule; (market, day) alone repeats
    con = duckdb.connect(str(warehouse))
    con.execute(
        "create table signals_forecasts as select model, market_id, trade_date, rule, "
        "1.5::double as forecast from futures_cont, (values ('trend'), ('carry')) m(model), "
        "(values ('ewmac'), ('combined')) r(rule) where trade_date <= date '2020-01-31'"
    )
    con.close()
    got = Mantle.select(Mantle.Tables.signals.forecasts, "2020-01-01", "2020-01-31", columns=[])
    assert list(got.columns) == ["market_id", "trade_date", "model", "rule"]
    assert not got.duplicated().any() and len(got) > 40
    want = plain(
        warehouse,
        "select market_id, trade_date, model, rule from signals_forecasts "
        "where trade_date between ? and ? order by market_id, trade_date, model, rule",
        [dt.date(2020, 1, 1), dt.date(2020, 1, 31)],
    )
    same(got, want)
