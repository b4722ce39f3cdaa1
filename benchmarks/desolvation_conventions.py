"""One desolvation profile, several charge conventions: the same geometries at each level.

    python benchmarks/desolvation_conventions.py [--levels dft-check dft-check-ion]
                                                 [--geometry mlip] [--candidates NAME ...]

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
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from shell_restraint import HEADER, free_line, profile_line  # noqa: E402

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", nargs="+", default=["dft-check", "dft-check-ion"])
    parser.add_argument("--geometry", default="mlip")
    parser.add_argument("--candidates", nargs="+", default=["graphene"])
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
            details = profile_line(ctx, catalog.get(name), level) or details
        if details:
            free_line(details, level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
