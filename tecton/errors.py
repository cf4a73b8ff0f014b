"""Errors every layer of tecton raises; a leaf module, so raising one imports nothing else."""

from __future__ import annotations

import datetime as dt

import pandas as pd

# what a date argument may be, across tecton (Mantle, models, markets)
DateLike = str | dt.date | dt.datetime | pd.Timestamp


class TectonError(ValueError):
    """A caller's mistake (unknown name, bad date, missing warehouse): one line that says what to do."""
