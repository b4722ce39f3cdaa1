"""Result types shared by the store, runners, recipes, descriptors, analysis and CLI.

A leaf module: it imports nothing from the package and no calculator, so a
command that only reads results (``query``, ``show``) can use these types
without loading an engine. Conventions: energies in eV, lengths in
Angstrom, times in seconds.

Payloads that travel as JSON (``details.json``, a store row's ``data``)
are ``TypedDict``s; a descriptor's ``details`` carries a ``kind`` that says
which of them it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, TypedDict, Union

if TYPE_CHECKING:
    import numpy as np
    from ase import Atoms


class Status(StrEnum):
    """Where a calculation in the store stands."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class VerifyChoice(StrEnum):
    """Which coatings ``run --verify-top K`` recomputes."""

    BEST = "best"  # the first K by rank
    UNCERTAIN = "uncertain"  # the K whose place in the top 5 is least certain


class TaskKind(StrEnum):
    """What a calculation does with its structure."""

    SINGLEPOINT = "singlepoint"
    RELAX = "relax"
    NEB = "neb"
    MD = "md"


# ---------------------------------------------------------------- calculations


class ElectronicProperties(TypedDict, total=False):
    """Read from a finished GPAW calculation (eV); a property not read is absent."""

    fermi_level: float
    band_gap: float
    #: Slabs only: plane-averaged electrostatic potential mid-vacuum above/below.
    vacuum_top: float
    vacuum_bottom: float
    #: Slabs only: ``vacuum_top - fermi_level``.
    work_function: float


class Frame(TypedDict):
    """One step of a relaxation: positions (A), energy (eV), raw forces (eV/A)."""

    positions: list[list[float]]
    energy: float
    forces: list[list[float]]


class CalculationData(TypedDict, total=False):
    """The JSON payload stored with a finished calculation."""

    #: The resolved calculator parameters (hashed into the key).
    parameters: dict[str, Any]
    #: The task as hashed into the key (kind, fmax, steps, optimizer, images).
    task_spec: dict[str, Any]
    #: Package versions behind the number.
    versions: dict[str, str]
    #: Energy of every step (relaxation) or image (NEB), eV.
    energies: list[float]
    resumed_from_step: int
    work_directory: str
    electronic: ElectronicProperties
    #: DFT relaxations: every step, for fine-tuning (relaxations at fast levels keep none).
    frames: list[Frame]


@dataclass(frozen=True)
class Record:
    """One row of the store, whatever its status (listings and provenance)."""

    key: str
    row_id: int
    status: Status
    label: str
    level: str
    task: TaskKind
    attempt: int
    host: str
    #: Why it failed (``FAILED`` only).
    error: str = ""
    energy: float | None = None
    converged: bool | None = None
    n_steps: int | None = None
    #: Energy/force evaluations: a relaxation's steps plus its line-search and
    #: preconditioner calls (after a resume, those since the resume).
    n_calls: int | None = None
    wall_time: float | None = None
    #: The run (flow run or command) that last claimed the row.
    run: str = ""


@dataclass(frozen=True)
class Calculation:
    """A finished calculation, as read from the store."""

    key: str
    row_id: int
    label: str
    level: str
    task: TaskKind
    atoms: Atoms
    energy: float
    forces: np.ndarray
    converged: bool
    n_steps: int
    #: Rung of the SCF escalation ladder that converged (0: the level as documented).
    scf_rung: int
    wall_time: float
    host: str
    #: True if this call ran the calculation, False if it came from the store.
    computed: bool
    data: CalculationData


# ---------------------------------------------------------------- descriptors


@dataclass(frozen=True)
class Column:
    """One descriptor column of the results table."""

    unit: str
    meaning: str


class SiteRow(TypedDict):
    """One relaxed adsorption site (``binding`` = E(S+X) - E(S), eV)."""

    site: str
    #: The enumerated site nearest to where the adsorbate ended.
    ended_at: str
    energy: float
    binding: float
    flags: str
    converged: bool
    key: str


class SitesDetails(TypedDict):
    kind: Literal["sites"]
    #: The reported site.
    site: str
    sites: list[SiteRow]


