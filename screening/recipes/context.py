"""What every recipe needs: a store, a level, the settings, a run; and what it used.

``Context.run`` obtains one energy through the store. With a ``geometry``
level set, a relaxation runs at that level and the energy is a single
point at ``level`` on the relaxed structure ("level//geometry", e.g.
dft-fast//mlip); otherwise everything runs at ``level``. Every calculation
obtained is appended to ``used``, so a recipe can say which stored
calculations stand behind each number. ``run_id`` names the run: a
calculation that failed in this run is not attempted again within it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from ase import Atoms

from screening.calculators.levels import Level, get_level
from screening.runners.compute import Request, compute
from screening.runners.execute import TaskSpec
from screening.runners.mpi import launcher
from screening.schemas import Calculation, TaskKind
from screening.settings import Settings
from screening.store.database import Store


def new_run_id() -> str:
    """A fresh identifier for one run (a flow run or one command)."""
    return uuid.uuid4().hex[:16]


@dataclass
class Context:
    """Where to store, at which level, in which run, and the calculations used so far."""

    store: Store
    level: Level
    settings: Settings
    #: Level whose relaxed geometries the energies are computed on (None: ``level``).
    geometry: Level | None = None
    run_id: str = field(default_factory=new_run_id)
    used: list[Calculation] = field(default_factory=list)

    @property
    def name(self) -> str:
        """``level`` or ``level//geometry``."""
        return self.level.name + (f"//{self.geometry.name}" if self.geometry else "")

    def at_geometry(self) -> Context:
        """This context at its geometry level (itself if it has none); same run and ``used``."""
        if self.geometry is None:
            return self
        return Context(self.store, self.geometry, self.settings, run_id=self.run_id,
                       used=self.used)

    def _get(self, request: Request) -> Calculation:
        calc = compute(self.store, request, self.settings.calculation_dir, self.run_id,
                       launch=launcher(self.settings.mpi_ranks, self.settings.mpi_command))
        self.used.append(calc)
        return calc

    def fetch(self, key: str) -> Calculation:
        """A finished calculation from the store by key (counted as used, not computed)."""
        calc = self.store.calculation(key)
        self.used.append(calc)
        return calc

    def _relax_spec(self) -> TaskSpec:
        return TaskSpec(TaskKind.RELAX, self.settings.relax_fmax, self.settings.relax_steps,
                        self.settings.optimizer)

    def relax(self, atoms: Atoms, label: str, charge: int = 0,
              kpts: list[int] | None = None) -> tuple[Calculation, Calculation]:
        """``atoms`` relaxed at the geometry level, and its energy at ``level``
        (the same calculation twice without a geometry level)."""
        geometry = self.geometry or self.level
        relaxed = self._get(Request(atoms, geometry, label, self._relax_spec(), charge, kpts))
        if self.geometry is None:
            return relaxed, relaxed
        return relaxed, self._get(Request(relaxed.atoms, self.level,
                                          f"{label}//{self.geometry.name}", charge=charge,
                                          kpts=kpts))

    def run(self, atoms: Atoms, label: str, relax: bool = False, charge: int = 0,
            kpts: list[int] | None = None) -> Calculation:
        """The energy of ``atoms`` (relaxed first if ``relax``) at this context's level."""
        if relax:
            return self.relax(atoms, label, charge, kpts)[1]
        return self._get(Request(atoms, self.level, label, charge=charge, kpts=kpts))

    def probe(self, atoms: Atoms, label: str) -> Calculation:
        """A single point at the level that makes the geometries (pre-screening)."""
        return self._get(Request(atoms, self.geometry or self.level, label))

    def md(self, atoms: Atoms, label: str, temperatures: tuple[float, float], steps: int,
           timestep: float = 1.0, seed: int = 0) -> Calculation:
        """One Langevin MD segment at ``level`` (K ramped linearly, fs); the last step stored."""
        spec = TaskSpec(TaskKind.MD, steps=steps, temperatures=temperatures, timestep=timestep,
                        seed=seed)
        return self._get(Request(atoms, self.level, label, spec))

    def neb(self, initial: Atoms, final: Atoms, label: str, images: int = 5) -> Calculation:
        """Climbing-image NEB between two relaxed states, at ``level`` (FIRE)."""
        spec = TaskSpec(TaskKind.NEB, self.settings.relax_fmax, self.settings.relax_steps,
                        "FIRE", images=images)
        return self._get(Request(initial, self.level, label, spec, final=final))


def open_context(settings: Settings, level: str, geometry: str | None = None,
                 run_id: str | None = None) -> Context:
    """A context on the settings' store at ``level`` (``level//geometry`` if given)."""
    return Context(Store(settings.store_url, settings.stale_after),
                   get_level(level, settings.levels), settings,
                   geometry=get_level(geometry, settings.levels)
                   if geometry and geometry != level else None,
                   run_id=run_id or new_run_id())
