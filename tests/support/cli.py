"""The ``tecton`` command as a user runs it: a real subprocess, its flows on a real Prefect server.

Without ``PREFECT_API_URL`` every command that runs a flow starts Prefect's temporary server
(15-20 s on 2 cores, more under load). The tests share one real server on loopback instead,
started on first use and stopped when the test process exits; ``shared_server=False`` runs the
command exactly as a user without a server would (the demo's path, temporary server included).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from tests.support.prefect_server import prefect_server

_servers = contextlib.ExitStack()
_api_url: list[str] = []
_lock = threading.Lock()


def shared_prefect_api() -> str:
    """The API URL of this test process's Prefect server, started on first use."""
    with _lock:
        if not _api_url:
            root = Path(tempfile.mkdtemp(prefix="tecton-cli-prefect-"))
            server = _servers.enter_context(prefect_server(root))
            atexit.register(_servers.close)
            _api_url.append(server.api_url)
        return _api_url[0]


def tecton(
    *args: str, home, shared_server: bool = True, timeout: float = 600
) -> subprocess.CompletedProcess:
    """Run ``tecton ARGS`` with ``TECTON_HOME=home``; output captured as text."""
    env = {**os.environ, "TECTON_HOME": str(home), "COLUMNS": "200"}
    env.pop("PREFECT_LOGGING_LEVEL", None)  # as a user would have it
    if shared_server:
        env["PREFECT_API_URL"] = shared_prefect_api()
    return subprocess.run(
        [sys.executable, "-m", "tecton.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )
