"""A real Prefect server (and workers) on loopback for integration tests.

    with prefect_server(tmp_path / "prefect") as server:
        server.create_pool("tecton")
        server.cli("--no-prompt", "deploy", "--name", "ingest", cwd=REPO)
        with server.worker("tecton", env={"TECTON_HOME": str(home)}):
            result = server.cli("deployment", "run", "ingest/ingest", "--watch")
        assert result.returncode == 0, server.diagnostics(result)

Every process runs the project's own interpreter (``sys.executable -m prefect``) in its own process
group, with its own ``PREFECT_HOME`` and ``PREFECT_API_URL``, and is killed (the whole group) on the
way out, whatever happened. Server and worker output goes to log files, shown by ``diagnostics``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# generous for a loaded 2-core machine: the server is usually ready in about 20 s
SERVER_START_TIMEOUT = 90.0
CLI_TIMEOUT = 120.0
_LOG_TAIL = 6000


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prefect_command(*args: str) -> list[str]:
    """``prefect ARGS`` with the interpreter running the tests (the project's venv)."""
    return [sys.executable, "-m", "prefect", *args]


def _base_env() -> dict[str, str]:
    # drop the caller's Prefect settings (e.g. a test session's PREFECT_HOME or log level)
    return {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}


def _kill_group(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM the process group, then SIGKILL it if it has not exited within ``grace`` seconds."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(grace)
    # children may outlive the leader (a worker's flow-run subprocesses): kill what is left
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)


def _tail(path: Path, limit: int = _LOG_TAIL) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return "(no log)"
    return text if len(text) <= limit else "...\n" + text[-limit:]


@dataclass
class PrefectServer:
    """A running ``prefect server start`` and helpers to drive it through the real CLI."""

    port: int
    home: Path
    env: dict[str, str]
    log: Path
    process: subprocess.Popen
    worker_logs: list[Path] = field(default_factory=list)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def cli(
        self,
        *args: str,
        cwd: Path | str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = CLI_TIMEOUT,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``prefect ARGS`` against this server; never raises on a non-zero exit code.

        On timeout the command's process group is killed and the result has return code -9.
        """
        cmd = prefect_command(*args)
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env={**self.env, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc, grace=2)
            out, err = proc.communicate()
            err = f"{err}\n(killed after {timeout:.0f} s)"
            return subprocess.CompletedProcess(cmd, -9, out, err)
        finally:
            if proc.poll() is None:
                _kill_group(proc, grace=2)
        return subprocess.CompletedProcess(cmd, proc.returncode, out, err)

    def check(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        """``cli`` that fails the test (with the logs) on a non-zero exit code."""
        result = self.cli(*args, **kwargs)
        if result.returncode != 0:
            raise AssertionError(self.diagnostics(result))
        return result

    def create_pool(self, name: str, type: str = "process") -> None:
        self.check("work-pool", "create", name, "--type", type, "--overwrite")

    def deployment(self, name: str) -> dict[str, Any]:
        """``prefect deployment inspect NAME --output json``, parsed."""
        out = self.check("deployment", "inspect", name, "--output", "json").stdout
        return json.loads(out[out.index("{") :])

    def flow_run(self, flow_run_id: str) -> dict[str, Any]:
        """A flow run as the REST API returns it."""
        return self.api("GET", f"/flow_runs/{flow_run_id}")

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """One call to the server's REST API (loopback)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.api_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    @contextlib.contextmanager
    def worker(
        self,
        pool: str,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | str | None = None,
        type: str = "process",
    ) -> Iterator[subprocess.Popen]:
        """``prefect worker start --pool POOL`` in the background, killed (with its runs) on exit."""
        log = self.home / f"worker-{pool}-{len(self.worker_logs)}.log"
        self.worker_logs.append(log)
        with log.open("w") as sink:
            proc = subprocess.Popen(
                prefect_command("worker", "start", "--pool", pool, "--type", type),
                cwd=cwd,
                env={**self.env, **(env or {})},
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            yield proc
        finally:
            _kill_group(proc)

    def diagnostics(self, result: subprocess.CompletedProcess[str] | None = None) -> str:
        """The command's output plus the tails of the server and worker logs, for failure messages."""
        parts = []
        if result is not None:
            parts.append(
                f"$ {' '.join(result.args[2:])}\nexit code {result.returncode}\n"
                f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
            )
        parts.append(f"--- server log ({self.log}) ---\n{_tail(self.log)}")
        parts.extend(f"--- worker log ({log}) ---\n{_tail(log)}" for log in self.worker_logs)
        return "\n".join(parts)


def _wait_healthy(server: PrefectServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"prefect server exited with code {server.process.returncode} before it was ready\n"
                + server.diagnostics()
            )
        try:
            with urllib.request.urlopen(server.api_url + "/health", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"prefect server not healthy after {timeout:.0f} s\n" + server.diagnostics())


@contextlib.contextmanager
def prefect_server(
    root: Path, *, env: Mapping[str, str] | None = None, start_timeout: float = SERVER_START_TIMEOUT
) -> Iterator[PrefectServer]:
    """Start ``prefect server start`` on a free loopback port with its state under ``root``.

    ``env`` adds variables for the server and every command and worker started through it.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server_env = {
        **_base_env(),
        "PREFECT_HOME": str(root / "home"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_CLI_PROMPT": "false",
        "PREFECT_CLI_WRAP_LINES": "false",
        "PREFECT_LOGGING_LEVEL": "INFO",
        # workers poll every 10 s by default: make the tests wait less (not much less: SQLite)
        "PREFECT_WORKER_QUERY_SECONDS": "2",
        # no colour codes or line wrapping in captured output
        "NO_COLOR": "1",
        "COLUMNS": "200",
        **(env or {}),
    }
    log = root / "server.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            prefect_command("server", "start", "--host", "127.0.0.1", "--port", str(port)),
            cwd=root,
            env=server_env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = PrefectServer(port=port, home=root, env=server_env, log=log, process=process)
    try:
        _wait_healthy(server, start_timeout)
        yield server
    finally:
        _kill_group(process)
