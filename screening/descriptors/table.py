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
#: Every group but the NEB, which is asked for per run.
DEFAULT_GROUPS = tuple(g for g in GROUP_NAMES if g != "diffusion")


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


def describe(ctx: Context, candidate: Candidate,
             groups: tuple[str, ...] = DEFAULT_GROUPS) -> Described:
    """Compute (or fetch) the requested descriptor groups of one candidate."""
    unknown = [g for g in groups if g not in GROUP_NAMES]
    if unknown:
        raise ScreeningError(f"unknown descriptor group {unknown[0]!r} "
                             f"(known: {', '.join(GROUP_NAMES)})")
    values: dict[str, Value] = {}
    timings: dict[str, float] = {}
    start_used = len(ctx.used)
    start = time.perf_counter()
    surface: Surface | None = None
    failure = ""
    try:
        surface = clean_surface(ctx, candidate)
    except ScreeningError as exc:
        failure = f"clean slab failed: {one_line(exc)}"
    timings["slab"] = time.perf_counter() - start
    for name in groups:
        start = time.perf_counter()
        if name == EPITAXY:
            if surface is not None:
                values["mismatch_zn0001"] = mismatch(surface_cell(surface.model),
                                                     ctx.settings.epitaxy_max_area)
            else:
                values["mismatch_zn0001"] = Value.missing("fraction", failure)
            timings[name] = time.perf_counter() - start
            continue
        columns, function = GROUPS[name]
        if surface is None:
            values.update({c: Value.missing(COLUMNS[c].unit, failure) for c in columns})
            continue
        try:
            values.update(function(ctx, surface))
        except ScreeningError as exc:
            reason = f"{name} failed: {one_line(exc)}"
            values.update({c: Value.missing(COLUMNS[c].unit, reason) for c in columns})
        timings[name] = time.perf_counter() - start
    used = {c.key: c for c in ctx.used[start_used:]}
    return Described(candidate, ctx.name, values, n_calculations=len(used),
                     computed_now=sum(c.computed for c in used.values()), timings=timings)
