"""Prefect flows: orchestration only. Each task calls into ``tecton``; no business logic here."""

import os

from tecton.config import home

# Prefect's own state lives in the data home unless the user points it elsewhere
os.environ.setdefault("PREFECT_HOME", str(home() / "prefect"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_UI_ENABLED", "false")
