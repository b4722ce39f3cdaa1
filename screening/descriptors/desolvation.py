"""Desolvation descriptors from the ladders on the surface and in free space.

``dE_n = E([Zn(H2O)(n-1)]@S) + E(H2O) - E([Zn(H2O)n]@S)``, n = 6..1 (eV).
Reported: ``desolvation_total`` (sum over n), ``desolvation_max_step``
(largest dE_n) and ``desolvation_vs_free`` (surface total minus free total;
negative = the surface helps strip the shell). The ladders are
:func:`screening.recipes.desolvation.on_surface` and
:func:`screening.recipes.references.clusters`.

A profile with a fragmented shell (a water farther than 3 A from Zn, on the
surface or free) describes no hydrated ion: its three values are missing,
with the reason, and the profile stays in ``details``. Where shell
restraints hold the cluster (levels without charge), the energy left in the
springs of each state is in ``details`` (eV; the energies themselves leave
it out) and a state holding more than :data:`HELD` eV is flagged ``held``.

A neutral cluster at a level that could hold the ion's charge (GPAW with
``cluster_charge = 0``) is not the hydrated ion either: nothing holds its
shell and a neutral Zn at DFT turns the fast level's geometries into
steps of several eV (docs/descriptors.md, "DFT profiles"). Its values are
missing too, flagged ``desolvation:neutral-dft``, profile in ``details``:
the project's DFT convention for the ion is ``cluster_charge = 2`` in
HW14 water (``dft-check-ion``).
"""

from __future__ import annotations

from screening.atoms.anomalies import cluster_flags
from screening.calculators.levels import Level
from screening.atoms.molecules import restraint_energy
from screening.descriptors.quality import quality_flags
from screening.recipes import references
from screening.recipes.context import Context
from screening.recipes.desolvation import on_surface
from screening.recipes.slab import Surface
from screening.schemas import Calculation, ProfileDetails, Value


#: Restraint energy (eV) above which a state is flagged as held by the springs.
HELD = 0.05


def _held(calcs: dict[int, Calculation]) -> dict[int, float]:
    """Energy left in the shell restraints of each state (eV), where there is any."""
    energies = {n: restraint_energy(c.atoms) for n, c in calcs.items()}
    return {n: round(e, 4) for n, e in energies.items() if e > 1e-4}


def not_the_ion(level: Level) -> str:
    """Why ``level``'s hydrated clusters are not the ion ("" if they are or stand in for it).

    Levels that know no charge hold the shell with springs and stand in for
    the ion; a GPAW level without ``cluster_charge`` computes a neutral Zn.
    """
    if level.engine != "gpaw" or level.cluster_charge:
        return ""
    return (f"neutral Zn(H2O)n at DFT level {level.name} is not the hydrated ion "
            "(use cluster_charge = 2, e.g. dft-check-ion); profile in details")


def flagged_states(flags: list[str], free: bool = False) -> dict[int, list[str]]:
    """The states named in ``desolvation:WHAT@n=N`` flags (``free``: in
    ``free-cluster:...`` ones): {N: [flag, ...]}."""
    prefix = "free-cluster:" if free else "desolvation:"
    found: dict[int, list[str]] = {}
    for flag in flags:
        head, _, n = flag.rpartition("@n=")
        if flag.startswith(prefix) and head and n.isdigit():
            found.setdefault(int(n), []).append(flag)
    return found


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
    held, held_free = _held(states), _held(free)
    held_flags = ([f"desolvation:held@n={n}" for n, e in held.items() if e > HELD]
                  + [f"free-cluster:held@n={n}" for n, e in held_free.items() if e > HELD])
    calcs = [*states.values(), *free.values(), water]
    neutral = not_the_ion(ctx.level)
    flags = (flags + free_flags + held_flags + quality_flags(calcs)
             + ["desolvation:neutral-dft"] * bool(neutral))
    keys = [c.key for c in calcs]
    total = sum(surface_steps.values())
    details: ProfileDetails = {
        "kind": "profile", "surface": {n: round(v, 4) for n, v in surface_steps.items()},
        "free": {n: round(v, 4) for n, v in free_steps.items()},
        "charge": references.cluster_charge(ctx), "convention": references.convention(ctx),
        "slab_atoms": surface.n_atoms,
        "restraint": references.shell_restraint(ctx), "held": held, "held_free": held_free}
    values = {"desolvation_total": total, "desolvation_max_step": max(surface_steps.values()),
              "desolvation_vs_free": total - sum(free_steps.values())}
    broken = sorted({f.split(":", 1)[1] for f in flags if "fragmented" in f})
    reason = (f"hydrated-Zn shell fragmented ({', '.join(broken)}); profile in details"
              if broken else neutral)
    return {column: Value(None if reason else value, "eV", reason=reason,
                          flags=flags, keys=keys,
                          details=details if column == "desolvation_total" else None)
            for column, value in values.items()}
