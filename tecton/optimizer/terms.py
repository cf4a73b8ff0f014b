"""Objective terms that compose like algebra: ``ExpectedReturn() - 5 * FullRisk() - TransactionCost(costs)``.

Each term builds its cvxpy expression once on a :class:`Space` (the weights, the trades and the
current weights) with its own Parameters, and :meth:`Term.update` sets those Parameters from one
rebalance's :class:`~tecton.optimizer.inputs.Inputs`. Every Parameter enters the problem in a
DPP-compliant way (a Parameter times a Parameter-free expression), so cvxpy compiles the
problem once and each rebalance only re-applies the Parameters.

Units: weights ``w`` are signed fractions of capital; expected return and risk are annual; the
trading cost is a one-off fraction of capital, the holding cost a fraction of capital a year.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np
import scipy.sparse as sp

from tecton.costs import CostModel
from tecton.costs.base import set_parameter
from tecton.optimizer.inputs import Inputs


@dataclass
class Space:
    """What every term and constraint is built on, for ``n`` markets.

    ``dw`` is a Variable of its own, tied by ``w == w0 + dw``: the trade costs then hold no
    Parameter inside their ``abs`` (which DPP would refuse).
    """

    n: int
    w: cp.Variable = field(init=False)
    dw: cp.Variable = field(init=False)
    w0: cp.Parameter = field(init=False)
    constraints: list[cp.Constraint] = field(init=False)

    def __post_init__(self) -> None:
        self.w = cp.Variable(self.n, name="w")
        self.dw = cp.Variable(self.n, name="dw")
        self.w0 = cp.Parameter(self.n, name="w0", value=np.zeros(self.n))
        self.constraints = [self.w == self.w0 + self.dw]


class Term:
    """An objective term: ``build`` once, ``update`` every rebalance; ``+ - *`` compose them."""

    name = "term"

    def __init__(self) -> None:
        self.expression: cp.Expression | None = None

    def build(self, space: Space) -> cp.Expression:
        """The term's expression on ``space`` (built once; later calls return the same one)."""
        if self.expression is None:
            self.expression = self._build(space)
        return self.expression

    def _build(self, space: Space) -> cp.Expression:
        raise NotImplementedError

    def update(self, inputs: Inputs) -> None:
        """Set this term's Parameters for one rebalance."""

    def items(self) -> tuple[tuple[float, Term], ...]:
        """``(coefficient, term)`` pairs whose sum this is."""
        return ((1.0, self),)

    def __mul__(self, k: float) -> Combination:
        return Combination(tuple((c * float(k), t) for c, t in self.items()))

    __rmul__ = __mul__

    def __neg__(self) -> Combination:
        return self * -1.0

    def __add__(self, other: Term) -> Combination:
        return Combination(self.items() + other.items())

    def __sub__(self, other: Term) -> Combination:
        return self + (-other)


class Combination(Term):
    """A weighted sum of terms (what ``+``, ``-`` and ``*`` make)."""

    name = "objective"

    def __init__(self, items: tuple[tuple[float, Term], ...]) -> None:
        super().__init__()
        self._items = items

    def items(self) -> tuple[tuple[float, Term], ...]:
        return self._items

    def _build(self, space: Space) -> cp.Expression:
        return sum((c * t.build(space) for c, t in self._items), start=cp.Constant(0.0))

    def update(self, inputs: Inputs) -> None:
        for _, term in self._items:
            term.update(inputs)

    def contributions(self) -> dict[str, float]:
        """Each term's part of the objective at the last solution (coefficient included)."""
        out: dict[str, float] = {}
        for c, term in self._items:
            out[term.name] = out.get(term.name, 0.0) + c * float(term.expression.value)
        return out


class ExpectedReturn(Term):
    """``mu @ w``: annual expected return, ``mu`` per unit of weight."""

    name = "expected_return"

    def _build(self, space: Space) -> cp.Expression:
        self.mu = cp.Parameter(space.n, name="mu", value=np.zeros(space.n))
        return self.mu @ space.w

    def update(self, inputs: Inputs) -> None:
        set_parameter(self.mu, inputs.expected_return)


class Risk(Term):
    """Annual variance ``w'Σw``, as the sum of squares of :meth:`root` (a vector).

    ``||root(w)||`` is then the portfolio's annual volatility, which the volatility ceiling
    bounds with the same Parameters.
    """

    name = "risk"

    def root(self, space: Space) -> cp.Expression:
        """A vector whose squared norm is ``w'Σw``."""
        raise NotImplementedError

    def _build(self, space: Space) -> cp.Expression:
        return cp.sum_squares(self.root(space))


