"""Levels of theory: named, documented parameter sets.

A level says *how* an energy is computed. Five are built in (see
``docs/levels.md``):

``pair``
    A Morse pair potential on covalent radii
    (:mod:`screening.calculators.pair`): every element, milliseconds per
    call, no chemistry. For testing and trying the pipeline's logic; its
    numbers are not physics.
``mlip``
    CHGNet 0.4.2 universal potential (its bundled pretrained weights, model
    0.3.0, trained on PBE/PBE+U Materials Project relaxations; no charge,
    no dispersion beyond what the training data hold). Geometries and
    pre-ranking only.
``dft-check``
    GPAW LCAO, single-zeta polarised basis (``szp(dzp)``), 0.25 A grid,
    Gamma point only on slabs, 9x9x4 k-points and the experimental lattice
    for bulk Zn, PBE + D3(BJ). A rough DFT check of mlip
    numbers that fits in minutes on a laptop; its error against
    ``dft-fast`` is measured by ``benchmarks/levels.py``.
``dft-fast``
    GPAW LCAO, dzp basis, PBE + D3(BJ). Quote its energies against bulk
    references (its isolated-atom energies are poor).
``dft``
    GPAW plane waves, 400 eV, PBE + D3(BJ).

Any field can be overridden in the settings file, and new levels derived
from a built-in one, e.g.::

    [levels.dft]
    ecut = 500
    [levels.dft-cheap]
    base = "dft"
    ecut = 250

Units: eV for energies and smearing, Angstrom for grid spacing, k-point
density in k-points per reciprocal Angstrom (ASE's ``kptdensity``: the
number of k-points along b_i is ``ceil(2 pi |b_i| * density)``); bulk cells
use ``bulk_kpt_density``, slabs and molecules ``kpt_density``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Mapping

from screening.errors import SettingsError

#: Elements whose systems are computed spin-polarised, with the initial
#: magnetic moment (Bohr magnetons per atom) used to start the SCF.
MAGNETIC_MOMENTS: dict[str, float] = {
    "V": 2.0, "Cr": 3.0, "Mn": 4.0, "Fe": 3.0, "Co": 2.0, "Ni": 1.0,
    "Ru": 1.0, "Rh": 1.0, "Gd": 7.0,
}

ENGINES = ("pair", "chgnet", "sevennet", "gpaw")


@dataclass(frozen=True)
class Level:
    """One level of theory. Fields that do not apply to its engine are unused."""

    name: str
    engine: str
    description: str
    #: CHGNet model version that must be installed (engine ``chgnet``).
    model_version: str = ""
    #: SevenNet model shipped in its package, e.g. ``7net-0`` (engine ``sevennet``),
    #: and its output head (``modal``) for multi-fidelity models (empty: none).
    #: Engine ``chgnet``: a fine-tuned model file (empty: the shipped weights),
    #: with its SHA-256, checked when it is loaded (``znscreen finetune``).
    model: str = ""
    modal: str = ""
    model_sha256: str = ""
    #: Well depth D (eV) and stiffness a (1/A) of the Morse pairs (engine ``pair``).
    pair_depth: float = 1.0
    pair_alpha: float = 2.0
    #: GPAW mode: ``pw`` (plane waves) or ``lcao`` (atomic orbitals).
    mode: str = "pw"
    #: Plane-wave cutoff (eV), ``pw`` mode.
    ecut: float = 400.0
    #: Atomic-orbital basis, ``lcao`` mode.
    basis: str = "dzp"
    #: Real-space grid spacing (A) for densities and potentials, ``lcao`` mode.
    grid_spacing: float = 0.2
    #: Exchange-correlation functional.
    xc: str = "PBE"
    #: Add Grimme D3 dispersion with Becke-Johnson damping (the dftd3 package).
    d3: bool = True
    #: k-points per reciprocal Angstrom along each periodic axis.
    kpt_density: float = 3.5
    #: The same for bulk cells (all axes periodic). Bulk metal cells are small
    #: and need dense sampling: hcp Zn's c/a comes out wrong at 10x10x5.
    bulk_kpt_density: float = 6.0
    #: Fermi-Dirac smearing width (eV).
    smearing: float = 0.1
    #: SCF convergence: energy change (eV per valence electron), last 3 steps.
    scf_energy: float = 5e-4
    #: SCF convergence: density change (electrons per valence electron).
    scf_density: float = 1e-4
    #: SCF iterations allowed on the first rung of the escalation ladder.
    maxiter: int = 200
    #: ``old`` (gpaw.calculator.GPAW) or ``new`` (gpaw.GPAW). They agree to
    #: 1e-6 eV; the old one is the faster here (benchmarks/engine.py).
    implementation: str = "old"
    #: The bulk Zn reference: ``fit`` (the level's own a and c, from an
    #: E(a, c) fit of ten or more bulk calculations) or ``experiment`` (one
    #: calculation at the experimental a and c, the lattice the library's
    #: slabs are cut at). Chooses which calculations run, not how, so it is
    #: not a calculator parameter.
    bulk_lattice: str = "fit"
    #: Total charge (e) of every hydrated-Zn system at this level: 0 (neutral
    #: cells) or 2 (the ion; free, charged in vacuum or in the solvent; on a
    #: slab only with ``solvent``, whose solvated jellium carries the
    #: counter-charge: :func:`check_charged_slabs`). Engines that know no
    #: charge take only 0. Goes into each calculation's own charge.
    cluster_charge: int = 0
    #: Implicit solvent: "" (vacuum) or "hw14" (GPAW's continuum water of
    #: Held and Walter, J. Chem. Phys. 141, 174108 (2014)); gpaw engine in
    #: lcao mode only (GPAW solves it on the real-space grid).
    solvent: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The parameters that matter for this engine and mode (sorted by name)."""
        if self.engine == "chgnet":
            tuned = {"model": self.model, "model_sha256": self.model_sha256} if self.model else {}
            return {"engine": self.engine, "model_version": self.model_version, **tuned}
        if self.engine == "sevennet":
            return {"engine": self.engine, "modal": self.modal, "model": self.model}
        if self.engine == "pair":
            return {"engine": self.engine, "pair_alpha": self.pair_alpha,
                    "pair_depth": self.pair_depth}
        unused = {"name", "description", "model_version", "bulk_lattice", "pair_depth",
                  "pair_alpha", "model", "modal", "model_sha256", "cluster_charge"}
        unused |= {"basis", "grid_spacing"} if self.mode == "pw" else {"ecut"}
        unused |= set() if self.solvent else {"solvent"}
        return {k: v for k, v in sorted(asdict(self).items()) if k not in unused}


