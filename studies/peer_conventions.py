"""Two of the peer's conventions swapped into tecton's run, to measure what each is worth.

* **Timing.** tecton's alpha model lags every forecast a bar (the forecast used on ``t`` is
  computed from data through ``t - 1``) and the simulator fills a decision made at the close of
  ``t`` at the close of ``t + 1``; the peer computes the forecast from the close of ``t`` and
  lags only the fill. :func:`peer_timing` hands the simulator the forecast of the decision day's
  own close (``combined`` of ``t``, still filled at ``t + 1``: no look-ahead).
* **Volatility.** The peer's ``mixed_vol_calc`` blends its 35-day EWMA volatility 70/30 with a
  slow average of itself, ``vol.ewm(20 x 256)``: pandas' first argument is the centre of mass,
  so 5,120 days. :func:`blended_vol` applies that blend to tecton's floored EWMA(35) % volatility,
  on each market's own days, for sizing only (the rule's normaliser is left as it is).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tecton.simulation import History, Simulation
from tecton.strategy import Strategy

SLOW_CENTRE_OF_MASS = 20 * 256  # days: the peer's slow_vol_years x BUSINESS_DAYS_IN_YEAR
SLOW_SHARE = 0.30


def peer_timing(history: History) -> History:
    """The forecast of each day's own close on that day (the lagged one, one row earlier)."""
    fresher = np.vstack([history.forecast[1:], np.full((1, len(history.markets)), np.nan)])
    return history.with_arrays(forecast=fresher)


def blended_vol(history: History) -> History:
    """Sizing volatility ``0.7 x vol + 0.3 x vol.ewm(com=5120).mean()``, on own days."""
    vol = history.vol_daily_pct.copy()
    for j in range(vol.shape[1]):
        own = np.isfinite(history.ret_pts[:, j]) & np.isfinite(vol[:, j])
        series = pd.Series(vol[own, j])
        slow = series.ewm(com=SLOW_CENTRE_OF_MASS).mean()
        blend = pd.Series(np.nan, index=range(len(vol)))
        blend[np.flatnonzero(own)] = ((1 - SLOW_SHARE) * series + SLOW_SHARE * slow).to_numpy()
        # carried over the days the market does not trade, as tecton's own volatility is
        vol[:, j] = np.where(np.isnan(vol[:, j]), np.nan, blend.ffill().to_numpy())
    return history.with_arrays(vol_daily_pct=vol)


def convention_swaps(strategy: Strategy, history: History) -> pd.DataFrame:
    """Gross and net Sharpe and volatility with tecton's conventions and the peer's swapped in."""
    variants = {
        "tecton": history,
        "forecast of the decision day's close": peer_timing(history),
        "sizing vol blended 70/30 with its slow average": blended_vol(history),
        "both": blended_vol(peer_timing(history)),
    }
    rows = {}
    for name, variant in variants.items():
        summary = Simulation(strategy, path="vectorised").run(variant).summary
        rows[name] = {
            "gross_sharpe": summary["gross_sharpe"],
            "net_sharpe": summary["sharpe"],
            "ann_vol": summary["ann_vol"],
            "cost_ann": summary["cost_ann"],
        }
    return pd.DataFrame(rows).T.rename_axis("conventions")
