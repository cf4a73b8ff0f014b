"""Run the real dbt command line on tecton's project, as a user would (a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"


def dbt(home: Path, *args: str) -> subprocess.CompletedProcess:
    """``dbt ARGS`` in ``dbt_project/`` with ``TECTON_HOME=home`` (its own lake)."""
    env = {**os.environ, "TECTON_HOME": str(home)}
    env.pop("TECTON_LAKE", None)
    executable = Path(sys.executable).with_name("dbt")
    return subprocess.run(
        [str(executable), *args],
        cwd=DBT_PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def dbt_build(home: Path, *args: str) -> subprocess.CompletedProcess:
    """``dbt build ARGS`` (see :func:`dbt`)."""
    return dbt(home, "build", *args)
