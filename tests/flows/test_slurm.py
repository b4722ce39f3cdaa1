"""The screening flow on a real one-node SLURM with a real PostgreSQL store.

Dask workers run in SLURM jobs (dask-jobqueue's SLURMCluster), every job
writes to one PostgreSQL database, and GPAW runs under mpiexec with 2 ranks
inside a job. The fault is real too: a job cancelled with ``scancel`` in the
middle of a calculation. (A flow killed with SIGKILL, its jobs ending and a
rerun resuming are tested on the local profile, tests/flows/test_screening_flow.py.)
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from screening.cli import main
from screening.runners.compute import work_directory
from screening.runners.mpi import gpaw_has_mpi
from screening.settings import get_settings
from screening.store.database import Store

pytest.importorskip("dask_jobqueue")
pytest.importorskip("chgnet")  # the screens here run at the mlip level
ZNSCREEN = Path(sys.executable).with_name("znscreen")
#: Two jobs of two task slots each, both started at once and kept to the end.
SLURM = '[slurm]\ncores = 2\nmin_jobs = 2\nmax_jobs = 2\nmemory = "4GB"\nwalltime = "00:30:00"\n'


@pytest.fixture
def on_slurm(slurm_cluster, postgres_url, small_slabs, prefect_server, tmp_path, monkeypatch):
    """Settings (file and environment) for the slurm profile with a PostgreSQL store;
    flows report to the session's Prefect server."""
    monkeypatch.setenv("SLURM_CONF", slurm_cluster)
    path = tmp_path / "settings.toml"
    path.write_text(f'profile = "slurm"\ndatabase = "{postgres_url}"\n' + SLURM)
    monkeypatch.setenv("ZNSCREEN_SETTINGS", str(path))
    get_settings.cache_clear()
    return path


def _squeue() -> list[str]:
    out = subprocess.run(["squeue", "-h", "-o", "%i %T"], capture_output=True, text=True)
    return out.stdout.split("\n")[:-1]


def _wait_for_no_jobs(timeout: float) -> list[str]:
    deadline = time.time() + timeout
    while _squeue() and time.time() < deadline:
        time.sleep(1)
    return _squeue()


def _assert_consistent(store: Store) -> list:
    """Every row once per key; finished rows carry an energy; returns the rows."""
    rows = list(store.rows())
    keys = Counter(r.calc_key for r in rows)
    assert max(keys.values()) == 1, "a calculation was stored twice"
    for row in rows:
        assert row.status in ("done", "running", "failed")
        if row.status == "done":
            assert row.natoms > 0 and row.energy is not None
    return rows


@pytest.mark.dft
def test_flow_on_two_slurm_jobs_writes_postgres_and_runs_gpaw_over_mpi(on_slurm, capsys,
                                                                         monkeypatch):
    if not gpaw_has_mpi():
        pytest.skip("GPAW built without MPI")
    # the screen at mlip, then the best candidate's dG_H at a coarse LCAO level
    # (1x1 slabs) with 2 MPI ranks per GPAW calculation
    on_slurm.write_text(on_slurm.read_text().replace(
        "[slurm]", 'mpi_ranks = 2\n[levels.cheap]\nbase = "dft-fast"\ngrid_spacing = 0.25\n'
                   'd3 = false\nkpt_density = 2.0\n[slurm]'))
    monkeypatch.setenv("ZNSCREEN_SLAB_MIN_LATERAL", "2.0")
    get_settings.cache_clear()
    assert main(["run", "Zn(0001)", "Pb(111)", "--descriptors", "her", "--verify-top", "1",
                 "--verify-level", "cheap", "--verify-descriptors", "her"]) == 0
    out = capsys.readouterr().out
    assert "on SLURM jobs (2-2 jobs of 2 cores, 2 MPI rank(s)" in out
    settings = get_settings()
    store = Store(settings.store_url)
    assert store.is_postgres
    rows = _assert_consistent(store)
    assert {r.status for r in rows} == {"done"}, [
        (r.get("label"), r.get("level"), r.get("error")) for r in rows if r.status != "done"]
    # the work was shared by both jobs, each writing to the one database
    assert len({r.slurm_job for r in rows}) == 2
    # every GPAW calculation ran on 2 MPI ranks inside its job
    gpaw = [r for r in rows if r.level == "cheap"]
    assert gpaw and {r.ranks for r in gpaw} == {2}
    log = (work_directory(settings.calculation_dir, gpaw[0].calc_key) / "gpaw-rung0.txt")
    assert "Total number of cores used: 2" in log.read_text()
    table = pd.read_csv(settings.results_dir / "ranking.csv")
    verified = table[table["level"] == "cheap//mlip"]
    # the coating, and bare Zn(0001) as the baseline at the verify level
    assert sorted(verified["name"]) == ["Pb(111)", "Zn(0001)"]
    assert verified["dg_h"].notna().all()
    # the cluster's jobs end with the flow
    assert _wait_for_no_jobs(60) == []


def _background_run(names: list[str]) -> subprocess.Popen:
    return subprocess.Popen([str(ZNSCREEN), "run", *names, "--descriptors", "zn"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def _running_row(store: Store, proc: subprocess.Popen, label: str, timeout: float = 300):
    """A row being computed in a SLURM job whose label contains ``label``."""
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        for row in store.rows(status="running"):
            if label in row.label and row.get("slurm_job"):
                return row
        time.sleep(0.2)
    pytest.fail(f"no running {label!r} calculation seen (run ended: {proc.poll()})")


CANDIDATES = ["Pb(111)", "In(101)"]


def test_a_job_cancelled_mid_calculation_is_retried_and_nothing_is_lost(on_slurm):
    store = Store(get_settings().store_url)
    proc = _background_run(CANDIDATES)
    try:
        row = _running_row(store, proc, "slab")
        subprocess.run(["scancel", str(row.slurm_job)], check=True)
        out, _ = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, out[-2000:]
    assert "failed:" not in out
    rows = _assert_consistent(store)
    assert {r.status for r in rows} == {"done"}, [
        (r.get("label"), r.get("level"), r.get("error")) for r in rows if r.status != "done"]
    # the cut calculation was taken over and finished in another job
    again = store.find(row.calc_key)
    assert again.attempt >= 2 and again.slurm_job != row.slurm_job
    table = pd.read_csv(get_settings().results_dir / "ranking.csv").set_index("name")
    assert table.loc[CANDIDATES, "e_ads_zn"].notna().all()
    assert _wait_for_no_jobs(60) == []
