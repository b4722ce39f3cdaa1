"""A Morse pair potential on covalent radii: the ``pair`` test engine.

Every element, no parameters to fit, milliseconds per call: it exists so
that the pipeline's logic (scheduling, the store, failures, resume,
verification, ranking) can be tested and tried in seconds. It knows no
chemistry beyond bond lengths, so its numbers are not physics.

For atoms i, j at distance r (A), with r0 = R_i + R_j the sum of ASE's
covalent radii::

    E = sum_{i<j} D [exp(-2 a (r - r0)) - 2 exp(-a (r - r0))] fc(r)

``D`` (eV) and ``a`` (1/A) are the level's ``pair_depth`` and
``pair_alpha``; fc switches the pair off smoothly (cosine) between
``1.25 r0`` and ``1.5 r0``, so only first neighbours interact and a
molecule's atoms ignore those of its neighbours (water's H-H and O-O
contacts, for instance, lie beyond the cutoff).
"""

from __future__ import annotations

import itertools

import numpy as np
from ase import Atoms
from ase.calculators.calculator import Calculator, all_changes
from ase.data import covalent_radii
from ase.geometry import wrap_positions
from scipy.spatial import cKDTree

#: The switching function starts and ends at these multiples of r0.
SWITCH_ON, CUTOFF = 1.25, 1.5


def pairs(atoms: Atoms, cutoffs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                      np.ndarray]:
    """Every ordered pair (i, j, periodic image) closer than ``cutoffs[i] + cutoffs[j]``.

    Returns i, j, the distance and the vector from i to j's image (A). A
    k-d tree over the periodic images that can reach the cell: about ten
    times faster than ASE's neighbour list on the library's slabs.
    """
    cell = atoms.cell.array
    positions = wrap_positions(atoms.positions, cell, atoms.pbc)
    reach = 2 * float(cutoffs.max())
    ranges = []
    for axis in range(3):
        if atoms.pbc[axis]:
            others = np.cross(cell[(axis + 1) % 3], cell[(axis + 2) % 3])
            height = abs(float(np.dot(cell[axis], others))) / np.linalg.norm(others)
            n = int(np.ceil(reach / height))
            ranges.append(range(-n, n + 1))
        else:
            ranges.append(range(1))
    shifts = np.array(list(itertools.product(*ranges)), float) @ cell
    images = (positions[None, :, :] + shifts[:, None, :]).reshape(-1, 3)
    found = cKDTree(positions).sparse_distance_matrix(cKDTree(images), reach,
                                                      output_type="coo_matrix")
    i, image, d = found.row, found.col, found.data
    j = image % len(atoms)
    keep = (d > 0) & (d < cutoffs[i] + cutoffs[j])
    i, image, j, d = i[keep], image[keep], j[keep], d[keep]
    return i, j, d, images[image] - positions[i]


class PairPotential(Calculator):
    """Energy and forces of the Morse pair potential of the module doc."""

    implemented_properties = ("energy", "forces")

    def __init__(self, depth: float = 1.0, alpha: float = 2.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.depth = depth
        self.alpha = alpha

    def check_state(self, atoms: Atoms, tol: float = 1e-15) -> list[str]:
        """What changed since the last calculation, by exact comparison (ASE's
        tolerant comparison costs more than this potential's energy)."""
        old = self.atoms
        if old is None or len(old) != len(atoms):
            return list(all_changes)
        same = (np.array_equal(old.positions, atoms.positions)
                and np.array_equal(old.numbers, atoms.numbers)
                and np.array_equal(old.cell.array, atoms.cell.array)
                and np.array_equal(old.pbc, atoms.pbc))
        return [] if same else ["positions", "numbers", "cell", "pbc"]

    def calculate(self, atoms: Atoms | None = None, properties=("energy",),
                  system_changes=all_changes) -> None:
        super().calculate(atoms, properties, system_changes)
        atoms = self.atoms
        radii = covalent_radii[atoms.numbers]
        # full list: each pair twice (i->j and j->i); vector points from i to j
        i, j, d, vector = pairs(atoms, CUTOFF * radii)
        r0 = radii[i] + radii[j]
        on, off = SWITCH_ON * r0, CUTOFF * r0
        x = np.exp(-self.alpha * (d - r0))
        morse = self.depth * (x * x - 2 * x)
        dmorse = self.depth * 2 * self.alpha * (x - x * x)
        phase = np.clip((d - on) / (off - on), 0.0, 1.0)
        switch = 0.5 * (1 + np.cos(np.pi * phase))
        dswitch = np.where((d > on) & (d < off),
                           -0.5 * np.pi / (off - on) * np.sin(np.pi * phase), 0.0)
        energy = 0.5 * float(np.sum(morse * switch))
        slope = dmorse * switch + morse * dswitch  # dE_pair/dr
        pull = (slope / d)[:, None] * vector  # force on i from j
        forces = np.zeros((len(atoms), 3))
        np.add.at(forces, i, pull)
        self.results = {"energy": energy, "free_energy": energy, "forces": forces}
