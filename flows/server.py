"""The Prefect API a flow run reports to, and the server process behind it.

With ``PREFECT_API_URL`` set, runs report there and nothing is started.
Otherwise each run starts a Prefect server of its own (what Prefect calls
the ephemeral server) before its first task and stops it after its last:

- the server is this module run as a program, ``python -m flows.server
  PARENT_PID PORT``: uvicorn serving Prefect's API on 127.0.0.1, with a
  thread that ends the process once the flow process that started it is
  gone, so a flow killed with ``kill -9`` (or by the OOM killer) leaves no
  server behind;
- workers (processes, Dask workers) inherit its address through
  ``PREFECT_API_URL``, so they do not start servers of their own;
- a server that cannot start (Prefect's home folder missing or not
  writable, a port taken, a machine too loaded to answer within
  ``PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS``) is one line: a
  :class:`~screening.errors.ScreeningError` naming the cause and the log.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

from screening.errors import ScreeningError

#: Seconds between a server's checks that the flow process is still alive.
PARENT_CHECK_INTERVAL = 2.0
#: Environment of the server: no UI, and Prefect's markers of an ephemeral server.
SERVER_ENVIRONMENT = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
                      "PREFECT__SERVER_FINAL": "1"}


def exit_with_parent(parent: int) -> None:
    """End this process once ``parent`` (the flow process) is gone (run in a thread).

    A killed flow would otherwise leave its workers and its server running
    as orphans.
    """
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_INTERVAL)
    os._exit(1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _writable_home() -> Path:
    """Prefect's home folder (its database lives there), created if need be."""
    from prefect.settings import get_current_settings

    home = Path(get_current_settings().home)
    try:
        home.mkdir(parents=True, exist_ok=True)
        probe = home / f".znscreen-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise ScreeningError(f"Prefect server cannot start: its home folder {home} cannot be "
                             f"written ({exc.strerror or exc}); set PREFECT_HOME to a writable "
                             f"folder or PREFECT_API_URL to a running server") from None
    return home


def _start(log: Path, timeout: float) -> tuple[subprocess.Popen, str]:
    """Start the server and wait until it answers; return it and its API URL."""
    import httpx

    _writable_home()
    log.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(3):  # a port taken between choosing and binding: try another
        port = _free_port()
        with open(log, "ab") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "flows.server", str(os.getpid()), str(port)],
                env={**os.environ, **SERVER_ENVIRONMENT}, stdin=subprocess.DEVNULL,
                stdout=output, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/api"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                    return process, url
            time.sleep(0.25)
        if process.poll() is None:
            _stop(process)
            raise ScreeningError(f"Prefect server did not answer within {timeout:g} s "
                                 f"(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS; "
                                 f"log: {log})")
        if process.returncode != 3:  # uvicorn's code for a port it could not bind
            break
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    last = lines[-1].strip()[:300] if lines else "no output"
    raise ScreeningError(f"Prefect server exited with {process.returncode} at start-up: "
                         f"{last} (log: {log})")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def prefect_api(log: Path) -> Iterator[str]:
    """The API URL runs report to while the block runs (module doc); ``log``
    receives a started server's output."""
    from prefect.context import refresh_global_settings_context
    from prefect.settings import (PREFECT_API_URL,
                                  PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
                                  temporary_settings)

    if PREFECT_API_URL.value():
        yield PREFECT_API_URL.value()
        return
    process, url = _start(log, float(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()))
    saved = os.environ.get("PREFECT_API_URL")
    # worker processes inherit the variable; this process's threads (Prefect's
    # event and log workers among them) read the global settings, which would
    # otherwise start an ephemeral server of Prefect's own
    os.environ["PREFECT_API_URL"] = url
    refresh_global_settings_context()
    try:
        with temporary_settings({PREFECT_API_URL: url}):
            yield url
    finally:
        if saved is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = saved
        refresh_global_settings_context()
        _stop(process)


def main(argv: list[str]) -> int:
    """``python -m flows.server PARENT_PID PORT``: serve Prefect's API until the parent ends."""
    parent, port = int(argv[0]), int(argv[1])
    threading.Thread(target=exit_with_parent, args=(parent,), daemon=True).start()
    import uvicorn

    uvicorn.run("prefect.server.api.server:create_app", factory=True, host="127.0.0.1",
                port=port, log_level="error", lifespan="on")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