_DFT_CHECK = Level(
    name="dft-check", engine="gpaw", mode="lcao", basis="szp(dzp)", grid_spacing=0.25,
    kpt_density=1.0, bulk_kpt_density=3.0, bulk_lattice="experiment",
    description="GPAW LCAO szp(dzp), Gamma-point slabs, PBE+D3(BJ); rough DFT check",
)

BUILTIN_LEVELS: dict[str, Level] = {
    "mlip": Level(
        name="mlip", engine="chgnet", model_version="0.4.2", d3=False,
        description="CHGNet 0.4.2 universal potential (CPU); geometries and pre-ranking",
    ),
    # kpt_density 1.0 gives one k-point along any axis longer than 6.3 A,
    # so the Gamma point on every library slab (lateral >= 10 A); bulk Zn
    # gets 9x9x4 (24 irreducible points, 4.4 s per SCF step here, against
    # 132 and 38 s at 17x17x8) and one calculation at the experimental lattice
    "dft-check": _DFT_CHECK,
    # the hydrated Zn as the ion: every hydrated system of a desolvation
    # profile and the free clusters carry +2 in GPAW's implicit water (HW14;
    # on slabs the solvated jellium method holds the counter-charge); about
    # 8x the cost of dft-check per single point (docs/descriptors.md)
    "dft-check-ion": replace(
        _DFT_CHECK, name="dft-check-ion", cluster_charge=2, solvent="hw14",
        description="dft-check with hydrated Zn as [Zn(H2O)n]2+ in HW14 implicit water; "
                    "desolvation"),
    "dft-fast": Level(
        name="dft-fast", engine="gpaw", mode="lcao", basis="dzp", kpt_density=3.0,
        description="GPAW LCAO dzp, PBE+D3(BJ); quote against bulk references",
    ),
    "dft": Level(
        name="dft", engine="gpaw", mode="pw", ecut=400.0,
        description="GPAW plane waves 400 eV, PBE+D3(BJ); production",
    ),
    # universal potentials shipped inside sevenn 0.13.0 (offline): the
    # candidates for the fast level, compared on the reference set
    "7net-0": Level(
        name="7net-0", engine="sevennet", model="7net-0", d3=False,
        description="SevenNet-0 universal potential (MPtrj, PBE/PBE+U; CPU)",
    ),
    "7net-l3i5": Level(
        name="7net-l3i5", engine="sevennet", model="7net-l3i5", d3=False,
        description="SevenNet-l3i5 universal potential (MPtrj, higher order, ~3x slower)",
    ),
    "7net-mf-0": Level(
        name="7net-mf-0", engine="sevennet", model="7net-mf-0", modal="PBE", d3=False,
        description="SevenNet multi-fidelity universal potential, PBE head",
    ),
    "pair": Level(
        name="pair", engine="pair", d3=False,
        description="Morse pairs on covalent radii; tests the pipeline in seconds, "
                    "numbers are not physics",
    ),
}

