"""Regenerate and verify the bundled structure files from their catalog recipes.

``python -m screening.library.bundled --write`` rebuilds every file under
``structures/`` from the prototype and published parameters in
``structures/catalog.toml`` (a file made by the project's own recipe, such
as the amorphous slab, is kept); ``--check`` (the default) verifies them.
"""

from __future__ import annotations

import argparse
import sys

import spglib
from ase import Atoms
from ase.io import write
from pymatgen.io.ase import AseAtomsAdaptor
from pymatgen.io.cif import CifWriter

from screening.atoms.geometry import density, too_close_pairs
from screening.atoms.reading import read_structure
from screening.library.catalog import StructureEntry, load_structures
from screening.library.prototypes import build
from screening.settings import get_settings

#: Relative deviation from the published density that is accepted.
DENSITY_TOLERANCE = 0.03


def spacegroup_number(atoms: Atoms, symprec: float = 1e-3) -> int:
    dataset = spglib.get_symmetry_dataset((atoms.cell.array, atoms.get_scaled_positions(),
                                           atoms.numbers), symprec=symprec)
    return int(dataset.number)


def verify(entry: StructureEntry, atoms: Atoms) -> list[str]:
    """What is wrong with a bundled structure (empty if nothing)."""
    problems = []
    if entry.spacegroup is not None and spacegroup_number(atoms) != entry.spacegroup:
        problems.append(f"space group {spacegroup_number(atoms)}, expected {entry.spacegroup}")
    if entry.density is not None:
        rho = density(atoms)
        if abs(rho / entry.density - 1) > DENSITY_TOLERANCE:
            problems.append(f"density {rho:.3f} g/cm3, published {entry.density}")
    close = too_close_pairs(atoms)
    if close:
        a, b, d = close[0]
        problems.append(f"{a}-{b} only {d:.2f} A apart")
    return problems


def write_structure(entry: StructureEntry) -> Atoms:
    """Build ``entry`` from its prototype and write its file (CIF with symmetry, or
    extxyz); a file made by one of the project's recipes (hours of MD) is read, not
    rebuilt."""
    if entry.prototype is None:
        return read_structure(entry.path)
    atoms = build(entry.prototype, entry.params)
    entry.path.parent.mkdir(parents=True, exist_ok=True)
    if entry.path.suffix == ".cif":
        structure = AseAtomsAdaptor.get_structure(atoms)
        CifWriter(structure, symprec=1e-3).write_file(entry.path)
    else:
        write(entry.path, atoms, format="extxyz")
    return atoms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rebuild the files first")
    args = parser.parse_args(argv)
    entries = load_structures(get_settings().bundled_catalog)
    failed = 0
    for entry in entries.values():
        if args.write:
            write_structure(entry)
        atoms = read_structure(entry.path)
        problems = verify(entry, atoms)
        rho = f"{density(atoms):6.3f}" if entry.kind == "bulk" else f"{entry.kind:>6s} "
        print(f"{entry.key:18s} {atoms.get_chemical_formula():14s} sg {spacegroup_number(atoms):3d}"
              f"  rho {rho}  {'; '.join(problems) or 'ok'}")
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
