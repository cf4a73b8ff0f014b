"""Flow ``daily``: ingest -> partition checks -> promotion -> dbt build.

Failing partitions are quarantined, everything that passed is promoted and built, and only then
does the run end in a Failed state whose message names the quarantined partitions and rules.
"""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.states import Failed

from flows.build import build as build_flow
from flows.ingest import ingest


@flow(name="daily")
def daily(source: str | None = None, format: str = "vendor-csv", lake: str | None = None, build: bool = True):
    """Land new files from ``source`` (default ``$TECTON_HOME/incoming``), check every new
    partition, promote what passed to ``bars`` and build the marts from it."""
    report = ingest(source, format, lake, check=True)
    verdict = report.quality
    get_run_logger().info("checked %d partitions: %s", len(verdict.partitions), verdict.summary())
    if build and report.versions.get("bars") is not None:
        build_flow()
    if not verdict.ok:
        return Failed(message=verdict.summary(), data=report)
    return report
