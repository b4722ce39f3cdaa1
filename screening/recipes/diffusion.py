"""The Zn hop: a climbing-image NEB between the two best adsorption sites.

The hop goes from the best Zn site (as reported for ``e_ads_zn``) to the
nearest copy of the second-best distinct site: that copy is found among
the symmetry images of the second site, the adatom of the relaxed best
state is moved there (same height above its site as in the relaxed
second-best state), and this end state is relaxed. A 5-image CI-NEB (IDPP
interpolation, FIRE, ``relax_fmax``) then runs at the context's level
(never at a geometry level).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from screening.atoms.geometry import in_plane_translations
from screening.atoms.sites import equivalent_positions
from screening.recipes.adsorption import ADSORBATES, SiteResult, best, scan
from screening.recipes.context import Context
from screening.recipes.slab import Surface
from screening.schemas import Calculation


@dataclass(frozen=True)
class Hop:
    """The relaxed ends and the band of one adatom hop."""

    start: SiteResult
    end_site: SiteResult
    end: Calculation
    band: Calculation
    #: In-plane length of the hop (A).
    length: float


def _mic_xy(slab, xy: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``target``'s periodic copy nearest to ``xy``."""
    copies = target + in_plane_translations(slab)
    return copies[int(np.argmin(np.linalg.norm(copies - xy, axis=1)))]


def zn_hop(ctx: Context, surface: Surface) -> Hop | None:
    """The hop of the module doc, or None with fewer than two sound distinct sites."""
    results = scan(ctx, surface, ADSORBATES["zn"])
    start, _ = best(results, "zn")
    others = sorted((r for r in results if not r.flags and r.site.label != start.site.label),
                    key=lambda r: r.binding)
    if not others:
        return None
    second = others[0]
    clean = surface.clean.atoms
    initial = start.calculation.atoms
    here = initial.positions[-1, :2]
    targets = [_mic_xy(clean, here, p) for p in equivalent_positions(clean, second.site)]
    target = min(targets, key=lambda p: float(np.linalg.norm(p - here)))
    height = second.calculation.atoms.positions[-1, 2] - second.site.position[2]
    guess = initial.copy()
    guess.positions[-1] = [target[0], target[1], second.site.position[2] + height]
    end = ctx.run(guess, f"{surface.name}/zn@{second.site.label}/neb-end", relax=True)
    band = ctx.neb(start.calculation.atoms, end.atoms,
                   f"{surface.name}/zn-hop/{start.site.label}->{second.site.label}")
    return Hop(start, second, end, band, float(np.linalg.norm(target - here)))
