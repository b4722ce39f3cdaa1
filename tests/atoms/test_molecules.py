"""Shell restraints: flat-bottom Zn-O springs that hold a neutral hydrated Zn together."""

import numpy as np
import pytest
from ase.constraints import FixAtoms, Hookean

from screening.atoms.molecules import (SHELL_RT, drop_water, hexaaqua_zinc, restrained,
                                       restraint_energy, unrestrained)
from screening.calculators.pair import PairPotential


def test_springs_act_only_beyond_the_threshold_and_follow_the_cluster():
    cluster = hexaaqua_zinc(6.0)
    held = restrained(cluster, 5.0)
    assert sum(isinstance(c, Hookean) for c in held.constraints) == 6
    assert restraint_energy(held) == 0.0  # Zn-O 2.09 A: inside the flat bottom
    # pull the first water's O out to 3.0 A along its axis: 0.5 k (d - rt)^2
    axis = held.positions[1] - held.positions[0]
    held.positions[1] = held.positions[0] + 3.0 * axis / np.linalg.norm(axis)
    assert restraint_energy(held) == pytest.approx(0.5 * 5.0 * (3.0 - SHELL_RT) ** 2)
    # the spring's force pulls that O back towards Zn, and only that atom pair
    held.calc = PairPotential()
    springs = held.get_forces() - held.get_forces(apply_constraint=False)
    assert np.dot(springs[1], axis) < 0 and np.allclose(springs[2:], 0.0)
    assert np.allclose(springs[0], -springs[1])
    # removing a water drops the springs; restrained() puts one per water back
    smaller = drop_water(held, 2)
    assert not smaller.constraints
    assert sum(isinstance(c, Hookean) for c in restrained(smaller, 5.0).constraints) == 5
    assert restrained(cluster, 0.0).constraints == []


def test_restraints_keep_the_slab_constraints_and_follow_an_offset():
    cluster = hexaaqua_zinc(6.0)
    offset = 4
    slab_and_cluster = cluster.copy()
    slab_and_cluster.positions += [0, 0, 10]
    slab_and_cluster = cluster[:0] + cluster[[0] * offset] + slab_and_cluster
    slab_and_cluster.positions[:offset] = [[0, 0, z] for z in range(offset)]
    slab_and_cluster.set_constraint(FixAtoms(indices=[0, 1]))
    held = restrained(slab_and_cluster, 5.0, start=offset)
    pairs = [c.indices for c in held.constraints if isinstance(c, Hookean)]
    assert pairs == [[offset, offset + 1 + 3 * i] for i in range(6)]
    assert any(isinstance(c, FixAtoms) for c in held.constraints)
    assert unrestrained(held).constraints[0].get_indices().tolist() == [0, 1]
