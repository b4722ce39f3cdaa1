"""Zn surface diffusion barrier by climbing-image NEB (optional, off by default).

The hop goes from the best Zn site (as reported for ``e_ads_zn``) to the
nearest copy of the second-best distinct site: that copy is found among
the symmetry images of the second site, the adatom of the relaxed best
state is moved there (same height above its site as in the relaxed
second-best state), and this end state is relaxed. A 5-image CI-NEB
(IDPP interpolation, FIRE, ``relax_fmax``) then runs at the context's
level (never at a geometry level). ``diffusion_barrier`` is the highest
image energy minus the initial state's energy (eV), so it is >= 0 and
measures the hop out of the best site.
"""

from __future__ import annotations

import numpy as np

from screening.atoms.geometry import in_plane_translations
from screening.atoms.sites import equivalent_positions
from screening.descriptors.adsorption import ADSORBATES, best, scan
from screening.descriptors.surface import Surface
from screening.descriptors.values import Value, quality_flags
from screening.recipes.context import Context


def _mic_xy(slab, xy: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``target``'s periodic copy nearest to ``xy``."""
    copies = target + in_plane_translations(slab)
    return copies[int(np.argmin(np.linalg.norm(copies - xy, axis=1)))]


def diffusion(ctx: Context, surface: Surface) -> dict[str, Value]:
    """``diffusion_barrier`` (eV) of the Zn adatom (module doc)."""
    results = scan(ctx, surface, ADSORBATES["zn"])
    start, _ = best(results, "zn")
    others = sorted((r for r in results if not r.flags and r.site.label != start.site.label),
                    key=lambda r: r.binding)
    if not others:
        return {"diffusion_barrier": Value.missing("eV", "fewer than two sound distinct sites")}
    second = others[0]
    clean = surface.clean.atoms
    initial = start.calculation.atoms
    here = initial.positions[-1, :2]
    targets = [_mic_xy(clean, here, p) for p in equivalent_positions(clean, second.site)]
    target = min(targets, key=lambda p: float(np.linalg.norm(p - here)))
    height = second.calculation.atoms.positions[-1, 2] - second.site.position[2]
    guess = initial.copy()
    guess.positions[-1] = [target[0], target[1], second.site.position[2] + height]
    name = surface.candidate.name
    end = ctx.run(guess, f"{name}/zn@{second.site.label}/neb-end", relax=True)
    band = ctx.neb(start.calculation.atoms, end.atoms,
                   f"{name}/zn-hop/{start.site.label}->{second.site.label}")
    energies = band.data["energies"]
    calcs = [start.calculation, end, band]
    flags = quality_flags(calcs)
    return {"diffusion_barrier": Value(
        max(energies) - energies[0], "eV", flags=flags, keys=[c.key for c in calcs],
        details={"from": start.site.label, "to": second.site.label,
                 "hop_A": round(float(np.linalg.norm(target - here)), 3),
                 "images": [round(e - energies[0], 4) for e in energies]})}