#: Implicit-solvent parameter sets ("" = vacuum).
SOLVENTS = ("", "hw14")
_CHOICES = {"engine": ENGINES, "mode": ("pw", "lcao"), "implementation": ("old", "new"),
            "bulk_lattice": ("fit", "experiment"), "cluster_charge": (0, 2), "solvent": SOLVENTS}


def _override(level: Level, changes: Mapping[str, Any], origin: str) -> Level:
    known = {f.name: f.type for f in fields(Level)}
    values: dict[str, Any] = {}
    for key, raw in changes.items():
        if key == "base":
            continue
        if key not in known or key == "name":
            raise SettingsError(f"{origin}: unknown level parameter {key!r}")
        current = getattr(level, key)
        kind = type(current)
        if kind is float and isinstance(raw, int) and not isinstance(raw, bool):
            raw = float(raw)
        if not isinstance(raw, kind) or (kind is not bool and isinstance(raw, bool)):
            raise SettingsError(f"{origin}: level parameter {key!r} must be "
                                f"{kind.__name__}, got {raw!r}")
        if key in _CHOICES and raw not in _CHOICES[key]:
            raise SettingsError(f"{origin}: level parameter {key!r} must be one of "
                                f"{', '.join(repr(c) for c in _CHOICES[key])}, got {raw!r}")
        if kind in (int, float) and key not in _CHOICES and raw <= 0:
            raise SettingsError(f"{origin}: level parameter {key!r} must be positive, "
                                f"got {raw!r}")
        values[key] = raw
    return _check(replace(level, **values), origin)


def _check(level: Level, origin: str) -> Level:
    """``level`` if its engine can honour its charge and solvent, else a one-line error."""
    if level.cluster_charge and level.engine != "gpaw":
        raise SettingsError(f"{origin}: cluster_charge = {level.cluster_charge} at level "
                            f"{level.name!r}: engine {level.engine} knows no charge")
    if level.solvent and level.engine != "gpaw":
        raise SettingsError(f"{origin}: solvent = {level.solvent!r} at level {level.name!r}: "
                            f"engine {level.engine} has no implicit solvent")
    if level.solvent and level.mode != "lcao":
        raise SettingsError(f"{origin}: solvent = {level.solvent!r} at level {level.name!r}: "
                            f"GPAW's implicit solvent needs mode = \"lcao\" (not plane waves)")
    return level


def check_charged_slabs(level: Level) -> None:
    """Refuse, in one line, a level that would put a charged cluster on a slab in vacuum.

    GPAW's dipole-layer Poisson solver holds no net charge in a slab cell
    (periodic in x, y, bounded in z: "Charged systems with mixed
    periodic/zero boundary conditions"); the solvated jellium method puts
    the counter-charge in the implicit solvent. Free clusters may be charged
    in vacuum.
    """
    if level.cluster_charge and not level.solvent:
        raise SettingsError(
            f"level {level.name!r}: cluster_charge = {level.cluster_charge} on a slab needs "
            f"solvent = \"hw14\" (GPAW holds no net charge in a slab cell in vacuum; the "
            f"solvated jellium carries the counter-charge); free clusters alone "
            f"('znscreen references') may be charged in vacuum")


def all_levels(overrides: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Level]:
    """Built-in levels with the settings' ``[levels.NAME]`` tables applied."""
    levels = dict(BUILTIN_LEVELS)
    for name, changes in (overrides or {}).items():
        origin = f"[levels.{name}]"
        if not isinstance(changes, Mapping):
            raise SettingsError(f"{origin}: must be a table of level parameters")
        if name in levels:
            if "base" in changes:
                raise SettingsError(f"{origin}: 'base' is only for new levels")
            levels[name] = _override(levels[name], changes, origin)
            continue
        base = changes.get("base")
        if base not in BUILTIN_LEVELS:
            raise SettingsError(f"{origin}: a new level needs base = one of "
                                f"{', '.join(BUILTIN_LEVELS)}, got {base!r}")
        levels[name] = _override(replace(BUILTIN_LEVELS[base], name=name,
                                         description=f"{base} with overrides"),
                                 changes, origin)
    return levels


def get_level(name: str, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> Level:
    """The level called ``name``, or a one-line error listing the known ones."""
    levels = all_levels(overrides)
    if name not in levels:
        raise SettingsError(f"unknown level {name!r} (known: {', '.join(levels)})")
    return levels[name]
