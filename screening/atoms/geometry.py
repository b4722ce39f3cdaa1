"""Small geometric helpers on ase.Atoms (lengths in Angstrom)."""

from __future__ import annotations

import itertools

import numpy as np


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
