"""Real GPAW runs through the engine at cheap settings: SCF ladder, D3, slabs."""

import numpy as np
import pytest
from ase.build import hcp0001

from screening.atoms.molecules import water
from screening.calculators.levels import get_level
from screening.runners.compute import CalculationFailed, Request, compute
from screening.runners.execute import TaskSpec
from screening.store.database import Store
from screening.store.keys import canonical_structure

pytest.importorskip("gpaw")
pytestmark = pytest.mark.dft


def lcao(**changes):
    """dft-fast with a coarse grid: H2O converges its SCF in 8 iterations."""
    return get_level("cheap", {"cheap": {"base": "dft-fast", "grid_spacing": 0.25,
                                         "d3": False, **changes}})


def test_scf_failure_climbs_the_ladder_then_fails_cleanly(tmp_path):
    store, work = Store(tmp_path / "s.db"), tmp_path / "work"
    reference = compute(store, Request(water(3.0), lcao(), "h2o"), work, "test")
    assert reference.scf_rung == 0
    # 6 iterations are too few on rung 0; rung 1 (gentler mixer, 2x iterations) converges
    rescued = compute(store, Request(water(3.0), lcao(maxiter=6), "h2o"), work, "test")
    assert rescued.scf_rung == 1
    assert rescued.energy == pytest.approx(reference.energy, abs=1e-3)
    # 1 iteration fails on every rung: a stored failure and a one-line error
    request = Request(water(3.0), lcao(maxiter=1), "h2o")
    with pytest.raises(CalculationFailed, match="did not converge on any of 3 ladder rungs"):
        compute(store, request, work, "test")
    assert store.find(request.key).status == "failed"


def test_lcao_relaxation_with_d3(tmp_path):
    store, work = Store(tmp_path / "s.db"), tmp_path / "work"
    start = water(3.0)
    start.positions[1] += [0.0, 0.0, 0.08]  # stretch one O-H bond
    relax = TaskSpec("relax", fmax=0.1, steps=40)
    plain = compute(store, Request(start, lcao(), "h2o", relax), work, "test")
    with_d3 = compute(store, Request(start, lcao(d3=True), "h2o", relax), work, "test")
    assert plain.converged and plain.n_steps > 1
    assert plain.data["energies"][-1] < plain.data["energies"][0]
    # every DFT step is kept for fine-tuning: the stretched start, forces and all
    frames = plain.data["frames"]
    assert [f["energy"] for f in frames] == pytest.approx(plain.data["energies"])
    assert np.linalg.norm(np.array(frames[0]["positions"]) - start.positions) < 1e-9
    assert np.abs(frames[0]["forces"]).max() > 0.5 > np.abs(frames[-1]["forces"]).max()
    assert abs(plain.atoms.get_distance(0, 1) - 0.97) < 0.05  # back near the O-H bond length
    # D3 of a lone water is a small negative energy, not zero, not large
    assert -0.1 < with_d3.energy - plain.energy < 0.0
    assert with_d3.data["parameters"]["d3"] is True and with_d3.data["versions"]["gpaw"]
    # the electronic properties are read from GPAW itself under the D3 sum
    assert with_d3.data["electronic"]["band_gap"] == pytest.approx(
        plain.data["electronic"]["band_gap"], abs=0.05)
    assert with_d3.data["electronic"]["band_gap"] > 3.0


@pytest.mark.parametrize("mode", ["lcao", "pw"])
def test_slab_single_point_uses_dipole_correction_and_2d_kpoints(tmp_path, mode):
    slab = hcp0001("Zn", size=(1, 1, 3), a=2.665, c=4.947, vacuum=5.0)
    slab.pbc = True
    changes = {"kpt_density": 1.0, "d3": False}
    level = (lcao(**changes) if mode == "lcao" else
             get_level("pw-cheap", {"pw-cheap": {"base": "dft", "ecut": 250.0, **changes}}))
    calc = compute(Store(tmp_path / "s.db"), Request(slab, level, "zn-slab"), tmp_path / "w",
                   "test")
    params = calc.data["parameters"]
    assert params["system"] == "slab" and params["dipole"] is True
    assert params["kpts"][2] == 1 and params["kpts"][0] > 1
    assert params["pbc"] == [True, True, False]
    # the structure keeps its own pbc: what is built on it keys as it does at
    # the geometry level (a DFT check reuses the screen's relaxations)
    assert canonical_structure(calc.atoms) == canonical_structure(slab)
    # a symmetric slab: forces on the top and bottom atoms are mirror images
    assert calc.forces[0, 2] == pytest.approx(-calc.forces[2, 2], abs=0.02)
    assert np.isfinite(calc.energy)
