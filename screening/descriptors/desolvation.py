"""Stepwise desolvation of hydrated Zn at a surface and in free space.

The octahedral [Zn(H2O)6] is placed over the relaxed clean slab by the
rule of :func:`screening.atoms.adsorbates.with_cluster`, on a slab at least
``settings.cluster_min_lateral`` wide. It is relaxed, then one water is
removed and the rest relaxed again from there, down to Zn alone. What is left
is lowered back onto the surface (:func:`~screening.atoms.adsorbates.lowered`),
so the bare Zn at the end starts at the surface. The water
removed is the loosest one (longest Zn-O bond), the same rule as for the
free cluster of :func:`screening.recipes.references.clusters`, so the two
profiles differ only by the surface.

``dE_n = E([Zn(H2O)(n-1)]@S) + E(H2O) - E([Zn(H2O)n]@S)``, n = 6..1 (eV).
Reported: ``desolvation_total`` (sum over n), ``desolvation_max_step``
(largest dE_n) and ``desolvation_vs_free`` (surface total minus free total;
negative = the surface helps strip the shell). The charge of every
hydrated system is :func:`screening.recipes.references.cluster_charge`.
"""

from __future__ import annotations

from screening.atoms.adsorbates import lowered, with_cluster
from screening.atoms.anomalies import cluster_flags
from screening.atoms.molecules import drop_water, hexaaqua_zinc, loosest_water
from screening.descriptors.surface import Surface
from screening.descriptors.values import Value, quality_flags
from screening.recipes import references
from screening.recipes.context import Context
from screening.runners.compute import Calculation

N_WATERS = 6


def steps(energies: dict[int, float], water: float) -> dict[int, float]:
    """dE_n for every n whose state and the one below it are known (eV)."""
    return {n: energies[n - 1] + water - energies[n]
            for n in sorted(energies, reverse=True) if n - 1 in energies}


def on_surface(ctx: Context, surface: Surface) -> tuple[dict[int, Calculation], list[str]]:
    """Relaxed [Zn(H2O)n]@S for n = 6..0 and the anomaly flags met on the way."""
    clean = surface.clean.atoms
    n_slab = len(clean)
    charge = references.cluster_charge(ctx)
    atoms = with_cluster(clean, hexaaqua_zinc(ctx.settings.molecule_vacuum))
    states: dict[int, Calculation] = {}
    flags: list[str] = []
    for n in range(N_WATERS, -1, -1):
        calc = ctx.run(atoms, f"{surface.candidate.name}/zn(h2o){n}@surface", relax=True,
                       charge=charge)
        states[n] = calc
        flags += [f"desolvation:{flag}@n={n}" for flag in cluster_flags(calc.atoms, n_slab)]
        if n:
            which = loosest_water(calc.atoms[n_slab:])
            atoms = lowered(drop_water(calc.atoms, which, offset=n_slab), n_slab)
    return states, flags


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
    details = {"surface": {n: round(v, 4) for n, v in surface_steps.items()},
               "free": {n: round(v, 4) for n, v in free_steps.items()},
               "charge": references.cluster_charge(ctx),
               "slab_atoms": surface.n_atoms}
    return {
        "desolvation_total": Value(total, "eV", flags=flags, keys=keys, details=details),
        "desolvation_max_step": Value(max(surface_steps.values()), "eV", flags=flags, keys=keys),
        "desolvation_vs_free": Value(total - sum(free_steps.values()), "eV", flags=flags,
                                     keys=keys),
    }
