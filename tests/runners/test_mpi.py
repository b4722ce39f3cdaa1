"""GPAW over MPI: calculations run by 2 ranks in a child job, through the store."""

import pytest
from ase.build import hcp0001

from screening.atoms.molecules import water
from screening.runners.compute import CalculationFailed, Request, compute, work_directory
from screening.runners.execute import TaskSpec
from screening.runners.mpi import MPI_LOG, gpaw_has_mpi, launcher
from screening.store.database import Store
from tests.runners.test_gpaw_runs import lcao

pytest.importorskip("gpaw")
pytestmark = [pytest.mark.dft,
              pytest.mark.skipif(not gpaw_has_mpi(), reason="GPAW built without MPI")]
TWO = launcher(2, "mpiexec -n {ranks}")


def _cores_used(directory) -> int:
    text = (directory / "gpaw-rung0.txt").read_text()
    line = next(l for l in text.splitlines() if "Total number of cores used" in l)
    return int(line.split(":")[1])


def test_two_ranks_give_the_one_process_energy_and_forces(tmp_path, postgres_url):
    # the MPI job reads its input from, and writes its result to, PostgreSQL (the
    # relaxation and the failure below use SQLite); 3 k-points, split over the ranks
    slab = hcp0001("Zn", size=(1, 1, 3), a=2.665, c=4.947, vacuum=5.0)
    slab.pbc = True
    level = lcao(kpt_density=1.0)
    serial_store, mpi_store = Store(tmp_path / "serial.db"), Store(postgres_url)
    serial = compute(serial_store, Request(slab, level, "zn"), tmp_path / "w1", "test")
    parallel = compute(mpi_store, Request(slab, level, "zn"), tmp_path / "w2", "test",
                       launch=TWO)
    assert parallel.computed and parallel.key == serial.key
    assert _cores_used(work_directory(tmp_path / "w1", serial.key)) == 1
    directory = work_directory(tmp_path / "w2", parallel.key)
    assert _cores_used(directory) == 2 and (directory / MPI_LOG).exists()
    assert parallel.energy == pytest.approx(serial.energy, abs=1e-4)
    assert abs(parallel.forces - serial.forces).max() < 1e-3
    # stored like any other result: versions, parameters, electronic properties
    assert parallel.data["versions"]["gpaw"] and parallel.data["electronic"]
    row = mpi_store.find(parallel.key)
    assert "staged" not in row and "staged" not in row.data  # the input left the row
    assert row.ranks == 2 and serial_store.find(serial.key).ranks == 1
    # and found again without running anything
    again = compute(mpi_store, Request(slab, level, "zn"), tmp_path / "w2", "test",
                    launch=TWO)
    assert not again.computed and again.row_id == parallel.row_id


def test_a_relaxation_over_mpi_converges_like_one_process(tmp_path):
    start = water(3.0)
    start.positions[1] += [0.0, 0.0, 0.08]
    relax = TaskSpec("relax", fmax=0.1, steps=40)
    calc = compute(Store(tmp_path / "s.db"), Request(start, lcao(), "h2o", relax),
                   tmp_path / "w", "test", launch=TWO)
    assert calc.converged and calc.n_steps > 1
    assert abs(calc.atoms.get_distance(0, 1) - 0.97) < 0.05
    assert calc.data["energies"][-1] < calc.data["energies"][0]


def test_a_failure_over_mpi_is_stored_with_its_reason(tmp_path):
    store = Store(tmp_path / "s.db")
    request = Request(water(3.0), lcao(maxiter=1), "h2o")
    with pytest.raises(CalculationFailed, match="did not converge on any of 3 ladder rungs"):
        compute(store, request, tmp_path / "w", "test", launch=TWO)
    row = store.find(request.key)
    assert row.status == "failed" and "did not converge" in row.error


def test_no_launcher_means_one_process():
    assert launcher(1, "mpiexec -n {ranks}") is None
    assert launcher(2, "no-such-mpiexec -n {ranks}") is None
