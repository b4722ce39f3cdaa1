"""The results store on SQLite and on a real PostgreSQL server: claims, takeovers, faults."""

import os
import sqlite3
import subprocess
import sys
import time

import pytest
from ase.build import molecule
from ase.calculators.singlepoint import SinglePointCalculator

from screening.schemas import Status, TaskKind
from screening.store.database import Store, StoreError, redact

META = {"task": "singlepoint", "level": "mlip", "label": "test"}


def result_atoms(energy=-1.5):
    atoms = molecule("H2")
    atoms.center(vacuum=3.0)
    atoms.calc = SinglePointCalculator(atoms, energy=energy, forces=[[0, 0, 0.1], [0, 0, -0.1]])
    return atoms


def test_claim_complete_and_find(store_url):
    store = Store(store_url)
    claim = store.claim("k1", META, "run1")
    assert claim is not None and claim.attempt == 1 and not claim.takeover
    record = store.record("k1")
    assert record.status == Status.RUNNING and record.run == "run1" and record.energy is None
    assert store.claim("k1", META, "run1") is None  # this process is computing it
    store.complete(claim, result_atoms(), {"converged": True, "n_steps": 1, "scf_rung": 0,
                                           "wall_time": 0.1}, {"parameters": {"x": 1}})
    store.release(claim)
    record = store.record("k1")
    assert record.status == Status.DONE and record.energy == pytest.approx(-1.5)
    assert record.task == TaskKind.SINGLEPOINT and record.label == "test"
    calc = store.calculation("k1")
    assert calc.data["parameters"] == {"x": 1} and len(calc.atoms) == 2 and not calc.computed
    assert store.claim("k1", META, "run2") is None  # done: never computed again
    assert store.count(calc_key="k1") == 1
    assert [r.key for r in store.records(status="done")] == ["k1"]


def test_a_failure_is_not_attempted_again_by_its_own_run_but_by_a_later_one(store_url):
    store = Store(store_url)
    claim = store.claim("k2", META, "run1")
    store.fail(claim, "SCFConvergenceError: no luck\nsecond line dropped")
    store.release(claim)
    record = store.record("k2")
    assert record.status == Status.FAILED and record.error == "SCFConvergenceError: no luck"
    assert store.claim("k2", META, "run1") is None  # the run that stored it
    with pytest.raises(StoreError, match="k2 is failed, not done"):
        store.calculation("k2")
    again = store.claim("k2", META, "run2")
    assert again.attempt == 2 and store.record("k2").status == Status.RUNNING
    assert store.record("k2").error == "" and store.record("k2").run == "run2"


CLAIM_AND_DIE = """
import os, sys
from screening.store.database import Store
Store(sys.argv[1]).claim("k3", {"task": "singlepoint", "level": "mlip", "label": "t"}, "r")
os._exit(9)  # dies holding the claim, like a killed worker
"""


def test_a_dead_owner_is_taken_over(store_url):
    done = subprocess.run([sys.executable, "-c", CLAIM_AND_DIE, store_url])
    assert done.returncode == 9
    store = Store(store_url)
    row = store.find("k3")
    assert row.status == "running" and row.pid != os.getpid()
    assert store.is_stale(row)
    claim = store.claim("k3", META, "r")
    assert claim.takeover and claim.attempt == 2 and store.find("k3").pid == os.getpid()


def test_a_silent_owner_elsewhere_is_stale_only_after_the_timeout(store_url):
    store = Store(store_url, stale_after=60)
    claim = store.claim("k4", META, "r")
    store.release(claim)
    store.db.update(claim.id, host="node-17", pid=1, heartbeat=time.time() - 30)
    assert not store.is_stale(store.find("k4"))
    assert store.claim("k4", META, "r") is None
    store.db.update(claim.id, heartbeat=time.time() - 120)
    assert store.is_stale(store.find("k4"))
    assert store.claim("k4", META, "r").takeover


def test_unusable_databases_fail_in_one_line(tmp_path):
    with pytest.raises(StoreError, match=r"must end in \.db"):
        Store(tmp_path / "results.sqlite")
    with pytest.raises(StoreError) as info:
        Store("postgresql://alice:s3cret@localhost:1/screening")
    message = str(info.value)
    assert "s3cret" not in message and "alice:***@localhost:1" in message
    assert "\n" not in message
    assert redact("postgresql://alice@host/db") == "postgresql://alice@host/db"


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 1 MiB tmpfs (root only) to fill up."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs to fill up: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "--lazy", str(mount)])  # detaches even if a handle is open


def fill(path):
    """Write zeros to ``path`` until the file system says it is full."""
    try:
        with open(path, "wb", buffering=0) as handle:
            while True:
                handle.write(b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == 28  # ENOSPC


def test_a_full_disk_leaves_the_store_consistent(tiny_disk):
    store = Store(tiny_disk / "screening.db")
    first = store.claim("before", META, "r")
    store.complete(first, result_atoms(-1.0), {"converged": True}, {})
    store.release(first)
    claim = store.claim("during", META, "r")
    fill(tiny_disk / "filler")
    big = {"blob": list(range(200000))}  # cannot fit: the write must fail as a whole
    with pytest.raises(StoreError, match="storing the result failed"):
        store.complete(claim, result_atoms(-2.0), {"converged": True}, big)
    store.release(claim)
    with sqlite3.connect(tiny_disk / "screening.db") as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert store.find("before").status == "done"
    row = store.find("during")
    assert row.status == "running" and row.get("energy") is None  # nothing half-written
    # space comes back: the unfinished key is claimed again and completes
    (tiny_disk / "filler").unlink()
    again = store.claim("during", META, "r")
    assert again is not None and again.takeover
    store.complete(again, result_atoms(-2.0), {"converged": True}, {})
    assert store.find("during").energy == pytest.approx(-2.0)


def _claim_many(url: str, prefix: str, n: int) -> None:
    store = Store(url)
    for i in range(n):
        assert store.claim(f"{prefix}-{i}", META, "run1") is not None


def test_workers_claiming_at_once_each_get_their_own_row(store_url):
    """Four processes write new rows at the same moment: every row's keys are its own
    (ase_db_backends 0.11 took a new row's id from the sequence's global last value,
    so under PostgreSQL a worker's keys could land on another worker's row or fail)."""
    import multiprocessing

    Store(store_url)  # the schema, before the workers race
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_claim_many, args=(store_url, f"w{w}", 25))
               for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    store = Store(store_url)
    rows = list(store.rows())
    assert len(rows) == 100
    assert sorted(r.calc_key for r in rows) == sorted(f"w{w}-{i}" for w in range(4)
                                                      for i in range(25))
    for row in rows:  # the searchable keys agree with the row they belong to
        assert [r.id for r in store.rows(calc_key=row.calc_key)] == [row.id]
