"""Flow ``build``: dbt build of the marts from the lake (optionally pinned to a lake version or time)."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE

from tecton.dal import warehouse


@task(cache_policy=NONE)
def dbt_build(
    full_refresh: bool, lake_version: int | None, lake_as_of: str | None
) -> warehouse.BuildReport:
    return warehouse.build(
        full_refresh=full_refresh, lake_version=lake_version, lake_as_of=lake_as_of
    )


@flow(name="build")
def build(
    full_refresh: bool = False, lake_version: int | None = None, lake_as_of: str | None = None
) -> warehouse.BuildReport:
    """Build the marts in ``$TECTON_HOME/warehouse.duckdb``; fail the run if any model or test fails.

    ``lake_version`` / ``lake_as_of`` (ISO timestamp) build from the lake as it was then.
    """
    report = dbt_build(full_refresh, lake_version, lake_as_of)
    logger = get_run_logger()
    logger.info("built %d nodes in %.1f s into %s", report.nodes, report.seconds, report.warehouse)
    if not report.ok:
        for failure in report.failures:
            logger.error("%s", failure)
        raise warehouse.BuildFailed(report)
    return report
