"""A real headless Chromium (Debian's package) driven over the DevTools protocol.

Just enough of the protocol for the report tests: open a page, wait for its
load event, collect console errors and uncaught exceptions, evaluate
JavaScript, take a screenshot, drag the mouse.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
from websockets.sync.client import connect


class Chromium:
    """One headless browser process with one page (a context manager)."""

    def __init__(self, width: int = 1200, height: int = 900, timeout: float = 60.0):
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        if binary is None:
            raise RuntimeError("no chromium on PATH: scripts/install.sh installs it "
                               "(apt-get install chromium)")
        self.timeout = timeout
        self._profile = tempfile.TemporaryDirectory(prefix="znscreen-chromium-")
        # --no-sandbox: the tests run as root, where Chromium's sandbox will not start
        self._process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--remote-debugging-port=0",
             f"--user-data-dir={self._profile.name}", f"--window-size={width},{height}",
             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = Path(self._profile.name) / "DevToolsActivePort"
        deadline = time.time() + timeout
        while not (port_file.exists() and port_file.read_text().count("\n") >= 1):
            if time.time() > deadline or self._process.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not open its DevTools port")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as listing:
            page = next(t for t in json.load(listing) if t["type"] == "page")
        self._socket = connect(page["webSocketDebuggerUrl"], max_size=None)
        self._ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Call ``method`` and return its result; events met on the way are kept."""
        call = next(self._ids)
        self._socket.send(json.dumps({"id": call, "method": method, "params": params}))
        while True:
            message = json.loads(self._socket.recv(timeout=self.timeout))
            if message.get("id") == call:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]
            self.events.append(message)

    def _wait_for(self, method: str) -> None:
        deadline = time.time() + self.timeout
        while not any(e.get("method") == method for e in self.events):
            if time.time() > deadline:
                raise TimeoutError(f"no {method} within {self.timeout} s")
            self.events.append(json.loads(self._socket.recv(timeout=self.timeout)))

    def open(self, url: str) -> None:
        """Load ``url`` and wait for its load event (every image loaded or failed)."""
        self.events.clear()
        self.send("Page.navigate", url=url)
        self._wait_for("Page.loadEventFired")

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and failed loads since the last open."""
        found = []
        for e in self.events:
            p = e.get("params", {})
            if e.get("method") == "Runtime.exceptionThrown":
                found.append(p["exceptionDetails"].get("exception", {}).get(
                    "description", p["exceptionDetails"].get("text", "")))
            elif e.get("method") == "Runtime.consoleAPICalled" and p["type"] == "error":
                found.append(" ".join(str(a.get("value", a.get("description")))
                                      for a in p["args"]))
            elif e.get("method") == "Log.entryAdded" and p["entry"]["level"] == "error":
                found.append(f"{p['entry']['text']} {p['entry'].get('url', '')}")
        return found

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression in the page."""
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:60]}: {result['exceptionDetails']['text']}")
        return result["result"].get("value")

    def screenshot(self) -> np.ndarray:
        """The visible page as an RGB(A) array of floats in [0, 1]."""
        import matplotlib.image

        data = base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"])
        return matplotlib.image.imread(io.BytesIO(data), format="png")

    def drag(self, start: tuple[float, float], end: tuple[float, float]) -> None:
        """Press the left button at ``start``, move to ``end`` in steps, release."""
        self.send("Input.dispatchMouseEvent", type="mousePressed", x=start[0], y=start[1],
                  button="left", clickCount=1)
        for t in np.linspace(0, 1, 6)[1:]:
            x, y = (1 - t) * np.array(start) + t * np.array(end)
            self.send("Input.dispatchMouseEvent", type="mouseMoved", x=float(x), y=float(y),
                      button="left", buttons=1)
        self.send("Input.dispatchMouseEvent", type="mouseReleased", x=end[0], y=end[1],
                  button="left", clickCount=1)

    def close(self) -> None:
        if getattr(self, "_socket", None) is not None:
            self._socket.close()
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._profile.cleanup()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
