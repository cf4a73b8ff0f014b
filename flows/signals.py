"""Flow ``signals``: fit factor models on the marts, store their forecasts, serve them as a mart.

Each model (a registered name or a YAML path) is read through Mantle, fitted, and its forecasts
replace its rows in the lake's ``forecasts`` table in one commit; a dbt build of that table's
models then serves them as ``Mantle.Tables.signals.forecasts``.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE

from tecton.dal import warehouse
from tecton.factor_model import DEFAULT_MODELS, FactorModel
from tecton.factor_model.store import store_forecasts


@task(cache_policy=NONE)
def fit_and_store(
    model: str, markets: list[str] | None, start: str | None, end: str | None
) -> tuple[str, int]:
    chosen = FactorModel.from_yaml(model)
    fitted = (chosen.on(markets) if markets else chosen).fit(start=start, end=end)
    return fitted.name, store_forecasts(fitted)


@task(cache_policy=NONE)
def serve() -> warehouse.BuildReport:
    return warehouse.build(select="stg_lake__forecasts+")


@flow(name="signals")
def signals(
    models: list[str] | None = None,
    markets: list[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    build: bool = True,
) -> dict[str, int]:
    """Fit ``models`` (default: ``DEFAULT_MODELS``; ``markets`` replaces their universes) on the
    marts from ``start`` to ``end`` and store their forecasts; ``build`` then serves them as the
    ``signals_forecasts`` mart.

    Returns the lake's ``forecasts`` table version each model's forecasts landed in.
    """
    logger = get_run_logger()
    versions = {}
    for model in models or DEFAULT_MODELS:
        name, version = fit_and_store(model, markets, start, end)
        logger.info("stored the forecasts of %s (forecasts table version %d)", name, version)
        versions[name] = version
    if build:
        report = serve()
        if not report.ok:
            for failure in report.failures:
                logger.error("%s", failure)
            raise warehouse.BuildFailed(report)
    return versions
