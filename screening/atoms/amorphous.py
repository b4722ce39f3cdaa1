"""Amorphous structures: a random start at a set density, and what characterises the result.

Pure functions (no calculator): :func:`random_packing` places the atoms of a
formula at random in a cubic box of the requested mass density, no pair
closer than a fraction of its covalent bond length; the melt-quench that
turns it into a glass is :mod:`screening.recipes.amorphous`.
:func:`coordination`, :func:`bond_lengths` and :func:`pair_rdf` measure
the result, :func:`slab_from_box` opens a periodic box into a slab, and
:func:`largest_gap` finds a slab that came apart along its normal.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.data import atomic_masses, atomic_numbers, covalent_radii
from ase.neighborlist import neighbor_list
from ase.units import _amu
from pymatgen.core import Composition

from screening.errors import ScreeningError

#: No two atoms of a random packing closer than this fraction of their bond length.
PACKING_FRACTION = 0.75
#: Random trials per atom before a packing is declared impossible.
PACKING_TRIALS = 2000


def box_length(symbols: list[str], density: float) -> float:
    """Edge (A) of the cube that holds ``symbols`` at ``density`` (g/cm^3)."""
    mass = sum(atomic_masses[atomic_numbers[s]] for s in symbols) * _amu * 1e3  # g
    return float((mass / density * 1e24) ** (1 / 3))


def random_packing(formula: str, units: int, density: float, seed: int) -> Atoms:
    """``units`` formula units of ``formula`` at random in a cube of ``density`` (g/cm^3).

    Atoms are placed one after the other, each at least
    ``PACKING_FRACTION`` x (sum of covalent radii) from every other (periodic
    images included). A density at which that cannot be done is refused.
    """
    if not density > 0:
        raise ScreeningError(f"density {density} g/cm3: must be positive")
    try:
        amounts = Composition(formula).get_el_amt_dict()
    except Exception:
        amounts = {}
    unknown = sorted(str(s) for s in amounts if str(s) not in atomic_numbers)
    if not amounts or unknown:
        raise ScreeningError(f"{formula!r}: not a chemical formula"
                             + (f" ({', '.join(unknown)} is no element)" if unknown else ""))
    if any(n != int(n) for n in amounts.values()) or units < 1:
        raise ScreeningError(f"{formula!r} x {units}: needs whole numbers of atoms")
    symbols = [s for s, n in amounts.items() for _ in range(int(n) * units)]
    length = box_length(symbols, density)
    rng = np.random.default_rng(seed)
    rng.shuffle(symbols)
    radii = covalent_radii[[atomic_numbers[s] for s in symbols]]
    placed = np.empty((0, 3))
    for i in range(len(symbols)):
        for _ in range(PACKING_TRIALS):
            trial = rng.random(3) * length
            delta = placed - trial
            delta -= length * np.round(delta / length)  # nearest image in the cube
            if np.all(np.linalg.norm(delta, axis=1)
                      >= PACKING_FRACTION * (radii[:i] + radii[i])):
                placed = np.vstack([placed, trial])
                break
        else:
            raise ScreeningError(
                f"density {density} g/cm3: no room for {formula} x {units} without atoms "
                f"closer than {PACKING_FRACTION} x their bond length (placed {i} of "
                f"{len(symbols)}); use a lower density")
    return Atoms(symbols, positions=placed, cell=[length] * 3, pbc=True)


def _pairs(atoms: Atoms, centre: str, neighbour: str, cutoff: float):
    i, j, d = neighbor_list("ijd", atoms, cutoff)
    symbols = np.array(atoms.get_chemical_symbols())
    keep = (symbols[i] == centre) & (symbols[j] == neighbour)
    return i[keep], d[keep], symbols


def coordination(atoms: Atoms, centre: str, neighbour: str, cutoff: float) -> np.ndarray:
    """Number of ``neighbour`` atoms within ``cutoff`` (A) of each ``centre`` atom."""
    i, _, symbols = _pairs(atoms, centre, neighbour, cutoff)
    counts = np.bincount(i, minlength=len(atoms))
    return counts[symbols == centre]


def bond_lengths(atoms: Atoms, centre: str, neighbour: str, cutoff: float) -> np.ndarray:
    """Every ``centre``-``neighbour`` distance below ``cutoff`` (A)."""
    return _pairs(atoms, centre, neighbour, cutoff)[1]


def pair_rdf(atoms: Atoms, centre: str, neighbour: str, rmax: float,
             bins: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Partial radial distribution function g(r) of ``neighbour`` around ``centre``.

    Normalised by the neighbour's number density in the cell, so g -> 1 at
    large r in a homogeneous bulk. Returns bin centres (A) and g.
    """
    i, d, symbols = _pairs(atoms, centre, neighbour, rmax)
    edges = np.linspace(0.0, rmax, bins + 1)
    counts, _ = np.histogram(d, edges)
    n_centre = int(np.sum(symbols == centre))
    rho = np.sum(symbols == neighbour) / atoms.get_volume()
    shells = 4 / 3 * np.pi * (edges[1:] ** 3 - edges[:-1] ** 3)
    return (edges[1:] + edges[:-1]) / 2, counts / max(n_centre, 1) / (rho * shells)


def slab_from_box(box: Atoms, vacuum: float) -> Atoms:
    """The periodic box opened along z into a slab with ``vacuum`` (A) above it.

    The box's atoms are wrapped into the cell and shifted so that the
    largest empty z-interval of the box becomes the cut (the surfaces form
    where the box had the least matter).
    """
    atoms = box.copy()
    atoms.wrap()
    z = np.sort(atoms.positions[:, 2])
    length = atoms.cell[2, 2]
    gaps = np.diff(np.append(z, z[0] + length))
    cut = z[int(np.argmax(gaps))] + gaps.max() / 2
    atoms.positions[:, 2] = (atoms.positions[:, 2] - cut) % length
    atoms.cell[2] = [0.0, 0.0, np.ptp(atoms.positions[:, 2]) + vacuum]
    atoms.positions[:, 2] += vacuum / 2 - atoms.positions[:, 2].min()
    atoms.pbc = True
    return atoms


def largest_gap(slab: Atoms) -> float:
    """Largest empty interval (A) between atoms along z inside the slab."""
    z = np.sort(slab.positions[:, 2])
    return float(np.diff(z).max()) if len(z) > 1 else 0.0
