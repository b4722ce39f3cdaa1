"""Does the hydrated-Zn shell stay intact at a fast level? Shell restraints off and on.

    python benchmarks/shell_restraint.py [--level mlip] [--springs 0 5]
                                         [--candidates NAME ...]

For each spring constant (eV/A^2; 0 = no restraint, the behaviour before
the restraints) and each candidate (default: the main job's seven), the
desolvation profile on the surface and of the free cluster is computed at
``--level`` through one store (``results/shell-restraint/``; a rerun
computes only what is missing), and one line per candidate gives: the
states whose shell fragmented, the largest Zn-O distance of any state
(A), the energy left in the springs (largest state, eV), the profile
(dE_6..dE_1, eV), its total and its difference from the free cluster.
Printed in one run, so the two settings are compared on the same machine.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAIN_JOB = ("Zn(0001)", "Cu(111)", "Pb(111)", "ZnO(10-10)", "Ti3C2O2", "ZnS(110)", "graphene")


def largest_zn_o(atoms, zn: int) -> float:
    """Largest Zn-O distance (A) of the cluster whose Zn is atom ``zn`` (waters after it)."""
    from screening.atoms.molecules import shell_oxygens

    return max((atoms.get_distance(zn, o, mic=True) for o in shell_oxygens(atoms, zn)),
               default=0.0)


HEADER = (f"{'candidate':18s} {'setting':>13s} {'fragmented':24s} {'maxZnO':>6s} {'held':>6s} "
          f"{'dE_6..dE_1 (eV)':42s} {'total':>6s} {'vs_free':>7s} {'s':>6s}")


def profile_line(ctx, candidate, setting: str) -> dict | None:
    """Describe ``candidate``'s desolvation at ``ctx`` and print one line (module doc);
    returns the profile's details (None if missing)."""
    from screening.descriptors.compute import describe

    start = time.perf_counter()
    described = describe(ctx, candidate, ("desolvation",))
    seconds = time.perf_counter() - start
    total = described.values["desolvation_total"]
    details = total.details or {}
    if not details:
        print(f"{candidate.name:18s} {setting:>13s} missing: {total.reason}")
        return None
    n_slab = details["slab_atoms"]
    distances = []
    for key in total.keys:
        atoms = ctx.store.calculation(key).atoms
        if len(atoms) > n_slab and atoms.numbers[n_slab] == 30:
            distances.append(largest_zn_o(atoms, n_slab))
        elif atoms.numbers[0] == 30:
            distances.append(largest_zn_o(atoms, 0))
    broken = [("free:" if f.startswith("free") else "") + f.split("@", 1)[1]
              for f in total.flags if "fragmented" in f]
    held = max([*details["held"].values(), *details["held_free"].values(), 0.0])
    surface = details["surface"]
    profile = " ".join(f"{surface[n]:+.2f}" for n in sorted(surface, reverse=True))
    free_total = sum(details["free"].values())
    surface_total = sum(surface.values())
    print(f"{candidate.name:18s} {setting:>13s} {','.join(broken) or '-':24s} "
          f"{max(distances):6.2f} {held:6.3f} {profile:42s} {surface_total:+6.2f} "
          f"{surface_total - free_total:+7.2f} {seconds:6.0f}", flush=True)
    return details


def free_line(details: dict, setting: str) -> None:
    """One line with the free cluster's steps dE_6..dE_1 (eV)."""
    free = " ".join(f"{v:+.2f}" for _, v in sorted(details["free"].items(), reverse=True))
    print(f"{'free cluster':18s} {setting:>13s} {free}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", default="mlip")
    parser.add_argument("--springs", nargs="+", type=float, default=[0.0, 5.0])
    parser.add_argument("--candidates", nargs="+", default=list(MAIN_JOB))
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", UserWarning)
    from screening.library.catalog import Catalog
    from screening.recipes.context import open_context
    from screening.settings import load_settings

    base = load_settings().replace(results_dir=ROOT / "results" / "shell-restraint")
    print(f"level {args.level}; springs (eV/A^2): {args.springs}")
    print(HEADER)
    for k in args.springs:
        settings = base.replace(shell_restraint=k)
        ctx = open_context(settings, args.level)
        catalog = Catalog(settings)
        details = None
        for name in args.candidates:
            details = profile_line(ctx, catalog.get(name), f"k={k:g}") or details
        if details:
            free_line(details, f"k={k:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
