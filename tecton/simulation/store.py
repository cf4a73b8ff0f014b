"""Backtest runs in the lake, for the marts to serve and ``tecton runs`` to list.

A run is five Delta tables' worth of rows: ``backtest_positions``, ``backtest_trades``,
``backtest_pnl`` and ``backtest_capital`` (its data, partitioned by run) and one row in
``backtest_runs`` (what was run: the strategy as written, the window, the lake versions it
read, its headline figures). Delta commits one table at a time, so the runs row is written
last and is the run's commit marker: the marts, :func:`list_runs` and :func:`load_run` see a run
only once it exists, and a store that dies half way leaves rows nobody reads. Storing the same
run again after such a crash replaces its rows (one commit per table), never doubles them.

    from tecton.simulation.store import store_run, list_runs, load_run
    run_id = store_run(result)
    list_runs()                  # newest first
    load_run(run_id).portfolio   # positions, trades, P&L and capital, read back
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tecton.data.schema import TABLES
from tecton.errors import TectonError
from tecton.lake import Lake
from tecton.portfolio.portfolio import PNL_COLUMNS, TRADE_COLUMNS, Portfolio
from tecton.simulation.lineage import Manifest

if TYPE_CHECKING:
    from tecton.strategy import StrategyDefinition

__all__ = [
    "SUMMARY_FIGURES",
    "StoredRun",
    "list_runs",
    "load_run",
    "new_run_id",
    "run_tables",
    "store_run",
]

RUNS = TABLES["backtest_runs"]
POSITIONS = TABLES["backtest_positions"]
TRADES = TABLES["backtest_trades"]
PNL = TABLES["backtest_pnl"]
CAPITAL = TABLES["backtest_capital"]
# the run's data, written before its runs row
DATA_TABLES = (POSITIONS, TRADES, PNL, CAPITAL)
# the headline figures kept as columns of the runs table (all of them also in summary_json)
SUMMARY_FIGURES = (
    "ann_return",
    "ann_vol",
    "sharpe",
    "max_drawdown",
    "turnover",
    "cost_ann",
    "gross_sharpe",
)
LIST_COLUMNS = (
    "run_id",
    "strategy",
    "start",
    "end",
    "data_version",
    *SUMMARY_FIGURES,
    "created_at",
)
# a run id names a partition folder and enters delete predicates: keep it to safe characters
_RUN_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class StoredRun:
    """A stored backtest run read back from the lake (see :func:`load_run`).

    Attributes
    ----------
    run_id, strategy_name : str
    start, end : Timestamp
        The simulated window.
    definition_yaml : str
        The strategy definition as it was run (``strategy`` parses it).
    portfolio : Portfolio
        Positions (wide, markets as columns), trades in fill order, daily P&L, capital.
    lake_versions : dict
        Lake table -> the Delta version the run read.
    summary : dict
        The headline figures (``ann_return``, ``sharpe``, ...).
    created_at : Timestamp
        When the run was stored (UTC).
    manifest : Manifest or None
        What the run read and ran with (:mod:`tecton.simulation.lineage`).
    """

    run_id: str
    strategy_name: str
    start: pd.Timestamp
    end: pd.Timestamp
    definition_yaml: str
    portfolio: Portfolio
    lake_versions: dict[str, int]
    summary: dict[str, float]
    created_at: pd.Timestamp
    manifest: Manifest | None = None

    @property
    def strategy(self) -> StrategyDefinition:
        """The strategy definition, validated (a one-line error if today's schema rejects it)."""
        from tecton.factor_model.definition_io import parse_definition
        from tecton.strategy import StrategyDefinition

        return parse_definition(self.definition_yaml, StrategyDefinition, f"run {self.run_id}")


def new_run_id() -> str:
    """A fresh run id: 12 hex digits of a uuid4."""
    return uuid.uuid4().hex[:12]


def store_run(result: Any, lake: Lake | None = None) -> str:
    """Store a simulation result in the lake; return its run id.

    ``result`` is a :class:`tecton.simulation.SimulationResult` (or anything with its
    attributes: ``run_id``, ``strategy``, ``start``, ``end``, ``portfolio``, ``lake_versions``,
    ``summary``). A result without a ``run_id`` gets :func:`new_run_id`. The data tables are
    written first and the ``backtest_runs`` row last (the commit marker, see the module doc).

    Raises
    ------
    TectonError
        The run id is malformed, or a run with this id is already stored (runs are immutable).
    """
    lake = lake or Lake()
    run_id = getattr(result, "run_id", None) or new_run_id()
    _check_run_id(run_id)
    if _run_row(lake, run_id) is not None:
        raise TectonError(f"run {run_id} is already stored; a stored run is never rewritten")
    tables = run_tables(result, run_id)
    for spec in DATA_TABLES:
        # replace, not append: a retry after a crash before the runs row rewrites the rows
        lake.replace(spec, tables[spec.name], {"run_id": run_id})
    lake.replace(RUNS, tables[RUNS.name], {"run_id": run_id})
    return run_id


def run_tables(
    result: Any, run_id: str, created_at: dt.datetime | None = None
) -> dict[str, pa.Table]:
    """The rows a run adds to each ``backtest_*`` lake table, by table name."""
    portfolio: Portfolio = result.portfolio
    positions = _positions_long(portfolio)
    trades = portfolio.trades.reset_index(drop=True)
    trades.insert(0, "fill_seq", range(len(trades)))
    capital = portfolio.capital.rename("capital").rename_axis("trade_date").reset_index()
    frames = {
        POSITIONS.name: positions,
        TRADES.name: trades,
        PNL.name: portfolio.pnl.loc[:, list(PNL_COLUMNS)],
        CAPITAL.name: capital,
    }
    tables = {name: _arrow(frame, TABLES[name], run_id) for name, frame in frames.items()}
    tables[RUNS.name] = _runs_row(result, run_id, created_at or getattr(result, "created_at", None))
    return tables


def list_runs(lake: Lake | None = None) -> pd.DataFrame:
    """Every stored run, newest first: what ``tecton runs`` prints.

    Returns
    -------
    pandas.DataFrame
        Columns ``run_id``, ``strategy``, ``start``, ``end``, ``data_version`` (the lake
        versions read, ``bars@12 fx_prices@3``), the headline figures (:data:`SUMMARY_FIGURES`)
        and ``created_at``. No rows when nothing is stored.
    """
    lake = lake or Lake()
    if not lake.exists(RUNS.name):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in LIST_COLUMNS})
    runs = lake.read(RUNS.name).to_pandas(date_as_object=False)
    runs = runs.rename(columns={"start_date": "start", "end_date": "end"})
    runs["data_version"] = [_data_version(json.loads(v)) for v in runs["lake_versions"]]
    runs = runs.sort_values(["created_at", "run_id"], ascending=False, ignore_index=True)
    return runs.loc[:, list(LIST_COLUMNS)]


