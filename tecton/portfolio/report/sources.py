"""What a tear sheet needs beyond the run itself: asset classes, trials, the rules' forecasts.

* :func:`asset_classes` and :func:`days_for`: from the static market reference (no warehouse);
* :func:`trials_on_same_data`: every stored run whose manifest names the same data (equal
  :meth:`Manifest.data_key`), with its annualised Sharpe ratio: the trials behind the deflated
  Sharpe ratio;
* :func:`refit_alpha` and :func:`rule_forecasts`: the run's alpha model fitted again on the
  data it read, and each rule's weighted forecast as the model used it, for attribution by rule;
* :func:`quality_report_path`: where ``tecton quality`` writes its page.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tecton.config import home
from tecton.errors import DateLike
from tecton.lake import Lake
from tecton.markets.metadata import market_specs
from tecton.portfolio import trials
from tecton.simulation.lineage import Manifest
from tecton.stats import TRADING_DAYS_PER_YEAR, days_per_year

if TYPE_CHECKING:
    from tecton.factor_model import AlphaModel
    from tecton.simulation.store import StoredRun

UNKNOWN_CLASS = "other"  # a market the reference file does not list (a user's own)
TRIAL_COLUMNS = ("run_id", "strategy", "created_at", "sharpe")
# weighted forecasts summing to less than this (of an average 10) leave the P&L unattributed
NEAR_ZERO = 1.0


def asset_classes(markets: Sequence[str]) -> dict[str, str]:
    """``{market_id: asset class}`` from ``markets.csv``; unlisted markets are ``"other"``."""
    specs = market_specs()
    return {m: specs[m].asset_class if m in specs else UNKNOWN_CLASS for m in markets}


def days_for(classes: Mapping[str, str]) -> int:
    """Days a year of a portfolio of these markets: their common count, else 252.

    A crypto-only book trades every day (365); a mix is counted in exchange days, as the stored
    figures are.
    """
    counts = {days_per_year(c) for c in classes.values()}
    return counts.pop() if len(counts) == 1 else TRADING_DAYS_PER_YEAR


@dataclass(frozen=True)
class Trials:
    """The stored runs on one set of data: how many strategies were tried, and how they did.

    Attributes
    ----------
    runs : DataFrame
        :data:`TRIAL_COLUMNS`, one row per run (this one included), ``sharpe`` annualised.
    note : str
        How they were counted, or why only this run counts.
    """

    runs: pd.DataFrame
    note: str = ""

    @property
    def sharpes(self) -> np.ndarray:
        return self.runs["sharpe"].to_numpy(dtype=float)

    @property
    def n(self) -> int:
        return len(self.runs)

    @property
    def variance(self) -> float:
        """Variance (ddof 1) of the trials' annualised Sharpe ratios; 0 for a single trial."""
        return trials.trials_variance(self.sharpes)

    def expected_max_sharpe(self, days: int) -> float:
        """Annualised: the best Sharpe ratio :attr:`n` worthless strategies would show by luck."""
        return trials.expected_max_sharpe(self.n, self.variance / days) * math.sqrt(days)


def trials_on_same_data(
    stored: StoredRun, sharpe: float, days: int = TRADING_DAYS_PER_YEAR, lake: Lake | None = None
) -> Trials:
    """The stored runs whose manifest's :meth:`~Manifest.data_key` equals ``stored``'s.

    Parameters
    ----------
    stored : StoredRun
        The run of the tear sheet.
    sharpe : float
        Its annualised Sharpe ratio as the sheet computes it (``days`` a year).
    days : int
        The sheet's days a year; the runs table holds Sharpe ratios at 252 and is rescaled.
    lake : Lake, optional
        Where the ``backtest_runs`` table lives.
    """
    own = pd.DataFrame(
        [(stored.run_id, stored.strategy_name, stored.created_at, sharpe)],
        columns=list(TRIAL_COLUMNS),
    )
    if stored.manifest is None:
        return Trials(own, "stored without a manifest: counted as the only trial on its data")
    key = stored.manifest.data_key()
    table = (lake or Lake()).read("backtest_runs")
    rows = table.select(["run_id", "strategy", "created_at", "sharpe", "manifest_json"]).to_pylist()
    same, unreadable = [], 0
    for row in rows:
        if row["run_id"] == stored.run_id or not row["manifest_json"]:
            continue
        try:
            theirs = Manifest.from_json(row["manifest_json"]).data_key()
        except (TypeError, KeyError, json.JSONDecodeError):
            unreadable += 1  # a manifest written by another version of tecton
            continue
        if theirs == key and row["sharpe"] is not None and math.isfinite(row["sharpe"]):
            scaled = row["sharpe"] * math.sqrt(days / TRADING_DAYS_PER_YEAR)
            same.append((row["run_id"], row["strategy"], pd.Timestamp(row["created_at"]), scaled))
    others = pd.DataFrame(same, columns=list(TRIAL_COLUMNS))
    runs = pd.concat([own, others], ignore_index=True) if same else own
    runs = runs.sort_values("created_at", ignore_index=True)
    note = f"{len(runs)} stored run(s) read the same partitions (data key {key[:12]})"
    if unreadable:
        note += f"; {unreadable} manifest(s) could not be read and were left out"
    return Trials(runs, note)


