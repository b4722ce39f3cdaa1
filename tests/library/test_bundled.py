"""The bundled library: coverage of SCIENCE.md's families, and physical bulks."""

import numpy as np
import pytest
from pymatgen.core import Composition

from screening.atoms.amorphous import bond_lengths, coordination
from screening.atoms.reading import read_structure
from screening.library.bundled import density, spacegroup_number, too_close_pairs, verify
from screening.library.catalog import load_structures
from screening.library.prototypes import build
from screening.settings import Settings

STRUCTURES = load_structures(Settings().bundled_catalog)

REQUIRED = [
    "Zn(0001)", "Zn(10-10)", "Zn(10-11)", "Zn(11-20)", "anatase-TiO2(101)", "rutile-TiO2(110)",
    "ZnO(10-10)", "ZrO2(101)", "Al2O3(0001)", "Ti3C2O2", "Ti3C2(OH)2", "Ti3C2F2", "Ti2CO2",
    "Fe@Ti3C2O2", "Cu(111)", "Ag(111)", "Au(111)", "In(101)", "Sn(100)", "Bi(0001)",
    "Cu@Zn(0001)", "CuZn(110)", "ZnS(110)", "ZnF2(110)", "TiN(100)", "graphene", "N-graphene",
    "m-ZrO2(-111)", "SnO2(110)", "CeO2(111)", "g-C3N4", "In2O3(111)", "SiO2(0001)",
    "AlN(10-10)", "CaF2(111)", "h-BN", "MoS2", "anatase-TiO2(001)", "ZnO(11-20)", "a-TiO2",
    "Zn2SiO4(0001)", "AgZn3(0001)",
]
#: Structures made by the project's own recipes (no prototype to rebuild from).
MADE = sorted(k for k, e in STRUCTURES.items() if e.recipe)
BUILT = sorted(k for k, e in STRUCTURES.items() if not e.recipe)


def test_library_covers_every_family(bundled_catalog):
    assert len(bundled_catalog) >= 52
    families = {c.family for c in bundled_catalog}
    assert families >= {"zn", "oxide", "mxene", "metal", "alloy", "inorganic", "carbon"}
    names = {c.name for c in bundled_catalog}
    assert not set(REQUIRED) - names


def test_every_candidate_has_a_source_and_a_matching_formula(bundled_catalog):
    for cand in bundled_catalog:
        assert cand.structure.source, cand.name
        atoms = read_structure(cand.structure.path)
        assert (Composition(cand.formula).reduced_formula
                == Composition(atoms.get_chemical_formula()).reduced_formula), cand.name


@pytest.mark.parametrize("key", sorted(STRUCTURES))
def test_bundled_structure_is_physical(key):
    entry = STRUCTURES[key]
    atoms = read_structure(entry.path)
    assert verify(entry, atoms) == []
    assert entry.spacegroup is not None or entry.recipe
    if entry.kind == "bulk":
        assert entry.density is not None
        assert density(atoms) == pytest.approx(entry.density, rel=0.03)


@pytest.mark.parametrize("key", BUILT)
def test_file_matches_its_recipe(key):
    """The shipped file is what the published parameters give (same cell, same atoms)."""
    entry = STRUCTURES[key]
    shipped = read_structure(entry.path)
    rebuilt = build(entry.prototype, entry.params)
    assert shipped.get_chemical_formula() == rebuilt.get_chemical_formula()
    assert np.allclose(shipped.cell.cellpar(), rebuilt.cell.cellpar(), atol=1e-4)
    assert spacegroup_number(shipped) == spacegroup_number(rebuilt)


