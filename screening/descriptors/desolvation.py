"""Desolvation descriptors from the ladders on the surface and in free space.

``dE_n = E([Zn(H2O)(n-1)]@S) + E(H2O) - E([Zn(H2O)n]@S)``, n = 6..1 (eV).
Reported: ``desolvation_total`` (sum over n), ``desolvation_max_step``
(largest dE_n) and ``desolvation_vs_free`` (surface total minus free total;
negative = the surface helps strip the shell). The ladders are
:func:`screening.recipes.desolvation.on_surface` and
:func:`screening.recipes.references.clusters`.
"""

from __future__ import annotations

from screening.atoms.anomalies import cluster_flags
from screening.descriptors.quality import quality_flags
from screening.recipes import references
from screening.recipes.context import Context
from screening.recipes.desolvation import on_surface
from screening.recipes.slab import Surface
from screening.schemas import ProfileDetails, Value


def steps(energies: dict[int, float], water: float) -> dict[int, float]:
    """dE_n for every n whose state and the one below it are known (eV)."""
    return {n: energies[n - 1] + water - energies[n]
            for n in sorted(energies, reverse=True) if n - 1 in energies}


def desolvation(ctx: Context, surface: Surface) -> dict[str, Value]:
    """The three desolvation descriptors (module doc); profiles in ``details``."""
    states, flags = on_surface(ctx, surface)
    free = references.clusters(ctx)
    water = references.h2o(ctx)
    surface_steps = steps({n: c.energy for n, c in states.items()}, water.energy)
    free_steps = steps({n: c.energy for n, c in free.items()}, water.energy)
    free_flags = [f"free-cluster:{flag}@n={n}" for n, c in free.items()
                  for flag in cluster_flags(c.atoms)]
    calcs = [*states.values(), *free.values(), water]
    flags = flags + free_flags + quality_flags(calcs)
    keys = [c.key for c in calcs]
    total = sum(surface_steps.values())
    details: ProfileDetails = {
        "kind": "profile", "surface": {n: round(v, 4) for n, v in surface_steps.items()},
        "free": {n: round(v, 4) for n, v in free_steps.items()},
        "charge": references.cluster_charge(ctx), "slab_atoms": surface.n_atoms}
    return {
        "desolvation_total": Value(total, "eV", flags=flags, keys=keys, details=details),
        "desolvation_max_step": Value(max(surface_steps.values()), "eV", flags=flags, keys=keys),
        "desolvation_vs_free": Value(total - sum(free_steps.values()), "eV", flags=flags,
                                     keys=keys),
    }
