"""What every recipe needs: a store, a level, the settings; and what it used.

``Context.run`` obtains one energy through the store. With a
``geometry`` level set, a relaxation runs at that level and the energy is
a single point at ``level`` on the relaxed structure ("level//geometry",
e.g. dft-fast//mlip); otherwise everything runs at ``level``. Every
calculation obtained is appended to ``used``, so a recipe can say which
stored calculations stand behind each number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ase import Atoms

from screening.calculators.levels import Level, get_level
from screening.runners.compute import Calculation, Request, compute
from screening.runners.execute import TaskSpec
from screening.runners.mpi import launcher
from screening.settings import Settings
from screening.store.database import Store


@dataclass
class Context:
    """Where to store, at which level, and the calculations used so far."""

    store: Store
    level: Level
    settings: Settings
    #: Level whose relaxed geometries the energies are computed on (None: ``level``).
    geometry: Level | None = None
    used: list[Calculation] = field(default_factory=list)

    @property
    def name(self) -> str:
        """``level`` or ``level//geometry``."""
        return self.level.name + (f"//{self.geometry.name}" if self.geometry else "")

    def at_geometry(self) -> "Context":
        """This context at its geometry level (itself if it has none); same ``used``."""
        if self.geometry is None:
            return self
        return Context(self.store, self.geometry, self.settings, used=self.used)

    def _get(self, request: Request) -> Calculation:
        calc = compute(self.store, request, self.settings.calculation_dir,
                       launch=launcher(self.settings.mpi_ranks, self.settings.mpi_command))
        self.used.append(calc)
        return calc

    def run(self, atoms: Atoms, label: str, relax: bool = False, charge: int = 0,
            kpts: list[int] | None = None) -> Calculation:
        """The energy of ``atoms`` (relaxed first if ``relax``) at this context's level."""
        if not relax:
            return self._get(Request(atoms, self.level, label, charge=charge, kpts=kpts))
        spec = TaskSpec("relax", self.settings.relax_fmax, self.settings.relax_steps,
                        self.settings.optimizer)
        if self.geometry is None:
            return self._get(Request(atoms, self.level, label, spec, charge, kpts))
        relaxed = self._get(Request(atoms, self.geometry, label, spec, charge, kpts))
        return self._get(Request(relaxed.atoms, self.level, f"{label}//{self.geometry.name}",
                                 charge=charge, kpts=kpts))

    def probe(self, atoms: Atoms, label: str) -> Calculation:
        """A single point at the level that makes the geometries (pre-screening)."""
        return self._get(Request(atoms, self.geometry or self.level, label))

    def neb(self, initial: Atoms, final: Atoms, label: str, images: int = 5) -> Calculation:
        """Climbing-image NEB between two relaxed states, at ``level`` (FIRE)."""
        spec = TaskSpec("neb", self.settings.relax_fmax, self.settings.relax_steps, "FIRE",
                        images=images)
        return self._get(Request(initial, self.level, label, spec, final=final))


def open_context(settings: Settings, level: str, geometry: str | None = None) -> Context:
    """A context on the settings' store at ``level`` (``level//geometry`` if given)."""
    return Context(Store(settings.store_url, settings.stale_after),
                   get_level(level, settings.levels), settings,
                   geometry=get_level(geometry, settings.levels)
                   if geometry and geometry != level else None)
