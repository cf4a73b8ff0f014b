"""The DuckDB warehouse: where it is, and building it with dbt from the lake.

dbt runs in-process through its programmatic runner (``dbtRunner``): no subprocess, its events
drive the progress bar, and its target and logs live in the data home, not in the checkout.
The warehouse file and the lake root reach dbt as ``--vars`` (``warehouse_path``, ``lake_root``,
read by ``profiles.yml``), never through the process environment, so a build of an as-of
warehouse in one thread leaves every other thread's reads alone. dbt itself is not safe to run
twice at once in one process (dbt-duckdb keeps its database in a class attribute): builds in a
process take turns.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path

from tecton.config import base_currency, home, lake_uri
from tecton.progress import bar

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
_dbt_lock = threading.Lock()


def warehouse_path(data_home: Path | None = None) -> Path:
    """``$TECTON_HOME/warehouse.duckdb``, or the warehouse of another data home."""
    return (data_home or home()) / "warehouse.duckdb"


def incremental_models_digest() -> str:
    """A digest of the incremental models' SQL (what their stored rows were derived by)."""
    digest = hashlib.sha256()
    for path in sorted((DBT_PROJECT / "models").rglob("*.sql")):
        text = path.read_bytes()
        if b"materialized='incremental'" in text:
            digest.update(path.name.encode() + b"\0" + text)
    return digest.hexdigest()


def _digest_file(data_home: Path | None = None) -> Path:
    """Beside the warehouse: the digest of the incremental models that last built it whole."""
    return warehouse_path(data_home).with_suffix(".models.sha256")


def _models_changed(data_home: Path | None = None) -> bool:
    """Whether the warehouse's incremental models were built by other SQL (a tecton upgrade).

    Their stored rows (and columns) are then another version's: an incremental build would
    fail on the schema, or silently keep rows derived the old way. The build refreshes them.
    """
    stamp = _digest_file(data_home)
    return not stamp.exists() or stamp.read_text() != incremental_models_digest()


@dataclass(frozen=True)
class Failure:
    """A dbt node that failed: a model that errored, or a test that found bad rows."""

    node: str
    status: str
    message: str

    def __str__(self) -> str:
        return f"{self.node}: [{self.status}] {self.message}"


@dataclass(frozen=True)
class BuildReport:
    nodes: int
    seconds: float
    failures: tuple[Failure, ...]
    warehouse: str
    refreshed: bool = False  # built whole: new, or its incremental models had changed

    @property
    def ok(self) -> bool:
        return not self.failures


class BuildFailed(RuntimeError):
    """dbt build finished with failing models or tests; ``report`` lists them."""

    def __init__(self, report: BuildReport):
        self.report = report
        super().__init__(f"dbt build failed: {'; '.join(str(f) for f in report.failures)}")


def dbt_args(command: str, *extra: str, data_home: Path | None = None) -> list[str]:
    """A dbt command line against tecton's project, with its artefacts in the data home."""
    state = (data_home or home()) / "dbt"
    return [
        "--quiet",
        command,
        "--project-dir",
        str(DBT_PROJECT),
        "--profiles-dir",
        str(DBT_PROJECT),
        "--target-path",
        str(state / "target"),
        "--log-path",
        str(state / "logs"),
        *extra,
    ]


def build(
    full_refresh: bool = False,
    lake_version: int | None = None,
    lake_as_of: str | None = None,
    select: str | None = None,
    *,
    data_home: Path | None = None,
    lake: str | None = None,
) -> BuildReport:
    """``dbt build``: lake -> staging -> intermediate -> marts, with every dbt test.

    ``lake_version`` / ``lake_as_of`` pin the lake to a Delta version or an ISO timestamp, so the
    marts show the data as it was known then. This process's connection to the warehouse
    being written is closed first: a read-only connection would block dbt's writer. When tecton's
    incremental models changed since the warehouse was last built whole, the build is a full
    refresh (once). ``data_home`` and ``lake`` build another home's warehouse from another lake
    (default: ``$TECTON_HOME`` and its lake), without touching the environment.
    """
    data_home = Path(data_home) if data_home is not None else home()
    with _dbt_lock:
        report = _build(
            full_refresh, lake_version, lake_as_of, select, data_home, lake or lake_uri()
        )
    if report.ok and select is None and (full_refresh or report.refreshed):
        _digest_file(data_home).write_text(incremental_models_digest())
    return report


def _build(
    full_refresh: bool,
    lake_version: int | None,
    lake_as_of: str | None,
    select: str | None,
    data_home: Path,
    lake: str,
) -> BuildReport:
    from dbt.cli.main import dbtRunner

    from tecton.dal import connections

    target = warehouse_path(data_home)
    connections.close(target)

    existed = target.exists()
    upgraded = existed and _models_changed(data_home)
    extra = ["--full-refresh"] if full_refresh or upgraded else []
    variables = {"warehouse_path": str(target), "lake_root": lake}
    variables |= {
        k: v
        for k, v in (("lake_version", lake_version), ("lake_as_of", lake_as_of))
        if v is not None
    }
    # the FX mart's base currency follows TECTON_BASE_CURRENCY (dbt run by hand: USD)
    variables["base_currency"] = base_currency()
    extra += ["--vars", json.dumps(variables)]
    if select:
        extra += ["--select", select]
    with bar(
        "building marts" + (" (models changed: from scratch)" if upgraded else ""), 1
    ) as progress:

        def on_event(event) -> None:
            if event.info.name == "LogStartLine" and event.data.index == 1:
                progress.resize(event.data.total)
            elif event.info.name == "NodeFinished":
                progress()

        try:
            result = dbtRunner(callbacks=[on_event]).invoke(
                dbt_args("build", *extra, data_home=data_home)
            )
        finally:
            release_dbt_duckdb()
    return _report(result, target, refreshed=upgraded or not existed)


def release_dbt_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open after an in-process run.

    dbt-duckdb holds its environment (a read-write connection to the warehouse) in a class
    attribute until the process ends: it would block a read-only open in this process and every
    other process's writer. The next run opens a new one.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager as manager

    with manager._LOCK:
        if manager._ENV is not None:
            manager._ENV.close()
            manager._ENV = None


def _report(result, target: Path, refreshed: bool) -> BuildReport:
    if result.exception is not None:
        raise RuntimeError(f"dbt could not run: {result.exception}") from result.exception
    run = result.result
    failures = tuple(
        Failure(r.node.name, str(r.status), _one_line(r.message or f"{r.failures} failing rows"))
        for r in run.results
        if str(r.status) in ("error", "fail")
    )
    seconds = sum(r.execution_time for r in run.results)
    return BuildReport(len(run.results), seconds, failures, str(target), refreshed)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
