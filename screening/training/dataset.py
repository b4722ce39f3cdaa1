"""Training samples from the store: every finished DFT calculation of one level.

A sample is one structure with its DFT energy (eV) and raw forces (eV/A,
constraints not applied): the final structure of each single point and
relaxation, and every step a DFT relaxation kept (``frames``). Each sample
belongs to the surface its label starts with (``Zn(0001)/zn@top//mlip`` is
``Zn(0001)``), or to the shared references (``ref/...``), so that a
surface can be held out whole.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from ase import Atoms

from screening.errors import ScreeningError
from screening.schemas import Status
from screening.store.database import Store, redact

#: The surface of the shared reference calculations (bulk Zn, molecules).
REFERENCES = "ref"


@dataclass(frozen=True)
class Sample:
    """One training structure: energy in eV, forces in eV/A."""

    atoms: Atoms
    energy: float
    forces: np.ndarray
    surface: str
    #: The store key of its calculation, and the step (-1: the final structure).
    key: str
    step: int = -1


def surface_of(label: str) -> str:
    """The surface a calculation label belongs to (:data:`REFERENCES` for shared ones)."""
    head = label.split("/", 1)[0]
    return REFERENCES if head == REFERENCES else head


def samples(store: Store, level: str) -> list[Sample]:
    """Every finished calculation at ``level`` in ``store``, with its relaxation steps."""
    found: list[Sample] = []
    for row in store.rows(level=level, status=Status.DONE.value):
        if row.get("forces") is None or row.get("energy") is None:
            continue
        atoms = row.toatoms()
        atoms.calc = None
        surface = surface_of(row.get("label", ""))
        # a relaxation's last step is its final structure, taken once below
        for step, frame in enumerate(row.data.get("frames", [])[:-1]):
            moved = atoms.copy()
            moved.positions = np.array(frame["positions"])
            found.append(Sample(moved, float(frame["energy"]), np.array(frame["forces"]),
                                surface, row.calc_key, step))
        found.append(Sample(atoms, float(row.energy), np.array(row.forces), surface,
                            row.calc_key))
    if not found:
        levels = Counter(r.get("level") for r in store.rows(status=Status.DONE.value))
        known = ", ".join(f"{k} ({n})" for k, n in sorted(levels.items())) or "none"
        raise ScreeningError(f"no finished calculations at level {level!r} in "
                             f"{redact(store.url)} to train on (done there: {known})")
    return found


def split(found: list[Sample], holdout: tuple[str, ...]) -> tuple[list[Sample], list[Sample]]:
    """(training, held out): every sample of the ``holdout`` surfaces is held out.

    A name with no sample at all is refused: a typo would otherwise hold out
    nothing and make the hold-out error meaningless.
    """
    surfaces = {s.surface for s in found}
    unknown = [name for name in holdout if name not in surfaces]
    if unknown:
        known = ", ".join(sorted(surfaces - {REFERENCES}))
        raise ScreeningError(f"--holdout {unknown[0]!r} names no surface with training data "
                             f"(surfaces: {known})")
    if REFERENCES in holdout:
        raise ScreeningError("--holdout: the shared references cannot be held out")
    train = [s for s in found if s.surface not in holdout]
    if not train:
        raise ScreeningError("--holdout leaves nothing to train on")
    return train, [s for s in found if s.surface in holdout]
