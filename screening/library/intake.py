"""Register a user's own structure file as a candidate.

The file is read and checked, a slab model is built from it as proof that
it works everywhere a bundled candidate does, and only then is the file
copied (as extxyz, constraints kept) into the user data directory and the
user catalog rewritten atomically. A failure at any step changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ase.io import write
from pymatgen.core import Composition

from screening.atoms.checks import check_structure
from screening.atoms.reading import read_structure
from screening.errors import CatalogError, SlabError, StructureError
from screening.library.catalog import (FAMILIES, Catalog, Candidate, StructureEntry,
                                       file_stem, read_user_entries, user_entry, write_user_catalog)
from screening.library.surfaces import build_slab_models, slab_spec
from screening.settings import Settings

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+()\-]{0,63}$")


@dataclass(frozen=True)
class AddRequest:
    """What ``znscreen add`` was asked to register."""

    path: Path
    name: str
    miller: tuple[int, int, int] | None = None
    kind: str = "bulk"  # bulk (needs miller), slab or sheet
    family: str = "other"
    force: bool = False
    #: Where the structure comes from (default: the user file's path).
    source: str = ""
    #: Termination rule of a bulk cut ("auto", "#k", a top-layer formula).
    termination: str = "auto"


def check_miller(miller: tuple[int, int, int], limit: int) -> None:
    if len(miller) != 3 or not any(miller):
        raise StructureError(f"Miller index {miller} is not a plane (three integers, not all 0)")
    if max(abs(i) for i in miller) > limit:
        raise StructureError(
            f"Miller index {miller} is too high (|index| <= {limit}, setting max_miller_index)"
        )


def check_new_name(request: AddRequest, catalog: Catalog) -> None:
    """Refuse a name that is malformed, bundled, or taken without ``force``."""
    if not NAME_PATTERN.match(request.name):
        raise CatalogError(
            f"candidate name {request.name!r} is not allowed (1-64 characters: letters,"
            " digits and _ . @ + ( ) -, starting with a letter or digit)"
        )
    if request.family not in FAMILIES:
        raise CatalogError(f"unknown family {request.family!r} (known: {', '.join(FAMILIES)})")
    if request.name in catalog:
        if catalog.get(request.name).origin == "bundled":
            raise CatalogError(f"candidate {request.name!r} is a bundled candidate; choose another name")
        if not request.force:
            raise CatalogError(
                f"candidate {request.name!r} already exists in the user catalog (use --force to replace it)"
            )


def add_candidate(request: AddRequest, settings: Settings) -> Candidate:
    """Validate ``request`` and register it in the user catalog; return the candidate."""
    check_new_name(request, Catalog(settings))
    entries = read_user_entries(settings)
    if request.kind == "bulk":
        if request.miller is None:
            raise StructureError(f"{request.path}: a bulk needs --miller H K L (or use --slab)")
        check_miller(request.miller, settings.max_miller_index)
    elif request.termination != "auto":
        raise StructureError(f"{request.path}: --termination applies to a bulk cut "
                             f"(--miller), not to a {request.kind} taken as given")
    atoms = read_structure(request.path)
    check_structure(atoms, str(request.path), request.kind, settings.min_interatomic_distance,
                    settings.paw_xc)

    digest = hashlib.sha1(request.name.encode()).hexdigest()[:8]  # names may share a stem
    target = settings.user_structures_dir / f"{file_stem(request.name)}-{digest}.extxyz"
    formula = Composition(atoms.get_chemical_formula()).reduced_formula
    surface = "({} {} {})".format(*request.miller) if request.miller else request.kind
    structure = StructureEntry(key=request.name, path=target, kind=request.kind,
                               source=request.source or f"user file {request.path.resolve()}")
    candidate = Candidate(name=request.name, family=request.family, formula=formula,
                          structure=structure, surface=surface, origin="user",
                          miller=request.miller, termination=request.termination)
    try:
        build_slab_models(candidate, slab_spec(settings, candidate), structure=atoms)
    except SlabError as exc:
        raise SlabError(f"{request.path}: {exc}") from None

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_suffix(".extxyz.tmp")
    write(staging, atoms, format="extxyz")
    entries[request.name] = user_entry(request.name, request.family, formula, target,
                                       request.kind, structure.source, request.miller, surface,
                                       request.termination)
    try:
        staging.replace(target)
        write_user_catalog(settings, entries)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    return candidate


def remove_candidate(name: str, settings: Settings) -> None:
    """Remove a user candidate and its copied structure file."""
    entries = read_user_entries(settings)
    if name not in entries:
        raise CatalogError(f"no user candidate named {name!r}")
    path = Path(entries[name]["structure"]["file"])
    del entries[name]
    write_user_catalog(settings, entries)
    path.unlink(missing_ok=True)
