"""Shared fixtures: isolated settings so tests never touch the user's data."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from screening.library.catalog import Catalog
from screening.settings import get_settings, load_settings


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Settings with the user data and results directories under tmp_path.

    The environment is set too, so the CLI (which loads settings itself)
    sees the same directories.
    """
    monkeypatch.setenv("ZNSCREEN_USER_DATA_DIR", str(tmp_path / "user"))
    monkeypatch.setenv("ZNSCREEN_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.setenv("ZNSCREEN_SETTINGS", str(tmp_path / "no-settings.toml"))
    get_settings.cache_clear()
    yield load_settings()
    get_settings.cache_clear()


@pytest.fixture
def small_slabs(settings, monkeypatch):
    """Settings (and environment, for the CLI) with small slabs: 3x3 close-packed
    faces, the hydrated cluster on a slab at least 8 A wide."""
    monkeypatch.setenv("ZNSCREEN_SLAB_MIN_LATERAL", "7.5")
    monkeypatch.setenv("ZNSCREEN_CLUSTER_MIN_LATERAL", "8.0")
    get_settings.cache_clear()
    return load_settings()


@pytest.fixture(scope="session")
def bundled_catalog() -> Catalog:
    return Catalog(load_settings(environ={}))


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server started for this test session (Debian's postgresql).

    Skipped, with the reason shown, where the server binaries are missing.
    As root the server runs as the ``postgres`` user (it refuses root).
    """
    bindir = _postgres_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="znscreen-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = root / "data"
    run = dict(check=True, capture_output=True, text=True)
    try:
        subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
                        "--auth=trust"], **run)
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l",
                        str(root / "server.log"), "-w", "-o",
                        f"-p {port} -k {root} -c listen_addresses=localhost", "start"], **run)
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"PostgreSQL server could not start: {exc.stderr.strip()[:200]}")
    yield f"postgresql://postgres@localhost:{port}"
    subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                   capture_output=True)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh, empty database on the session's PostgreSQL server."""
    import psycopg2

    name = f"test_{uuid.uuid4().hex[:12]}"
    connection = psycopg2.connect(f"{postgres_server}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    connection.close()
    return f"{postgres_server}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path: Path) -> str:
    """The results store, once as a SQLite file and once on a real PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "results" / "screening.db")
    return request.getfixturevalue("postgres_url")


REPO = Path(__file__).resolve().parents[1]
#: Marks every process this test session starts (they inherit the environment).
SESSION = os.environ.setdefault("ZNSCREEN_TEST_SESSION", uuid.uuid4().hex)


def prefect_servers(session: str = SESSION) -> list[int]:
    """Pids of the Prefect servers started by ``session``: the runs' own
    (``python -m flows.server``) and any Prefect would start itself (uvicorn)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            command = (proc / "cmdline").read_bytes()
            if ((b"flows.server" in command or b"uvicorn" in command)
                    and f"ZNSCREEN_TEST_SESSION={session}".encode()
                    in (proc / "environ").read_bytes()):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """One Prefect server for the flows the tests run in this process (a run
    without ``PREFECT_API_URL`` starts its own, 15-20 s here)."""
    from flows.server import prefect_api

    with prefect_api(tmp_path_factory.mktemp("prefect") / "server.log") as url:
        yield url


@pytest.fixture(scope="session", autouse=True)
def no_server_left_behind():
    """After the last test, no Prefect server started by this session is running."""
    yield
    deadline = time.time() + 15  # a server notices its flow is gone within 2 s
    while prefect_servers() and time.time() < deadline:
        time.sleep(0.5)
    left = prefect_servers()
    assert not left, f"Prefect servers left running by the tests: pids {left}"


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory):
    """A real one-node SLURM (scripts/slurm-local.sh: munged, slurmctld, slurmd).

    Four job slots on this machine's cores, so two 2-slot jobs run at once.
    Yields the ``SLURM_CONF`` path; everything started is stopped at the end.
    """
    if os.geteuid() != 0:
        pytest.skip("the one-node SLURM of scripts/slurm-local.sh runs as root")
    if shutil.which("slurmctld") is None or shutil.which("munged") is None:
        pytest.skip("SLURM not installed (apt-get install slurm-wlm munge)")
    directory = tmp_path_factory.mktemp("slurm")
    script = REPO / "scripts" / "slurm-local.sh"
    started = subprocess.run(["bash", str(script), "start", str(directory), "4"],
                             capture_output=True, text=True)
    try:
        if started.returncode != 0:
            pytest.fail(f"one-node SLURM did not start: {started.stderr.strip()[-300:]}")
        yield str(directory / "slurm.conf")
    finally:
        subprocess.run(["bash", str(script), "stop", str(directory)], capture_output=True)
