"""Slab models: cut a bulk along (hkl) or take a sheet, ready for calculations.

Conventions (see docs/slabs.md):

* the surface lies in the xy plane, c is along +z and orthogonal to it;
  atoms sit in the middle with ``vacuum`` Angstrom of empty space between a
  slab and its periodic image;
* a *layer* is a set of atoms whose heights differ by less than the layer
  tolerance; a slab cut from a bulk has at least ``layers`` of them and is
  a stoichiometric multiple of the bulk;
* the bottom ``fixed_fraction`` of layers is fixed (FixAtoms) for slabs cut
  from a bulk; free-standing sheets fix nothing;
* the lateral supercell is the smallest diagonal repeat of the reduced
  surface cell whose shortest in-plane lattice vector is at least
  ``min_lateral`` (the distance between an adsorbate and its images).

Termination rule ``auto``: among the distinct stoichiometric terminations,
prefer non-polar, then symmetric (top and bottom equivalent), then the one
cutting the fewest bonds per area (a geometric proxy for the lowest surface
energy), then the first found. ``#k`` takes the k-th of :func:`distinct` in
that same order (``#1`` is ``auto``; ``znscreen terminations`` numbers them
so and gives each its surface energy). ``all`` keeps every termination;
any other value keeps the terminations whose top layer has that reduced
formula.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

import numpy as np
import spglib
from ase import Atoms
from ase.constraints import FixAtoms
from ase.data import covalent_radii
from ase.neighborlist import neighbor_list
from pymatgen.core import Composition, Element, Structure
from pymatgen.core.surface import SlabGenerator
from pymatgen.io.ase import AseAtomsAdaptor

from screening.atoms.geometry import atomic_layers, gauss_reduce, shortest_lattice_vector
from screening.errors import SlabError

#: Covalent radii are scaled by this to decide which atoms are bonded.
BOND_SCALE = 1.2
#: Non-metal pairs closer than this (A) in the bulk form molecular ions
#: (carbonate C-O, hydroxide O-H) that a cut must not break.
MOLECULAR_BOND = 1.6
#: Largest number of bulk unit planes tried while growing a slab.
MAX_UNIT_PLANES = 40
#: Reduced formulas with more atoms than this are not given oxidation states.
MAX_GUESS_ATOMS = 12
NON_METALS = {"H", "B", "C", "N", "O", "F", "Si", "P", "S", "Cl", "Se", "Br", "I"}


@dataclass(frozen=True)
class SlabSpec:
    """How to build a slab model (lengths in Angstrom).

    Made from the settings by ``screening.library.surfaces.slab_spec``.
    """

    layers: int
    vacuum: float
    min_lateral: float
    fixed_fraction: float
    layer_tolerance: float
    max_atoms: int


@dataclass
class SlabModel:
    """A calculation-ready slab and what is known about how it was made."""

    atoms: Atoms
    termination: str
    n_layers: int
    n_fixed: int
    symmetric: bool
    polar: bool | None
    stoichiometric: bool
    supercell: tuple[int, int]
    lateral: float
    vacuum: float
    broken_bonds_per_area: float | None
    flags: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "atoms": len(self.atoms),
            "termination": self.termination,
            "layers": self.n_layers,
            "fixed": self.n_fixed,
            "supercell": f"{self.supercell[0]}x{self.supercell[1]}",
            "lateral_A": round(self.lateral, 2),
            "vacuum_A": round(self.vacuum, 2),
            "symmetric": self.symmetric,
            "polar": self.polar,
            "stoichiometric": self.stoichiometric,
            "flags": ";".join(self.flags),
        }


# ---------------------------------------------------------------- orientation


def standardize(atoms: Atoms, vacuum: float) -> Atoms:
    """Rotate a slab so a is along x and b in xy, c = +z with ``vacuum``, centred.

    Atoms split across the periodic boundary along c are joined first, using
    the largest empty stretch along c as the vacuum.
    """
    atoms = atoms.copy()
    atoms.constraints = [c for c in atoms.constraints if isinstance(c, FixAtoms)]
    frac = atoms.get_scaled_positions(wrap=True)
    z = np.sort(frac[:, 2])
    gaps = np.diff(np.append(z, z[0] + 1.0))
    k = int(np.argmax(gaps))
    bottom = z[(k + 1) % len(z)]
    frac[:, 2] = (frac[:, 2] - bottom) % 1.0
    frac[frac[:, 2] > 1 - 1e-9, 2] = 0.0
    cart = frac @ atoms.cell.array
    a, b = atoms.cell[0], atoms.cell[1]
    ex = a / np.linalg.norm(a)
    ez = np.cross(a, b)
    ez /= np.linalg.norm(ez)
    ey = np.cross(ez, ex)
    rot = np.array([ex, ey, ez])
    cart = cart @ rot.T
    cart[:, 2] -= cart[:, 2].min()
    new = atoms.copy()
    new.set_cell([rot @ a, rot @ b, [0, 0, 1.0]])
    new.positions = cart
    new.pbc = True
    return set_vacuum(new, vacuum)


def set_vacuum(atoms: Atoms, vacuum: float) -> Atoms:
    """Orthogonal c of thickness + ``vacuum``; slab centred along z (in place)."""
    z = atoms.positions[:, 2]
    thickness = float(z.max() - z.min())
    cell = atoms.cell.array.copy()
    cell[2] = [0.0, 0.0, thickness + vacuum]
    atoms.set_cell(cell)
    atoms.positions[:, 2] += vacuum / 2 - z.min()
    return atoms


def reduce_in_plane(atoms: Atoms) -> Atoms:
    """Replace the in-plane cell by its Gauss-reduced, right-handed equivalent."""
    a, b = gauss_reduce(atoms.cell[0], atoms.cell[1])
    if np.cross(a, b)[2] < 0:
        b = -b
    atoms.set_cell([a, b, atoms.cell[2]], scale_atoms=False)
    atoms.wrap()
    return atoms


# ---------------------------------------------------------------- analysis


def _cutoffs(atoms: Atoms) -> list[float]:
    return [covalent_radii[n] * BOND_SCALE for n in atoms.numbers]


def coordination(atoms: Atoms) -> np.ndarray:
    """Number of bonded neighbours of each atom (scaled covalent radii)."""
    i = neighbor_list("i", atoms, _cutoffs(atoms), self_interaction=False)
    return np.bincount(i, minlength=len(atoms))


def is_symmetric(atoms: Atoms, symprec: float = 0.05) -> bool:
    """True if a symmetry operation maps the slab's top onto its bottom (z -> -z)."""
    data = spglib.get_symmetry((atoms.cell.array, atoms.get_scaled_positions(),
                                atoms.numbers), symprec=symprec)
    if data is None:
        return False
    return any(r[2, 2] == -1 for r in data["rotations"])


