"""The one settings object every part of the pipeline reads (pydantic-settings).

Precedence, lowest first: the defaults below, a TOML settings file, then
environment variables. The file is ``$ZNSCREEN_SETTINGS`` if set, else
``<user config dir>/zn-screening/settings.toml`` if it exists. Each field
``name`` can be overridden by the variable ``ZNSCREEN_<NAME>`` (upper case),
e.g. ``ZNSCREEN_SLAB_VACUUM=20``; a field of the ``[slurm]`` table by
``ZNSCREEN_SLURM_<NAME>``; a list by one line per item. Lengths are in
Angstrom. A bad value is one line naming the file or variable and the
setting (:class:`~screening.errors.SettingsError`).
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Mapping

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import (BaseSettings, EnvSettingsSource, SettingsConfigDict,
                               TomlConfigSettingsSource)

from screening.calculators.levels import all_levels
from screening.errors import SettingsError
from screening.training.registry import REGISTRY, registered_levels

APP_NAME = "zn-screening"
ENV_PREFIX = "ZNSCREEN_"
OPTIMIZER_NAMES = ("PreconLBFGS", "BFGS", "LBFGS", "FIRE")
#: Where a flow's tasks run (see ``flows/runners.py``).
PROFILES = ("local", "dask-local", "slurm")
#: A ``database`` setting with one of these prefixes is a PostgreSQL server.
POSTGRES_PREFIXES = ("postgresql://", "postgres://")


def bundled_structures() -> Path:
    """The structure library installed with the package (``structures/`` of a checkout)."""
    return Path(str(resources.files("screening.structures")))


def _no_bools(prefix: str):
    """A validator refusing true/false, which pydantic would read as 1/0 (no
    setting is a boolean)."""
    def check(value: Any, info) -> Any:
        if isinstance(value, bool):
            raise ValueError(f"setting '{prefix}{info.field_name}' must be a number or text, "
                             f"got {value!r}")
        return value
    return field_validator("*", mode="before")(check)


class SlurmProfile(BaseModel):
    """SLURM jobs of the ``slurm`` profile: each job is one Dask worker that
    runs one task at a time on all of its cores (GPAW over MPI on them)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Account charged (``--account``); empty: the cluster's default.
    account: str = ""
    #: Partition (``--partition``); empty: the cluster's default.
    partition: str = ""
    #: Cores (task slots) of one job.
    cores: int = Field(2, gt=0)
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
    max_jobs: int = Field(4, gt=0)
    #: Python on the compute nodes; empty: the one running ``znscreen``.
    python: str = ""
    #: Network interface the workers reach the scheduler on, e.g. "ib0";
    #: empty: Dask's choice.
    interface: str = ""

    _bools = _no_bools("slurm.")

    @field_validator("walltime")
    @classmethod
    def _walltime(cls, value: str) -> str:
        parts = value.split(":")
        if not (1 <= len(parts) <= 3 and all(p.isdigit() for p in parts)):
            raise ValueError(f"setting 'slurm.walltime' must be HH:MM:SS, got {value!r}")
        return value

    @model_validator(mode="after")
    def _jobs(self) -> SlurmProfile:
        if not 0 <= self.min_jobs <= self.max_jobs:
            raise ValueError(f"setting 'slurm.min_jobs' must be in [0, max_jobs="
                             f"{self.max_jobs}], got {self.min_jobs}")
        return self


