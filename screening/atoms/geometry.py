"""Small geometric helpers on ase.Atoms (lengths in Angstrom)."""

from __future__ import annotations

import itertools

import numpy as np
from ase.data import covalent_radii
from ase.neighborlist import neighbor_list
from ase.units import _amu

#: Atoms closer than this fraction of the sum of their covalent radii are unphysical.
CONTACT_FRACTION = 0.6


def density(atoms) -> float:
    """Mass density of a periodic cell in g/cm^3."""
    return float(atoms.get_masses().sum() * _amu * 1e3 / (atoms.get_volume() * 1e-24))


def too_close_pairs(atoms) -> list[tuple[str, str, float]]:
    """Pairs closer than CONTACT_FRACTION x (sum of covalent radii): symbols and distance (A)."""
    radii = covalent_radii[atoms.numbers] * CONTACT_FRACTION
    i, j, d = neighbor_list("ijd", atoms, list(radii), self_interaction=False)
    s = atoms.get_chemical_symbols()
    return [(s[a], s[b], float(x)) for a, b, x in zip(i, j, d) if a < b]


def atomic_layers(z: np.ndarray, tolerance: float) -> list[np.ndarray]:
    """Indices of atoms grouped into layers, bottom first.

    Atoms whose heights ``z`` differ by less than ``tolerance`` from the
    next lower atom belong to the same layer.
    """
    order = np.argsort(z)
    breaks = np.where(np.diff(z[order]) > tolerance)[0] + 1
    return [np.sort(group) for group in np.split(order, breaks)]


def shortest_lattice_vector(vectors: np.ndarray) -> float:
    """Length of the shortest non-zero combination of two in-plane vectors."""
    best = np.inf
    for i, j in itertools.product(range(-3, 4), repeat=2):
        if i or j:
            best = min(best, float(np.linalg.norm(i * vectors[0] + j * vectors[1])))
    return best


def gauss_reduce(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lagrange-Gauss reduction of a 2D lattice basis: shortest, most orthogonal pair."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if np.linalg.norm(a) > np.linalg.norm(b):
        a, b = b, a
    while True:
        mu = round(float(np.dot(a, b) / np.dot(a, a)))
        b = b - mu * a
        if np.linalg.norm(b) >= np.linalg.norm(a):
            return a, b
        a, b = b, a


def axis_gap(atoms, axis: int) -> float:
    """Largest empty stretch (A) of a periodic cell along cell vector ``axis``.

    Measured along the normal to the plane of the two other cell vectors, so
    it is the vacuum thickness between the system and its periodic image.
    """
    others = [i for i in range(3) if i != axis]
    normal = np.cross(atoms.cell[others[0]], atoms.cell[others[1]])
    normal /= np.linalg.norm(normal)
    height = abs(float(np.dot(atoms.cell[axis], normal)))
    frac = np.sort(atoms.get_scaled_positions(wrap=True)[:, axis])
    gaps = np.diff(np.append(frac, frac[0] + 1.0))
    return float(gaps.max() * height)


def periodic_axes(atoms, min_gap: float) -> tuple[bool, bool, bool]:
    """Which cell axes are physically periodic: no vacuum gap of ``min_gap`` A or more."""
    return tuple(bool(axis_gap(atoms, i) < min_gap) for i in range(3))


def in_plane_translations(atoms) -> np.ndarray:
    """The 3x3 in-plane lattice translations around the home cell (9 x 2, A)."""
    a, b = atoms.cell[0, :2], atoms.cell[1, :2]
    return np.array([i * a + j * b for i in (-1, 0, 1) for j in (-1, 0, 1)])


def lateral_distances(atoms, points: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """In-plane minimum-image distances (A) from each of ``points`` (n x 2) to ``xy``.

    Valid for in-plane offsets within one cell (the slab cells here).
    """
    shifted = np.asarray(points)[:, None, :2] + in_plane_translations(atoms)[None]
    return np.linalg.norm(shifted - np.asarray(xy)[:2], axis=2).min(axis=1)
