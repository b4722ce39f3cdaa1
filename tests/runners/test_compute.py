"""Get-or-compute with real calculations (the pair engine; a GPAW failure): once per
key, across processes, after kills, and a failure once per run."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from ase.build import hcp0001
from ase.constraints import FixAtoms

from screening.calculators.levels import get_level
from screening.runners.compute import CalculationFailed, Request, compute, work_directory
from screening.runners.execute import TRAJECTORY, TaskSpec
from screening.store.database import Store


def zn_slab(rattle=0.05):
    """Zn(0001) 2x2x4 with the bottom two layers fixed, top rattled (deterministic)."""
    atoms = hcp0001("Zn", size=(2, 2, 4), a=2.665, c=4.947, vacuum=7.5)
    atoms.pbc = True
    z = atoms.positions[:, 2]
    atoms.set_constraint(FixAtoms(indices=np.where(z < z.mean())[0]))
    atoms.rattle(rattle, seed=3)
    return atoms


def test_the_same_request_twice_computes_once(store_url, tmp_path):
    store = Store(store_url)
    request = Request(zn_slab(), get_level("pair"), "zn0001", TaskSpec("relax", 0.05, 100))
    first = compute(store, request, tmp_path / "work", "run1")
    again = compute(store, request, tmp_path / "work", "run2")
    assert first.computed and not again.computed
    assert again.energy == first.energy and again.key == first.key
    assert store.count(calc_key=first.key) == 1
    # the relaxation lowered the energy, honoured the constraint and converged
    assert first.converged and first.n_steps > 1
    assert store.record(first.key).n_calls >= first.n_steps  # the evaluations are stored
    assert first.data["energies"][-1] < first.data["energies"][0]
    fixed = request.atoms.constraints[0].index
    assert np.allclose(first.atoms.positions[fixed], request.atoms.positions[fixed])
    assert first.data["versions"]["ase"] == "3.29.0"
    assert first.data["parameters"]["engine"] == "pair"
    # the finished relaxation left no checkpoint behind
    assert not (work_directory(tmp_path / "work", first.key) / TRAJECTORY).exists()


WORKER = """
import json, sys, pathlib
from ase.io import read
from screening.calculators.levels import get_level
from screening.runners.compute import Request, compute
from screening.runners.execute import TaskSpec
from screening.store.database import Store
url, structure, work, steps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
fmax, optimizer = float(sys.argv[5]), sys.argv[6]
atoms = read(structure)
request = Request(atoms, get_level("pair"), "worker", TaskSpec("relax", fmax, steps, optimizer))
calc = compute(Store(url), request, pathlib.Path(work), "worker-run", poll=0.2)
print(json.dumps({"computed": calc.computed, "energy": calc.energy, "key": calc.key}))
"""


def start_worker(store_url, structure, work, steps=100, fmax=0.05, optimizer="FIRE"):
    return subprocess.Popen([sys.executable, "-c", WORKER, store_url, str(structure),
                             str(work), str(steps), str(fmax), optimizer],
                            stdout=subprocess.PIPE, text=True)


def test_two_processes_asking_for_one_key_compute_it_once(store_url, tmp_path):
    structure = tmp_path / "slab.extxyz"
    zn_slab().write(structure)
    workers = [start_worker(store_url, structure, tmp_path / "work") for _ in range(2)]
    results = [json.loads(w.communicate(timeout=300)[0].strip().splitlines()[-1])
               for w in workers]
    assert sorted(r["computed"] for r in results) == [False, True]
    assert results[0]["energy"] == results[1]["energy"]
    assert Store(store_url).count(calc_key=results[0]["key"]) == 1


def test_a_killed_relaxation_resumes_from_its_checkpoint(tmp_path, optimizer="FIRE"):
    url = str(tmp_path / "screening.db")
    structure = tmp_path / "slab.extxyz"
    zn_slab(rattle=0.15).write(structure)
    work = tmp_path / "work"
    # fmax 1e-6 eV/A is not reached in 3000 steps (FIRE's momentum oscillates):
    # the relaxation is still running when killed
    steps = 3000
    worker = start_worker(url, structure, work, steps=steps, fmax=1e-6, optimizer=optimizer)
    store = Store(url)
    deadline = time.time() + 240
    checkpoint = None
    while time.time() < deadline:
        rows = list(store.rows(status="running"))
        if rows:
            checkpoint = work_directory(work, rows[0].calc_key) / TRAJECTORY
            if checkpoint.exists() and checkpoint.stat().st_size > 40_000:
                break
        time.sleep(0.2)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    assert checkpoint is not None and checkpoint.exists(), "the worker never checkpointed"

    from ase.io import read
    request = Request(read(structure), get_level("pair"), "worker",
                      TaskSpec("relax", 1e-6, steps, optimizer))
    row = store.find(request.key)
    assert row.status == "running"  # the killed owner left its claim behind
    result = compute(store, request, work, "rerun")
    resumed = result.data["resumed_from_step"]
    assert result.computed and resumed >= 5
    assert store.find(request.key).attempt == 2
    # steps are counted over both runs; the limit holds in total
    assert result.n_steps <= steps + 1 and result.n_steps > resumed


def test_a_failure_is_stored_raised_again_in_its_run_and_retried_by_the_next(tmp_path):
    pytest.importorskip("gpaw")
    store = Store(tmp_path / "screening.db")
    level = get_level("broken", {"broken": {"base": "dft-fast", "basis": "qzp"}})
    request = Request(zn_slab(), level, "zn0001")
    with pytest.raises(CalculationFailed) as info:
        compute(store, request, tmp_path / "work", "run1")
    assert "\n" not in str(info.value) and "no GPAW 'qzp' basis set for Zn" in str(info.value)
    record = store.record(request.key)
    assert record.status == "failed" and "qzp" in record.error
    # asked again in the same run: the stored failure, nothing attempted
    with pytest.raises(CalculationFailed, match=r"\(stored\)"):
        compute(store, request, tmp_path / "work", "run1")
    assert store.record(request.key).attempt == 1
    # a later run attempts it again (it fails again: the basis is still missing)
    with pytest.raises(CalculationFailed, match="qzp") as again:
        compute(store, request, tmp_path / "work", "run2")
    assert "(stored)" not in str(again.value) and store.record(request.key).attempt == 2
