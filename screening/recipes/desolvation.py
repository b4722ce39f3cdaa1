"""The desolvation ladder: hydrated Zn over a clean slab, stripped one water at a time.

The octahedral [Zn(H2O)6] is placed over the relaxed clean slab by the
rule of :func:`screening.atoms.adsorbates.with_cluster` (the slab is the
``cluster`` model, at least ``settings.cluster_min_lateral`` wide). It is
relaxed, then one water is removed and the rest relaxed again from there,
down to Zn alone. What is left is lowered back onto the surface
(:func:`~screening.atoms.adsorbates.lowered`), so the bare Zn at the end
starts at the surface. The water removed is the loosest one (longest Zn-O
bond), the same rule as for the free cluster of
:func:`screening.recipes.references.clusters`, so the two ladders differ
only by the surface. The charge of every hydrated system is
:func:`screening.recipes.references.cluster_charge`; at levels that know no
charge the first shell is held by the springs of
:func:`screening.recipes.references.shell_restraint`.
"""

from __future__ import annotations

from screening.atoms.adsorbates import lowered, with_cluster
from screening.atoms.anomalies import cluster_flags
from screening.atoms.molecules import drop_water, hexaaqua_zinc, loosest_water, restrained
from screening.recipes import references
from screening.recipes.context import Context
from screening.recipes.slab import Surface
from screening.schemas import Calculation

N_WATERS = 6


def on_surface(ctx: Context, surface: Surface) -> tuple[dict[int, Calculation], list[str]]:
    """Relaxed [Zn(H2O)n]@S for n = 6..0 and the anomaly flags met on the way."""
    clean = surface.clean.atoms
    n_slab = len(clean)
    charge = references.cluster_charge(ctx)
    spring = references.shell_restraint(ctx)
    atoms = with_cluster(clean, hexaaqua_zinc(ctx.settings.molecule_vacuum))
    states: dict[int, Calculation] = {}
    flags: list[str] = []
    for n in range(N_WATERS, -1, -1):
        calc = ctx.run(restrained(atoms, spring, n_slab), f"{surface.name}/zn(h2o){n}@surface",
                       relax=True, charge=charge)
        states[n] = calc
        flags += [f"desolvation:{flag}@n={n}" for flag in cluster_flags(calc.atoms, n_slab)]
        if n:
            which = loosest_water(calc.atoms[n_slab:])
            atoms = lowered(drop_water(calc.atoms, which, offset=n_slab), n_slab)
    return states, flags
