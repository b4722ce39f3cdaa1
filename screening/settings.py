"""The one settings object every part of the pipeline reads.

Precedence, lowest first: the defaults below, a TOML settings file, then
environment variables. The file is ``$ZNSCREEN_SETTINGS`` if set, else
``<user config dir>/zn-screening/settings.toml`` if it exists. Each field
``name`` can be overridden by the variable ``ZNSCREEN_<NAME>`` (upper case),
e.g. ``ZNSCREEN_SLAB_VACUUM=20``; a field of the ``[slurm]`` table by
``ZNSCREEN_SLURM_<NAME>``. Lengths are in Angstrom.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import platformdirs

from screening.calculators.levels import all_levels
from screening.errors import SettingsError

APP_NAME = "zn-screening"
ENV_PREFIX = "ZNSCREEN_"
OPTIMIZER_NAMES = ("PreconLBFGS", "BFGS", "LBFGS", "FIRE")
#: Where a flow's tasks run (see ``flows/runners.py``).
PROFILES = ("local", "dask-local", "slurm")
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


@dataclass(frozen=True)
class SlurmProfile:
    """SLURM jobs of the ``slurm`` profile: each job is one Dask worker that
    runs one task at a time on all of its cores (GPAW over MPI on them)."""

    #: Account charged (``--account``); empty: the cluster's default.
    account: str = ""
    #: Partition (``--partition``); empty: the cluster's default.
    partition: str = ""
    #: Cores of one job (``--cpus-per-task``).
    cores: int = 2
    #: Memory of one job, e.g. "8GB".
    memory: str = "8GB"
    #: Wall-time limit of one job (HH:MM:SS); a task cut off is retried in another job.
    walltime: str = "04:00:00"
    #: Shell lines run before the worker starts, e.g. "module load openmpi".
    prologue: tuple[str, ...] = ()
    #: Further ``#SBATCH`` options, e.g. "--constraint=cpu".
    directives: tuple[str, ...] = ()
    #: Fewest and most jobs at a time (Dask's adaptive scaling between them).
    min_jobs: int = 0
    max_jobs: int = 4
    #: Python on the compute nodes; empty: the one running ``znscreen``.
    python: str = ""
    #: Network interface the workers reach the scheduler on, e.g. "ib0";
    #: empty: Dask's choice.
    interface: str = ""

    def check(self) -> None:
        for name in ("cores", "max_jobs"):
            if getattr(self, name) < 1:
                raise SettingsError(f"setting 'slurm.{name}' must be positive, "
                                    f"got {getattr(self, name)}")
        if not 0 <= self.min_jobs <= self.max_jobs:
            raise SettingsError(f"setting 'slurm.min_jobs' must be in [0, max_jobs="
                                f"{self.max_jobs}], got {self.min_jobs}")
        parts = self.walltime.split(":")
        if not (1 <= len(parts) <= 3 and all(p.isdigit() for p in parts)):
            raise SettingsError(f"setting 'slurm.walltime' must be HH:MM:SS, "
                                f"got {self.walltime!r}")


@dataclass(frozen=True)
class Settings:
    """Pipeline configuration (paths, slab-model defaults, input limits)."""

    #: Bundled structure library (catalog.toml and structure files).
    structures_dir: Path = PROJECT_ROOT / "structures"
    #: Where the user's own candidates live (catalog + copied structures).
    user_data_dir: Path = field(default_factory=_user_data_dir)
    #: Default outputs (tables, slabs, reports) and the default database.
    results_dir: Path = Path("results")

    #: Minimum number of atomic layers in a slab cut from a bulk.
    slab_layers: int = 4
    #: Vacuum gap between a slab and its periodic image along z (A).
    slab_vacuum: float = 15.0
    #: Minimum distance between an atom and its in-plane periodic images (A).
    slab_min_lateral: float = 10.0
    #: Atoms closer in z than this belong to one atomic layer (A).
    layer_tolerance: float = 0.3
    #: Fraction of atomic layers, counted from the bottom, held fixed.
    fixed_layer_fraction: float = 0.5
    #: A slab with more atoms than this is refused as not sane to compute.
    max_slab_atoms: int = 600
    #: Largest |Miller index| accepted.
    max_miller_index: int = 4

    #: Atoms closer than this (A) make a structure invalid.
    min_interatomic_distance: float = 0.5
    #: Exchange-correlation functional whose PAW datasets must exist.
    paw_xc: str = "PBE"

    #: Results database: a SQLite file (``.db``) or a ``postgresql://`` URL.
    #: Empty means ``<results_dir>/screening.db``.
    database: str = ""
    #: Logs and relaxation checkpoints. Empty means ``<results_dir>/work``.
    work_dir: str = ""
    #: A running calculation with no heartbeat for this long (s) is taken over.
    stale_after: float = 300.0
    #: Relaxations: converged when all free atoms' forces are below this (eV/A).
    relax_fmax: float = 0.05
    #: Relaxations: most optimiser steps, counted over restarts.
    relax_steps: int = 300
    #: Relaxations: ASE optimiser (PreconLBFGS, BFGS, LBFGS or FIRE).
    optimizer: str = "PreconLBFGS"
    #: Total charge (e) of every hydrated-Zn system at the DFT levels: 0 is the
    #: neutral convention, 2 a charged cell with compensating background.
    cluster_charge: int = 0
    #: Vacuum (A) around molecules and atoms in reference calculations.
    molecule_vacuum: float = 6.0
    #: Adsorption: most sites relaxed per adsorbate; beyond it, the lowest by
    #: single-point probes of the unrelaxed placements are relaxed.
    max_sites: int = 6
    #: Desolvation: minimum lateral size (A) of the slab under the cluster.
    cluster_min_lateral: float = 12.0
    #: Epitaxy: largest coincidence-lattice area (A^2) searched on Zn(0001).
    epitaxy_max_area: float = 60.0
    #: Ranking criteria file (TOML, see screening/analysis/ranking.toml);
    #: empty means the shipped defaults.
    ranking_criteria: str = ""
    #: Worker processes of ``znscreen run``; 0 means one per CPU core.
    workers: int = 0
    #: Level overrides and derived levels: TOML tables ``[levels.NAME]``.
    levels: dict = field(default_factory=dict)
    #: Where ``znscreen run`` runs its tasks: local (worker processes on this
    #: machine), dask-local (a Dask cluster on this machine) or slurm (Dask
    #: workers in SLURM jobs, configured by ``[slurm]``).
    profile: str = "local"
    #: The ``slurm`` profile's jobs: TOML table ``[slurm]`` (see SlurmProfile).
    slurm: SlurmProfile = field(default_factory=SlurmProfile)
    #: MPI ranks per GPAW calculation; 1 runs it in the worker process itself.
    mpi_ranks: int = 1
    #: Command that starts ``{ranks}`` MPI ranks, e.g. "srun -n {ranks}".
    mpi_command: str = "mpiexec -n {ranks}"

    @property
    def user_catalog(self) -> Path:
        """The user's catalog file (TOML)."""
        return self.user_data_dir / "catalog.toml"

    @property
    def user_structures_dir(self) -> Path:
        """Where structure files registered with ``znscreen add`` are copied."""
        return self.user_data_dir / "structures"

    @property
    def bundled_catalog(self) -> Path:
        return self.structures_dir / "catalog.toml"

    @property
    def store_url(self) -> str:
        """The database every calculation is read from and written to."""
        return self.database or str(self.results_dir / "screening.db")

    @property
    def calculation_dir(self) -> Path:
        """Root of the per-calculation work directories."""
        return Path(self.work_dir) if self.work_dir else self.results_dir / "work"


