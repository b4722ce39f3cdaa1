"""Slab models: geometry, terminations, constraints, lateral size, sheets."""

from dataclasses import replace

import numpy as np
import pytest
from ase.constraints import FixAtoms
from ase.neighborlist import neighbor_list
from pymatgen.core import Composition

from screening.atoms.checks import surface_gap
from screening.atoms.geometry import atomic_layers, shortest_lattice_vector
from screening.atoms.reading import read_structure
from screening.atoms.slabs import is_symmetric, lateral_repeat, terminations
from screening.errors import SlabError
from screening.library.surfaces import build_slab_models, slab_spec
from screening.settings import Settings


def _model(catalog, name, settings, **overrides):
    cand = catalog.get(name)
    spec = slab_spec(settings, cand)
    if overrides:
        spec = replace(spec, **overrides)
    models = build_slab_models(cand, spec)
    assert len(models) == 1
    return cand, spec, models[0]


def _fixed(atoms):
    return [i for c in atoms.constraints if isinstance(c, FixAtoms) for i in c.get_indices()]


def test_every_candidate_gives_a_slab_meeting_the_spec(bundled_catalog, settings):
    for cand in bundled_catalog:
        spec = slab_spec(settings, cand)
        for model in build_slab_models(cand, spec):
            atoms = model.atoms
            cell = atoms.cell.array
            assert np.allclose(cell[2, :2], 0) and np.allclose(cell[:2, 2], 0), cand.name
            assert surface_gap(atoms) >= spec.vacuum - 1e-6, cand.name
            assert shortest_lattice_vector(cell[:2, :2]) >= spec.min_lateral - 1e-6, cand.name
            assert len(atoms) <= spec.max_atoms, cand.name
            if cand.structure.kind == "bulk":
                assert model.n_layers >= spec.layers, cand.name
            if "asymmetric:dipole-correction" in model.flags:
                assert not is_symmetric(atoms)


def test_zn0001_is_a_4_layer_4x4_slab_with_bottom_half_fixed(bundled_catalog, settings):
    _, spec, model = _model(bundled_catalog, "Zn(0001)", settings)
    atoms = model.atoms
    assert len(atoms) == 64 and model.supercell == (4, 4) and model.n_layers == 4
    layers = atomic_layers(atoms.positions[:, 2], spec.layer_tolerance)
    assert [len(layer) for layer in layers] == [16] * 4
    # interlayer spacing of Zn(0001) is c/2
    spacing = np.diff([atoms.positions[layer, 2].mean() for layer in layers])
    assert np.allclose(spacing, 4.947 / 2, atol=1e-3)
    assert sorted(_fixed(atoms)) == sorted(np.concatenate(layers[:2]).tolist())
    assert model.symmetric and not model.flags
    assert shortest_lattice_vector(atoms.cell.array[:2, :2]) == pytest.approx(4 * 2.665)


def test_lateral_size_and_layers_are_configurable(bundled_catalog, settings):
    _, _, model = _model(bundled_catalog, "Zn(0001)", settings, min_lateral=12.0, layers=6)
    assert model.supercell == (5, 5)
    assert model.n_layers == 6 and model.n_fixed == 3 * 25


def test_lateral_repeat_picks_smallest_area():
    hexagonal = np.array([[2.665, 0], [-1.3325, 2.30796]])
    assert lateral_repeat(hexagonal, 10.0) == (4, 4)
    rectangular = np.array([[3.0, 0], [0, 6.5]])
    assert lateral_repeat(rectangular, 12.0) == (4, 2)


@pytest.mark.parametrize("cell", [[[2.665, 0], [-1.3325, 2.30796]], [[3.0, 0], [0, 6.5]],
                                  [[4.1, 0], [1.9, 5.2]], [[8.7, 0], [-4.35, 7.53]]])
