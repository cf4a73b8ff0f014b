"""A fitted model's forecasts in the lake (Delta table ``forecasts``), for the marts to serve.

Each store replaces the model's rows in one commit, so a reader sees one fit or the next, never
a mix, and the forecasts as they stood at any earlier time stay readable (an ``as_of`` read of
``Mantle.Tables.signals.forecasts`` shows what the model said then).
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from tecton.data.schema import TABLES
from tecton.factor_model.core import FactorModel
from tecton.lake import Lake

FORECASTS = TABLES["forecasts"]


def forecast_rows(model: FactorModel, fitted_at: dt.datetime | None = None) -> pa.Table:
    """The model's forecasts (every rule and the combination) as rows of the ``forecasts`` table."""
    long = model.forecasts()
    long.insert(0, "model", model.name)
    long["trade_date"] = long["trade_date"].dt.date
    long["fitted_at"] = fitted_at or dt.datetime.now(dt.UTC)
    return pa.Table.from_pandas(long, preserve_index=False).cast(FORECASTS.schema)


def store_forecasts(model: FactorModel, lake: Lake | None = None) -> int:
    """Replace the model's rows in the lake's ``forecasts`` table; return the new table version."""
    return (lake or Lake()).replace(FORECASTS, forecast_rows(model), {"model": model.name})
