"""Run the clean slab and the descriptor groups of a candidate through a context.

Each returns a :class:`~screening.schemas.GroupResult`: the values, the
calculations used (and whether each was computed now) and the wall time. A
:class:`~screening.errors.ScreeningError` on the way (bad input, a failed
calculation) becomes the result's ``failure`` and the group's columns are
missing with that reason; the other groups still run. A slab's result
carries the :class:`~screening.schemas.SlabRef` its groups are given.
"""

from __future__ import annotations

import time
from typing import Callable

from screening.descriptors.registry import DEFAULT_GROUPS, GROUPS, check_groups, slabs_for
from screening.descriptors.table import assemble, missing_group
from screening.errors import ScreeningError, one_line
from screening.library.catalog import Candidate
from screening.recipes.context import Context
from screening.recipes.slab import Surface, relax_slab
from screening.schemas import Described, GroupResult, SlabRef, Value


def slab_label(slab: str) -> str:
    """The task (and timing) name of a slab model: ``slab`` or ``slab-NAME``."""
    return "slab" if slab == "default" else f"slab-{slab}"


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


def slab_result(ctx: Context, candidate: Candidate, slab: str = "default") -> GroupResult:
    """The relaxed clean ``slab`` model of ``candidate``; ``.slab`` holds its reference."""
    surfaces: list[Surface] = []

    def work() -> dict[str, Value]:
        surfaces.append(relax_slab(ctx, candidate, slab))
        return {}

    result = track(ctx, work, "clean slab")
    result.slab = surfaces[0].ref if surfaces else None
    return result


def group_result(ctx: Context, ref: SlabRef, name: str) -> GroupResult:
    """Descriptor group ``name`` on the slab a slab task relaxed (``ref``)."""
    group = GROUPS[name]
    result = track(ctx, lambda: group.function()(ctx, Surface.load(ctx, ref)), name)
    if result.failure:
        result.values = group.missing(result.failure)
    return result


def describe(ctx: Context, candidate: Candidate,
             groups: tuple[str, ...] = DEFAULT_GROUPS) -> Described:
    """Compute (or fetch) the requested descriptor groups of one candidate, in this process."""
    check_groups(groups)
    results = {slab_label(slab): slab_result(ctx, candidate, slab) for slab in slabs_for(groups)}
    for name in groups:
        slab = results[slab_label(GROUPS[name].slab)]
        results[name] = (group_result(ctx, slab.slab, name) if slab.slab is not None
                         else missing_group(name, slab.failure))
    return assemble(candidate.summary(), ctx.name, results)
