"""Run the suite over one batch through a GX file context whose project lives in the data home.

The context's ``project_root_dir`` is ``$TECTON_HOME/quality``, so nothing is written into the
checkout at run time; a ``Checkpoint`` with ``UpdateDataDocsAction`` refreshes the Data Docs
site (``gx/uncommitted/data_docs/local_site/index.html``) on every run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tecton.config import home
from tecton.quality import suites

CHECKPOINT = "bars_partition_checkpoint"


def project_dir() -> Path:
    path = home() / "quality"
    path.mkdir(parents=True, exist_ok=True)
    return path


def docs_index() -> Path:
    return project_dir() / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


@dataclass(frozen=True)
class RuleResult:
    rule: str
    message: str
    column: str | None
    failing: np.ndarray  # row positions in the batch


def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    for name in (
        "great_expectations",
        "great_expectations.core",
        "great_expectations.data_context",
    ):
        logging.getLogger(name).setLevel(logging.ERROR)
    ctx = gx.get_context(mode="file", project_root_dir=str(project_dir()))
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    return ctx


def _checkpoint(ctx):
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction

    try:
        source = ctx.data_sources.get("staged")
    except (KeyError, ValueError):
        source = ctx.data_sources.add_pandas("staged")
    try:
        asset = source.get_asset("bars")
    except (LookupError, ValueError):
        asset = source.add_dataframe_asset("bars")
    try:
        batch = asset.get_batch_definition("run")
    except (KeyError, ValueError):
        batch = asset.add_batch_definition_whole_dataframe("run")
    suite = ctx.suites.add_or_update(suites.suite())  # the code is the source of truth
    definition = ctx.validation_definitions.add_or_update(
        gx.ValidationDefinition(name="bars_run", data=batch, suite=suite)
    )
    return ctx.checkpoints.add_or_update(
        gx.Checkpoint(
            name=CHECKPOINT,
            validation_definitions=[definition],
            actions=[UpdateDataDocsAction(name="docs")],
            result_format={"result_format": "COMPLETE"},
        )
    )


def run(batch: pd.DataFrame, run_id: str) -> list[RuleResult]:
    """Validate ``batch`` (index = row position); one result per expectation."""
    ctx = _context()
    checkpoint = _checkpoint(ctx)
    result = checkpoint.run(batch_parameters={"dataframe": batch}, run_id=_gx_run_id(run_id))
    out = []
    for validation in result.run_results.values():
        for r in validation.results:
            meta = r.expectation_config.meta or {}
            kwargs = r.expectation_config.kwargs
            if r.success:
                failing = np.array([], dtype=np.int64)
            elif r.result.get("unexpected_index_list") is not None:
                failing = np.asarray(
                    [_position(i) for i in r.result["unexpected_index_list"]], dtype=np.int64
                )
            else:  # an aggregate expectation (a column's type): the whole batch fails it
                failing = np.arange(len(batch))
            out.append(
                RuleResult(
                    meta.get("rule", r.expectation_config.type),
                    meta.get("message", ""),
                    kwargs.get("column"),
                    failing,
                )
            )
    return out


def _position(item) -> int:
    return int(item["index"] if isinstance(item, dict) and "index" in item else item)


def _gx_run_id(run_id: str):
    from great_expectations.core.run_identifier import RunIdentifier

    return RunIdentifier(run_name=run_id)
