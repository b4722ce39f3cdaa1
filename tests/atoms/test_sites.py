"""Adsorption-site enumeration and adsorbate placement on real slab models."""

import numpy as np
import pytest
from ase.build import fcc111, graphene, hcp0001
from ase.data import covalent_radii

from screening.atoms.adsorbates import CLUSTER_GAP, lowered, with_atom, with_cluster, with_water
from screening.atoms.molecules import drop_water, hexaaqua_zinc
from screening.atoms.sites import find_sites, surface_atoms
from screening.library.surfaces import build_slab_models, slab_spec


@pytest.fixture(scope="module")
def zn0001(bundled_catalog):
    settings = bundled_catalog.settings
    candidate = bundled_catalog.get("Zn(0001)")
    return build_slab_models(candidate, slab_spec(settings, candidate))[0].atoms


def test_zn0001_has_top_bridge_fcc_and_hcp_hollow_and_nothing_redundant(zn0001):
    sites = find_sites(zn0001)
    assert sorted(s.kind for s in sites) == ["bridge", "hollow-fcc", "hollow-hcp", "top"]
    # a 4x4 surface cell: 16 atoms, 48 bonds, 16 + 16 three-fold hollows
    assert {s.kind: s.multiplicity for s in sites} == {
        "top": 16, "bridge": 48, "hollow-fcc": 16, "hollow-hcp": 16}
    assert {s.label for s in sites} == {"top:Zn", "bridge:Zn-Zn", "hollow-fcc:Zn3",
                                        "hollow-hcp:Zn3"}


def test_hcp_hollow_has_a_second_layer_atom_beneath_and_fcc_has_none(zn0001):
    z = zn0001.positions[:, 2]
    top = z.max()
    second = zn0001[(z < top - 1.0) & (z > top - 3.5)]
    for site in find_sites(zn0001):
        if not site.kind.startswith("hollow"):
            continue
        xy = np.array(site.position[:2])
        shifts = np.array([i * zn0001.cell[0, :2] + j * zn0001.cell[1, :2]
                           for i in (-1, 0, 1) for j in (-1, 0, 1)])
        lateral = min(np.linalg.norm(p[:2] + shifts - xy, axis=1).min() for p in second.positions)
        assert (lateral < 0.3) == (site.kind == "hollow-hcp")


def test_only_the_top_layer_of_a_close_packed_slab_is_surface(zn0001):
    surface = surface_atoms(zn0001)
    assert len(surface) == 16
    assert np.allclose(zn0001.positions[surface, 2], zn0001.positions[:, 2].max())


def test_graphene_sites_are_atom_bond_and_hexagon_centre():
    sheet = graphene(size=(3, 3, 1), vacuum=7.5)
    sites = find_sites(sheet)
    assert [(s.kind, s.multiplicity) for s in sites] == [("top", 18), ("bridge", 27),
                                                         ("hollow", 9)]
    hexagon = sites[2]
    shifts = np.array([i * sheet.cell[0, :2] + j * sheet.cell[1, :2]
                       for i in (-1, 0, 1) for j in (-1, 0, 1)])
    distances = [np.linalg.norm(sheet.positions[i, :2] + shifts - hexagon.position[:2],
                                axis=1).min() for i in hexagon.atoms]
    assert len(hexagon.atoms) == 6 and np.allclose(distances, 1.42, atol=0.01)


def test_fcc111_site_labels_follow_the_stacking():
    slab = fcc111("Cu", size=(3, 3, 4), vacuum=7.5)
    kinds = sorted(s.kind for s in find_sites(slab))
    assert kinds == ["bridge", "hollow-fcc", "hollow-hcp", "top"]


def test_adatom_on_top_starts_at_the_covalent_bond_length(zn0001):
    site = next(s for s in find_sites(zn0001) if s.kind == "top")
    combined = with_atom(zn0001, site, "Zn")
    assert len(combined) == len(zn0001) + 1
    assert combined.positions[-1, 2] - site.position[2] == pytest.approx(
        2 * covalent_radii[30])
    assert combined.constraints and len(combined.constraints[0].index) == 32


def test_water_binds_through_o_on_metals_and_donates_h_to_non_metals():
    metal = hcp0001("Zn", size=(3, 3, 3), vacuum=7.5)
    site = next(s for s in find_sites(metal) if s.kind == "top")
    on_metal = with_water(metal, site)
    o, h1, h2 = on_metal.positions[-3:]
    assert np.allclose(o[:2], site.position[:2])  # O over the metal atom
    assert o[2] == pytest.approx(h1[2]) == pytest.approx(h2[2])  # molecule lies flat
    oxide = metal.copy()
    oxide[int(np.argmax(oxide.positions[:, 2]))].symbol = "O"
    o_site = next(s for s in find_sites(oxide) if s.label == "top:O")
    on_oxide = with_water(oxide, o_site)
    o, h1, h2 = on_oxide.positions[-3:]
    assert h1[2] < o[2]  # one O-H points down at the surface O
    assert h1[2] - o_site.position[2] == pytest.approx(1.8)


def test_cluster_sits_above_the_slab_and_is_lowered_after_each_removal(zn0001):
    n_slab = len(zn0001)
    placed = with_cluster(zn0001, hexaaqua_zinc(6.0))
    top = zn0001.positions[:, 2].max()
    assert placed.positions[n_slab:, 2].min() - top == pytest.approx(CLUSTER_GAP)
    centre = 0.5 * (zn0001.cell[0] + zn0001.cell[1])
    assert np.allclose(placed.positions[n_slab, :2], centre[:2])
    # inside the cell, with the slab's vacuum below it above the cluster too
    assert placed.cell[2, 2] >= zn0001.cell[2, 2]
    below = zn0001.positions[:, 2].min()
    assert placed.cell[2, 2] - placed.positions[:, 2].max() == pytest.approx(
        max(below, zn0001.cell[2, 2] - placed.positions[:, 2].max()))
    assert np.allclose(placed.cell[:2], zn0001.cell[:2])
    smaller = drop_water(placed, 5, offset=n_slab)  # the water pointing down
    assert smaller.positions[n_slab:, 2].min() - top > CLUSTER_GAP + 1.0
    settled = lowered(smaller, n_slab)
    assert settled.positions[n_slab:, 2].min() - top == pytest.approx(CLUSTER_GAP)
    assert np.allclose(settled.positions[:n_slab], zn0001.positions)
