"""The backtest tear sheet: a stored run as one self-contained HTML page with PNG copies of its plots.

    from tecton.portfolio.report import write_tear_sheet
    path = write_tear_sheet(run_id)          # $TECTON_HOME/reports/<run_id>/tearsheet.html

* :func:`write_tear_sheet` a stored run's page, end to end;
* :func:`tear_sheet_of` what goes on it (:class:`TearSheet`), :func:`render_tear_sheet` the
  drawing, for a sheet built by hand (a portfolio never stored);
* :mod:`sources` the trials on the same data, the refitted alpha model's rule forecasts, asset classes.

Kept out of ``tecton.portfolio``'s own namespace: it imports matplotlib and the lake.
"""

from tecton.portfolio.report.sheet import (
    PAGE,
    TearSheet,
    render_tear_sheet,
    tear_sheet_of,
    write_tear_sheet,
)
from tecton.portfolio.report.sources import (
    Trials,
    asset_classes,
    days_for,
    quality_report_path,
    refit_alpha,
    rule_forecasts,
    trials_on_same_data,
    unchanged_since,
)

__all__ = [
    "PAGE",
    "TearSheet",
    "Trials",
    "asset_classes",
    "days_for",
    "quality_report_path",
    "refit_alpha",
    "render_tear_sheet",
    "rule_forecasts",
    "tear_sheet_of",
    "trials_on_same_data",
    "unchanged_since",
    "write_tear_sheet",
]