@lru_cache(maxsize=256)
def _oxidation_guesses(reduced_formula: str) -> tuple[dict, ...]:
    composition = Composition(reduced_formula)
    if composition.num_atoms > MAX_GUESS_ATOMS:
        return ()
    return tuple(composition.oxi_state_guesses())


def formal_dipole(atoms: Atoms) -> float | None:
    """|sum q_i z_i| per area (e/A) with the composition's likeliest formal charges.

    None where no charge-balanced oxidation states can be guessed (or the
    reduced formula is too large to guess them quickly).
    """
    symbols = atoms.get_chemical_symbols()
    if all(Element(s).is_metal for s in set(symbols)):
        return 0.0
    guesses = _oxidation_guesses(Composition(atoms.get_chemical_formula()).reduced_formula)
    if not guesses:
        return None
    charges = np.array([guesses[0][s] for s in symbols])
    z = atoms.positions[:, 2] - atoms.positions[:, 2].mean()
    area = np.linalg.norm(np.cross(atoms.cell[0], atoms.cell[1]))
    return float(abs(charges @ z) / area)


def layer_formula(atoms: Atoms, tolerance: float, which: int = -1) -> str:
    """Reduced formula of one atomic layer; the topmost (-1) is the termination label."""
    layer = atomic_layers(atoms.positions[:, 2], tolerance)[which]
    return Composition(atoms[layer].get_chemical_formula()).reduced_formula


