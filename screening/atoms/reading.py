"""Read a user's structure file and say in one line what is wrong with it.

Accepted formats: CIF, VASP POSCAR/CONTCAR, extended XYZ and ASE
trajectories (the last image is used). Every failure raises
:class:`~screening.errors.StructureError` naming the file.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.io import read

from screening.errors import StructureError, one_line

FORMATS = {
    ".cif": "cif",
    ".extxyz": "extxyz",
    ".xyz": "extxyz",
    ".traj": "traj",
    ".vasp": "vasp",
    ".poscar": "vasp",
}
FORMAT_NAMES = "CIF (.cif), POSCAR/CONTCAR (.vasp, .poscar), extxyz (.extxyz, .xyz), ASE trajectory (.traj)"


def detect_format(path: Path) -> str:
    """ASE format name from the file name, or a StructureError."""
    name = path.name.upper()
    if name.startswith(("POSCAR", "CONTCAR")):
        return "vasp"
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise StructureError(
            f"{path}: unknown structure format {path.suffix or '(no extension)'!r};"
            f" supported: {FORMAT_NAMES}"
        ) from None


def _check_poscar_counts(path: Path, lines: list[str]) -> None:
    """A POSCAR's atom counts must match its coordinate lines exactly."""
    try:
        first_counts = 6 if lines[5].split()[0].isalpha() else 5
        counts = [int(x) for x in lines[first_counts].split()]
    except (IndexError, ValueError):
        raise StructureError(f"{path}: POSCAR has no valid line of atom counts") from None
    start = first_counts + 1
    if lines[start].strip()[:1].upper() == "S":  # selective dynamics
        start += 1
    start += 1  # Direct/Cartesian line
    coordinates = 0
    for line in lines[start:]:
        fields = line.split()
        if len(fields) < 3:
            break
        try:
            [float(v) for v in fields[:3]]
        except ValueError:
            break
        coordinates += 1
    if coordinates != sum(counts):
        raise StructureError(
            f"{path}: POSCAR counts {sum(counts)} atoms ({' '.join(map(str, counts))})"
            f" but lists {coordinates} coordinate lines"
        )


def read_structure(path: Path) -> Atoms:
    """Read one structure (the last image of a trajectory) with sanity checks."""
    path = Path(path)
    if not path.is_file():
        raise StructureError(f"{path}: no such file")
    fmt = detect_format(path)
    if path.stat().st_size == 0:
        raise StructureError(f"{path}: file is empty")
    if fmt == "vasp":
        try:
            _check_poscar_counts(path, path.read_text().splitlines())
        except UnicodeDecodeError:
            raise StructureError(f"{path}: POSCAR is not a text file") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            atoms = read(path, format=fmt, index=-1)
    except Exception as exc:  # any parser failure is a bad file, reported in one line
        reason = one_line(exc)
        raise StructureError(f"{path}: cannot read as {fmt}: {reason}") from None
    if not isinstance(atoms, Atoms) or len(atoms) == 0:
        raise StructureError(f"{path}: contains no atoms")
    if not np.all(np.isfinite(atoms.positions)):
        raise StructureError(f"{path}: has non-finite coordinates")
    return atoms
