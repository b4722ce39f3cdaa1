"""The pair test engine: a Morse potential on covalent radii, checked against itself."""

import numpy as np
import pytest
from ase import Atoms
from ase.build import hcp0001, molecule
from ase.calculators.fd import calculate_numerical_forces
from ase.data import covalent_radii
from ase.neighborlist import neighbor_list

from screening.calculators.pair import CUTOFF, PairPotential, pairs


def test_a_dimer_sits_at_the_covalent_bond_length_with_the_well_depth():
    r0 = 2 * covalent_radii[1]
    energies = {}
    for r in (0.9 * r0, r0, 1.1 * r0):
        dimer = Atoms("H2", positions=[[0, 0, 0], [0, 0, r]])
        dimer.calc = PairPotential(depth=0.7)
        energies[r] = dimer.get_potential_energy()
    assert energies[r0] == pytest.approx(-0.7)
    assert energies[0.9 * r0] > energies[r0] < energies[1.1 * r0]
    far = Atoms("H2", positions=[[0, 0, 0], [0, 0, CUTOFF * r0 + 0.01]])
    far.calc = PairPotential()
    assert far.get_potential_energy() == 0.0  # beyond the cutoff


def test_forces_are_the_negative_gradient_of_the_energy():
    slab = hcp0001("Zn", size=(2, 2, 3), a=2.665, c=4.947, vacuum=6.0)
    water = molecule("H2O")
    water.translate(slab.positions[-1] + [0.0, 0.0, 2.1])
    atoms = slab + water
    atoms.pbc = True
    atoms.rattle(0.05, seed=2)
    atoms.calc = PairPotential()
    numeric = calculate_numerical_forces(atoms, eps=1e-5)
    assert np.abs(atoms.get_forces() - numeric).max() < 1e-6
    assert np.abs(atoms.get_forces().sum(axis=0)).max() < 1e-9  # no net force


def test_pairs_in_a_cell_smaller_than_the_cutoff_match_ase():
    # a 1x1 slab: each atom meets several periodic images of every other
    slab = hcp0001("Zn", size=(1, 1, 3), a=2.665, c=4.947, vacuum=6.0)
    slab.pbc = True
    slab.positions[0] += [5.0, -3.0, 0.0]  # outside the cell: wrapped first
    cutoffs = CUTOFF * covalent_radii[slab.numbers]
    i, j, d, vector = pairs(slab, cutoffs)
    ai, aj, ad = neighbor_list("ijd", slab, list(cutoffs), self_interaction=False)
    assert sorted(zip(i, j, np.round(d, 8))) == sorted(zip(ai, aj, np.round(ad, 8)))
    assert np.allclose(np.linalg.norm(vector, axis=1), d)
