"""Physical sanity checks on a structure before it enters the library."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.neighborlist import neighbor_list

from screening.atoms.geometry import axis_gap
from screening.errors import StructureError

#: Smallest gap (A) along the surface normal that marks a slab's vacuum.
MIN_SLAB_GAP = 3.0


def paw_setup_dirs() -> list[Path]:
    """Directories searched for GPAW PAW datasets ($GPAW_SETUP_PATH, then gpaw-data)."""
    dirs = [Path(p) for p in os.environ.get("GPAW_SETUP_PATH", "").split(os.pathsep) if p]
    try:
        import gpaw_data

        dirs.append(Path(gpaw_data.datapath()))
    except ImportError:
        pass
    return dirs


@lru_cache(maxsize=None)
def elements_with_paw(xc: str) -> frozenset[str]:
    """Chemical symbols for which a PAW dataset for functional ``xc`` is installed."""
    found = set()
    for directory in paw_setup_dirs():
        if directory.is_dir():
            for f in directory.iterdir():
                parts = f.name.split(".")
                if xc in parts[1:]:
                    found.add(parts[0])
    return frozenset(found)


def surface_gap(atoms: Atoms) -> float:
    """Largest empty stretch (A) along the normal to the a-b plane, periodic in c."""
    return axis_gap(atoms, 2)


def check_structure(atoms: Atoms, where: str, kind: str, min_distance: float,
                    paw_xc: str) -> None:
    """Raise StructureError naming ``where`` if the structure cannot be used.

    ``kind`` is "bulk" (needs a 3D periodic cell) or "slab"/"sheet" (needs
    two in-plane lattice vectors and a vacuum gap along the third).
    """
    cell = atoms.cell
    if kind == "bulk":
        if not atoms.pbc.all() or cell.volume < 1e-6 * max(len(atoms), 1):
            raise StructureError(
                f"{where}: has no 3D periodic cell (a molecule?); a bulk needs three lattice vectors"
            )
    else:
        if np.linalg.norm(np.cross(cell[0], cell[1])) < 1e-6 or cell.volume < 1e-6:
            raise StructureError(
                f"{where}: has no cell; a slab or sheet needs two in-plane lattice vectors"
                " and a third along the normal"
            )
        gap = surface_gap(atoms)
        if gap < MIN_SLAB_GAP:
            raise StructureError(
                f"{where}: no vacuum gap along c (largest {gap:.1f} A < {MIN_SLAB_GAP} A);"
                " is this a bulk? add it with --miller instead"
            )
    atoms = atoms.copy()
    atoms.pbc = True
    i, j, d = neighbor_list("ijd", atoms, min_distance, self_interaction=False)
    if len(d):
        k = int(np.argmin(d))
        s = atoms.get_chemical_symbols()
        raise StructureError(
            f"{where}: atoms {i[k]} ({s[i[k]]}) and {j[k]} ({s[j[k]]}) are {d[k]:.2f} A apart"
            f" (< {min_distance} A): overlapping atoms"
        )
    missing = sorted(set(atoms.get_chemical_symbols()) - elements_with_paw(paw_xc))
    if missing:
        raise StructureError(
            f"{where}: no {paw_xc} PAW dataset for element(s) {', '.join(missing)}"
        )