# ---------------------------------------------------------------- cutting


def molecular_pairs(bulk: Atoms) -> set[frozenset[str]]:
    """Element pairs bonded inside molecular ions of the bulk (e.g. carbonate C-O)."""
    i, j = neighbor_list("ij", bulk, MOLECULAR_BOND)
    symbols = bulk.get_chemical_symbols()
    return {frozenset((symbols[a], symbols[b])) for a, b in zip(i, j)
            if symbols[a] in NON_METALS and symbols[b] in NON_METALS}


def _molecular_count(atoms: Atoms, pairs: set[frozenset[str]]) -> int:
    if not pairs:
        return 0
    i, j = neighbor_list("ij", atoms, MOLECULAR_BOND)
    symbols = atoms.get_chemical_symbols()
    return sum(frozenset((symbols[a], symbols[b])) in pairs for a, b in zip(i, j))


@dataclass
class Cut:
    """One stoichiometric 1x1 slab cut from a bulk, with its descriptors."""

    atoms: Atoms
    termination: str
    n_layers: int
    symmetric: bool
    polar: bool | None
    broken: float


def mean_coordination(bulk: Atoms) -> dict[str, float]:
    """Average number of bonded neighbours of each element in the bulk."""
    bulk_cn = coordination(bulk)
    symbols = np.array(bulk.get_chemical_symbols())
    return {s: float(bulk_cn[symbols == s].mean()) for s in set(symbols)}


def _broken_bonds_per_area(slab: Atoms, mean_cn: dict[str, float]) -> float:
    """Bonds cut to make the slab's two surfaces, per surface area (1/A^2).

    ``mean_cn`` is the bulk's :func:`mean_coordination`.
    """
    expected = sum(mean_cn[s] for s in slab.get_chemical_symbols())
    area = np.linalg.norm(np.cross(slab.cell[0], slab.cell[1]))
    return float((expected - coordination(slab).sum()) / (2 * area))


