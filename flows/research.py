"""Flow ``research``: backtest a strategy over history, store the run, serve it as marts.

The simulation reads the marts through Mantle (``tecton.simulation``); the run is stored in the
lake, its runs row last (``tecton.simulation.store``); a dbt build of the backtest models then
serves it as ``Mantle.Tables.backtests.*``. ``tecton runs`` lists what was stored.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE

from tecton.dal import warehouse
from tecton.simulation.store import store_run

# the dbt selector of the backtest marts (and their ephemeral staging): every model tagged so
BACKTEST_MODELS = "tag:backtests"


@task(cache_policy=NONE)
def simulate(
    strategy: str,
    start: str | None,
    end: str | None,
    capital: float | None,
    markets: list[str] | None = None,
    allow_unchecked: bool = False,
    fill: str = "close",
) -> Any:
    # imported here: the simulator pulls in the models and the optimiser, which the other
    # tasks (and importing this module to deploy it) do not need
    from tecton.simulation import Simulation
    from tecton.strategy import Strategy

    chosen = Strategy.from_yaml(strategy)
    chosen = chosen.on(markets) if markets else chosen
    simulation = Simulation(
        chosen, start=start, end=end, capital=capital, allow_unchecked=allow_unchecked, fill=fill
    )
    result = simulation.run()
    if simulation.markets_without_open:
        get_run_logger().warning(
            "no opens in the bars of %s: filled at the close",
            ", ".join(simulation.markets_without_open),
        )
    return result


# a retry is safe: until its runs row lands, storing a run again replaces its rows
@task(cache_policy=NONE, retries=2, retry_delay_seconds=5)
def store(result: Any) -> str:
    return store_run(result)


@task(cache_policy=NONE)
def serve() -> warehouse.BuildReport:
    return warehouse.build(select=BACKTEST_MODELS)


@flow(name="research")
def research(
    strategy: str,
    start: str | None = None,
    end: str | None = None,
    capital: float | None = None,
    build: bool = True,
    markets: list[str] | None = None,
    allow_unchecked: bool = False,
    fill: str = "close",
) -> str:
    """Backtest ``strategy`` (a registered name or a YAML path) from ``start`` to ``end`` (default:
    all the history the marts hold) on ``capital`` (default: the strategy's), store the run and,
    with ``build``, serve it through the ``backtests`` marts. ``markets`` replaces the universe
    of the strategy's model. A run needing partitions that did not pass the checks is refused
    unless ``allow_unchecked`` (recorded in its manifest). ``fill``: decisions fill at the next
    ``close`` (default) or at the next ``open`` where the bars have one.

    Returns the run id (``Mantle.select(Mantle.Tables.backtests.pnl, where={"run_id": ...})``).
    """
    logger = get_run_logger()
    result = simulate(strategy, start, end, capital, markets, allow_unchecked, fill)
    figures = ", ".join(f"{k} {v:.4g}" for k, v in result.summary.items())
    logger.info(
        "backtest of %s from %s to %s: %s",
        strategy,
        result.start.date(),
        result.end.date(),
        figures,
    )
    run_id = store(result)
    logger.info("stored run %s", run_id)
    if build:
        report = serve()
        if not report.ok:
            for failure in report.failures:
                logger.error("%s", failure)
            raise warehouse.BuildFailed(report)
    return run_id