class ProfileDetails(TypedDict):
    """Stepwise desolvation dE_n (eV) keyed by n, on the surface and free."""

    kind: Literal["profile"]
    surface: dict[int, float]
    free: dict[int, float]
    #: Total charge (e) of every hydrated system, and the model in words.
    charge: int
    convention: str
    slab_atoms: int
    #: Spring constant (eV/A^2) of the shell restraints (0: none), and the energy
    #: left in them per state where any (eV), on the surface and free.
    restraint: float
    held: dict[int, float]
    held_free: dict[int, float]


class MatchDetails(TypedDict):
    kind: Literal["match"]
    #: Area of the coincidence superlattice on Zn(0001) (A^2).
    area_A2: float


class HopDetails(TypedDict):
    kind: Literal["hop"]
    #: Site labels of the two ends of the hop.
    start: str
    end: str
    hop_A: float
    #: Image energies relative to the first (eV).
    images: list[float]


Details = Union[SitesDetails, ProfileDetails, MatchDetails, HopDetails]


class ValueDoc(TypedDict):
    """A :class:`Value` as written to ``details.json``."""

    value: float | None
    unit: str
    reason: str
    flags: list[str]
    keys: list[str]
    details: Details | None


@dataclass
class Value:
    """One descriptor value (or its absence) and where it came from."""

    value: float | None
    unit: str
    #: Why ``value`` is None (empty when it is set).
    reason: str = ""
    #: Anomalies and quality warnings, e.g. ``zn:sank@top:Zn``.
    flags: list[str] = field(default_factory=list)
    #: Store keys of the calculations behind the number.
    keys: list[str] = field(default_factory=list)
    details: Details | None = None

    @classmethod
    def missing(cls, unit: str, reason: str) -> Value:
        return cls(None, unit, reason=reason)

    def doc(self) -> ValueDoc:
        return {"value": self.value, "unit": self.unit, "reason": self.reason,
                "flags": list(self.flags), "keys": list(self.keys), "details": self.details}


# ---------------------------------------------------------------- slabs and groups


@dataclass(frozen=True)
class SlabRef:
    """What a slab task hands to the descriptor tasks: the relaxed clean slab.

    Descriptor tasks read the calculations from the store by key; nothing is
    rebuilt from the candidate's name.
    """

    candidate: str
    #: Which slab model: ``default``, or ``cluster`` (wide enough for the
    #: hydrated cluster); see :data:`screening.descriptors.registry.SLABS`.
    slab: str
    #: The clean slab's energy at the context's level.
    key: str
    #: The relaxation the energy was computed on (``key`` itself unless the
    #: context computes single points on another level's geometries).
    relaxed_key: str
    #: Lateral repeat of the slab model's surface cell.
    supercell: tuple[int, int]
    #: The 1x1 in-plane lattice of the unrelaxed model (2 x 3, A).
    surface_cell: tuple[tuple[float, float, float], tuple[float, float, float]]


@dataclass
class GroupResult:
    """What one task (a slab, a reference or a descriptor group) gave for one candidate."""

    values: dict[str, Value]
    #: Calculation key -> whether it was computed now (False: found in the store).
    used: dict[str, bool]
    #: Wall time spent (s).
    seconds: float
    #: Why the task could not compute what it was for; empty if it did.
    failure: str = ""
    #: A slab task's result, for the descriptor tasks of its candidate.
    slab: SlabRef | None = None


class CandidateSummary(TypedDict):
    """The catalog fields shown for a candidate."""

    name: str
    family: str
    formula: str
    surface: str
    kind: str
    source: str
    reference: str
    notes: str


@dataclass
class Described:
    """All descriptor values of one candidate at one level."""

    candidate: CandidateSummary
    level: str
    values: dict[str, Value]
    n_calculations: int
    computed_now: int
    #: Wall time (s) of each task (slab, descriptor group) spent in this run.
    timings: dict[str, float]

    @property
    def name(self) -> str:
        return self.candidate["name"]


class RowDetails(TypedDict):
    """One row of ``details.json``: a candidate at a level, value by value."""

    name: str
    level: str
    candidate: CandidateSummary
    values: dict[str, ValueDoc]
    timings_s: dict[str, float]
    n_calculations: int
    failures: list[str]
