"""The hydrated Zn ion at DFT: a charged cluster that holds its waters, and implicit water.

Real GPAW single points at dft-check's LCAO settings (no D3, to save the
dispersion call), through the pipeline's own parameters and runner.
"""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms
from ase.build import graphene, molecule

from screening.atoms.molecules import ZN_O, boxed, hexaaqua_zinc
from screening.calculators.levels import get_level
from screening.calculators.parameters import calculation_parameters
from screening.runners.execute import single_point

pytestmark = pytest.mark.dft


def _level(solvent: str = ""):
    return get_level("ion", {"ion": {"base": "dft-check", "d3": False, "cluster_charge": 2,
                                     "solvent": solvent}})


def _stretched(cluster, distance: float):
    """Every water moved rigidly along its Zn-O axis to ``distance`` (A); same box."""
    moved = cluster.copy()
    for o in range(1, len(cluster), 3):
        axis = cluster.positions[o] - cluster.positions[0]
        moved.positions[o:o + 3] += axis / np.linalg.norm(axis) * (distance - ZN_O)
    return moved


def test_the_charged_hexaaqua_zinc_holds_its_six_waters(tmp_path):
    # 6 A of vacuum: Zn's LCAO orbitals reach 6.6 A, and a 3 A box changes the
    # energy by 15 eV (measured), so the clusters use molecule_vacuum = 6 A
    cluster = hexaaqua_zinc(6.0)
    level = _level()
    energies = {}
    for distance in (ZN_O, 2.35):
        atoms = _stretched(cluster, distance)
        params = calculation_parameters(level, atoms, charge=level.cluster_charge)
        assert params["charge"] == 2 and params["system"] == "molecule"
        out = single_point(atoms, params, tmp_path)
        energies[distance] = out.atoms.get_potential_energy()
        forces = out.atoms.get_forces()
        radial = [np.dot(forces[o], out.atoms.positions[o] - out.atoms.positions[0])
                  for o in range(1, len(atoms), 3)]
        assert all(r < 0 for r in radial)  # every O is pulled towards Zn
    # stretching all six Zn-O bonds by 0.26 A costs about 1.1 eV (measured): bound
    assert 0.5 < energies[2.35] - energies[ZN_O] < 2.0


def test_implicit_water_solvates_a_water_molecule(tmp_path):
    water = boxed(molecule("H2O"), 4.0)
    energies = {}
    for solvent in ("", "hw14"):
        level = _level(solvent)
        params = calculation_parameters(level, water)
        assert params.get("solvent", "") == solvent
        energies[solvent] = single_point(water, params, tmp_path).atoms.get_potential_energy()
    # HW14 was fitted to hydration energies; water's is -0.27 eV (experiment,
    # -6.3 kcal/mol); -0.21 eV measured here with the szp basis
    assert -0.4 < energies["hw14"] - energies[""] < -0.1


def test_the_ion_on_a_slab_in_implicit_water_gives_up_two_electrons(tmp_path):
    """Zn with one water over a graphene sheet, in HW14 water: neutral (the
    dielectric alone; no dipole correction, since a sheet has no dipole) and
    as the ion (charge +2 held by the solvated jellium method, SJM)."""
    sheet = graphene(size=(2, 2, 1), vacuum=6.0)
    top = sheet.positions[:, 2].max()
    site = (sheet.cell[0] + sheet.cell[1]) / 3
    zn = Atoms("Zn", positions=[[site[0], site[1], top + 2.6]])
    h2o = molecule("H2O")
    h2o.rotate(180, "x")  # O down, towards Zn
    h2o.translate(zn.positions[0] + [0, 0, ZN_O] - h2o.positions[0])
    atoms = sheet + zn + h2o
    atoms.pbc = True
    atoms.cell[2, 2] = atoms.positions[:, 2].max() + 6.0
    level = _level("hw14")
    energies = {}
    for charge in (0, 2):
        params = calculation_parameters(level, atoms, charge=charge)
        assert params["system"] == "slab" and params["charge"] == charge
        energies[charge] = single_point(atoms, params, tmp_path).energies[0]
    # two electrons leave for the jellium in the solvent: about twice a work
    # function (graphene 4.5 eV); measured +10.1 eV here, +11.1 on a 3x3 sheet
    assert 6.0 < energies[2] - energies[0] < 14.0
