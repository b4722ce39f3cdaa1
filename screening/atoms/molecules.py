"""Molecules, atoms and hydrated-Zn clusters in a box (pure builders).

Conventions: Zn is atom 0 of every cluster; each water is an (O, H, H)
triple after it. Every system is centred in an orthorhombic box with at
least ``vacuum`` A between any atom and the box faces, periodic in all
directions (the calculators treat large gaps as vacuum).
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.build import molecule
from ase.constraints import Hookean

#: Zn-O distance of the octahedral hexa-aqua complex (A), 2.08-2.10 measured.
ZN_O = 2.09
#: Zn-O length (A) beyond which a shell restraint pulls a water back
#: (flat bottom: no force and no energy inside it).
SHELL_RT = 2.4
#: O-H bond (A) and H-O-H angle (degrees) of the starting waters.
O_H = 0.97
HOH_ANGLE = 104.5


def boxed(atoms: Atoms, vacuum: float) -> Atoms:
    """``atoms`` centred in a box with ``vacuum`` A on each side, pbc on."""
    atoms = atoms.copy()
    atoms.center(vacuum=vacuum)
    atoms.pbc = True
    return atoms


def isolated_atom(symbol: str, vacuum: float) -> Atoms:
    """One atom in a slightly non-cubic box (avoids spurious degeneracies)."""
    atoms = Atoms(symbol, positions=[[0.0, 0.0, 0.0]])
    atoms.cell = [2 * vacuum, 2 * vacuum + 0.2, 2 * vacuum + 0.4]
    atoms.center()
    atoms.pbc = True
    return atoms


def water(vacuum: float) -> Atoms:
    return boxed(molecule("H2O"), vacuum)


def hydrogen(vacuum: float) -> Atoms:
    return boxed(molecule("H2"), vacuum)


def hexaaqua_zinc(vacuum: float) -> Atoms:
    """Octahedral [Zn(H2O)6] (no charge is carried by ASE atoms).

    Each water's O points at Zn along +-x, +-y, +-z; its H atoms lie in the
    plane of that axis and the next one (x->y, y->z, z->x), giving a
    T_h-like arrangement.
    """
    half = np.radians(HOH_ANGLE / 2)
    symbols, positions = ["Zn"], [np.zeros(3)]
    for axis in range(3):
        for sign in (1.0, -1.0):
            out = np.zeros(3)
            out[axis] = sign
            side = np.zeros(3)
            side[(axis + 1) % 3] = 1.0
            oxygen = ZN_O * out
            symbols += ["O", "H", "H"]
            positions += [oxygen,
                          oxygen + O_H * (np.cos(half) * out + np.sin(half) * side),
                          oxygen + O_H * (np.cos(half) * out - np.sin(half) * side)]
    return boxed(Atoms(symbols, positions=positions), vacuum)


def water_count(cluster: Atoms) -> int:
    """Number of (O, H, H) triples after the Zn atom."""
    return (len(cluster) - 1) // 3


def shell_oxygens(atoms: Atoms, start: int = 0) -> list[int]:
    """Indices of the waters' O atoms of the cluster whose Zn is atom ``start``."""
    return list(range(start + 1, len(atoms) - 2, 3))


def loosest_water(cluster: Atoms) -> int:
    """Index (0-based, in order) of the water whose O is farthest from Zn.

    The removal rule for the free-cluster series: the most weakly held
    water (longest Zn-O bond) leaves first; ties go to the lower index.
    """
    distances = [cluster.get_distance(0, 1 + 3 * i, mic=True)
                 for i in range(water_count(cluster))]
    return int(np.argmax(np.round(distances, 3)))


def drop_water(atoms: Atoms, which: int, offset: int = 0) -> Atoms:
    """``atoms`` without water number ``which`` of the cluster starting at ``offset``.

    Fixed atoms stay fixed (indices shift accordingly); shell restraints are
    dropped (:func:`restrained` puts them back for the smaller cluster).
    """
    start = offset + 1 + 3 * which
    smaller = unrestrained(atoms)
    del smaller[start:start + 3]
    return smaller


def unrestrained(atoms: Atoms) -> Atoms:
    """A copy of ``atoms`` without shell restraints (other constraints kept)."""
    bare = atoms.copy()
    bare.constraints = [c for c in bare.constraints if not isinstance(c, Hookean)]
    return bare


def restrained(atoms: Atoms, k: float, start: int = 0) -> Atoms:
    """A copy of ``atoms`` whose hydrated cluster (Zn at ``start``, waters after it)
    has a flat-bottom spring (``k`` eV/A^2) on every Zn-O pair longer than
    :data:`SHELL_RT`, replacing any it had; ``k = 0`` gives no springs.

    The springs stand in for the ion's Zn-O bonding at levels that know no
    charge: a neutral Zn holds its waters too weakly and the shell falls
    apart. Inside ``SHELL_RT`` they add no force and no energy.
    """
    held = unrestrained(atoms)
    if k > 0:
        held.constraints = list(held.constraints) + [
            Hookean(start, o, k, SHELL_RT) for o in shell_oxygens(atoms, start)]
    return held


def restraint_energy(atoms: Atoms) -> float:
    """Energy (eV) stored in the shell restraints of ``atoms`` (0 if it has none)."""
    return float(sum(c.adjust_potential_energy(atoms) for c in atoms.constraints
                     if isinstance(c, Hookean)))


def without_water(cluster: Atoms, which: int, vacuum: float) -> Atoms:
    """The free cluster with water number ``which`` removed, re-centred in its box."""
    smaller = drop_water(cluster, which)
    smaller.set_constraint()
    return boxed(smaller, vacuum)
