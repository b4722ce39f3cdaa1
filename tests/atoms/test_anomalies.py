"""Anomaly detection catches deliberately bad geometries and passes good ones."""

import numpy as np
from ase import Atoms
import pytest
from ase.build import hcp0001

from screening.atoms.adsorbates import with_atom, with_cluster, with_water
from screening.atoms.anomalies import adatom_flags, cluster_flags, water_flags
from screening.atoms.molecules import hexaaqua_zinc
from screening.atoms.sites import find_sites


@pytest.fixture
def slab():
    return hcp0001("Zn", size=(4, 4, 4), a=2.665, c=4.947, vacuum=7.5)


def _site(slab, kind):
    return next(s for s in find_sites(slab) if s.kind == kind)


def test_a_sound_adatom_has_no_flags(slab):
    assert adatom_flags(with_atom(slab, _site(slab, "hollow-hcp"), "Zn"), slab) == []


def test_sunk_adatom_is_flagged(slab):
    atoms = with_atom(slab, _site(slab, "hollow-fcc"), "Zn")
    atoms.positions[-1, 2] = slab.positions[:, 2].max() - 0.2  # pushed into the top layer
    assert "sank" in adatom_flags(atoms, slab)


def test_adatom_that_left_the_surface_is_flagged(slab):
    atoms = with_atom(slab, _site(slab, "top"), "Zn")
    atoms.positions[-1, 2] = slab.positions[:, 2].max() + 3.5
    assert adatom_flags(atoms, slab) == ["left"]


def test_displaced_surface_atom_is_flagged(slab):
    atoms = with_atom(slab, _site(slab, "top"), "Zn")
    top = int(np.argmax(slab.positions[:, 2]))
    atoms.positions[top, 2] += 1.5  # a surface atom pulled out of the layer
    assert "displaced" in adatom_flags(atoms, slab)


def test_a_slab_that_relaxes_far_from_the_adatom_is_restructured(slab):
    """Atoms next to the adatom may relax; one 0.4 A move more than 6 A away may not."""
    atoms = with_atom(slab, _site(slab, "top"), "Zn")
    distance = atoms.get_distances(len(slab), range(len(slab)), mic=True)
    near, far = int(np.argmin(distance)), int(np.argmax(distance))
    assert distance[far] > 6.0
    atoms.positions[near, 2] -= 0.4
    assert adatom_flags(atoms, slab) == []
    atoms.positions[far, 0] += 0.4
    assert adatom_flags(atoms, slab) == ["restructured"]


def test_displacement_across_the_periodic_boundary_is_not_a_move(slab):
    atoms = with_atom(slab, _site(slab, "top"), "Zn")
    atoms.positions[0] += slab.cell[0]  # the same atom, one cell over
    assert adatom_flags(atoms, slab) == []


def test_dissociated_water_is_flagged(slab):
    atoms = with_water(slab, _site(slab, "top"))
    assert water_flags(atoms, slab) == []
    o = len(slab)
    atoms.positions[o + 1] += 0.8 * (atoms.positions[o + 1] - atoms.positions[o])
    assert water_flags(atoms, slab) == ["dissociated"]


def test_fragmented_cluster_is_flagged(slab):
    atoms = with_cluster(slab, hexaaqua_zinc(6.0))
    n_slab = len(slab)
    assert cluster_flags(atoms, n_slab) == []
    shift = atoms.positions[n_slab + 4] - atoms.positions[n_slab]
    atoms.positions[n_slab + 4:n_slab + 7] += 0.8 * shift  # one water 3.8 A from Zn
    assert cluster_flags(atoms, n_slab) == ["fragmented"]
    atoms.positions[n_slab + 2] += 0.5 * (atoms.positions[n_slab + 2] - atoms.positions[n_slab + 1])
    assert cluster_flags(atoms, n_slab) == ["fragmented", "dissociated"]


def test_h_on_a_low_lying_o_of_a_rumpled_surface_has_not_sunk(bundled_catalog):
    """Rutile(110): bridging O rows stand ~1.1 A above the in-plane O atoms;
    an H bonded on top of an in-plane O sits below the top layer, yet on the
    surface. Pushed into that O's plane, it has sunk."""
    from screening.library.surfaces import build_slab_models, slab_spec

    candidate = bundled_catalog.get("rutile-TiO2(110)")
    slab = build_slab_models(candidate, slab_spec(bundled_catalog.settings, candidate))[0].atoms
    z = slab.positions[:, 2]
    oxygens = [i for i in range(len(slab)) if slab[i].symbol == "O"]
    in_plane = max((i for i in oxygens if z[i] < z.max() - 0.8), key=lambda i: z[i])
    assert z.max() - z[in_plane] > 0.9
    atoms = slab.copy()
    atoms += Atoms("H", positions=[slab.positions[in_plane] + [0.0, 0.0, 0.98]])
    assert adatom_flags(atoms, slab) == []
    atoms.positions[-1, 2] = z[in_plane] + 0.05
    assert adatom_flags(atoms, slab) == ["sank"]
