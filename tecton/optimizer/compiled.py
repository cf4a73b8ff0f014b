"""CLARABEL fed straight from cvxpy's compiled problem: a warm re-solve at the solver's speed.

cvxpy compiles a DPP problem once into linear maps from its Parameters' values to the solver's
data (``P``, ``q``, ``A``, ``b``: its ``ParamConeProg``). Re-solving through ``Problem.solve``
applies those maps by building, slicing and converting scipy matrices several times, then
unpacks the solution through the reduction chain: about 1.3 ms at 50 markets, half of
CLARABEL's own time. :class:`CompiledClarabel` keeps the maps as three sparse products into a
fixed sparsity pattern, keeps one CLARABEL solver whose data it updates in place, and writes
the solution back to the problem's Variables. cvxpy still does all the modelling and
compiling; the data CLARABEL receives is the data ``Problem.solve`` would give it (a test holds
the two paths equal).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import clarabel
import cvxpy as cp
import numpy as np
import scipy.sparse as sp
from cvxpy.reductions.solvers.conic_solvers.clarabel_conif import (
    CLARABEL,
    dims_to_solver_cones,
)


@dataclass(frozen=True)
class Solved:
    """One solve's outcome: cvxpy's status name, the solver's optimal value in the problem's
    own sense (a maximum for ``Maximize``; None without a solution) and the solver's seconds.

    For :class:`CompiledClarabel` those are the wall time of CLARABEL's data update and solve:
    the ``solve_time`` CLARABEL 0.11 reports after a data update is longer than that.
    """

    status: str
    objective: float | None
    solver_seconds: float


class _Map:
    """A compiled map from the parameter vector to the values of a fixed CSC pattern."""

    def __init__(self, reduced, columns: int) -> None:
        reduced.cache()  # the pattern: every entry a Parameter or a constant reaches, zero or not
        self.matrix = sp.csr_array(reduced.reduced_mat)
        self.indices, indptr, shape = reduced.problem_data_index
        self.rows = shape[0]
        self.indptr = indptr[: columns + 1]
        self.split = indptr[columns]  # entries past it form the constant column (b), if any


class CompiledClarabel:
    """A DPP ``problem`` compiled by cvxpy, solved by one CLARABEL solver updated in place.

    Parameters
    ----------
    problem : cvxpy.Problem
        DPP; every Parameter must have a value at each :meth:`solve`.
    options : dict
        CLARABEL settings, as ``Problem.solve`` takes them.
    """

    def __init__(self, problem: cp.Problem, options: dict) -> None:
        data, _, _ = problem.get_problem_data(cp.CLARABEL)
        program = data[cp.settings.PARAM_PROB]
        n = program.x.size
        self._columns = self._columns_of(problem, program)
        self._slots = self._slots_of(problem, program)
        self._vector = np.zeros(program.total_param_size + 1)
        self._vector[-1] = 1.0  # the constant column
        self._q = sp.csr_array(program.q)
        self._a = _Map(program.reduced_A, n)
        self._p = _Map(program.reduced_P, n) if program.reduced_P.matrix_data is not None else None
        self._p_pattern = (np.zeros(0, dtype=np.int32), np.zeros(n + 1, dtype=np.int32))  # no P
        if self._p is not None:  # CLARABEL takes the upper triangle of P
            cols = np.repeat(np.arange(n), np.diff(self._p.indptr))
            self._upper = self._p.indices <= cols
            counts = np.bincount(cols[self._upper], minlength=n)
            self._p_pattern = (self._p.indices[self._upper], np.r_[0, np.cumsum(counts)])
        self._n = n
        self._cones = dims_to_solver_cones(data[CLARABEL.DIMS])
        self._settings = CLARABEL.parse_solver_opts(False, dict(options))
        self._sign = -1.0 if isinstance(problem.objective, cp.Maximize) else 1.0
        self._solver = None

    @staticmethod
    def _columns_of(problem: cp.Problem, program) -> list[tuple[cp.Variable, int]]:
        columns = program.var_id_to_col
        variables = problem.variables()
        if any(v.id not in columns for v in variables):
            raise RuntimeError("a Variable of the problem is not a column of its compiled form")
        return [(v, columns[v.id]) for v in variables]

    @staticmethod
    def _slots_of(problem: cp.Problem, program) -> list[tuple[cp.Parameter, int]]:
        by_id = {p.id: p for p in problem.parameters()}
        compiled = set(program.param_id_to_col) - {cp.lin_ops.lin_op.CONSTANT_ID}
        if compiled != set(by_id):
            raise RuntimeError("the compiled problem's Parameters are not the problem's own")
        return [(by_id[i], program.param_id_to_col[i]) for i in sorted(compiled)]

    def _data(self) -> tuple:
        """The values of ``P``'s upper triangle and of ``A`` in their fixed patterns, ``q``,
        ``b`` and the objective's constant."""
        vector = self._vector
        for parameter, col in self._slots:
            vector[col : col + parameter.size] = np.ravel(parameter.value, order="F")
        qd = self._q @ vector
        values = self._a.matrix @ vector
        b = np.zeros(self._a.rows)
        b[self._a.indices[self._a.split :]] = values[self._a.split :]
        p = (self._p.matrix @ vector)[self._upper] if self._p is not None else np.zeros(0)
        return p, qd[:-1], -values[: self._a.split], b, qd[-1]

    def _clarabel(self, p, q, a, b):
        """CLARABEL's solution: its data updated in place (a new solver the first time)."""
        try:
            if self._solver is not None and self._solver.is_data_update_allowed():
                self._solver.update(P=p, q=q, A=a, b=b)
            else:
                shape = (self._n, self._n)
                upper = sp.csc_array((p, *self._p_pattern), shape=shape)
                matrix = sp.csc_array(
                    (a, self._a.indices[: self._a.split], self._a.indptr),
                    shape=(self._a.rows, self._n),
                )
                self._solver = clarabel.DefaultSolver(
                    upper, q, matrix, b, self._cones, self._settings
                )
            return self._solver.solve()
        except Exception as exc:  # CLARABEL raises its own types; cvxpy's callers expect this
            raise cp.error.SolverError(f"CLARABEL: {exc}") from exc

    def solve(self) -> Solved:
        """Solve with the Parameters' current values; the Variables take the solution.

        Raises
        ------
        cvxpy.error.SolverError
            CLARABEL refused the data or failed.
        """
        p, q, a, b, constant = self._data()
        start = time.perf_counter()
        solution = self._clarabel(p, q, a, b)
        seconds = time.perf_counter() - start
        status = CLARABEL.STATUS_MAP.get(str(solution.status), cp.SOLVER_ERROR)
        if status not in cp.settings.SOLUTION_PRESENT:
            return Solved(status, None, seconds)
        x = np.asarray(solution.x)
        for variable, col in self._columns:
            variable.value = x[col : col + variable.size].reshape(variable.shape, order="F")
        return Solved(status, float(self._sign * (solution.obj_val + constant)), seconds)
