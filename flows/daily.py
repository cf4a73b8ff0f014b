"""Flow ``daily``: ingest -> partition checks -> promotion -> dbt build -> signals -> orders.

Failing partitions are quarantined, everything that passed is promoted and built, and only then
does the run end in a Failed state whose message names the quarantined partitions and rules.
With ``strategies``, the run then serves the day's forecasts and rebalances each strategy
from its holdings file for the next session, writing its orders; a strategy that trades a market
whose partition was just quarantined, or whose optimiser failed, gets no orders and fails the run.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.states import Failed

from flows.build import build as build_flow
from flows.ingest import ingest
from flows.signals import signals as signals_flow


@task(cache_policy=NONE)
def rebalance(strategy: str, held_markets: list[str]) -> str:
    """Orders for ``strategy`` from its holdings file; raises (no orders) when it must not trade."""
    from tecton.errors import TectonError
    from tecton.strategy import Strategy
    from tecton.strategy.orders import current_holdings, write_orders

    chosen = Strategy.from_yaml(strategy)
    blocked = sorted(set(held_markets) & set(chosen.markets()))
    if blocked:
        raise TectonError(
            f"{chosen.name}: no orders: partitions of {', '.join(blocked)} were quarantined today"
        )
    decision = chosen.rebalance(current_holdings(chosen.name))
    if decision.fallback:
        raise TectonError(f"{chosen.name}: no orders: the optimiser failed: {decision.fallback}")
    return str(write_orders(decision))


@flow(name="daily")
def daily(
    source: str | None = None,
    format: str = "vendor-csv",
    lake: str | None = None,
    build: bool = True,
    strategies: list[str] | None = None,
):
    """Land new files from ``source`` (default ``$TECTON_HOME/incoming``), check every new
    partition, promote what passed to ``bars``, build the marts from it and, for ``strategies``
    (registered names or YAML paths), serve their forecasts and write tomorrow's orders."""
    logger = get_run_logger()
    report = ingest(source, format, lake, check=True)
    verdict = report.quality
    logger.info("checked %d partitions: %s", len(verdict.partitions), verdict.summary())
    if build and report.versions.get("bars") is not None:
        build_flow()
    problems = [] if verdict.ok else [verdict.summary()]
    if strategies:
        problems += _orders(strategies, sorted({m for m, _ in verdict.held_partitions}), logger)
    if problems:
        return Failed(message="; ".join(problems), data=report)
    return report


def _orders(strategies: list[str], held_markets: list[str], logger) -> list[str]:
    """Serve the day's forecasts (the default models, on the strategies' markets), then write
    each strategy's orders (each fits its own model on the marts just built); the failures."""
    from tecton.strategy import Strategy

    markets = sorted({m for s in strategies for m in Strategy.from_yaml(s).markets()})
    signals_flow(None, markets)
    failures = []
    for strategy in strategies:
        state = rebalance(strategy, held_markets, return_state=True)
        if state.is_failed():
            failures.append(str(state.result(raise_on_failure=False)))
        else:
            logger.info("orders written to %s", state.result())
    return failures