def primitive_with_miller(bulk: Atoms, miller: tuple[int, int, int]
                          ) -> tuple[Structure, tuple[int, int, int]]:
    """The primitive cell of ``bulk`` and the same plane's Miller index in it.

    Reciprocal-lattice indices transform with the direct basis: if the
    primitive vectors are P = M C (rows, C the given cell), h_P = M h_C.
    """
    structure = AseAtomsAdaptor.get_structure(bulk)
    primitive = structure.get_primitive_structure(tolerance=0.01)
    m = primitive.lattice.matrix @ np.linalg.inv(structure.lattice.matrix)
    h = [Fraction(x).limit_denominator(12) for x in m @ np.asarray(miller, float)]
    scale = math.lcm(*(x.denominator for x in h))
    h_int = [int(x * scale) for x in h]
    h_int = [x // math.gcd(*h_int) for x in h_int]
    return primitive, (h_int[0], h_int[1], h_int[2])


def _thick_slab(bulk: Atoms, miller: tuple[int, int, int], n_cells: int, vacuum: float) -> Atoms:
    """``n_cells`` oriented unit cells of ``bulk``'s primitive cell along (hkl)."""
    primitive, h = primitive_with_miller(bulk, miller)
    generator = SlabGenerator(primitive, h, min_slab_size=n_cells, min_vacuum_size=vacuum,
                              in_unit_planes=True, center_slab=True, primitive=False,
                              lll_reduce=True, reorient_lattice=True)
    return standardize(AseAtomsAdaptor.get_atoms(generator.get_slab(shift=0.0)), vacuum)


def _windows(slab: Atoms, bulk: Atoms, period: int, spec: SlabSpec) -> list[Atoms]:
    """Stoichiometric runs of spec.layers to spec.layers + 2 periods of whole layers.

    Each run starts within the first two periods, is a multiple of the bulk
    formula and breaks no molecular ion.
    """
    reference = Composition(bulk.get_chemical_formula()).reduced_composition
    pairs = molecular_pairs(bulk)
    per_atom = _molecular_count(bulk, pairs) / len(bulk)
    layers = atomic_layers(slab.positions[:, 2], spec.layer_tolerance)
    found = []
    # the period is estimated from a one-cell slab, whose cut may split a
    # layer group, so starts and lengths range over two periods
    for start in range(min(2 * period + 1, len(layers) - spec.layers + 1)):
        stop = min(start + spec.layers + 2 * period, len(layers))
        for end in range(start + spec.layers, stop + 1):
            piece = slab[np.concatenate(layers[start:end])]
            if Composition(piece.get_chemical_formula()).reduced_composition != reference:
                continue
            if pairs and _molecular_count(piece, pairs) != round(per_atom * len(piece)):
                continue
            found.append(set_vacuum(piece, spec.vacuum))
    return found


def _describe(atoms: Atoms, mean_cn: dict[str, float], spec: SlabSpec) -> Cut:
    symmetric = is_symmetric(atoms)
    dipole = 0.0 if symmetric else formal_dipole(atoms)
    return Cut(atoms=atoms, termination=layer_formula(atoms, spec.layer_tolerance),
               n_layers=len(atomic_layers(atoms.positions[:, 2], spec.layer_tolerance)),
               symmetric=symmetric, polar=None if dipole is None else dipole > 1e-3,
               broken=_broken_bonds_per_area(atoms, mean_cn))


def terminations(bulk: Atoms, miller: tuple[int, int, int], spec: SlabSpec) -> list[Cut]:
    """Every distinct stoichiometric 1x1 slab of >= spec.layers layers along (hkl)."""
    one = _thick_slab(bulk, miller, 1, spec.vacuum)
    period = len(atomic_layers(one.positions[:, 2], spec.layer_tolerance))
    n_cells = 5 + int(math.ceil(spec.layers / period))
    if len(one) * n_cells > 4 * spec.max_atoms:
        raise SlabError(f"a {spec.layers}-layer slab along {miller} needs more than"
                        f" {spec.max_atoms} atoms (setting max_slab_atoms)")
    thick = _thick_slab(bulk, miller, n_cells, spec.vacuum)
    cuts: dict[tuple, Cut] = {}
    mean_cn = mean_coordination(bulk)
    for piece in _windows(thick, bulk, period, spec):
        cut = _describe(piece, mean_cn, spec)
        bottom = layer_formula(piece, spec.layer_tolerance, 0)
        key = (cut.termination, bottom, len(piece), cut.symmetric, round(cut.broken, 3))
        cuts.setdefault(key, cut)
    if not cuts:
        raise SlabError(f"no stoichiometric slab of {spec.layers} layers along {miller}")
    return list(cuts.values())


def _preference(cut: Cut) -> tuple:
    """The ``auto`` order: non-polar, symmetric, fewest broken bonds, thinnest."""
    return bool(cut.polar), not cut.symmetric, round(cut.broken, 3), len(cut.atoms)


def distinct(cuts: list[Cut]) -> list[Cut]:
    """One cut per distinct termination (the thinnest), in the ``auto`` order.

    Cuts that differ only in thickness are one termination; the top layer's
    formula, symmetry, polarity and broken-bond density tell them apart.
    """
    seen: dict[tuple, Cut] = {}
    for cut in sorted(cuts, key=_preference):
        seen.setdefault((cut.termination, cut.symmetric, cut.polar, round(cut.broken, 3)), cut)
    return list(seen.values())


def choose(cuts: list[Cut], rule: str) -> list[Cut]:
    """Apply a termination rule (see module doc) to the enumerated cuts."""
    if rule == "all":
        return cuts
    if rule.startswith("#"):
        options = distinct(cuts)
        index = int(rule[1:]) if rule[1:].isdigit() else 0
        if not 1 <= index <= len(options):
            raise SlabError(f"termination {rule!r}: give #1..#{len(options)} "
                            f"(this surface has {len(options)} distinct terminations)")
        return [options[index - 1]]
    if rule != "auto":
        wanted = Composition(rule).reduced_formula
        chosen = [c for c in cuts if c.termination == wanted]
        if not chosen:
            found = ", ".join(sorted({c.termination for c in cuts}))
            raise SlabError(f"no termination {rule!r} (found: {found})")
        return sorted(chosen, key=_preference)[:1]
    return sorted(cuts, key=_preference)[:1]


def cut_bulk(bulk: Atoms, miller: tuple[int, int, int], spec: SlabSpec,
             termination: str = "auto") -> list[Cut]:
    """The 1x1 slab(s) of ``bulk`` along (hkl) that the termination rule selects."""
    return choose(terminations(bulk, miller, spec), termination)


# ---------------------------------------------------------------- finishing


def lateral_repeat(cell2d: np.ndarray, min_lateral: float) -> tuple[int, int]:
    """Smallest (n1, n2), by area, whose supercell's shortest vector >= min_lateral."""
    la, lb = (float(np.linalg.norm(v)) for v in cell2d)
    best: tuple[int, int] | None = None
    limit = int(math.ceil(min_lateral / min(la, lb))) + 2
    # n1*a and n2*b are supercell vectors, so each must reach min_lateral itself
    first = [max(1, int(math.ceil((min_lateral - 1e-6) / length))) for length in (la, lb)]
    for n1 in range(first[0], limit + 1):
        for n2 in range(first[1], limit + 1):
            if shortest_lattice_vector(np.array([n1 * cell2d[0], n2 * cell2d[1]])) >= min_lateral - 1e-6:
                if best is None or n1 * n2 < best[0] * best[1]:
                    best = (n1, n2)
    assert best is not None
    return best


def substitute_top(atoms: Atoms, dopant: str, tolerance: float) -> None:
    """Replace the top-layer atom nearest the centre of the cell by ``dopant``."""
    top = atomic_layers(atoms.positions[:, 2], tolerance)[-1]
    centre = 0.5 * (atoms.cell[0] + atoms.cell[1])
    distances = np.linalg.norm(atoms.positions[top, :2] - centre[:2], axis=1)
    atoms[int(top[np.argmin(distances)])].symbol = dopant


def finish(atoms: Atoms, spec: SlabSpec, fix: bool, dopant: str | None = None,
           keep_constraints: bool = False) -> tuple[Atoms, tuple[int, int], int, list[str]]:
    """Reduce, repeat laterally, set vacuum, substitute, fix bottom layers.

    Returns the slab, the repeat, the number of fixed atoms and flags.
    """
    atoms = reduce_in_plane(atoms)
    repeat = lateral_repeat(atoms.cell.array[:2, :2], spec.min_lateral)
    n_needed = len(atoms) * repeat[0] * repeat[1]
    if n_needed > spec.max_atoms:
        raise SlabError(
            f"a {repeat[0]}x{repeat[1]} supercell for {spec.min_lateral:g} A lateral size has"
            f" {n_needed} atoms, more than the limit of {spec.max_atoms} (setting max_slab_atoms)"
        )
    atoms = atoms.repeat((*repeat, 1))
    set_vacuum(atoms, spec.vacuum)
    flags = []
    if dopant:
        substitute_top(atoms, dopant, spec.layer_tolerance)
    if keep_constraints and atoms.constraints:
        fixed = atoms.constraints[0].get_indices()
    elif fix:
        layers = atomic_layers(atoms.positions[:, 2], spec.layer_tolerance)
        n_fix = int(math.floor(len(layers) * spec.fixed_fraction))
        fixed = np.concatenate(layers[:n_fix]) if n_fix else np.array([], int)
    else:
        fixed = np.array([], int)
    atoms.set_constraint(FixAtoms(indices=np.sort(fixed)) if len(fixed) else [])
    if not is_symmetric(atoms):
        flags.append("asymmetric:dipole-correction")
    return atoms, repeat, len(fixed), flags
