"""OptimizerDefinition: a strategy's YAML ``optimizer:`` block, validated.

    optimizer:
      risk_aversion: 10          # gamma: maximise mu'w - gamma/2 w'Σw - ...
      tcost_aversion: 1          # weight of the trading cost against one year of return
      risk: auto                 # full | factor | auto (factor form where the estimate has one)
      constraints:
        gross_leverage: 3.0      # sum |w| <= 3 (w: signed fractions of capital)
        net_leverage: 1.0        # |sum w| <= 1
        max_contracts: 50        # |contracts| per market, a number or {market_id: number}
        max_notional: 2.0e+6     # |notional| per market, base currency (number or mapping)
        max_weight: 0.5          # |w| per market, fraction of capital (number or mapping)
        vol_ceiling: 0.20        # annual volatility of the portfolio
        turnover: 0.5            # sum |w - w0| per rebalance
        dollar_neutral: false    # sum w = 0
        beta_neutral: false      # beta'w = 0, beta to the equal-weight portfolio
        asset_class_neutral: false   # sum of w over each asset class = 0
        long_only: false         # w >= 0

Every key is optional; no constraint is set unless named.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
# a limit for every market, or per market (markets left out are not limited)
PerMarket = Positive | dict[str, Positive]


class ConstraintsDefinition(BaseModel):
    """The constraints of the optimisation (every one optional; see the module doc)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    gross_leverage: Positive | None = None
    net_leverage: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    max_contracts: PerMarket | None = None
    max_notional: PerMarket | None = None
    max_weight: PerMarket | None = None
    vol_ceiling: Positive | None = None
    turnover: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    dollar_neutral: bool = False
    beta_neutral: bool = False
    asset_class_neutral: bool = False
    long_only: bool = False

    def named(self) -> list[str]:
        """The constraints set, by key (for messages)."""
        return [k for k, v in self.model_dump().items() if v not in (None, False)]


class OptimizerDefinition(BaseModel):
    """The optimisation: ``maximise mu'w - gamma/2 w'Σw - tcost_aversion x tcost(w - w0) - hold(w)``.

    Parameters
    ----------
    risk_aversion : float
        ``gamma``; the unconstrained solution is ``Σ^-1 mu / gamma``.
    tcost_aversion : float
        Weight of the cost of the trades (a one-off, in fractions of capital) against a year of
        expected return; 0 ignores trading costs.
    risk : {"full", "factor", "auto"}
        ``full``: the covariance through a square root; ``factor``: the estimate's factor form
        (loadings, factor covariance, specific variance; an error where the estimate has none);
        ``auto``: the factor form where the estimate has one with fewer factors than markets.
    constraints : ConstraintsDefinition
        See the module doc.
    solver : str
        The cvxpy solver. CLARABEL handles every term; OSQP only quadratic and linear ones (no
        ``vol_ceiling``, no impact); SCS all of them, less accurately.
    solver_options : dict
        Passed to the solver (for example CLARABEL's ``tol_gap_abs``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    risk_aversion: Positive = 1.0
    tcost_aversion: float = Field(default=1.0, ge=0, allow_inf_nan=False)
    risk: Literal["full", "factor", "auto"] = "auto"
    constraints: ConstraintsDefinition = ConstraintsDefinition()
    solver: Literal["CLARABEL", "SCS", "OSQP"] = "CLARABEL"
    solver_options: dict[str, float | int | bool | str] = Field(default_factory=dict)
