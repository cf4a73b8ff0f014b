"""A real S3 API on loopback: a moto server in a subprocess, and a bucket in it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import s3fs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """Start ``moto_server`` on 127.0.0.1; yield its endpoint URL; stop it afterwards.

    The server logs one line per request to stderr. That goes to a file, never to a pipe nobody
    reads: the pipe fills at 64 KiB (about 460 S3 requests on Delta paths) and the server's next
    log write blocks the thread serving a request, so every later S3 call hangs until the client
    gives up (delta-rs: 5 retries over 180 s). A dbt build and a few as_of reads pass that.
    """
    port = free_port()
    binary = Path(sys.executable).with_name("moto_server")
    with tempfile.TemporaryFile(prefix="moto-server-", suffix=".log") as log:
        proc = subprocess.Popen(
            [str(binary), "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
        endpoint = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        tail = log.read().decode(errors="replace")[-2000:]
                        raise RuntimeError(f"moto server did not start: {tail}") from None
                    time.sleep(0.2)
            yield endpoint
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def use_s3_lake(monkeypatch, endpoint: str, bucket: str) -> str:
    """Point tecton's lake at a new bucket on ``endpoint`` for one test; return the lake URI."""
    for key, value in s3_env(endpoint).items():
        monkeypatch.setenv(key, value)
    s3fs.S3FileSystem(client_kwargs={"endpoint_url": endpoint}, skip_instance_cache=True).mkdir(
        bucket
    )
    uri = f"s3://{bucket}/tecton"
    monkeypatch.setenv("TECTON_LAKE", uri)
    return uri


def s3_env(endpoint: str) -> dict[str, str]:
    """The environment a user sets to reach that S3 endpoint."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_ALLOW_HTTP": "true",
    }
