"""Open an HTML file in real headless chromium and see what a person would see.

Chromium is driven over the DevTools protocol with the ``websockets`` client prefect already
installs (no browser-automation dependency): :func:`open_page` loads a file, waits for its load
event and a quiet moment, and hands back a :class:`Page` with

- ``errors``: console errors, uncaught exceptions and browser log errors (a failed load, a
  refused request), each one line;
- ``requests``: every URL the page asked for, cut to 120 characters (a self-contained page asks
  only for itself and ``data:``);
- ``dom()``: the rendered DOM (after scripts ran), ``evaluate(js)``: any expression's value;
- ``plots()``: for each ``<img>``, ``<canvas>`` and ``<svg>``, whether it is drawn: an image is
  decoded in the page onto a canvas and its distinct colours counted, an SVG's shapes counted;
- ``screenshot()``: the whole page as PNG bytes.

Tests that need it use ``requires_chromium`` (a skip naming what to install where it is absent).
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium() -> str | None:
    """The chromium executable on PATH, or None."""
    return next((p for p in map(shutil.which, CANDIDATES) if p), None)


requires_chromium = pytest.mark.skipif(
    chromium() is None,
    reason="needs headless chromium: `apt-get install chromium` (.ci/run installs it when missing)",
)

# For every image, canvas and svg: its rendered size and how much is drawn in it. Images are
# drawn onto a canvas here, in the page, so "drawn" means the browser decoded them.
PLOTS_JS = """
(() => {
  const colours = (ctx, w, h) => {
    if (!w || !h) { return 0; }
    const d = ctx.getImageData(0, 0, w, h).data, seen = new Set();
    for (let i = 0; i < d.length && seen.size < 256; i += 4) {
      seen.add(((d[i] << 24) | (d[i + 1] << 16) | (d[i + 2] << 8) | d[i + 3]) >>> 0);
    }
    return seen.size;
  };
  const box = (e) => { const r = e.getBoundingClientRect(); return [r.width, r.height]; };
  const out = [];
  for (const img of document.images) {
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const ctx = c.getContext('2d');
    let n = 0;
    if (img.complete && img.naturalWidth) { ctx.drawImage(img, 0, 0); n = colours(ctx, c.width, c.height); }
    out.push({kind: 'img', name: img.alt || img.id, size: box(img), colours: n, shapes: 0});
  }
  for (const cv of document.querySelectorAll('canvas')) {
    const ctx = cv.getContext('2d');
    out.push({kind: 'canvas', name: cv.id, size: box(cv),
              colours: ctx ? colours(ctx, cv.width, cv.height) : 0, shapes: 0});
  }
  for (const svg of document.querySelectorAll('svg')) {
    const shapes = svg.querySelectorAll('path,line,polyline,polygon,circle,rect,ellipse').length;
    out.push({kind: 'svg', name: svg.id || svg.getAttribute('aria-label') || '', size: box(svg),
              colours: 0, shapes: shapes});
  }
  return out;
})()
"""


@dataclass(frozen=True)
class Plot:
    """One picture on the page and whether it is drawn (shown, and not a blank surface)."""

    kind: str
    name: str
    width: float
    height: float
    colours: int
    shapes: int

    @property
    def drawn(self) -> bool:
        shown = self.width > 0 and self.height > 0
        return shown and (self.colours > 1 if self.kind != "svg" else self.shapes > 0)


@dataclass
class Page:
    """A page loaded in headless chromium (see the module docstring)."""

    _cdp: _Cdp
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page (JSON-serialisable values only)."""
        r = self._cdp.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in r:
            raise AssertionError(f"{expression[:60]!r} threw: {_exception(r['exceptionDetails'])}")
        return r["result"].get("value")

    def dom(self) -> str:
        """The rendered document (after its scripts ran), as HTML."""
        return self.evaluate("document.documentElement.outerHTML")

    def plots(self) -> list[Plot]:
        """Every image, canvas and svg on the page, with what is drawn in it."""
        return [
            Plot(p["kind"], p["name"], p["size"][0], p["size"][1], p["colours"], p["shapes"])
            for p in self.evaluate(PLOTS_JS)
        ]

    def screenshot(self) -> bytes:
        """The whole page (not only the window) as PNG bytes."""
        r = self._cdp.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        return base64.b64decode(r["data"])

    def settle(self, seconds: float = 0.3) -> None:
        """Let the page run for a moment, collecting what it logs meanwhile."""
        self._cdp.pump(seconds)
        self.errors[:] = self._cdp.errors
        self.requests[:] = self._cdp.requests