def load_run(run_id: str, lake: Lake | None = None) -> StoredRun:
    """A stored run read back from the lake: its portfolio, definition, figures and lake versions.

    Raises
    ------
    TectonError
        No run with this id is stored (its runs row is missing, even if data rows exist).
    """
    lake = lake or Lake()
    _check_run_id(run_id)
    row = _run_row(lake, run_id)
    if row is None:
        raise TectonError(f"no stored run {run_id!r}; `tecton runs` lists the stored runs")
    data = {spec.name: _read_run(lake, spec, run_id) for spec in DATA_TABLES}
    capital = data[CAPITAL.name].set_index("trade_date")["capital"].sort_index()
    positions = data[POSITIONS.name].pivot(
        index="trade_date", columns="market_id", values="contracts"
    )
    exposure = data[POSITIONS.name].pivot(
        index="trade_date", columns="market_id", values="notional"
    )
    trades = data[TRADES.name].sort_values("fill_seq", ignore_index=True)
    pnl = data[PNL.name].sort_values(["trade_date", "market_id"], ignore_index=True)
    portfolio = Portfolio(
        positions=positions.reindex(capital.index.union(positions.index)).rename_axis(
            columns="market_id"
        ),
        trades=trades.loc[:, list(TRADE_COLUMNS)],
        pnl=pnl.loc[:, list(PNL_COLUMNS)],
        capital=capital,
        base_currency=row["base_currency"],
        exposure=exposure.reindex(capital.index.union(exposure.index)).rename_axis(
            columns="market_id"
        ),
    )
    return StoredRun(
        run_id=run_id,
        strategy_name=row["strategy"],
        start=pd.Timestamp(row["start_date"]),
        end=pd.Timestamp(row["end_date"]),
        definition_yaml=row["definition_yaml"],
        portfolio=portfolio,
        lake_versions=json.loads(row["lake_versions"]),
        summary=json.loads(row["summary_json"]),
        created_at=pd.Timestamp(row["created_at"]),
        manifest=Manifest.from_json(row["manifest_json"]) if row.get("manifest_json") else None,
    )


def _check_run_id(run_id: Any) -> None:
    if not isinstance(run_id, str) or not _RUN_ID.match(run_id):
        raise TectonError(f"run id {run_id!r} must be 1 to 64 letters, digits, '_' or '-'")


def _run_row(lake: Lake, run_id: str) -> dict | None:
    if not lake.exists(RUNS.name):
        return None
    rows = lake.table(RUNS.name).to_pyarrow_dataset().to_table(filter=pc.field("run_id") == run_id)
    return rows.to_pylist()[0] if rows.num_rows else None


def _read_run(lake: Lake, spec, run_id: str) -> pd.DataFrame:
    """One run's rows of a data table (its partition only), dates as ``datetime64[ns]``."""
    if lake.exists(spec.name):
        rows = (
            lake.table(spec.name).to_pyarrow_dataset().to_table(filter=pc.field("run_id") == run_id)
        )
    else:
        rows = spec.schema.empty_table()
    frame = rows.to_pandas(date_as_object=False).drop(columns="run_id")
    frame["trade_date"] = frame["trade_date"].astype("datetime64[ns]")
    return frame


