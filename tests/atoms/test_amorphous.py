"""Random packings and the measures of an amorphous structure (pure, no calculator)."""

import numpy as np
import pytest
from ase.data import covalent_radii
from ase.neighborlist import neighbor_list

from screening.atoms.amorphous import (PACKING_FRACTION, coordination, largest_gap, pair_rdf,
                                       random_packing, slab_from_box)
from screening.atoms.geometry import density
from screening.errors import ScreeningError
from screening.library.prototypes import rutile


def test_random_packing_has_the_density_the_formula_and_no_close_pairs():
    atoms = random_packing("TiO2", 24, 3.8, seed=3)
    assert atoms.get_chemical_formula() == "O48Ti24"
    assert density(atoms) == pytest.approx(3.8, rel=1e-9)
    i, j, d = neighbor_list("ijd", atoms, 3.0)
    radii = covalent_radii[atoms.numbers]
    assert np.all(d >= PACKING_FRACTION * (radii[i] + radii[j]) - 1e-9)
    again = random_packing("TiO2", 24, 3.8, seed=3)
    assert np.allclose(again.positions, atoms.positions)  # the seed decides
    assert not np.allclose(random_packing("TiO2", 24, 3.8, seed=4).positions, atoms.positions)


@pytest.mark.parametrize("formula, units, rho, message", [
    ("TiO2", 24, 40.0, "no room"), ("TiO2", 24, -1.0, "must be positive"),
    ("TiQ2", 2, 3.8, "Q is no element"), ("Ti(O", 2, 3.8, "not a chemical formula"),
    ("TiO2", 0, 3.8, "whole numbers")])
def test_impossible_packings_are_refused_in_one_line(formula, units, rho, message):
    with pytest.raises(ScreeningError, match=message) as error:
        random_packing(formula, units, rho, seed=0)
    assert "\n" not in str(error.value)


def test_rutile_measures_as_rutile():
    """Six O around each Ti at 1.95-1.98 A; g(r) peaks there, and its volume average
    is 1 (two O per Ti in the cell: the normalisation)."""
    crystal = rutile(["Ti", "O"], 4.594, 2.959, 0.3048).repeat((3, 3, 4))
    assert set(coordination(crystal, "Ti", "O", 2.5)) == {6}
    r, g = pair_rdf(crystal, "Ti", "O", rmax=5.5, bins=110)
    assert 1.9 < r[np.argmax(g)] < 2.05
    assert g[r < 1.7].sum() == 0
    assert np.trapezoid(g * r**2, r) / np.trapezoid(r**2, r) == pytest.approx(1.0, abs=0.02)


def test_a_box_opens_into_a_slab_at_its_emptiest_plane():
    box = random_packing("TiO2", 12, 3.8, seed=1)
    slab = slab_from_box(box, vacuum=12.0)
    assert sorted(slab.get_chemical_symbols()) == sorted(box.get_chemical_symbols())
    assert slab.cell[2, 2] - np.ptp(slab.positions[:, 2]) == pytest.approx(12.0)
    assert np.allclose(slab.cell[:2], box.cell[:2])
    assert largest_gap(slab) < box.cell[2, 2] / 2
    apart = slab.copy()
    apart.positions[apart.positions[:, 2] > apart.positions[:, 2].mean(), 2] += 5.0
    assert largest_gap(apart) > 5.0
