"""The candidate catalogs: the bundled one and the user's own, merged.

Both are TOML files of the same shape (see ``structures/catalog.toml``):
``[structures.KEY]`` tables describe structure files, ``[[candidates]]``
tables the surfaces to screen. The user catalog is written atomically (a
temporary file renamed over the old one), so an interrupted write never
leaves it half-written.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from screening.errors import CatalogError
from screening.files import write_atomic
from screening.schemas import CandidateSummary
from screening.settings import Settings

FAMILIES = ("zn", "oxide", "mxene", "metal", "alloy", "inorganic", "carbon", "other")
KINDS = ("bulk", "slab", "sheet")
TERMINATION_RULES = ("auto", "all")


@dataclass(frozen=True)
class StructureEntry:
    """One structure file: a bulk to cut, a ready slab, or a 2D sheet."""

    key: str
    path: Path
    kind: str
    source: str
    spacegroup: int | None = None
    density: float | None = None
    prototype: str | None = None
    params: dict = field(default_factory=dict)
    #: The project's own recipe that made the file (e.g. "amorphous"), if any.
    recipe: str | None = None


@dataclass(frozen=True)
class Candidate:
    """One candidate surface to screen."""

    name: str
    family: str
    formula: str
    structure: StructureEntry
    surface: str
    origin: str  # "bundled" or "user"
    miller: tuple[int, int, int] | None = None
    termination: str = "auto"
    layers: int | None = None
    #: Smallest lateral length of its slab (A), where the convergence check grew it
    #: past the settings' ``slab_min_lateral`` (the larger of the two is used).
    min_lateral: float | None = None
    dopant: str | None = None
    notes: str = ""

    def summary(self) -> CandidateSummary:
        """The fields shown by ``znscreen candidates``."""
        return {
            "name": self.name,
            "family": self.family,
            "formula": self.formula,
            "surface": self.surface,
            "kind": self.structure.kind,
            "source": self.origin,
            "reference": self.structure.source,
            "notes": self.notes,
        }


def file_stem(name: str) -> str:
    """A file-name stem for a candidate name: only letters, digits, _ . and -.

    ("@" in particular must go: ASE's readers take "file@index" as a slice.)
    """
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "candidate"


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: not a valid TOML catalog ({exc})") from None


def _structure(key: str, raw: dict, root: Path, where: Path) -> StructureEntry:
    try:
        kind = raw["kind"]
        if kind not in KINDS:
            raise CatalogError(f"{where}: structure {key!r} has unknown kind {kind!r}")
        return StructureEntry(
            key=key,
            path=(root / raw["file"]).resolve(),
            kind=kind,
            source=raw.get("source", ""),
            spacegroup=raw.get("spacegroup"),
            density=raw.get("density"),
            prototype=raw.get("prototype"),
            params=raw.get("params", {}),
            recipe=raw.get("recipe"),
        )
    except KeyError as exc:
        raise CatalogError(f"{where}: structure {key!r} lacks {exc.args[0]!r}") from None


def _candidate(raw: dict, structures: dict[str, StructureEntry], origin: str,
               where: Path) -> Candidate:
    name = raw.get("name", "?")
    try:
        structure = structures[raw["structure"]]
    except KeyError:
        raise CatalogError(f"{where}: candidate {name!r} names no known structure") from None
    family = raw.get("family", "other")
    if family not in FAMILIES:
        raise CatalogError(f"{where}: candidate {name!r} has unknown family {family!r}")
    miller = raw.get("miller")
    if structure.kind == "bulk" and miller is None:
        raise CatalogError(f"{where}: candidate {name!r} cuts a bulk but gives no miller index")
    min_lateral = raw.get("min_lateral")
    if min_lateral is not None and (isinstance(min_lateral, bool)
                                    or not isinstance(min_lateral, (int, float))
                                    or min_lateral <= 0):
        raise CatalogError(f"{where}: candidate {name!r}: min_lateral must be a positive "
                           f"length in A, got {min_lateral!r}")
    return Candidate(
        name=name,
        family=family,
        formula=raw["formula"],
        structure=structure,
        surface=raw.get("surface", "slab"),
        origin=origin,
        miller=tuple(miller) if miller is not None else None,
        termination=raw.get("termination", "auto"),
        layers=raw.get("layers"),
        min_lateral=min_lateral,
        dopant=raw.get("dopant"),
        notes=raw.get("notes", ""),
    )


def load_structures(path: Path) -> dict[str, StructureEntry]:
    """The ``[structures]`` tables of a catalog file, by key."""
    data = _read_toml(path)
    return {key: _structure(key, raw, path.parent, path)
            for key, raw in data.get("structures", {}).items()}


def _load(path: Path, origin: str) -> list[Candidate]:
    structures = load_structures(path)
    return [_candidate(raw, structures, origin, path)
            for raw in _read_toml(path).get("candidates", [])]


class Catalog:
    """All candidates known to this installation, bundled first, then the user's."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.bundled = _load(settings.bundled_catalog, "bundled")
        if not self.bundled:
            raise CatalogError(f"{settings.bundled_catalog}: bundled catalog is missing or empty")
        self.user = _load(settings.user_catalog, "user")
        self._by_name: dict[str, Candidate] = {}
        for cand in [*self.bundled, *self.user]:
            if cand.name in self._by_name:
                raise CatalogError(f"candidate name {cand.name!r} appears twice in the catalogs")
            self._by_name[cand.name] = cand

    def __iter__(self):
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def get(self, name: str) -> Candidate:
        try:
            return self._by_name[name]
        except KeyError:
            raise CatalogError(
                f"unknown candidate {name!r} (see 'znscreen candidates' for the names)"
            ) from None

    def select(self, family: str | None = None) -> list[Candidate]:
        if family is not None and family not in FAMILIES:
            raise CatalogError(f"unknown family {family!r} (known: {', '.join(FAMILIES)})")
        return [c for c in self if family is None or c.family == family]


def user_entry(name: str, family: str, formula: str, structure_file: Path, kind: str,
               source: str, miller: tuple[int, int, int] | None, surface: str,
               termination: str = "auto") -> dict:
    """The TOML tables for one user candidate and its structure."""
    structure = {"file": str(structure_file), "kind": kind, "source": source}
    candidate = {"name": name, "family": family, "formula": formula, "structure": name,
                 "surface": surface}
    if miller is not None:
        candidate["miller"] = list(miller)
    if termination != "auto":
        candidate["termination"] = termination
    return {"structure": structure, "candidate": candidate}


def write_user_catalog(settings: Settings, entries: dict[str, dict]) -> None:
    """Atomically replace the user catalog with ``entries`` (name -> user_entry)."""
    data = {
        "structures": {name: e["structure"] for name, e in entries.items()},
        "candidates": [e["candidate"] for e in entries.values()],
    }
    write_atomic(settings.user_catalog, lambda tmp: tmp.write_bytes(tomli_w.dumps(data).encode()))


def read_user_entries(settings: Settings) -> dict[str, dict]:
    """The user catalog as name -> user_entry tables (empty if there is none)."""
    data = _read_toml(settings.user_catalog)
    structures = data.get("structures", {})
    return {c["name"]: {"structure": structures[c["structure"]], "candidate": c}
            for c in data.get("candidates", [])}

