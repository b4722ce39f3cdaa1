"""An amorphous slab made by melt-quench molecular dynamics at one level.

:func:`melt_quench` follows :class:`MeltQuench`: a random packing of the
formula at the set density (:func:`screening.atoms.amorphous.random_packing`)
is relaxed, melted (Langevin NVT at ``melt_temperature`` for ``melt_ps``),
quenched linearly to ``final_temperature`` at ``quench_rate``, annealed
there for ``anneal_ps`` and relaxed; the box is then opened along z into a
slab where it had the least matter, and the slab is relaxed with its
bottom ``fixed_layer_fraction`` of atoms (by height) fixed. The MD runs as
segments of at most ``segment_steps`` steps, each a stored calculation, so
a killed run resumes at the last finished segment and a second run
computes nothing. The density is the recipe's (NVT): the glass is
characterised by its coordination, bond lengths and radial distribution.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from ase.constraints import FixAtoms

from screening.atoms.amorphous import (bond_lengths, coordination, largest_gap, pair_rdf,
                                       random_packing, slab_from_box)
from screening.atoms.checks import check_structure
from screening.atoms.geometry import density, too_close_pairs
from screening.errors import ScreeningError
from screening.recipes.context import Context
from screening.schemas import Calculation

#: A slab with an empty interval this wide (A) along its normal has come apart.
MAX_GAP = 3.0


@dataclass(frozen=True)
class MeltQuench:
    """A melt-quench recipe: temperatures in K, times in ps, rate in K/ps, lengths in A."""

    formula: str = "TiO2"
    units: int = 24
    density: float = 3.8  # g/cm^3
    seed: int = 0
    melt_temperature: float = 3000.0
    melt_ps: float = 3.0
    quench_rate: float = 500.0
    final_temperature: float = 300.0
    anneal_ps: float = 1.0
    timestep: float = 1.0  # fs
    segment_steps: int = 500
    vacuum: float = 15.0
    #: Cation-anion pair whose coordination and bonds characterise the glass.
    cation: str = "Ti"
    anion: str = "O"
    bond_cutoff: float = 2.5

    def check(self) -> None:
        """Refuse recipes that cannot run (one line naming the value)."""
        positive = {"melt_temperature": self.melt_temperature, "melt_ps": self.melt_ps,
                    "quench_rate": self.quench_rate, "timestep": self.timestep,
                    "segment_steps": self.segment_steps, "vacuum": self.vacuum,
                    "final_temperature": self.final_temperature}
        for name, value in positive.items():
            if not value > 0:
                raise ScreeningError(f"melt-quench {name} = {value}: must be positive")
        if self.anneal_ps < 0:
            raise ScreeningError(f"melt-quench anneal_ps = {self.anneal_ps}: must be >= 0")
        if self.final_temperature >= self.melt_temperature:
            raise ScreeningError(f"melt-quench final_temperature {self.final_temperature} K "
                                 f"is not below melt_temperature {self.melt_temperature} K")

    @property
    def label(self) -> str:
        return f"amorphous/{self.formula}x{self.units}-rho{self.density:g}-s{self.seed}"

    def schedule(self) -> list[tuple[float, float, int]]:
        """The MD segments: (start K, end K, steps), melt, quench and anneal in order."""
        per_ps = round(1000 / self.timestep)
        quench_ps = (self.melt_temperature - self.final_temperature) / self.quench_rate
        stages = [(self.melt_temperature, self.melt_temperature, round(self.melt_ps * per_ps)),
                  (self.melt_temperature, self.final_temperature, round(quench_ps * per_ps)),
                  (self.final_temperature, self.final_temperature,
                   round(self.anneal_ps * per_ps))]
        segments = []
        for start, end, steps in stages:
            pieces = max(1, -(-steps // self.segment_steps))
            edges = np.linspace(start, end, pieces + 1)
            counts = np.diff(np.linspace(0, steps, pieces + 1).round().astype(int))
            segments += [(float(edges[k]), float(edges[k + 1]), int(counts[k]))
                         for k in range(pieces) if counts[k] > 0]
        return segments


@dataclass
class Amorphous:
    """A melt-quenched box, the slab opened from it, and what characterises them."""

    recipe: MeltQuench
    box: Calculation  # the relaxed glass (periodic box)
    slab: Calculation  # the relaxed slab
    md_steps: int
    density: float  # g/cm^3 of the box
    coordination: float  # mean anion count around a cation (box)
    coordination_spread: dict[int, int]  # cation count by coordination number
    bond_length: float  # mean cation-anion distance below bond_cutoff (A)
    rdf: tuple[list[float], list[float]]  # cation-anion g(r) of the box

    def summary(self) -> dict:
        """A JSON-ready record (no structures)."""
        return {"recipe": asdict(self.recipe), "box_key": self.box.key,
                "slab_key": self.slab.key, "md_steps": self.md_steps,
                "density": self.density, "coordination": self.coordination,
                "coordination_spread": {str(k): v for k, v in self.coordination_spread.items()},
                "bond_length": self.bond_length, "n_atoms": len(self.box.atoms),
                "slab_atoms": len(self.slab.atoms)}


def melt_quench(ctx: Context, recipe: MeltQuench) -> Amorphous:
    """Run ``recipe`` at ``ctx``'s level (module doc). Refused before any calculation: a
    recipe that cannot run or a start the level cannot take; after: a glass with
    overlaps or a slab with a gap."""
    recipe.check()
    start = random_packing(recipe.formula, recipe.units, recipe.density, recipe.seed)
    check_structure(start, f"{recipe.formula} x {recipe.units}", "bulk",
                    ctx.settings.min_interatomic_distance, ctx.settings.paw_xc)
    state = ctx.relax(start, f"{recipe.label}/start")[0]
    steps = 0
    for index, (t_start, t_end, n) in enumerate(recipe.schedule()):
        state = ctx.md(state.atoms, f"{recipe.label}/md{index:03d}", (t_start, t_end), n,
                       recipe.timestep, seed=recipe.seed * 1000 + index)
        steps += n
    box = ctx.relax(state.atoms, f"{recipe.label}/box")[0]
    close = too_close_pairs(box.atoms)
    if close:
        a, b, d = close[0]
        raise ScreeningError(f"{recipe.label}: the quenched box has {a}-{b} at {d:.2f} A "
                             "(overlapping atoms); change the seed or slow the quench")
    opened = slab_from_box(box.atoms, recipe.vacuum)
    z = opened.positions[:, 2]
    opened.set_constraint(FixAtoms(
        indices=np.argsort(z)[:int(ctx.settings.fixed_layer_fraction * len(opened))]))
    slab = ctx.relax(opened, f"{recipe.label}/slab")[0]
    gap = largest_gap(slab.atoms)
    if gap > MAX_GAP:
        raise ScreeningError(f"{recipe.label}: the slab has a {gap:.1f} A gap along its normal "
                             f"(more than {MAX_GAP} A): it came apart")
    counts = coordination(box.atoms, recipe.cation, recipe.anion, recipe.bond_cutoff)
    if not len(counts):
        raise ScreeningError(f"{recipe.formula} has no {recipe.cation}: set the recipe's "
                             "cation and anion")
    bonds = bond_lengths(box.atoms, recipe.cation, recipe.anion, recipe.bond_cutoff)
    r, g = pair_rdf(box.atoms, recipe.cation, recipe.anion,
                    rmax=min(6.0, box.atoms.cell.lengths().min() / 2))
    values, numbers = np.unique(counts, return_counts=True)
    return Amorphous(recipe, box, slab, steps, density(box.atoms), float(counts.mean()),
                     {int(v): int(n) for v, n in zip(values, numbers)},
                     float(bonds.mean()) if len(bonds) else float("nan"),
                     (r.tolist(), g.tolist()))