def _arrow(frame: pd.DataFrame, spec, run_id: str) -> pa.Table:
    """``frame`` (pandas, ``trade_date`` as dates or timestamps) as rows of ``spec``."""
    frame = frame.copy()
    frame["trade_date"] = pd.to_datetime(frame["trade_date"]).dt.date
    frame.insert(0, "run_id", run_id)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return table.select(spec.schema.names).cast(spec.schema)


def _runs_row(result: Any, run_id: str, created_at: dt.datetime | None) -> pa.Table:
    definition = getattr(
        result.strategy, "definition", result.strategy
    )  # a Strategy or its definition
    from tecton.factor_model.definition_io import dump_definition

    summary = {k: float(v) for k, v in dict(result.summary).items()}
    capital = result.portfolio.capital
    row = {
        "run_id": run_id,
        "strategy": definition.name,
        "start_date": pd.Timestamp(result.start).date(),
        "end_date": pd.Timestamp(result.end).date(),
        "capital": float(capital.iloc[0]) if len(capital) else math.nan,
        "base_currency": result.portfolio.base_currency,
        "definition_yaml": dump_definition(definition),
        "lake_versions": json.dumps(_data_versions(result.lake_versions)),
        **{name: summary.get(name) for name in SUMMARY_FIGURES},
        "summary_json": json.dumps(summary),
        "manifest_json": manifest.to_json()
        if (manifest := getattr(result, "manifest", None))
        else None,
        "created_at": created_at or dt.datetime.now(dt.UTC),
    }
    return pa.Table.from_pylist([row], schema=RUNS.schema)


def _data_versions(versions: dict[str, int]) -> dict[str, int]:
    """The versions of the tables a run read: the backtest tables themselves are left out (a
    run never reads them; listing them would change a run's data version with every store)."""
    own = {RUNS.name, *(spec.name for spec in DATA_TABLES)}
    return {k: int(v) for k, v in sorted(versions.items()) if k not in own}


def _data_version(versions: dict[str, int]) -> str:
    return " ".join(f"{name}@{v}" for name, v in sorted(versions.items()))


def _positions_long(portfolio: Portfolio) -> pd.DataFrame:
    """Contracts held per market and day (cells without a position dropped), with the contract."""
    wide = portfolio.positions.rename_axis(index="trade_date", columns="market_id")
    long = wide.stack().rename("contracts").reset_index().dropna(subset=["contracts"])
    if portfolio.exposure is not None:
        exposure = portfolio.exposure.rename_axis(index="trade_date", columns="market_id")
        notional = exposure.stack().rename("notional").reset_index()
        long = long.merge(notional, on=["trade_date", "market_id"], how="left")
    else:
        long["notional"] = float("nan")
    long["trade_date"] = pd.to_datetime(long["trade_date"]).astype("datetime64[ns]")
    return held_contracts(long, portfolio.trades)


def held_contracts(positions: pd.DataFrame, trades: pd.DataFrame) -> pd.DataFrame:
    """``positions`` (long: trade_date, market_id, contracts) with the ``contract_id`` held.

    The portfolio keeps contracts per market, not which contract: it follows from the fills. Per
    market, a day's fills leave each traded contract with its running total; the held contract
    is the one left open (a roll closes the old one and opens the new). Where that contract's
    running total is not the position (holdings the fills do not explain, two contracts open),
    or the market is flat, ``contract_id`` is left NULL rather than guessed.
    """
    out = positions.sort_values(["trade_date", "market_id"], ignore_index=True)
    out["trade_date"] = pd.to_datetime(out["trade_date"]).astype("datetime64[ns]")
    if trades.empty:
        return out.assign(contract_id=pd.Series(None, index=out.index, dtype=object))
    fills = trades.assign(trade_date=pd.to_datetime(trades["trade_date"]).astype("datetime64[ns]"))
    fills = fills.groupby(["market_id", "trade_date", "contract_id"], as_index=False, sort=True)[
        "quantity"
    ].sum()
    fills["open"] = fills.groupby(["market_id", "contract_id"])["quantity"].cumsum()
    state = fills[["market_id", "trade_date"]].drop_duplicates()
    # one contract left open after the day's fills, else (flat, or ambiguous) none
    open_now = fills[fills["open"] != 0].drop_duplicates(["market_id", "trade_date"], keep=False)
    state = state.merge(open_now[["market_id", "trade_date", "contract_id", "open"]], how="left")
    merged = pd.merge_asof(out, state.sort_values("trade_date"), on="trade_date", by="market_id")
    explained = merged["open"].eq(merged["contracts"]) & merged["contracts"].ne(0)
    merged["contract_id"] = merged["contract_id"].where(explained, None)
    return merged.drop(columns="open")
