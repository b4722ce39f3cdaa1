"""Lattice mismatch between a candidate surface and Zn(0001) (pure geometry).

Both in-plane lattices are the unrelaxed 1x1 surface cells (the slab
model's cell divided by its lateral repeat, ``SlabRef.surface_cell``; the
bundled, experimental lattices). pymatgen's ZSL algorithm lists the coincidence superlattices of
area up to ``settings.epitaxy_max_area`` whose vector lengths agree within
``LENGTH_TOL`` and angles within ``ANGLE_TOL``; ``mismatch_zn0001`` is the
smallest strain among them: max over the two superlattice vectors of
|L_coating / L_Zn - 1| (a fraction). The same value at every level.
"""

from __future__ import annotations

import numpy as np

from screening.recipes.context import Context
from screening.recipes.references import ZN_A
from screening.recipes.slab import Surface
from screening.schemas import Value

#: Largest relative difference of superlattice vector lengths searched.
LENGTH_TOL = 0.15
#: Largest superlattice angle difference searched (radians, about 2 degrees).
ANGLE_TOL = 0.035
#: Largest relative area difference of the two superlattices.
AREA_TOL = 0.16
#: Zn(0001) 1x1 in-plane lattice (A), from the experimental a.
ZN0001 = np.array([[ZN_A, 0.0, 0.0], [-ZN_A / 2, ZN_A * np.sqrt(3) / 2, 0.0]])


def mismatch(cell: np.ndarray, max_area: float) -> Value:
    """Smallest coincidence-lattice strain of ``cell`` on Zn(0001) (module doc)."""
    from pymatgen.analysis.interfaces.zsl import ZSLGenerator

    generator = ZSLGenerator(max_area_ratio_tol=AREA_TOL, max_area=max_area,
                             max_length_tol=LENGTH_TOL, max_angle_tol=ANGLE_TOL)
    best: tuple[float, float] | None = None
    for match in generator(cell, ZN0001):
        strain = max(abs(np.linalg.norm(f) / np.linalg.norm(s) - 1)
                     for f, s in zip(match.film_sl_vectors, match.substrate_sl_vectors))
        area = float(np.linalg.norm(np.cross(*match.substrate_sl_vectors)))
        if best is None or (strain, area) < best:
            best = (float(strain), area)
    if best is None:
        return Value.missing("fraction", f"no coincidence lattice with Zn(0001) within "
                                         f"{max_area:g} A^2 and {LENGTH_TOL:.0%} strain")
    return Value(best[0], "fraction", details={"kind": "match", "area_A2": round(best[1], 2)})


def epitaxy(ctx: Context, surface: Surface) -> dict[str, Value]:
    """``mismatch_zn0001`` of the candidate's surface cell (the same at every level)."""
    return {"mismatch_zn0001": mismatch(np.array(surface.ref.surface_cell),
                                        ctx.settings.epitaxy_max_area)}
