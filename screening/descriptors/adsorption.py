"""Adsorption descriptors: Zn adatom, H (HER) and water, from the site scan.

Energies (eV), with E(S) the relaxed clean slab and E(S+X) the reported
site of :func:`screening.recipes.adsorption.best`:

* ``e_ads_zn = E(S+Zn) - E(S) - mu_Zn`` (bulk hcp Zn per atom, at the level);
* ``e_ads_zn_atom = E(S+Zn) - E(S) - E(Zn atom)``;
* ``dg_h = E(S+H) - E(S) - E(H2)/2 + 0.24`` (Norskov's ZPE/entropy term);
* ``e_ads_h2o = E(S+H2O) - E(S) - E(H2O)``.
"""

from __future__ import annotations

from screening.descriptors.quality import quality_flags
from screening.recipes import references
from screening.recipes.adsorption import ADSORBATES, SiteResult, best, scan
from screening.recipes.context import Context
from screening.recipes.slab import Surface
from screening.schemas import Calculation, Value

#: Norskov's zero-point energy and entropy correction for adsorbed H (eV).
HER_CORRECTION = 0.24


def adsorption_value(surface: Surface, results: list[SiteResult], name: str, reference: float,
                     reference_calcs: list[Calculation], shift: float = 0.0) -> Value:
    """E(S+X) - E(S) - ``reference`` + ``shift`` at the reported site, with its
    flags, the keys behind it and the per-site table."""
    chosen, flags = best(results, name)
    calcs = [surface.clean, chosen.calculation, *reference_calcs]
    return Value(chosen.binding - reference + shift, "eV",
                 flags=flags + quality_flags(calcs),
                 keys=[c.key for c in calcs],
                 details={"kind": "sites", "site": chosen.site.label,
                          "sites": [r.row() for r in results]})


def zn_adsorption(ctx: Context, surface: Surface) -> dict[str, Value]:
    """``e_ads_zn`` (vs bulk Zn) and ``e_ads_zn_atom`` (vs the isolated atom)."""
    results = scan(ctx, surface, ADSORBATES["zn"])
    bulk = references.zn_bulk(ctx)
    atom = references.zn_atom(ctx)
    return {"e_ads_zn": adsorption_value(surface, results, "zn", bulk.energy_per_atom,
                                         [bulk.calculation]),
            "e_ads_zn_atom": adsorption_value(surface, results, "zn", atom.energy, [atom])}


def hydrogen_adsorption(ctx: Context, surface: Surface) -> dict[str, Value]:
    """``dg_h``: free energy of adsorbed H at the most stable site."""
    results = scan(ctx, surface, ADSORBATES["h"])
    h2 = references.h2(ctx)
    return {"dg_h": adsorption_value(surface, results, "h", 0.5 * h2.energy, [h2],
                                     HER_CORRECTION)}


def water_adsorption(ctx: Context, surface: Surface) -> dict[str, Value]:
    """``e_ads_h2o``: water at its most stable top site."""
    results = scan(ctx, surface, ADSORBATES["h2o"])
    h2o = references.h2o(ctx)
    return {"e_ads_h2o": adsorption_value(surface, results, "h2o", h2o.energy, [h2o])}
