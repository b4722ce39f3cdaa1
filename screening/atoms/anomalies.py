"""Did the adsorbate stay an adsorbate? Geometry checks on relaxed structures.

Each check compares a relaxed ``slab + adsorbate`` (adsorbate atoms after
the first ``n_slab``) with the relaxed clean slab and returns flag words
(empty when all is well). Thresholds (A) are module constants:

* ``sank``: the adatom ended less than ``SINK_FRACTION`` x its covalent
  radius above the highest slab atom around it (in-plane closer than
  ``LOCAL`` x the sum of the two covalent radii), i.e. it went into the
  surface; measured locally so that an H bound to a low-lying O of a
  rumpled oxide surface is not taken for a sunk one;
* ``displaced``: a slab atom moved more than ``DISPLACED`` from where it
  sits in the relaxed clean slab (the adsorbate pushed it out or swapped
  with it);
* ``restructured``: a slab atom farther than ``FAR`` from every adsorbate
  atom moved more than ``RESTRUCTURED``: the slab as a whole relaxed into
  another structure, not just around the adsorbate, so the energy holds a
  change of the slab that grows with the cell (t-ZrO2(101), Sn(100) and
  In(101) at mlip; in every other slab of the convergence runs, atoms that
  far moved less than 0.24 A);
* ``left``: the adsorbate's lowest atom ended more than ``LEFT`` above the
  top layer (it left the surface);
* ``dissociated``: an O-H bond of a water stretched beyond ``O_H_BROKEN``;
* ``fragmented``: a water of the hydrated cluster is farther than
  ``SHELL`` from the cluster's Zn (it left the solvation shell).
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.data import covalent_radii
from ase.geometry import get_distances

from screening.atoms.geometry import lateral_distances
from screening.atoms.molecules import shell_oxygens

SINK_FRACTION = 0.5
LOCAL = 1.2
DISPLACED = 1.0
LEFT = 3.0
O_H_BROKEN = 1.3
SHELL = 3.0
FAR = 6.0
RESTRUCTURED = 0.3
#: Atoms within this of the topmost slab atom form the top layer (A).
TOP_LAYER = 0.3


def top_layer_height(atoms: Atoms, n_slab: int) -> float:
    """Mean z of the slab's top layer (the first ``n_slab`` atoms)."""
    z = atoms.positions[:n_slab, 2]
    return float(z[z > z.max() - TOP_LAYER].mean())


def _displacements(atoms: Atoms, clean: Atoms) -> np.ndarray:
    """Distance (A, minimum image in-plane) of each slab atom from its clean-slab position."""
    delta = atoms.positions[:len(clean)] - clean.positions
    frac = np.linalg.solve(clean.cell.array.T, delta.T).T
    frac[:, :2] -= np.round(frac[:, :2])
    return np.linalg.norm(frac @ clean.cell.array, axis=1)


def _slab_flags(atoms: Atoms, clean: Atoms) -> list[str]:
    """``displaced`` and ``restructured`` (module doc) for the adsorbate after ``clean``."""
    moved = _displacements(atoms, clean)
    if not moved.size:
        return []
    flags = ["displaced"] if moved.max() > DISPLACED else []
    n = len(clean)
    _, distances = get_distances(atoms.positions[:n], atoms.positions[n:], atoms.cell,
                                 atoms.pbc)
    far = distances.min(axis=1) > FAR
    if (moved[far] > RESTRUCTURED).any():
        flags.append("restructured")
    return flags


def local_height(atoms: Atoms, n_slab: int) -> float:
    """Height (A) of the last atom above the highest slab atom around it (module doc)."""
    radius = covalent_radii[atoms.numbers[-1]]
    lateral = lateral_distances(atoms, atoms.positions[:n_slab], atoms.positions[-1])
    near = lateral < LOCAL * (radius + covalent_radii[atoms.numbers[:n_slab]])
    if not near.any():
        return float(atoms.positions[-1, 2] - top_layer_height(atoms, n_slab))
    return float(atoms.positions[-1, 2] - atoms.positions[:n_slab][near, 2].max())


def adatom_flags(atoms: Atoms, clean: Atoms) -> list[str]:
    """Checks for a single adatom (the last atom) on the relaxed clean slab ``clean``."""
    n_slab = len(clean)
    flags = []
    if local_height(atoms, n_slab) < SINK_FRACTION * covalent_radii[atoms.numbers[-1]]:
        flags.append("sank")
    if atoms.positions[-1, 2] - top_layer_height(atoms, n_slab) > LEFT:
        flags.append("left")
    return flags + _slab_flags(atoms, clean)


def _broken_waters(atoms: Atoms, oxygens: list[int]) -> bool:
    return any(atoms.get_distance(o, o + k, mic=True) > O_H_BROKEN
               for o in oxygens for k in (1, 2))


def water_flags(atoms: Atoms, clean: Atoms) -> list[str]:
    """Checks for a water (the last three atoms, O H H) on the relaxed clean slab."""
    n_slab = len(clean)
    flags = []
    if _broken_waters(atoms, [n_slab]):
        flags.append("dissociated")
    if atoms.positions[n_slab:, 2].min() - top_layer_height(atoms, n_slab) > LEFT:
        flags.append("left")
    return flags + _slab_flags(atoms, clean)


def cluster_flags(atoms: Atoms, start: int = 0) -> list[str]:
    """Checks for the hydrated cluster whose Zn is atom ``start`` (waters follow)."""
    oxygens = shell_oxygens(atoms, start)
    flags = []
    if any(atoms.get_distance(start, o, mic=True) > SHELL for o in oxygens):
        flags.append("fragmented")
    if _broken_waters(atoms, oxygens):
        flags.append("dissociated")
    return flags
