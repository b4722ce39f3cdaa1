"""Validate a level: hcp Zn lattice constants and cohesive energy vs experiment.

Windows (documented in docs/levels.md) are wide enough for a sound PBE(+D3)
or CHGNet setup and narrow enough to catch a broken one:

- a within 3 % of 2.665 A, c within 5 % of 4.947 A (PBE overestimates c/a);
- cohesive energy within 0.35 eV/atom of 1.35 eV/atom (pure PBE gives
  about 1.1). LCAO (dft-fast) isolated-atom energies are known to be off
  by about 0.7 eV, so that level is expected to miss this window: quote
  its energies against bulk references only.

The cohesive energy is ``E(Zn atom) - E(bulk)/atom`` (positive = bound).
"""

from __future__ import annotations

from typing import Any

from screening.recipes.context import Context
from screening.recipes.references import zn_atom, zn_bulk

#: (experimental value, tolerance, "relative" or "absolute", unit)
WINDOWS: dict[str, tuple[float, float, str, str]] = {
    "zn_a": (2.665, 0.03, "relative", "A"),
    "zn_c": (4.947, 0.05, "relative", "A"),
    "zn_cohesive_energy": (1.35, 0.35, "absolute", "eV/atom"),
}

NOTES = {
    "pair": "the pair test engine knows no chemistry: its numbers are not physics",
    "chgnet": "CHGNet: the isolated atom lies outside its training data",
    "sevennet": "SevenNet: the isolated atom lies outside its training data",
    "lcao": "LCAO isolated-atom energies are off by ~0.7 eV: use bulk references",
    "experiment": "a and c are set to experiment at this level (bulk_lattice), not checked",
}


def _inside(value: float, reference: float, tolerance: float, kind: str) -> bool:
    deviation = abs(value - reference)
    return deviation <= (tolerance * reference if kind == "relative" else tolerance)


def validate(ctx: Context) -> dict[str, Any]:
    """Compute (or fetch) the validation numbers for ``ctx.level`` and judge them."""
    bulk = zn_bulk(ctx)
    atom = zn_atom(ctx)
    values = {"zn_a": bulk.a, "zn_c": bulk.c,
              "zn_cohesive_energy": round(atom.energy - bulk.energy_per_atom, 4)}
    # a lattice the level was given, not one it found, validates nothing
    judged = values if bulk.fitted else {"zn_cohesive_energy": values["zn_cohesive_energy"]}
    checks = []
    for name, value in judged.items():
        reference, tolerance, kind, unit = WINDOWS[name]
        window = f"+-{tolerance:.0%}" if kind == "relative" else f"+-{tolerance} {unit}"
        checks.append({"quantity": name, "value": value, "unit": unit, "reference": reference,
                       "window": window,
                       "ok": _inside(value, reference, tolerance, kind)})
    calcs = [*bulk.grid, bulk.calculation, atom]
    engine = ctx.level.engine
    notes = [NOTES[engine] if engine in NOTES else (
        NOTES["lcao"] if ctx.level.mode == "lcao" else "")]
    if not bulk.fitted:
        notes.append(NOTES["experiment"])
    return {
        "level": ctx.level.name,
        **values,
        "zn_c_over_a": round(bulk.c / bulk.a, 4),
        "passed": all(c["ok"] for c in checks),
        "checks": checks,
        "calculations": len({c.key for c in calcs}),
        "computed_now": len({c.key for c in calcs if c.computed}),
        "wall_time_s": round(sum({c.key: c.wall_time for c in calcs}.values()), 1),
        "note": "; ".join(n for n in notes if n),
    }
