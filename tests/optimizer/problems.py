"""Small random problems for the optimiser tests, and scipy's answer to compare against."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from tecton.costs import CostModel
from tecton.factor_model import RiskEstimate
from tecton.factor_model.risk.covariance import Structure
from tecton.optimizer import OptimizerDefinition
from tecton.snapshot import MarketSnapshot
from tests.costs.snapshots import random_snapshot

AS_OF = pd.Timestamp("2024-06-28")
# tight enough that CLARABEL's answer is within 1e-6 of an SLSQP solution
TIGHT = {"tol_gap_abs": 1e-11, "tol_gap_rel": 1e-11, "tol_feas": 1e-11, "max_iter": 400}


def random_risk(
    rng: np.random.Generator, markets: tuple[str, ...], factors: int = 0
) -> RiskEstimate:
    """An estimate with annual vols of 5-40%; a factor form when ``factors``."""
    n = len(markets)
    if factors:
        loadings = rng.normal(0.0, 0.12, (n, factors))
        root = rng.normal(0.0, 0.6, (factors, factors))
        factor_cov = root @ root.T + 0.1 * np.eye(factors)
        specific = rng.uniform(0.05, 0.3, n) ** 2
        cov = loadings @ factor_cov @ loadings.T + np.diag(specific)
        names = tuple(f"F{i}" for i in range(factors))
        structure = Structure(cov, loadings, factor_cov, specific, names)
    else:
        root = rng.normal(size=(n, n + 2))
        corr = np.corrcoef(root)
        vol = rng.uniform(0.05, 0.4, n)
        structure = Structure(vol[:, None] * corr * vol[None, :])
    return RiskEstimate.from_structure(AS_OF, markets, structure)


def problem(seed: int, n: int = 5, factors: int = 0, volume: bool = False):
    """``(snapshot, risk, mu, w0)`` of ``n`` markets: mu a few % a year, small current weights."""
    rng = np.random.default_rng(seed)
    snapshot = random_snapshot(rng, n, volume=volume)
    risk = random_risk(rng, snapshot.markets, factors)
    mu = rng.normal(0.0, 0.05, n)
    w0 = rng.normal(0.0, 0.1, n)
    return snapshot, risk, mu, w0


def definition(**kwargs) -> OptimizerDefinition:
    """A definition solved to tight tolerances (``risk: full`` unless said)."""
    kwargs.setdefault("risk", "full")
    kwargs.setdefault("tcost_aversion", 0.0)
    return OptimizerDefinition(solver_options=TIGHT, **kwargs)


def objective(
    w: np.ndarray,
    d: OptimizerDefinition,
    cov: np.ndarray,
    mu: np.ndarray,
    w0: np.ndarray,
    snapshot: MarketSnapshot,
    costs: CostModel,
) -> float:
    """The objective in numpy, its costs priced by the realised (contract) side of the model."""
    trades = snapshot.to_contracts(w - w0)
    held = snapshot.to_contracts(w)
    tcost = costs.trade_cost(trades, snapshot).sum() / snapshot.capital
    per_year = snapshot.rolls_per_year * costs.roll_cost(held, snapshot)
    per_year += costs.holding_cost(held, snapshot, days=1.0) * snapshot.days_per_year
    hold = per_year.sum() / snapshot.capital
    return mu @ w - d.risk_aversion / 2 * w @ cov @ w - d.tcost_aversion * tcost - hold


def scipy_mean_variance(
    cov: np.ndarray,
    mu: np.ndarray,
    gamma: float,
    w0: np.ndarray,
    *,
    rate: np.ndarray | None = None,
    turnover: float | None = None,
    gross: float | None = None,
    long_only: bool = False,
    vol_ceiling: float | None = None,
    equalities: np.ndarray | None = None,
    bounds: np.ndarray | None = None,
) -> np.ndarray:
    """``argmax mu'w - gamma/2 w'Σw - rate'|w - w0|`` by SLSQP, written smooth.

    The trades are split into buys and sells (``w = w0 + buy - sell``, both >= 0) so that
    ``|w - w0|`` and the turnover are linear; ``gross`` is only asked with ``long_only``
    (``sum w <= gross``), ``equalities`` are rows ``a`` with ``a @ w == 0``, ``bounds`` are
    ``|w_i| <= bounds_i``.
    """
    n = len(mu)
    rate = np.zeros(n) if rate is None else rate

    def weights(x):
        return w0 + x[:n] - x[n:]

    def loss(x):
        w = weights(x)
        return -(mu @ w - gamma / 2 * w @ cov @ w - rate @ (x[:n] + x[n:]))

    def grad(x):
        w = weights(x)
        g = mu - gamma * cov @ w
        return -np.concatenate([g - rate, -g - rate])

    constraints = []
    if turnover is not None:
        constraints.append({"type": "ineq", "fun": lambda x: turnover - x.sum()})
    if long_only:
        constraints.append({"type": "ineq", "fun": weights})
    if gross is not None:
        assert long_only, "written smooth only for long-only portfolios"
        constraints.append({"type": "ineq", "fun": lambda x: gross - weights(x).sum()})
    if vol_ceiling is not None:
        constraints.append(
            {"type": "ineq", "fun": lambda x: vol_ceiling**2 - weights(x) @ cov @ weights(x)}
        )
    if equalities is not None:
        constraints.append({"type": "eq", "fun": lambda x: equalities @ weights(x)})
    if bounds is not None:
        constraints.append({"type": "ineq", "fun": lambda x: bounds - weights(x)})
        constraints.append({"type": "ineq", "fun": lambda x: bounds + weights(x)})
    result = minimize(
        loss,
        np.full(2 * n, 1e-3),
        jac=grad,
        method="SLSQP",
        bounds=[(0, None)] * (2 * n),
        constraints=constraints,
        options={"ftol": 1e-15, "maxiter": 2000},
    )
    assert result.success, result.message
    return weights(result.x)