class FullRisk(Risk):
    """The full covariance, ``sum_squares(y)`` with ``y == L' w`` and ``Σ = L L'``.

    ``L`` is lower-triangular: its Parameter holds the triangle's entries only (``lower``), and
    ``L'`` is a fixed scatter of them, so half the non-zeros of a dense root reach the solver
    (which halves its time at 50 markets) without a sparse cvxpy Parameter (which cvxpy densifies
    and warns about on every solve). ``y`` is a Variable of its own so that ``L`` enters the
    problem once even when the volatility ceiling uses the root too.
    """

    def root(self, space: Space) -> cp.Expression:
        if not hasattr(self, "_root"):
            n = space.n
            self._lower = np.tril_indices(n)
            rows, cols = self._lower
            entries = len(rows)
            # row j of L' holds L[i, j]: entry k of the triangle lands at (cols[k], rows[k])
            scatter = sp.csr_array(
                (np.ones(entries), (cols * n + rows, np.arange(entries))), shape=(n * n, entries)
            )
            self.lower = cp.Parameter(entries, name="sqrt_cov_lower")
            self._set_root(np.eye(n))
            self._root = cp.Variable(n, name="risk_root")
            transposed = cp.reshape(scatter @ self.lower, (n, n), order="C")
            space.constraints.append(self._root == transposed @ space.w)
        return self._root

    def sqrt_cov(self) -> np.ndarray:
        """``L`` as set for the last rebalance (dense, ``n x n``)."""
        n = self._root.shape[0]
        out = np.zeros((n, n))
        out[self._lower] = self.lower.value
        return out

    def update(self, inputs: Inputs) -> None:
        self._set_root(triangular_root(inputs.cov))

    def _set_root(self, lower: np.ndarray) -> None:
        set_parameter(self.lower, lower[self._lower])


class FactorRisk(Risk):
    """The factor form ``Σ = B F B' + diag(s)``: ``||Lf' f||² + ||sqrt(s) * w||²``, ``f == B' w``.

    ``k`` factor exposures ``f`` become a Variable, so a rebalance costs ``n x k`` rather than
    ``n x n`` numbers.
    """

    def __init__(self, factors: int) -> None:
        super().__init__()
        self.factors = int(factors)

    def root(self, space: Space) -> cp.Expression:
        if not hasattr(self, "_root"):
            n, k = space.n, self.factors
            self.loadings = cp.Parameter((n, k), name="loadings", value=np.zeros((n, k)))
            self.sqrt_factor_cov = cp.Parameter((k, k), name="sqrt_factor_cov")
            self.sqrt_factor_cov.value = np.zeros((k, k))
            self.sqrt_specific = cp.Parameter(n, nonneg=True, name="sqrt_specific_var")
            self.sqrt_specific.value = np.zeros(n)
            self.exposure = cp.Variable(k, name="factor_exposure")
            space.constraints.append(self.exposure == self.loadings.T @ space.w)
            self._root = cp.hstack(
                [self.sqrt_factor_cov.T @ self.exposure, cp.multiply(self.sqrt_specific, space.w)]
            )
        return self._root

    def update(self, inputs: Inputs) -> None:
        set_parameter(self.loadings, inputs.loadings)
        set_parameter(self.sqrt_factor_cov, matrix_root(inputs.factor_cov))
        set_parameter(self.sqrt_specific, np.sqrt(np.clip(inputs.specific_var, 0.0, None)))


class TransactionCost(Term):
    """The cost model's trading cost of ``dw = w - w0``, a fraction of capital."""

    name = "transaction_cost"

    def __init__(self, cost_model: CostModel) -> None:
        super().__init__()
        self.cost_model = cost_model

    def _build(self, space: Space) -> cp.Expression:
        return self.cost_model.trade_expression(space.dw)

    def update(self, inputs: Inputs) -> None:
        self.cost_model.update(inputs.snapshot)


class HoldingCost(Term):
    """The cost model's cost of holding ``w`` for a year (rolls, funding), a fraction of capital."""

    name = "holding_cost"

    def __init__(self, cost_model: CostModel) -> None:
        super().__init__()
        self.cost_model = cost_model

    def _build(self, space: Space) -> cp.Expression:
        return self.cost_model.holding_expression(space.w)

    def update(self, inputs: Inputs) -> None:
        self.cost_model.update(inputs.snapshot)


def triangular_root(cov: np.ndarray) -> np.ndarray:
    """Lower-triangular ``L`` with ``L @ L.T == cov``, also for a semi-definite ``cov``.

    Cholesky where it succeeds; else the QR of any root's transpose: ``root.T = Q R`` gives
    ``cov = root root' = R' R``, so ``R'`` is a lower-triangular root.
    """
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        return np.linalg.qr(matrix_root(cov).T, mode="r").T


def matrix_root(cov: np.ndarray) -> np.ndarray:
    """``L`` with ``L @ L.T == cov`` for a symmetric positive semi-definite ``cov``.

    Through the eigendecomposition rather than Cholesky: a covariance whose negative
    eigenvalues were clipped is only semi-definite, where Cholesky fails; rounding below zero
    is clipped again here.
    """
    values, vectors = np.linalg.eigh((cov + cov.T) / 2.0)
    return vectors * np.sqrt(np.clip(values, 0.0, None))