@contextlib.contextmanager
def open_page(
    path: Path, width: int = 1280, height: int = 900, timeout: float = 60
) -> Iterator[Page]:
    """Load ``path`` in a fresh headless chromium; the browser is closed on leaving the block."""
    exe = chromium()
    if exe is None:
        pytest.skip("needs headless chromium: `apt-get install chromium`")
    with tempfile.TemporaryDirectory(prefix="tecton-chromium-") as profile:
        proc = subprocess.Popen(
            [exe, *_flags(profile, width, height), "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with _Cdp.connect(Path(profile), proc, timeout) as cdp:
                cdp.navigate(path.resolve().as_uri())
                page = Page(cdp)
                page.settle()
                yield page
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _flags(profile: str, width: int, height: int) -> list[str]:
    flags = [
        "--headless",
        "--disable-gpu",
        "--disable-dev-shm-usage",  # a container's small /dev/shm crashes renderers
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",  # no update or safe-browsing calls: only the page's own
        "--disable-component-update",
        "--hide-scrollbars",
        "--remote-debugging-port=0",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")  # chromium refuses to start as root with its sandbox
    return flags


def _exception(details: dict) -> str:
    exc = details.get("exception") or {}
    return (exc.get("description") or details.get("text") or "exception").splitlines()[0]


class _Cdp:
    """One DevTools session on one page target, events buffered as they arrive."""

    def __init__(self, ws, session: str, timeout: float):
        self.ws, self.session, self.timeout = ws, session, timeout
        self.ids = itertools.count(1)
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.loaded = False

    @classmethod
    @contextlib.contextmanager
    def connect(cls, profile: Path, proc: subprocess.Popen, timeout: float) -> Iterator[_Cdp]:
        from websockets.sync.client import connect

        port, browser_path = _devtools_endpoint(profile, proc, timeout)
        with connect(
            f"ws://127.0.0.1:{port}{browser_path}", max_size=None, open_timeout=timeout
        ) as ws:
            cdp = cls(ws, "", timeout)
            target = cdp.call("Target.createTarget", url="about:blank")["targetId"]
            cdp.session = cdp.call("Target.attachToTarget", targetId=target, flatten=True)[
                "sessionId"
            ]
            for domain in ("Page", "Runtime", "Log", "Network"):
                cdp.call(f"{domain}.enable")
            yield cdp

    def call(self, method: str, **params) -> dict:
        """Send one command and wait for its answer, buffering the events that come first."""
        i = next(self.ids)
        msg = {"id": i, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + self.timeout
        while True:
            m = json.loads(self.ws.recv(timeout=max(0.0, deadline - time.monotonic())))
            if m.get("id") == i:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error'].get('message')}")
                return m.get("result", {})
            self._event(m)

    def navigate(self, url: str) -> None:
        self.loaded = False
        r = self.call("Page.navigate", url=url)
        if r.get("errorText"):
            raise AssertionError(f"{url} did not load: {r['errorText']}")
        deadline = time.monotonic() + self.timeout
        while not self.loaded:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{url}: no load event within {self.timeout:.0f} s")
            self._event(json.loads(self.ws.recv(timeout=left)))

    def pump(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            try:
                self._event(json.loads(self.ws.recv(timeout=left)))
            except TimeoutError:
                return

    def _event(self, m: dict) -> None:
        method, p = m.get("method"), m.get("params", {})
        if method == "Page.loadEventFired":
            self.loaded = True
        elif method == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in p["args"])
            self.errors.append(f"console.{p['type']}: {args}")
        elif method == "Runtime.exceptionThrown":
            self.errors.append(f"uncaught: {_exception(p['exceptionDetails'])}")
        elif method == "Log.entryAdded" and p["entry"]["level"] == "error":
            e = p["entry"]
            self.errors.append(f"{e['source']}: {e['text']} {e.get('url', '')}".strip())
        elif method == "Network.requestWillBeSent":
            self.requests.append(p["request"]["url"][:120])  # a data: URI can be megabytes


def _devtools_endpoint(profile: Path, proc: subprocess.Popen, timeout: float) -> tuple[str, str]:
    """Chromium writes its DevTools port and browser path to the profile once it listens."""
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chromium exited with {proc.returncode} before listening")
        with contextlib.suppress(FileNotFoundError):
            lines = marker.read_text().split()
            if len(lines) >= 2:
                return lines[0], lines[1]
        time.sleep(0.05)
    raise TimeoutError(f"chromium did not open its DevTools port within {timeout:.0f} s")
