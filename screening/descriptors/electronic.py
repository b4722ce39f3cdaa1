"""Band gap and work function of the clean slab, read from its DFT calculation."""

from __future__ import annotations

from screening.descriptors.quality import quality_flags
from screening.descriptors.registry import GROUPS
from screening.recipes.context import Context
from screening.recipes.slab import Surface
from screening.schemas import Value

COLUMNS = tuple(GROUPS["electronic"].columns)


def electronic(ctx: Context, surface: Surface) -> dict[str, Value]:
    """``band_gap`` and ``work_function`` (eV) of the relaxed clean slab.

    Only DFT computes electrons: at a CHGNet (or pair) level both are
    missing and say so. The values are those recorded with the clean slab's calculation
    (:mod:`screening.calculators.electronic`).
    """
    if ctx.level.engine != "gpaw":
        reason = f"not computed at level {ctx.level.name}: {ctx.level.engine} has no electrons"
        return {name: Value.missing("eV", reason) for name in COLUMNS}
    recorded = surface.clean.data.get("electronic") or {}
    values = {}
    for name in COLUMNS:
        if name in recorded:
            values[name] = Value(float(recorded[name]), "eV", keys=[surface.clean.key],
                                 flags=quality_flags([surface.clean]))
        else:
            values[name] = Value.missing("eV", f"not recorded with calculation "
                                               f"{surface.clean.key[:12]}")
    return values
