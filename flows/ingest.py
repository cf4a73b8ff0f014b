"""Flow ``ingest``: land a source's raw files in the lake (plan -> stage batches -> commit)."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from tecton import lake as lk
from tecton.config import home
from tecton.progress import bar


@task(cache_policy=NONE)
def plan_files(source: str, format: str, lake: str | None, replace_source: bool = False) -> lk.Plan:
    return lk.plan(Path(source), format, lk.Lake(lake), replace_source)


@task(cache_policy=NONE)
def stage_batch(batch: list, format: str, lake: str | None) -> lk.ingest.Staged:
    return lk.stage(batch, format, lk.Lake(lake))


@task(cache_policy=NONE, retries=2, retry_delay_seconds=2)
def commit_batches(plan: lk.Plan, staged: list, lake: str | None, check: bool) -> lk.IngestReport:
    # safe to retry: every write replaces its own files' rows, so a rerun cannot duplicate
    gate = None
    if check:  # partitions that fail the quality checks are quarantined, never promoted
        from tecton.quality import QUALITY_GATE as gate
    return lk.commit(plan, staged, lk.Lake(lake), gate=gate)


@flow(name="ingest", task_runner=ThreadPoolTaskRunner(max_workers=2))
def ingest(
    source: str | None = None,
    format: str = "vendor-csv",
    lake: str | None = None,
    batch_size: int = 500,
    check: bool = True,
    replace_source: bool = False,
) -> lk.IngestReport:
    """Land the new and revised raw files under ``source`` (``vendor-csv``, ``pysystemtrade`` or ``fundamentals-csv``).

    ``source`` defaults to ``$TECTON_HOME/incoming`` on the machine that runs the flow (the scheduled
    deployment in ``prefect.yaml`` relies on this, so it carries no machine-specific path).

    ``lake`` is a path or ``s3://`` URL (default: ``$TECTON_LAKE`` or ``$TECTON_HOME/lake``).
    Files that break a rule are archived and logged as rejected; the rest of the batch lands.
    With ``check`` (the default) every new partition passes the data-quality checks first:
    failing partitions are held in ``bars_quarantine`` (see ``tecton quality``), never promoted.
    A market is fed by one price source: files of a market another source feeds are set aside,
    unless ``replace_source`` switches those markets to this one (``tecton.lake.sources``).
    """
    if source is None:  # the scheduled run's drop folder: empty on a fresh data home, not an error
        incoming = home() / "incoming"
        incoming.mkdir(exist_ok=True)
        source = str(incoming)
    plan = plan_files(source, format, lake, replace_source)
    batches = plan.batches(batch_size)
    staged = []
    with bar("reading files", len(plan.candidates)) as advance:
        # two batches at a time (one per core: pyarrow parses without the GIL); more threads
        # only contend. Scale-out beyond one machine is a Dask task runner.
        futures = [stage_batch.submit(quote(b), format, lake) for b in batches]
        for b, future in zip(batches, futures, strict=True):
            staged.append(future.result())
            advance(len(b))
    # quote(): hand Prefect the batches as opaque values; walking thousands of files costs seconds
    report = commit_batches(quote(plan), quote(staged), lake, check)
    logger = get_run_logger()
    logger.info(
        "landed %d files (%d rows), %d unchanged, %d rejected; versions %s",
        len(report.landed),
        report.rows,
        len(report.unchanged),
        len(report.rejected),
        report.versions,
    )
    for outcome in report.rejected:
        logger.warning("set aside %s", outcome.error)
    for line in lk.sources.refusal_lines(report.rejected):
        logger.warning(line)
    return report
