"""Whole contracts: plain rounding, or a greedy search that spends a small account's risk well.

Rounding each market on its own wastes a small account's risk budget: with 100k and thirty
markets most unrounded positions are a fraction of a contract and round to zero. The greedy
search (what pysystemtrade calls dynamic optimisation) starts from zero contracts and adds or
removes one contract at a time, each time the step that most reduces

    (x - x*)' S (x - x*)  +  penalty x sum_i cost_i |x_i - x0_i|

where ``x*`` is the unrounded optimum, ``S`` the covariance of one contract of each market (as a
fraction of capital, annual), ``x0`` the current holdings and ``cost_i`` what trading a contract
costs as a fraction of capital. It stops when no single step helps. Each step is O(n): the
change of the quadratic form for ``x_i += d`` is ``2 d (S (x - x*))_i + d^2 S_ii``.
"""

from __future__ import annotations

import numpy as np

ROUNDING_METHODS = ("round", "greedy")


def plain_round(unrounded: np.ndarray) -> np.ndarray:
    """Each market rounded to the nearest whole contract on its own."""
    return np.round(np.asarray(unrounded, dtype=float))


def contract_covariance(cov: np.ndarray, weight_per_contract: np.ndarray) -> np.ndarray:
    """Covariance of one contract of each market, as fractions of capital (annual)."""
    scale = np.asarray(weight_per_contract, dtype=float)
    return np.asarray(cov, dtype=float) * np.outer(scale, scale)


def tracking_error(contracts: np.ndarray, target: np.ndarray, cov_contracts: np.ndarray) -> float:
    """Annual volatility of the difference between two positions (fraction of capital)."""
    gap = np.asarray(contracts, dtype=float) - np.asarray(target, dtype=float)
    return float(np.sqrt(max(gap @ cov_contracts @ gap, 0.0)))


def greedy_round(
    target: np.ndarray,
    cov_contracts: np.ndarray,
    current: np.ndarray | None = None,
    cost: np.ndarray | None = None,
    cost_penalty: float = 1.0,
    max_steps: int = 100_000,
) -> np.ndarray:
    """Whole contracts close to ``target`` under ``cov_contracts``, found one contract at a time.

    A descent from zero contracts (the peer's start) can stop early where markets are strongly
    correlated: no single contract helps though a pair would. So the same descent also starts
    from plain rounding and from the current holdings, and the best of the three ends is kept;
    the answer is never worse than plain rounding.

    Parameters
    ----------
    target : ndarray
        Unrounded optimal contracts per market.
    cov_contracts : ndarray
        Covariance of one contract of each market (:func:`contract_covariance`).
    current : ndarray, optional
        Contracts held now; moving away from them costs ``cost x cost_penalty`` a contract.
    cost : ndarray, optional
        Cost of trading one contract, as a fraction of capital (0 when omitted).
    cost_penalty : float
        How much a unit of cost weighs against a unit of tracking variance.

    Returns
    -------
    ndarray
        Whole contracts (floats holding integers), one per market.
    """
    target = np.asarray(target, dtype=float)
    n = len(target)
    s = np.asarray(cov_contracts, dtype=float)
    current = np.zeros(n) if current is None else np.asarray(current, dtype=float)
    cost = np.zeros(n) if cost is None else np.asarray(cost, dtype=float) * cost_penalty

    def objective(x: np.ndarray) -> float:
        gap = x - target
        return float(gap @ s @ gap + cost @ np.abs(x - current))

    ends = [
        _descend(start, target, s, current, cost, max_steps)
        for start in (np.zeros(n), plain_round(target), current.copy())
    ]
    return min(ends, key=objective)


def _descend(x, target, s, current, cost, max_steps) -> np.ndarray:
    """Single-contract steps from ``x`` while one lowers the objective (each step O(n))."""
    gradient = s @ (x - target)  # S (x - x*)
    diagonal = np.diag(s)
    for _ in range(max_steps):
        trade_now = np.abs(x - current)
        best_gain, best = 0.0, None
        for step in (1.0, -1.0):
            change = 2 * step * gradient + diagonal
            change += cost * (np.abs(x + step - current) - trade_now)
            i = int(np.argmin(change))
            if change[i] < best_gain - 1e-15:
                best_gain, best = change[i], (i, step)
        if best is None:
            break
        i, step = best
        x[i] += step
        gradient += step * s[:, i]
    return x


def round_contracts(
    method: str,
    target: np.ndarray,
    cov_contracts: np.ndarray,
    current: np.ndarray,
    cost: np.ndarray,
    cost_penalty: float = 1.0,
) -> np.ndarray:
    """Whole contracts by ``method`` (``"round"`` or ``"greedy"``)."""
    if method == "greedy":
        return greedy_round(target, cov_contracts, current, cost, cost_penalty)
    return plain_round(target)