@pytest.mark.parametrize("key", MADE)
def test_amorphous_slab_has_the_published_short_range_order(key):
    """The shipped melt-quench slab, away from its faces (> 2 A inside; the slab
    is 9.5 A thick): Ti about five- to six-fold and Ti-O near 1.96 A (Petkov et
    al. 1998: 5.4 and 1.96 A); the faces' Ti have fewer O."""
    slab = read_structure(STRUCTURES[key].path)
    assert STRUCTURES[key].recipe == "amorphous" and slab.constraints  # bottom held as made
    bottom, top = slab.positions[:, 2].min(), slab.positions[:, 2].max()
    z = slab.positions[[a.index for a in slab if a.symbol == "Ti"], 2]
    counts = coordination(slab, "Ti", "O", 2.5)  # one per Ti, in order
    inner = (z > bottom + 2.0) & (z < top - 2.0)
    assert inner.sum() >= 8
    assert 5.0 <= counts[inner].mean() <= 6.0
    assert counts[~inner].mean() < counts[inner].mean()
    assert 1.90 <= bond_lengths(slab, "Ti", "O", 2.5).mean() <= 2.02


def test_verify_catches_wrong_structures():
    entry = STRUCTURES["Cu_fcc"]
    atoms = read_structure(entry.path)
    squeezed = atoms.copy()
    squeezed.set_cell(atoms.cell * 0.9, scale_atoms=True)
    assert any("density" in p for p in verify(entry, squeezed))
    missing = atoms[1:]
    assert any("space group" in p for p in verify(entry, missing))
    crowded = atoms.copy()
    crowded.positions[1] = crowded.positions[0] + [0.8, 0, 0]
    assert too_close_pairs(crowded)


def test_heptazine_sheet_has_the_bonding_of_g_c3n4():
    """C three-fold; ring N two-fold; central and bridging N three-fold; no other contacts."""
    from ase.neighborlist import neighbor_list

    sheet = build("heptazine_sheet", {"a": 7.13, "bridge": 1.46})
    first, distances = neighbor_list("id", sheet, 1.6)
    bonds = np.bincount(first, minlength=len(sheet))
    symbols = np.array(sheet.get_chemical_symbols())
    assert sheet.get_chemical_formula() == "C6N8" and spacegroup_number(sheet) == 187
    assert set(bonds[symbols == "C"]) == {3}
    assert sorted(bonds[symbols == "N"]) == [2] * 6 + [3, 3]
    assert np.allclose(sorted(set(np.round(distances, 3))), [1.328, 1.46])


def test_agzn3_model_is_the_d019_ordering_of_hcp():
    """The ordered stand-in for random epsilon-AgZn3: D0_19, where every Ag has 12
    nearest neighbours, all Zn (no Ag-Ag contact), and every close-packed (0001)
    layer is AgZn3, so the basal surface is non-polar."""
    from ase.neighborlist import neighbor_list

    atoms = read_structure(STRUCTURES["AgZn3_D019"].path)
    first, second = neighbor_list("ij", atoms, 3.0)
    for ag in (a.index for a in atoms if a.symbol == "Ag"):
        neighbours = atoms.symbols[second[first == ag]]
        assert len(neighbours) == 12 and set(neighbours) == {"Zn"}
    for z in np.unique(np.round(atoms.get_scaled_positions()[:, 2], 3)):
        layer = atoms.symbols[np.isclose(atoms.get_scaled_positions()[:, 2], z, atol=1e-3)]
        assert list(layer).count("Zn") == 3 * list(layer).count("Ag")


def test_a_candidate_min_lateral_is_a_floor_and_must_be_a_length(bundled_catalog, tmp_path):
    """In(101) converged at 4x4 (converge at mlip): its slab is at least 10.2 A wide
    whatever smaller default is set, and a larger setting still wins."""
    from screening.library.catalog import CatalogError, _candidate
    from screening.library.surfaces import slab_spec

    indium = bundled_catalog.get("In(101)")
    assert slab_spec(Settings(slab_min_lateral=7.5), indium).min_lateral == 10.2
    assert slab_spec(Settings(slab_min_lateral=12.0), indium).min_lateral == 12.0
    raw = {"name": "x", "formula": "In", "structure": indium.structure.key, "miller": [1, 0, 1]}
    for bad in (-1.0, "wide", True):
        with pytest.raises(CatalogError, match="min_lateral must be a positive length"):
            _candidate({**raw, "min_lateral": bad}, STRUCTURES, "user", tmp_path / "c.toml")