def refit_alpha(stored: StoredRun) -> tuple[AlphaModel, pd.Timestamp, str]:
    """The run's alpha model fitted again over its window, on the data it read.

    Only the alpha model: attribution by rule needs the forecasts, not the risk model, which
    would double the time. The window and warm-up are the ones :meth:`FactorModel.fit` reads
    (the test holds the combined forecast to the one the run traded on). The run's own
    ``lake_as_of`` is used when it had one. Otherwise, while the data it read is unchanged
    (:func:`unchanged_since`), the current warehouse holds the same data and is read directly;
    when it changed, the data is read as of the run's creation (which may build an as-of
    warehouse: slow the first time).

    Returns
    -------
    (AlphaModel, Timestamp, str)
        The fitted model, the first day of the run's window, and how the data was read.

    Raises
    ------
    TectonError
        No manifest, or the data cannot be read (no warehouse, an unknown market).
    """
    from tecton.errors import TectonError
    from tecton.factor_model import AlphaModel, FactorModel
    from tecton.factor_model.core import WARM_UP_BARS
    from tecton.factor_model.data import load_panels

    m = stored.manifest
    if m is None:
        raise TectonError(f"run {stored.run_id} has no manifest: its window and data are unknown")
    p = m.parameters
    as_of, how = p.get("lake_as_of"), "the data as of the run's lake_as_of"
    if as_of is None:
        if unchanged_since(m):
            how = "the current warehouse (the data the run read is unchanged)"
        else:
            as_of, how = m.created_at, "the data as it stood when the run was made"
    definition = stored.strategy.model
    warm_up = definition.alpha.scaling.min_periods + WARM_UP_BARS  # as FactorModel.fit reads
    markets = FactorModel(definition).markets()
    panels = load_panels(markets, p["start"], p["end"], as_of=as_of, lookback=warm_up)
    return AlphaModel(definition.alpha).fit(panels), pd.Timestamp(p["start"]), how


def unchanged_since(m: Manifest, lake: Lake | None = None) -> bool:
    """Whether the data a run read is still what the lake holds.

    First by the lake's table versions (a lookup each; the backtest tables, which every stored
    run moves on, and the quality log, which moves with checks, are left out); when a version
    moved, by the fingerprints of the partitions it read (a listing of the files: seconds for a
    large universe).
    """
    from tecton.simulation import lineage

    lake = lake or Lake()
    if not lake.exists("bars"):
        return False
    data = {k: v for k, v in m.lake_versions.items() if not _bookkeeping(k)}
    if data and all(lake.exists(k) and lake.table(k).version() == v for k, v in data.items()):
        return True
    if not m.partitions:
        return False
    years = [q["year"] for q in m.partitions]
    now = lineage.partition_states(
        sorted({q["market_id"] for q in m.partitions}),
        pd.Timestamp(f"{min(years)}-01-01"),
        pd.Timestamp(f"{max(years)}-12-31"),
        lake=lake,
    )
    then = {(q["market_id"], q["year"]): q["fingerprint"] for q in m.partitions}
    return then == {(s.market_id, s.year): s.fingerprint for s in now}


def _bookkeeping(table: str) -> bool:
    return table.startswith("backtest_") or table == "quality_log"


def rule_forecasts(
    alpha: AlphaModel, start: DateLike | None = None, floor: float = NEAR_ZERO
) -> dict[str, pd.DataFrame]:
    """Each rule's forecast times its forecast weight, as the model used it on each date.

    ``w_{r,t} f_{r,m,t}`` lagged like the combined forecast, from ``start`` on: the combination
    is their sum (over the rules with a forecast) times the diversification multiplier, capped,
    so these split the combined forecast among the rules. For
    :func:`tecton.portfolio.attribution.rule_attribution` with weight 1 for every rule
    (the weights, which may change by date, are already in).

    Where the weighted forecasts of a market sum to less than ``floor`` (forecast points; the
    average absolute forecast is 10) they are blanked, so that day's P&L goes to
    ``unattributed``: a position held through the buffer while the rules cancel out would
    otherwise be split in shares of thousands of percent, one rule winning what another loses.
    """
    from tecton.factor_model.alpha.scaling import lag

    bars = alpha.definition.combination.lag
    parts = {
        rule: lag(scaled.mul(alpha.weights_[rule], axis=0), bars).loc[start:]
        for rule, scaled in alpha.scaled_.items()
    }
    total = sum(frame.fillna(0.0) for frame in parts.values())
    cancel = total.abs() < floor
    return {rule: frame.mask(cancel) for rule, frame in parts.items()}


def quality_report_path() -> Path:
    """``$TECTON_HOME/quality/report.html``, where ``tecton quality`` writes its page
    (:func:`tecton.quality.report.write_html`; the quality package is not imported for a path)."""
    return home() / "quality" / "report.html"
