"""Prefect flows: orchestration only. Each task calls into ``tecton``; no business logic here."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from tecton.config import home

# Prefect's own state lives in the data home unless the user points it elsewhere
os.environ.setdefault("PREFECT_HOME", str(home() / "prefect"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_UI_ENABLED", "false")
# the temporary server takes 12-16 s to start on 2 cores; Prefect's default wait (20 s) is too tight
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


@contextmanager
def in_process() -> Iterator[None]:
    """Settings for flows run in this process without a Prefect server (the CLI, notebooks).

    Heartbeats are off: they let a server notice a crashed run, no server watches an in-process
    run, and each run would wait up to a second at its end for the heartbeat thread.
    """
    if os.environ.get("PREFECT_API_URL"):
        yield
        return
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
