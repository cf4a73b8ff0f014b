"""CostKind: one kind of cost that both prices realised trades and builds its cvxpy term.

A kind answers two questions with the same numbers, so the optimiser and the simulator never
disagree about what trading costs:

* realised (numpy, base currency, one value per market): :meth:`CostKind.trade_cost`,
  :meth:`CostKind.roll_cost`, :meth:`CostKind.holding_cost`;
* planned (cvxpy, in weight space: signed fractions of capital; cvxpy loads on first use): :meth:`CostKind.trade_expression`
  of a trade-weight expression ``dw`` and :meth:`CostKind.holding_expression` of the weights
  ``w``, both in fractions of capital, with cvxpy Parameters that :meth:`CostKind.update` fills
  from a :class:`~tecton.snapshot.MarketSnapshot`. The problem is compiled once (DPP) and each
  day only the Parameters change.

Weight space: one contract is ``weight_per_contract = notional / capital`` of capital, so trading
``dw`` of capital trades ``|dw| x capital / |notional|`` contracts. A cost of ``c`` base currency
per contract is then ``c / |notional|`` of capital per unit of ``|dw|``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from tecton.errors import TectonError
from tecton.snapshot import MarketSnapshot

if TYPE_CHECKING:
    import cvxpy as cp

    from tecton.costs.model import CostModel


class CostKind:
    """Base of the cost kinds; every method costs nothing unless a kind says otherwise.

    A kind owns the cvxpy Parameters of its expressions (created on the first call, for the
    size of ``dw``); give each optimiser its own copy (:class:`~tecton.optimizer.Optimizer`
    takes one).
    """

    name: ClassVar[str] = "cost"

    def __init__(self) -> None:
        self._params: dict[str, cp.Parameter] = {}

    # realised, in the base currency -------------------------------------------------------
    def trade_cost(self, trades: np.ndarray, snapshot: MarketSnapshot) -> np.ndarray:
        """Cost of trading ``trades`` (signed contracts) per market, in the base currency."""
        return np.zeros(check_contracts(trades, snapshot, "trades").shape)

    def roll_cost(self, held: np.ndarray, snapshot: MarketSnapshot) -> np.ndarray:
        """Cost of rolling ``held`` (signed contracts) once, per market, in the base currency."""
        return np.zeros(check_contracts(held, snapshot, "held").shape)

    def holding_cost(
        self, held: np.ndarray, snapshot: MarketSnapshot, days: float = 1.0
    ) -> np.ndarray:
        """Cost of holding ``held`` for ``days`` trading days, per market, in the base currency."""
        return np.zeros(check_contracts(held, snapshot, "held").shape)

    def cost_per_contract(self, snapshot: MarketSnapshot) -> np.ndarray:
        """Linear cost of trading one contract once (one side), in the base currency."""
        return np.zeros(len(snapshot))

    # planned, in fractions of capital -----------------------------------------------------
    def trade_expression(self, dw: cp.Expression) -> cp.Expression | None:
        """Cost of trading ``dw`` (weights), as a fraction of capital; None if this kind has none.

        For the problem to stay DPP, ``dw`` must hold no Parameter: make the trades a Variable
        (``w == w0 + dw``) rather than ``w - w0`` with ``w0`` a Parameter.
        """
        return None

    def holding_expression(self, w: cp.Expression) -> cp.Expression | None:
        """Cost per year of holding ``w`` (weights), as a fraction of capital; None if none."""
        return None

    def update(self, snapshot: MarketSnapshot) -> None:
        """Set this kind's Parameters from the day's ``snapshot`` (no recompiling)."""

    # composition ----------------------------------------------------------------------------
    def __add__(self, other: CostKind | CostModel) -> CostModel:
        from tecton.costs.model import CostModel

        return CostModel([self]) + other

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def _parameter(self, key: str, n: int, nonneg: bool = True) -> cp.Parameter:
        """This kind's Parameter ``key`` of ``n`` entries (one per market)."""
        import cvxpy as cp  # on first use: defining or pricing costs does not need cvxpy

        param = self._params.get(key)
        if param is None or param.shape != (n,):
            param = cp.Parameter(n, nonneg=nonneg, name=f"{self.name}_{key}", value=np.zeros(n))
            self._params[key] = param
        return param

    def _set(self, key: str, value: np.ndarray) -> None:
        """Give Parameter ``key`` its day's value, if an expression made it."""
        param = self._params.get(key)
        if param is not None:
            set_parameter(param, value)


def set_parameter(param: cp.Parameter, value: np.ndarray) -> None:
    """``param.value = value``, without cvxpy's checks where numpy shows the value passes them.

    cvxpy checks a value by projecting it onto the Parameter's attributes, a large part of a
    rebalance's time. A value of the Parameter's shape with no NaN and no negative entry where
    the Parameter is ``nonneg`` passes them: it is stored as cvxpy stores it. Any other value
    (or a Parameter with other attributes) goes through cvxpy's own checks (which raise, or let
    a rounding error through).
    """
    value = np.asarray(value, dtype=float)
    if _passes(param, value):
        param.save_value(value)
    else:
        param.value = value


def _passes(param: cp.Parameter, value: np.ndarray) -> bool:
    known = {"nonneg"}
    attributes = {
        name for name, on in param.attributes.items() if on is not None and on is not False
    }
    if value.shape != param.shape or attributes - known or np.isnan(value).any():
        return False
    return not ("nonneg" in attributes and (value < 0).any())


def magnitude(x: cp.Expression) -> cp.Expression:
    """``cp.abs(x)``, one atom per expression ``x``, made on the first call.

    cvxpy canonicalises an atom object once however many terms and constraints use it, so the
    costs and limits on ``|w|`` (rolls, gross leverage, position limits) or on ``|dw|``
    (commission, spread, impact, turnover) share one set of auxiliary variables: a smaller
    problem for the solver than a ``cp.abs`` each.
    """
    import cvxpy as cp

    atom = getattr(x, "_tecton_magnitude", None)
    if atom is None:
        atom = cp.abs(x)
        x._tecton_magnitude = atom
    return atom


def abs_notional(snapshot: MarketSnapshot) -> np.ndarray:
    """``|notional|`` per market (base currency); a zero or missing notional names its market.

    Costs are per contract traded, whatever its sign, and weights turn into contracts through
    the notional: a market whose notional is 0 or NaN cannot be priced.
    """
    notional = np.abs(snapshot.notional)
    bad = ~(np.isfinite(notional) & (notional > 0))
    if bad.any():
        names = ", ".join(m for m, b in zip(snapshot.markets, bad, strict=True) if b)
        raise TectonError(f"no positive notional (price x point value x fx) for: {names}")
    return notional


def finite(values: np.ndarray, snapshot: MarketSnapshot, what: str) -> np.ndarray:
    """``values`` (one per market), or a TectonError naming the markets where they are not finite."""
    values = np.asarray(values, dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        names = ", ".join(m for m, b in zip(snapshot.markets, bad, strict=True) if b)
        raise TectonError(f"snapshot {what} is missing (NaN) for: {names}")
    return values


def check_contracts(contracts: np.ndarray, snapshot: MarketSnapshot, what: str) -> np.ndarray:
    """``contracts`` as a float array of one entry per market (else a TectonError)."""
    contracts = np.asarray(contracts, dtype=float).reshape(-1)
    if contracts.shape != (len(snapshot),):
        raise TectonError(f"{what}: {contracts.size} values for {len(snapshot)} markets")
    return contracts