class Settings(BaseSettings):
    """Pipeline configuration (paths, slab-model defaults, input limits, execution)."""

    model_config = SettingsConfigDict(extra="forbid", frozen=True, env_prefix=ENV_PREFIX)

    #: Bundled structure library (catalog.toml and structure files).
    structures_dir: Path = Field(default_factory=bundled_structures)
    #: Where the user's own candidates live (catalog + copied structures).
    user_data_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir(APP_NAME)))
    #: Default outputs (tables, slabs, reports) and the default database.
    results_dir: Path = Path("results")

    #: Minimum number of atomic layers in a slab cut from a bulk.
    slab_layers: int = Field(4, gt=0)
    #: Vacuum gap between a slab and its periodic image along z (A).
    slab_vacuum: float = Field(15.0, gt=0)
    #: Minimum distance between an atom and its in-plane periodic images (A).
    slab_min_lateral: float = Field(10.0, gt=0)
    #: Atoms closer in z than this belong to one atomic layer (A).
    layer_tolerance: float = Field(0.3, gt=0)
    #: Fraction of atomic layers, counted from the bottom, held fixed.
    fixed_layer_fraction: float = Field(0.5, ge=0.0, lt=1.0)
    #: A slab with more atoms than this is refused as not sane to compute.
    max_slab_atoms: int = Field(600, gt=0)
    #: Largest |Miller index| accepted.
    max_miller_index: int = Field(4, gt=0)

    #: Atoms closer than this (A) make a structure invalid.
    min_interatomic_distance: float = Field(0.5, gt=0)
    #: Exchange-correlation functional whose PAW datasets must exist.
    paw_xc: str = "PBE"

    #: Results database: a SQLite file (``.db``) or a ``postgresql://`` URL.
    #: Empty means ``<results_dir>/screening.db``.
    database: str = ""
    #: Logs and relaxation checkpoints. Empty means ``<results_dir>/work``.
    work_dir: str = ""
    #: A running calculation with no heartbeat for this long (s) is taken over.
    stale_after: float = Field(300.0, gt=0)
    #: Relaxations: converged when all free atoms' forces are below this (eV/A).
    relax_fmax: float = Field(0.05, gt=0)
    #: Relaxations: most optimiser steps, counted over restarts.
    relax_steps: int = Field(300, gt=0)
    #: Relaxations: ASE optimiser.
    optimizer: Literal[OPTIMIZER_NAMES] = "PreconLBFGS"
    #: Hydrated Zn at levels that know no charge (CHGNet, SevenNet, pair):
    #: spring constant (eV/A^2) of the flat-bottom Zn-O restraints that hold
    #: the first shell together beyond 2.4 A; 0 switches them off.
    shell_restraint: float = Field(5.0, ge=0)
    #: Vacuum (A) around molecules and atoms in reference calculations.
    molecule_vacuum: float = Field(6.0, gt=0)
    #: Adsorption: most sites relaxed per adsorbate; beyond it, the lowest by
    #: single-point probes of the unrelaxed placements are relaxed.
    max_sites: int = Field(6, gt=0)
    #: At ``level//geometry``: single points at ``level`` on the site the geometry
    #: level chose (``chosen``), or on every site it relaxed (``all``; the reported
    #: site is then the lowest at ``level``).
    verify_sites: Literal["chosen", "all"] = "chosen"
    #: Desolvation: minimum lateral size (A) of the slab under the cluster.
    cluster_min_lateral: float = Field(12.0, gt=0)
    #: Epitaxy: largest coincidence-lattice area (A^2) searched on Zn(0001).
    epitaxy_max_area: float = Field(60.0, gt=0)
    #: Ranking criteria file (TOML, see screening/analysis/ranking.toml);
    #: empty means the shipped defaults.
    ranking_criteria: str = ""
    #: Accuracy-ladder value files (JSON) whose measured errors give the table's
    #: sigmas; empty means the committed reference set (benchmarks/reference).
    reference_values: tuple[str, ...] = ()
    #: Worker processes of ``znscreen run``; 0 means one per CPU core.
    workers: int = Field(0, ge=0)
    #: Level overrides and derived levels: TOML tables ``[levels.NAME]``.
    levels: dict[str, Any] = Field(default_factory=dict)
    #: Where ``znscreen run`` runs its tasks: local (worker processes on this
    #: machine), dask-local (a Dask cluster on this machine) or slurm (Dask
    #: workers in SLURM jobs, configured by ``[slurm]``).
    profile: Literal[PROFILES] = "local"
    #: The ``slurm`` profile's jobs: TOML table ``[slurm]`` (see SlurmProfile).
    slurm: SlurmProfile = Field(default_factory=SlurmProfile)
    #: MPI ranks per GPAW calculation; 1 runs it in the worker process itself.
    mpi_ranks: int = Field(1, gt=0)
    #: Command that starts ``{ranks}`` MPI ranks, e.g. "srun -n {ranks}".
    mpi_command: str = "mpiexec -n {ranks}"

    _bools = _no_bools("")

    @field_validator("structures_dir", "user_data_dir", "results_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("mpi_command")
    @classmethod
    def _ranks(cls, value: str) -> str:
        if "{ranks}" not in value:
            raise ValueError(f"setting 'mpi_command' must contain {{ranks}}, got {value!r}")
        return value

    @field_validator("levels")
    @classmethod
    def _levels(cls, value: dict[str, Any]) -> dict[str, Any]:
        all_levels(value)  # a bad [levels.*] table fails here, in one line
        return value

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, **_: Any):
        # load_settings gathers the file and the environment itself (it knows
        # which file, and names it in errors)
        return (init_settings,)

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
    def finetune_dir(self) -> Path:
        """Fine-tuned models and their provenance (``znscreen finetune``)."""
        return self.user_data_dir / "finetune"

    @property
    def store_url(self) -> str:
        """The database every calculation is read from and written to."""
        return self.database or str(self.results_dir / "screening.db")

    @property
    def calculation_dir(self) -> Path:
        """Root of the per-calculation work directories."""
        return Path(self.work_dir) if self.work_dir else self.results_dir / "work"

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes``, validated like a settings file."""
        try:
            return type(self)(**{**self.model_dump(), **changes})
        except ValidationError as exc:
            raise SettingsError(_one_line(exc, "", {})) from None

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump()


class _Environment(EnvSettingsSource):
    """``ZNSCREEN_*`` variables of a given environment; a list is one line per item."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(Settings, env_prefix=ENV_PREFIX, env_nested_delimiter="_",
                         env_nested_max_split=1)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {k.lower(): v for k, v in self._environ.items()
                if k.upper().startswith(ENV_PREFIX)}

    def decode_complex_value(self, field_name: str, field, value: Any) -> Any:
        if field is not None and getattr(field.annotation, "__origin__", None) is tuple:
            return tuple(line for line in str(value).splitlines() if line.strip())
        return super().decode_complex_value(field_name, field, value)


