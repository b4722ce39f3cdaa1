"""One desolvation profile, several charge conventions: the same geometries at each level.

    python benchmarks/desolvation_conventions.py [--levels dft-check dft-check-ion]
                                                 [--geometry mlip] [--candidates NAME ...]
                                                 [--ends]

For each candidate (default: graphene, the cheapest coating) the
desolvation profile on the surface and of the free cluster is computed at
``--geometry`` (springs hold the shell there) and each level computes a
single point on every state (``level//geometry``), through the store of
the settings in ``ZNSCREEN_SETTINGS`` (so a screen's own geometries and
DFT rows are reused; store keys hold parameters, not level names, so rows
of a user level with the same parameters are found too). One line per
candidate and level, as in ``benchmarks/shell_restraint.py``, plus the
wall time, so the conventions are compared on the same structures in one
run.

``--ends`` computes only the two end states at each level, [Zn(H2O)6] and
bare Zn, on the surface and free (and the water): the total
``E(0) + 6 E(H2O) - E(6)`` and its difference from the free cluster's
without the steps, at 2/7 of a profile's cost. The single points have the
keys a whole profile would give them, so a later profile reuses them.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from shell_restraint import HEADER, free_line, profile_line  # noqa: E402

def ends_line(ctx, candidate) -> None:
    """Total desolvation on ``candidate`` and vs free from the end states alone (eV)."""
    from screening.descriptors.compute import slab_result
    from screening.descriptors.registry import GROUPS
    from screening.recipes import references
    from screening.recipes.desolvation import N_WATERS, on_surface
    from screening.recipes.slab import Surface

    start = time.perf_counter()
    geometry = ctx.at_geometry()  # the profile's own geometries (mlip, springs)
    ref = slab_result(geometry, candidate, GROUPS["desolvation"].slab).slab
    states, _ = on_surface(geometry, Surface.load(geometry, ref))
    free = references.clusters(geometry)
    charge = references.cluster_charge(ctx)
    water = references.h2o(ctx).energy

    def total(calcs, label: str) -> float:
        ends = {n: ctx.run(calcs[n].atoms, f"{label.format(n=n)}//{geometry.level.name}",
                           charge=charge).energy for n in (N_WATERS, 0)}
        return ends[0] + N_WATERS * water - ends[N_WATERS]

    on = total(states, f"{candidate.name}/zn(h2o){{n}}@surface")
    off = total(free, "ref/zn(h2o){n}")
    print(f"{candidate.name:18s} {ctx.name:>13s} {'(end states only)':24s} {'':6s} {'':6s} "
          f"{'':42s} {on:+6.2f} {on - off:+7.2f} {time.perf_counter() - start:6.0f}",
          flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", nargs="+", default=["dft-check", "dft-check-ion"])
    parser.add_argument("--geometry", default="mlip")
    parser.add_argument("--candidates", nargs="+", default=["graphene"])
    parser.add_argument("--ends", action="store_true",
                        help="only the end states: total and vs free, no steps")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", UserWarning)
    from screening.library.catalog import Catalog
    from screening.recipes.context import open_context
    from screening.settings import load_settings

    settings = load_settings()
    catalog = Catalog(settings)
    print(f"geometries at {args.geometry}; store {settings.store_url}")
    print(HEADER)
    for level in args.levels:
        ctx = open_context(settings, level, geometry=args.geometry)
        details = None
        for name in args.candidates:
            if args.ends:
                ends_line(ctx, catalog.get(name))
            else:
                details = profile_line(ctx, catalog.get(name), level) or details
        if details:
            free_line(details, level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
