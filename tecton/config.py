"""Where tecton keeps its data.

Everything lives under one data home, ``TECTON_HOME`` (default ``~/.tecton``). The lake (Delta
tables and the archive of raw files) defaults to ``$TECTON_HOME/lake`` and can be moved to any
local path or ``s3://`` URL with ``TECTON_LAKE``. Money is counted in ``TECTON_BASE_CURRENCY``
(default USD).
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_HOME = Path("~/.tecton")


def home() -> Path:
    """The data home: ``$TECTON_HOME`` or ``~/.tecton``, created on first use."""
    path = Path(os.environ.get("TECTON_HOME") or DEFAULT_HOME).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def lake_uri() -> str:
    """Root of the lake: ``$TECTON_LAKE`` (a path or ``s3://`` URL) or ``$TECTON_HOME/lake``."""
    return os.environ.get("TECTON_LAKE") or str(home() / "lake")


DEFAULT_BASE_CURRENCY = "USD"


def base_currency() -> str:
    """The currency money is counted in: ``$TECTON_BASE_CURRENCY`` (an ISO code) or ``USD``.

    The FX mart (``Mantle.Tables.fx.rates``) gives every currency's rate in it.
    """
    code = (os.environ.get("TECTON_BASE_CURRENCY") or DEFAULT_BASE_CURRENCY).strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValueError(
            f"TECTON_BASE_CURRENCY must be a 3-letter currency code such as USD, got {code!r}"
        )
    return code
