"""CompiledClarabel: cvxpy's compiled parameter maps applied by tecton, against Problem.solve."""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import pytest

from tecton.optimizer.compiled import CompiledClarabel

CURVATURE = np.array(
    [[2.0, 0.5, 0.0, 0.0], [0.5, 1.0, 0.3, 0.0], [0.0, 0.3, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]]
)


def parametric(sense) -> tuple[cp.Problem, dict[str, cp.Parameter]]:
    """A small DPP problem: a quadratic objective (off the diagonal too), a constant, cones and a
    matrix Parameter."""
    x = cp.Variable(4, name="x")
    y = cp.Variable((2, 2), name="y")
    p = {
        "root": cp.Parameter((3, 4), name="root"),
        "target": cp.Parameter(3, name="target"),
        "c": cp.Parameter(4, name="c"),
        "shift": cp.Parameter(name="shift"),
        "m": cp.Parameter((2, 2), name="m"),
        "cap": cp.Parameter(nonneg=True, name="cap"),
    }
    fit = cp.sum_squares(p["root"] @ x - p["target"]) + p["c"] @ x + p["shift"] + 3.0
    fit = fit + cp.quad_form(x, CURVATURE)  # a constant with entries off the diagonal
    coupling = cp.sum(cp.multiply(p["m"], y)) + cp.sum_squares(y)
    constraints = [cp.norm(x, 2) <= p["cap"], cp.sum(y) == x[0], cp.abs(x) <= 2.0]
    objective = fit + coupling
    return cp.Problem(sense(objective if sense is cp.Minimize else -objective), constraints), p


def draw(rng: np.random.Generator, p: dict[str, cp.Parameter]) -> None:
    for name, parameter in p.items():
        value = rng.normal(size=parameter.shape)
        parameter.value = np.abs(value) + 0.5 if name == "cap" else value


@pytest.mark.parametrize("sense", [cp.Minimize, cp.Maximize])
def test_solutions_and_objectives_equal_cvxpys_over_new_parameters(sense):
    problem, p = parametric(sense)
    rng = np.random.default_rng(3)
    draw(rng, p)
    compiled = CompiledClarabel(problem, {})
    for _ in range(5):
        draw(rng, p)
        ours = compiled.solve()
        x_ours = {v.name(): v.value.copy() for v in problem.variables()}
        problem.solve(solver="CLARABEL")
        assert ours.status == problem.status == "optimal"
        assert ours.objective == pytest.approx(problem.value, rel=1e-9, abs=1e-9)
        for v in problem.variables():
            np.testing.assert_allclose(x_ours[v.name()], v.value, atol=1e-9)


def test_an_infeasible_problem_says_so_and_leaves_no_solution():
    x = cp.Variable(2)
    floor = cp.Parameter(nonneg=True)
    problem = cp.Problem(cp.Minimize(cp.sum(x)), [x >= floor, cp.sum(x) <= 1.0])
    floor.value = 0.1
    compiled = CompiledClarabel(problem, {})
    assert compiled.solve().status == "optimal"
    floor.value = 2.0  # the same compiled problem, now infeasible
    solved = compiled.solve()
    assert solved.status == "infeasible" and solved.objective is None


def test_solver_options_reach_clarabel():
    problem, p = parametric(cp.Minimize)
    draw(np.random.default_rng(4), p)
    assert CompiledClarabel(problem, {"max_iter": 1}).solve().status == "user_limit"
    with pytest.raises(TypeError, match="unrecognized solver setting"):
        CompiledClarabel(problem, {"no_such_setting": 1})