def test_lateral_repeat_equals_an_exhaustive_search(cell):
    cell = np.array(cell)
    for min_lateral in (5.0, 10.0, 12.0, 17.3):
        fits = [(n1 * n2, n1, n2) for n1 in range(1, 12) for n2 in range(1, 12)
                if shortest_lattice_vector(np.array([n1 * cell[0], n2 * cell[1]]))
                >= min_lateral - 1e-6]
        area = min(fits)[0]
        assert lateral_repeat(cell, min_lateral) in {(n1, n2) for a, n1, n2 in fits if a == area}


def test_rutile_110_auto_termination_is_bridging_oxygen_and_stoichiometric(bundled_catalog,
                                                                             settings):
    cand, spec, model = _model(bundled_catalog, "rutile-TiO2(110)", settings)
    atoms = model.atoms
    assert Composition(atoms.get_chemical_formula()).reduced_formula == "TiO2"
    assert model.symmetric and not model.polar
    top = atomic_layers(atoms.positions[:, 2], spec.layer_tolerance)[-1]
    assert set(atoms[top].get_chemical_symbols()) == {"O"}
    assert model.n_layers == 9  # three O / Ti2O2 / O trilayers


@pytest.mark.parametrize("name", ["ZnF2(110)", "ZrO2(101)", "anatase-TiO2(101)", "Al2O3(0001)"])
def test_auto_rule_finds_the_symmetric_stoichiometric_termination(bundled_catalog, settings, name):
    cand, _, model = _model(bundled_catalog, name, settings)
    assert model.symmetric and model.polar is False and not model.flags
    assert (Composition(model.atoms.get_chemical_formula()).reduced_formula
            == Composition(cand.formula).reduced_formula)


def test_all_terminations_are_enumerated_and_described():
    bulk = read_structure(Settings().structures_dir / "bulk/BaTiO3_cubic.cif")
    cuts = terminations(bulk, (0, 0, 1), slab_spec(Settings()))
    assert {c.termination for c in cuts} == {"BaO", "TiO2"}
    for cut in cuts:
        assert Composition(cut.atoms.get_chemical_formula()).reduced_formula == "BaTiO3"


def test_named_termination_is_honoured(bundled_catalog, settings):
    _, spec, model = _model(bundled_catalog, "BaTiO3(001)", settings)
    top = atomic_layers(model.atoms.positions[:, 2], spec.layer_tolerance)[-1]
    assert Composition(model.atoms[top].get_chemical_formula()).reduced_formula == "TiO2"
    assert "asymmetric:dipole-correction" in model.flags


def test_carbonate_groups_stay_intact(bundled_catalog, settings):
    _, _, model = _model(bundled_catalog, "CaCO3(10-14)", settings)
    atoms = model.atoms
    i = neighbor_list("i", atoms, 1.5)
    carbons = [k for k, s in enumerate(atoms.get_chemical_symbols()) if s == "C"]
    counts = np.bincount(i, minlength=len(atoms))
    assert all(counts[c] == 3 for c in carbons)


def test_surface_alloy_has_one_dopant_in_the_top_layer(bundled_catalog, settings):
    _, spec, model = _model(bundled_catalog, "Cu@Zn(0001)", settings)
    atoms = model.atoms
    symbols = np.array(atoms.get_chemical_symbols())
    assert (symbols == "Cu").sum() == 1
    top = atomic_layers(atoms.positions[:, 2], spec.layer_tolerance)[-1]
    assert "Cu" in symbols[top]
    assert not model.stoichiometric and "asymmetric:dipole-correction" in model.flags


@pytest.mark.parametrize("name", ["Ti3C2O2", "graphene"])
def test_sheets_are_free_standing_and_not_cut(bundled_catalog, settings, name):
    cand, spec, model = _model(bundled_catalog, name, settings)
    sheet = read_structure(cand.structure.path)
    n_cells = model.supercell[0] * model.supercell[1]
    assert len(model.atoms) == len(sheet) * n_cells
    assert model.n_fixed == 0 and not _fixed(model.atoms)
    assert model.symmetric


def test_impossible_size_is_refused(bundled_catalog, settings):
    cand = bundled_catalog.get("Zn(0001)")
    with pytest.raises(SlabError, match="max_slab_atoms"):
        build_slab_models(cand, replace(slab_spec(settings, cand), min_lateral=80.0))
