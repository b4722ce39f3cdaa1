"""The site scan: an adsorbate relaxed on each symmetry-distinct site of a clean slab.

For each adsorbate, the symmetry-distinct sites of the relaxed clean slab
(:func:`screening.atoms.sites.find_sites`; water: ``top`` sites only) are
each relaxed. Where there are more than ``settings.max_sites``, every site
is first probed by a single point of the unrelaxed placement and the
``max_sites`` lowest are relaxed (the probes are stored too). At
``level//geometry`` (verification) the sites are scanned and chosen at the
geometry level, and only the chosen site gets a single point at ``level``;
with the setting ``verify_sites = "all"`` every relaxed site gets one, and
the site reported is chosen at ``level``.

The reported site (:func:`best`) is the lowest-energy relaxed site without
an anomaly flag (:mod:`screening.atoms.anomalies`); anomalous sites stay in
the per-site table and put their flag on the descriptor. If every site is
anomalous the lowest one is reported and flagged ``all-sites-anomalous``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from ase import Atoms

from screening.atoms.adsorbates import with_atom, with_water
from screening.atoms.anomalies import adatom_flags, water_flags
from screening.atoms.geometry import lateral_distances
from screening.atoms.sites import Site, find_sites
from screening.recipes.context import Context
from screening.recipes.slab import Surface
from screening.schemas import Calculation, SiteRow


@dataclass(frozen=True)
class Adsorbate:
    """How to put one adsorbate on a site and check it afterwards."""

    name: str
    place: Callable[[Atoms, Site], Atoms]
    check: Callable[[Atoms, Atoms], list[str]]
    top_only: bool = False


ADSORBATES = {
    "zn": Adsorbate("zn", lambda slab, site: with_atom(slab, site, "Zn"), adatom_flags),
    "h": Adsorbate("h", lambda slab, site: with_atom(slab, site, "H"), adatom_flags),
    "h2o": Adsorbate("h2o", with_water, water_flags, top_only=True),
}


@dataclass
class SiteResult:
    site: Site
    calculation: Calculation
    #: E(S+X) - E(S) of this site (eV); the descriptor subtracts X's reference.
    binding: float
    flags: list[str]
    #: Label of the enumerated site nearest to where the adsorbate ended.
    ended_at: str

    def row(self) -> SiteRow:
        return {"site": self.site.label, "ended_at": self.ended_at,
                "energy": round(self.calculation.energy, 4),
                "binding": round(self.binding, 4), "flags": ";".join(self.flags),
                "converged": self.calculation.converged, "key": self.calculation.key[:12]}


def _nearest_site(sites: list[Site], slab: Atoms, xy: np.ndarray) -> str:
    distances = lateral_distances(slab, np.array([s.position for s in sites]), xy)
    return sites[int(np.argmin(distances))].label


def _selected(ctx: Context, surface: Surface, adsorbate: Adsorbate,
              sites: list[Site]) -> list[Site]:
    limit = ctx.settings.max_sites
    if len(sites) <= limit:
        return sites
    clean = surface.clean.atoms
    energies = [ctx.probe(adsorbate.place(clean, site),
                          f"{surface.name}/{adsorbate.name}@{site.label}#{i}/probe").energy
                for i, site in enumerate(sites)]
    return [sites[i] for i in np.argsort(energies)[:limit]]


def _relaxed(ctx: Context, surface: Surface, adsorbate: Adsorbate, sites: list[Site],
             site: Site) -> SiteResult:
    clean = surface.clean.atoms
    calc = ctx.run(adsorbate.place(clean, site),
                   f"{surface.name}/{adsorbate.name}@{site.label}#{sites.index(site)}",
                   relax=True)
    return SiteResult(site=site, calculation=calc, binding=calc.energy - surface.clean.energy,
                      flags=adsorbate.check(calc.atoms, clean),
                      ended_at=_nearest_site(sites, clean, calc.atoms.positions[len(clean), :2]))


def scan(ctx: Context, surface: Surface, adsorbate: Adsorbate) -> list[SiteResult]:
    """Relax the adsorbate on each selected site of the clean slab (module doc)."""
    sites = find_sites(surface.clean.atoms)
    if adsorbate.top_only:
        sites = [s for s in sites if s.kind == "top"]
    if ctx.geometry is not None:
        relaxed = scan(ctx.at_geometry(), surface.at_geometry(), adsorbate)
        if ctx.settings.verify_sites == "all":
            return [_relaxed(ctx, surface, adsorbate, sites, r.site) for r in relaxed]
        chosen, _ = best(relaxed, adsorbate.name)
        return [_relaxed(ctx, surface, adsorbate, sites, chosen.site)]
    return [_relaxed(ctx, surface, adsorbate, sites, site)
            for site in _selected(ctx, surface, adsorbate, sites)]


def best(results: list[SiteResult], name: str) -> tuple[SiteResult, list[str]]:
    """The reported site and the flags it puts on the descriptor (module doc)."""
    flags = [f"{name}:{flag}@{r.site.label}" for r in results for flag in r.flags]
    sound = [r for r in results if not r.flags]
    if not sound:
        return min(results, key=lambda r: r.binding), flags + [f"{name}:all-sites-anomalous"]
    return min(sound, key=lambda r: r.binding), flags