def settings_file(environ: Mapping[str, str] | None = None) -> Path:
    """The settings file consulted (it need not exist)."""
    env = (os.environ if environ is None else environ).get(ENV_PREFIX + "SETTINGS")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "settings.toml"


def _variable(loc: tuple, environ: Mapping[str, str]) -> str:
    """The environment variable that set the setting at ``loc``, if one did."""
    name = ENV_PREFIX + "_".join(str(part) for part in loc[:2]).upper()
    return name if name in {k.upper() for k in environ} else ""


_WANTED = {"int": "int", "float": "float", "string": "str", "tuple": "a list of strings",
           "bool": "true or false", "dict": "tables [levels.NAME]",
           "model": "a table [slurm]", "literal": "one of"}


def _one_line(exc: ValidationError, path: Path | str, environ: Mapping[str, str]) -> str:
    """The first problem of a validation error as one line naming where it came from."""
    error = exc.errors()[0]
    loc = tuple(p for p in error["loc"] if p != "[key]")
    name = ".".join(str(p) for p in loc)
    origin = _variable(loc, environ) or str(path)
    where = f"{origin}: " if origin else ""
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        return f"{where}unknown setting {name!r}"
    if kind == "value_error":
        return where + error["msg"].removeprefix("Value error, ")
    if kind in ("greater_than", "greater_than_equal", "less_than"):
        bound = {"greater_than": "positive", "greater_than_equal": "0 or more"}.get(
            kind, f"in [0, {error['ctx'].get('lt')})")
        if kind == "less_than" or name == "fixed_layer_fraction":
            bound = "in [0, 1)"
        return f"{where}setting {name!r} must be {bound}, got {value!r}"
    if kind == "literal_error":
        expected = error["ctx"]["expected"].replace("'", "").replace(" or ", ", ")
        return f"{where}setting {name!r} must be one of {expected}, got {value!r}"
    wanted = next((text for prefix, text in _WANTED.items() if kind.startswith(prefix)), kind)
    return f"{where}setting {name!r} must be {wanted}, got {value!r}"


def _merge(low: dict[str, Any], high: dict[str, Any]) -> dict[str, Any]:
    """``high`` over ``low``; tables (the [slurm] table) merge key by key."""
    merged = dict(low)
    for key, value in high.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from defaults, the TOML file and the environment."""
    environ = dict(os.environ) if environ is None else environ
    path = settings_file(environ) if path is None else path
    try:
        from_file = TomlConfigSettingsSource(Settings, toml_file=path)() if path.exists() else {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from None
    try:
        settings = Settings(**_merge(from_file, _Environment(environ)()))
    except ValidationError as exc:
        raise SettingsError(_one_line(exc, path, environ)) from None
    except SettingsError as exc:  # a bad [levels.NAME] table
        raise SettingsError(f"{path}: {exc}") from None
    # the levels ``znscreen finetune`` registered; the settings file's own win
    registered = registered_levels(settings.finetune_dir)
    if not registered:
        return settings
    try:
        return settings.replace(levels={**registered, **settings.levels})
    except SettingsError as exc:
        raise SettingsError(f"{settings.finetune_dir / REGISTRY}: {exc}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (loaded once)."""
    return load_settings()
