"""One row of descriptors per candidate surface and level.

Each group of columns comes from one function of (context, surface) that
asks the store for its calculations; a group that fails leaves its columns
missing with the reason, and the other groups still run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from screening.descriptors.adsorption import (hydrogen_adsorption, water_adsorption,
                                              zn_adsorption)
from screening.descriptors.desolvation import desolvation
from screening.descriptors.diffusion import diffusion
from screening.descriptors.electronic import electronic
from screening.descriptors.epitaxy import mismatch, surface_cell
from screening.descriptors.surface import Surface, clean_surface
from screening.descriptors.values import Value
from screening.errors import ScreeningError, one_line
from screening.library.catalog import Candidate
from screening.recipes.context import Context


@dataclass(frozen=True)
class Column:
    unit: str
    meaning: str


#: The descriptor columns, their units and meaning (docs/descriptors.md).
COLUMNS: dict[str, Column] = {
    "e_ads_zn": Column("eV", "Zn adatom adsorption energy vs bulk hcp Zn, best site"),
    "e_ads_zn_atom": Column("eV", "Zn adatom adsorption energy vs the isolated Zn atom"),
    "desolvation_total": Column("eV", "sum of the six water-removal steps of [Zn(H2O)6] on S"),
    "desolvation_max_step": Column("eV", "largest single water-removal step on S"),
    "desolvation_vs_free": Column("eV", "desolvation_total on S minus that of the free cluster"),
    "dg_h": Column("eV", "H adsorption free energy, E(S+H) - E(S) - E(H2)/2 + 0.24"),
    "e_ads_h2o": Column("eV", "water adsorption energy, best top site"),
    "mismatch_zn0001": Column("fraction", "smallest coincidence-lattice strain on Zn(0001)"),
    "band_gap": Column("eV", "Kohn-Sham band gap of the clean slab (DFT levels)"),
    "work_function": Column("eV", "vacuum level above the top surface minus Fermi level (DFT)"),
    "diffusion_barrier": Column("eV", "Zn hop barrier (CI-NEB) from the best site; optional"),
}

#: Descriptor groups: name -> (columns, function of (ctx, surface)).
GROUPS: dict[str, tuple[tuple[str, ...], Callable[[Context, Surface], dict[str, Value]]]] = {
    "zn": (("e_ads_zn", "e_ads_zn_atom"), zn_adsorption),
    "desolvation": (("desolvation_total", "desolvation_max_step", "desolvation_vs_free"),
                    lambda ctx, surface: desolvation(
                        ctx, clean_surface(ctx, surface.candidate,
                                           ctx.settings.cluster_min_lateral))),
    "her": (("dg_h",), hydrogen_adsorption),
    "water": (("e_ads_h2o",), water_adsorption),
    "electronic": (("band_gap", "work_function"), electronic),
    "diffusion": (("diffusion_barrier",), diffusion),
}
EPITAXY = "epitaxy"
GROUP_NAMES = (*GROUPS, EPITAXY)
#: The shared references (:data:`screening.recipes.references.REFERENCE_NAMES`)
#: each group needs.
GROUP_REFERENCES: dict[str, tuple[str, ...]] = {
    "zn": ("zn_bulk", "zn_atom"), "desolvation": ("h2o", "clusters"), "her": ("h2",),
    "water": ("h2o",), "electronic": (), "diffusion": ("zn_bulk", "zn_atom"), EPITAXY: ()}
#: Every group but the NEB, which is asked for per run.
DEFAULT_GROUPS = tuple(g for g in GROUP_NAMES if g != "diffusion")


@dataclass
class GroupResult:
    """What one descriptor group (or the clean slab) gave for one candidate."""

    values: dict[str, Value]
    #: Calculation key -> whether it was computed now (False: found in the store).
    used: dict[str, bool]
    #: Wall time spent (s).
    seconds: float
    #: Why the group (or the slab) could not be computed; empty if it was.
    failure: str = ""


@dataclass
class Described:
    """All descriptor values of one candidate at one level."""

    candidate: Candidate
    level: str
    values: dict[str, Value]
    n_calculations: int
    computed_now: int
    #: Wall time (s) of each descriptor group, as spent in this call.
    timings: dict[str, float]

    def row(self) -> dict[str, Any]:
        """The table row: name, family, level, columns, flags, missing, n_calculations."""
        row: dict[str, Any] = {"name": self.candidate.name, "family": self.candidate.family,
                               "level": self.level}
        flags: list[str] = []
        missing = []
        for column in COLUMNS:
            value = self.values.get(column)
            row[column] = None if value is None or value.value is None else round(value.value, 4)
            if value is None:
                missing.append(f"{column}: not requested")
            elif value.value is None:
                missing.append(f"{column}: {value.reason}")
            for flag in (value.flags if value else []):
                if flag not in flags:
                    flags.append(flag)
        row["flags"] = "; ".join(flags)
        row["missing"] = "; ".join(missing)
        row["n_calculations"] = self.n_calculations
        return row


def check_groups(groups: tuple[str, ...]) -> None:
    """Refuse an unknown descriptor group in one line."""
    unknown = [g for g in groups if g not in GROUP_NAMES]
    if unknown:
        raise ScreeningError(f"unknown descriptor group {unknown[0]!r} "
                             f"(known: {', '.join(GROUP_NAMES)})")


def track(ctx: Context, work: Callable[[], dict[str, Value]], what: str = "") -> GroupResult:
    """Run ``work`` and record the calculations it used and its wall time.

    With ``what`` set, a ScreeningError becomes ``failure`` ("WHAT failed:
    ...") and the calculations made before it still count; without, it
    propagates.
    """
    start_used = len(ctx.used)
    start = time.perf_counter()
    failure = ""
    try:
        values = work()
    except ScreeningError as exc:
        if not what:
            raise
        values, failure = {}, f"{what} failed: {one_line(exc)}"
    used: dict[str, bool] = {}
    for calc in ctx.used[start_used:]:
        used[calc.key] = used.get(calc.key, False) or calc.computed
    return GroupResult(values, used, time.perf_counter() - start, failure)


def slab_result(ctx: Context, candidate: Candidate) -> tuple[Surface | None, GroupResult]:
    """The relaxed clean slab, or None and the reason (``GroupResult.failure``)."""
    surfaces: list[Surface] = []

    def work() -> dict[str, Value]:
        surfaces.append(clean_surface(ctx, candidate))
        return {}

    result = track(ctx, work, "clean slab")
    return (surfaces[0] if surfaces else None), result


def group_columns(name: str) -> tuple[str, ...]:
    return ("mismatch_zn0001",) if name == EPITAXY else GROUPS[name][0]


def _missing_values(name: str, reason: str) -> dict[str, Value]:
    return {c: Value.missing(COLUMNS[c].unit, reason) for c in group_columns(name)}


def missing_group(name: str, reason: str) -> GroupResult:
    """A group none of whose columns could be computed, and why."""
    return GroupResult(_missing_values(name, reason), {}, 0.0, failure=reason)


def group_result(ctx: Context, surface: Surface | None, name: str,
                 failure: str = "") -> GroupResult:
    """One descriptor group on the clean slab (``failure``: why there is no slab)."""
    if surface is None:
        return missing_group(name, failure)

    def work() -> dict[str, Value]:
        if name == EPITAXY:
            return {"mismatch_zn0001": mismatch(surface_cell(surface.model),
                                                ctx.settings.epitaxy_max_area)}
        return GROUPS[name][1](ctx, surface)

    result = track(ctx, work, name)
    if result.failure:
        result.values = _missing_values(name, result.failure)
    return result


def assemble(candidate: Candidate, level: str, results: dict[str, GroupResult]) -> Described:
    """One candidate's row from its slab result (``"slab"``) and group results."""
    values: dict[str, Value] = {}
    used: dict[str, bool] = {}
    for name, result in results.items():
        if name != "slab":
            values.update(result.values)
        for key, computed in result.used.items():
            used[key] = used.get(key, False) or computed
    return Described(candidate, level, values, n_calculations=len(used),
                     computed_now=sum(used.values()),
                     timings={name: r.seconds for name, r in results.items()})


def describe(ctx: Context, candidate: Candidate,
             groups: tuple[str, ...] = DEFAULT_GROUPS) -> Described:
    """Compute (or fetch) the requested descriptor groups of one candidate."""
    check_groups(groups)
    surface, slab = slab_result(ctx, candidate)
    results = {"slab": slab}
    for name in groups:
        results[name] = group_result(ctx, surface, name, slab.failure)
    return assemble(candidate, ctx.name, results)
