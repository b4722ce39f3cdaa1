"""Zn surface diffusion barrier from the hop's CI-NEB (optional, off by default).

``diffusion_barrier`` is the highest image energy minus the initial state's
energy (eV), so it is >= 0 and measures the hop out of the best site
(:func:`screening.recipes.diffusion.zn_hop`).
"""

from __future__ import annotations

from screening.descriptors.quality import quality_flags
from screening.recipes.context import Context
from screening.recipes.diffusion import zn_hop
from screening.recipes.slab import Surface
from screening.schemas import Value


def diffusion(ctx: Context, surface: Surface) -> dict[str, Value]:
    """``diffusion_barrier`` (eV) of the Zn adatom (module doc)."""
    hop = zn_hop(ctx, surface)
    if hop is None:
        return {"diffusion_barrier": Value.missing("eV", "fewer than two sound distinct sites")}
    energies = hop.band.data["energies"]
    calcs = [hop.start.calculation, hop.end, hop.band]
    return {"diffusion_barrier": Value(
        max(energies) - energies[0], "eV", flags=quality_flags(calcs),
        keys=[c.key for c in calcs],
        details={"kind": "hop", "start": hop.start.site.label, "end": hop.end_site.site.label,
                 "hop_A": round(hop.length, 3),
                 "images": [round(e - energies[0], 4) for e in energies]})}