def _coerce(name: str, kind: Any, raw: Any, origin: str) -> Any:
    """Convert a raw file/env value to the field's type, or fail in one line."""
    kind_name = kind if isinstance(kind, str) else kind.__name__
    try:
        if kind_name == "Path":
            return Path(str(raw)).expanduser()
        if kind_name == "int":
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError
            return int(raw)
        if kind_name == "float":
            return float(raw)
        if kind_name == "str":
            return str(raw)
        if kind_name.startswith("tuple"):
            # a variable holds one line per item; a file, a TOML list
            from_env = origin.startswith(ENV_PREFIX)
            items = raw.splitlines() if from_env and isinstance(raw, str) else raw
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise ValueError
            return tuple(i for i in items if i.strip())
    except (TypeError, ValueError):
        pass
    else:
        raise SettingsError(f"{origin}: setting {name!r} has unsupported type {kind_name}")
    wanted = "a list of strings" if kind_name.startswith("tuple") else kind_name
    raise SettingsError(f"{origin}: setting {name!r} must be {wanted}, got {raw!r}")


def settings_file() -> Path:
    """The settings file consulted (it need not exist)."""
    env = os.environ.get(ENV_PREFIX + "SETTINGS")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "settings.toml"


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Build the settings from defaults, the TOML file and the environment."""
    environ = dict(os.environ) if environ is None else environ
    path = settings_file() if path is None else path
    known = {f.name: f.type for f in fields(Settings)}
    values: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text())
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{path}: not valid TOML ({exc})") from None
        for key, raw in data.items():
            if key not in known:
                raise SettingsError(f"{path}: unknown setting {key!r}")
            if key in ("levels", "slurm"):
                if not isinstance(raw, dict):
                    shape = "tables [levels.NAME]" if key == "levels" else "a table [slurm]"
                    raise SettingsError(f"{path}: {key!r} must be {shape}")
                values[key] = raw
                continue
            values[key] = _coerce(key, known[key], raw, str(path))
    for key, kind in known.items():
        env_key = ENV_PREFIX + key.upper()
        if key not in ("levels", "slurm") and env_key in environ:
            values[key] = _coerce(key, kind, environ[env_key], env_key)
    values["slurm"] = _slurm(values.get("slurm", {}), str(path), environ)
    settings = replace(Settings(), **values)
    _check(settings)
    return settings


def _slurm(table: dict, origin: str, environ: dict[str, str]) -> SlurmProfile:
    """The ``[slurm]`` table, then ``ZNSCREEN_SLURM_<NAME>`` variables, over the defaults."""
    known = {f.name: f.type for f in fields(SlurmProfile)}
    values = {}
    for key, raw in table.items():
        if key not in known:
            raise SettingsError(f"{origin}: unknown setting 'slurm.{key}'")
        values[key] = _coerce(f"slurm.{key}", known[key], raw, origin)
    for key, kind in known.items():
        env_key = f"{ENV_PREFIX}SLURM_{key.upper()}"
        if env_key in environ:
            values[key] = _coerce(f"slurm.{key}", kind, environ[env_key], env_key)
    return SlurmProfile(**values)


def _check(s: Settings) -> None:
    positive = {
        "slab_layers": s.slab_layers,
        "slab_vacuum": s.slab_vacuum,
        "slab_min_lateral": s.slab_min_lateral,
        "layer_tolerance": s.layer_tolerance,
        "max_slab_atoms": s.max_slab_atoms,
        "max_miller_index": s.max_miller_index,
        "min_interatomic_distance": s.min_interatomic_distance,
        "stale_after": s.stale_after,
        "relax_fmax": s.relax_fmax,
        "relax_steps": s.relax_steps,
        "molecule_vacuum": s.molecule_vacuum,
        "max_sites": s.max_sites,
        "cluster_min_lateral": s.cluster_min_lateral,
        "epitaxy_max_area": s.epitaxy_max_area,
        "mpi_ranks": s.mpi_ranks,
    }
    for name, value in positive.items():
        if value <= 0:
            raise SettingsError(f"setting {name!r} must be positive, got {value}")
    if not 0.0 <= s.fixed_layer_fraction < 1.0:
        raise SettingsError(
            f"setting 'fixed_layer_fraction' must be in [0, 1), got {s.fixed_layer_fraction}"
        )
    if s.optimizer not in OPTIMIZER_NAMES:
        raise SettingsError(f"setting 'optimizer' must be one of {', '.join(OPTIMIZER_NAMES)},"
                            f" got {s.optimizer!r}")
    if s.cluster_charge not in (0, 2):
        raise SettingsError(f"setting 'cluster_charge' must be 0 or 2, got {s.cluster_charge}")
    if s.profile not in PROFILES:
        raise SettingsError(f"setting 'profile' must be one of {', '.join(PROFILES)},"
                            f" got {s.profile!r}")
    if "{ranks}" not in s.mpi_command:
        raise SettingsError(f"setting 'mpi_command' must contain {{ranks}}, "
                            f"got {s.mpi_command!r}")
    s.slurm.check()
    all_levels(s.levels)  # fails in one line on a bad [levels.*] table


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (loaded once)."""
    return load_settings()
