"""Resolve a level into the exact calculator parameters for one structure.

The result is a plain JSON-able dict: it is hashed into the calculation key
and stored with every result, so it must hold everything that changes the
numbers (k-points, spin, dipole correction, charge), and nothing else.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from ase import Atoms

from screening.atoms.geometry import periodic_axes
from screening.calculators.levels import MAGNETIC_MOMENTS, Level, check_charged_slabs

#: An axis with an empty stretch at least this long (A) is vacuum, not periodic.
VACUUM_GAP = 5.0


def kpoint_mesh(atoms: Atoms, density: float, periodic: tuple[bool, bool, bool]) -> list[int]:
    """Monkhorst-Pack mesh: ``ceil(2 pi |b_i| density)`` along periodic axes, 1 elsewhere."""
    reciprocal = atoms.cell.reciprocal()  # rows b_i without the 2 pi
    return [max(1, math.ceil(2 * math.pi * float(np.linalg.norm(b)) * density - 1e-9))
            if p else 1 for b, p in zip(reciprocal, periodic)]


def system_kind(periodic: tuple[bool, bool, bool]) -> str:
    """``bulk``, ``slab`` (periodic in a and b), ``molecule`` or ``wire``."""
    count = sum(periodic)
    if count == 3:
        return "bulk"
    if count == 0:
        return "molecule"
    return "slab" if periodic[:2] == (True, True) else "wire"


def calculation_parameters(level: Level, atoms: Atoms, charge: int = 0,
                           kpts: list[int] | None = None) -> dict[str, Any]:
    """Everything that fixes the numbers of a calculation on ``atoms`` at ``level``.

    ``charge`` is the total charge in units of e (GPAW adds a compensating
    background in periodic directions). CHGNet and the pair potential know
    no charge: at their levels the system is computed neutral and
    ``charge`` is 0.
    ``kpts`` replaces the mesh derived from the level's k-point density
    (used where several cells must share one mesh, e.g. a lattice scan).
    """
    params = level.as_dict()
    periodic = periodic_axes(atoms, VACUUM_GAP)
    params["system"] = system_kind(periodic)
    if level.engine != "gpaw":
        params["charge"] = 0
        return params
    params["charge"] = int(charge)
    if params["system"] == "bulk":
        params.pop("solvent", None)  # no vacuum, nothing to solvate: computed as in vacuum
    params["pbc"] = list(periodic)
    density = level.bulk_kpt_density if params["system"] == "bulk" else level.kpt_density
    params["kpts"] = list(kpts) if kpts is not None else kpoint_mesh(atoms, density, periodic)
    magnetic = [MAGNETIC_MOMENTS.get(s, 0.0) for s in atoms.get_chemical_symbols()]
    params["spinpol"] = any(magnetic)
    params["magmoms"] = magnetic if any(magnetic) else None
    # Every slab gets the dipole correction: it is what asymmetric slabs need
    # and vanishes for symmetric ones, so E(S) and E(S+adsorbate) stay
    # consistent however the relaxation breaks the slab's symmetry.
    params["dipole"] = params["system"] == "slab"
    if params["dipole"] and charge:
        check_charged_slabs(level)
    return params
