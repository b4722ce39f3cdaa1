"""Zn adsorption on amorphous slabs as a distribution: many sites, several seeds.

    python benchmarks/amorphous_sites.py [--candidates a-TiO2 ...] [--sites 24]
                                         [--level mlip] [--check dft-check]

An amorphous surface has no two equal sites, so one number (the screen's
lowest unflagged site) is one draw. For each candidate (default: the
bundled ``a-TiO2``; further seeds are made with ``znscreen amorphous --seed
N``) the site finder's sites are probed and the ``--sites`` lowest relaxed
(the screen's own rule with ``max_sites`` raised), through the results
store of the settings in ``ZNSCREEN_SETTINGS``. Printed: every relaxed
site's ``E(S+Zn) - E(S) - mu_Zn`` (eV, vs bulk Zn at the level) with its
flags, then per candidate and over all candidates the count, how many
sank into the network (flag ``sank``) and the minimum, quartiles and
maximum of the sites that did not, and the wall time.

``--check LEVEL`` (e.g. ``dft-check``) asks whether the sinking is real:
single points at LEVEL on the geometry level's clean slab, its reported
surface site and its deepest sunk site, each ``E(S+Zn) - E(S) - mu_Zn``
printed beside the geometry level's value (``LEVEL//level``: the same
geometries). DFT on the 289-atom amorphous slab takes about 20 min per
single point on 2 cores; everything goes through the store, so a killed
run resumes.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np


def zn_value(ctx, candidate):
    """The candidate's ``e_ads_zn`` at the context's level, every site in its details."""
    from screening.descriptors.compute import describe

    value = describe(ctx, candidate, ("zn",)).values["e_ads_zn"]
    if value.details is None:
        raise SystemExit(f"{candidate.name}: no e_ads_zn ({value.reason})")
    return value


def site_energies(value, mu: float) -> list[tuple[str, float, str]]:
    """(site label, e_ads vs bulk Zn in eV, flags) of every relaxed site of ``value``."""
    return [(row["site"], row["binding"] - mu, row["flags"]) for row in value.details["sites"]]


def check(ctx, level: str, settings, name: str, value, mu: float) -> None:
    """``e_ads_zn`` at ``level`` on the reported surface site and the deepest sunk
    site of ``value`` (candidate ``name``; single points on the geometry level's
    structures; ``mu`` is bulk Zn at the geometry level)."""
    from screening.recipes import references
    from screening.recipes.context import open_context

    rows = sorted(value.details["sites"], key=lambda r: r["binding"])
    chosen = [("surface (reported)", next(r for r in rows if "sank" not in r["flags"]))]
    chosen += [("deepest sunk", r) for r in rows[:1] if "sank" in r["flags"]]
    fine = open_context(settings, level)
    mu_fine = references.zn_bulk(fine).energy_per_atom
    keys = ctx.store.keys_from_prefixes([value.keys[0]] + [r["key"] for _, r in chosen])
    clean = fine.run(ctx.store.calculation(keys[value.keys[0]]).atoms,
                     f"{name}/slab-check").energy
    for role, row in chosen:
        atoms = ctx.store.calculation(keys[row["key"]]).atoms
        start = time.perf_counter()
        energy = fine.run(atoms, f"{name}/zn-check@{row['site']}").energy
        print(f"{name:14s} {role:20s} {row['site']:28s} "
              f"{ctx.level.name} {row['binding'] - mu:+7.3f}  "
              f"{level}//{ctx.level.name} {energy - clean - mu_fine:+7.3f}  "
              f"({time.perf_counter() - start:.0f} s)", flush=True)


def summary(name: str, sites: list[tuple[str, float, str]], seconds: float | None) -> str:
    kept = np.array([e for _, e, flags in sites if "sank" not in flags])
    sank = sum("sank" in flags for _, _, flags in sites)
    spread = ("none on the surface" if not kept.size else
              "min {:+.2f}  q1 {:+.2f}  median {:+.2f}  q3 {:+.2f}  max {:+.2f}".format(
                  *np.percentile(kept, [0, 25, 50, 75, 100])))
    wall = "" if seconds is None else f"  ({seconds:.0f} s)"
    return f"{name:14s} {len(sites):3d} sites, {sank:3d} sank; on the surface: {spread}{wall}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", nargs="+", default=["a-TiO2"])
    parser.add_argument("--sites", type=int, default=24, help="sites relaxed per candidate")
    parser.add_argument("--level", default="mlip")
    parser.add_argument("--check", metavar="LEVEL",
                        help="single points at LEVEL on the surface and deepest sunk sites")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", UserWarning)
    from screening.library.catalog import Catalog
    from screening.recipes import references
    from screening.recipes.context import open_context
    from screening.settings import load_settings

    settings = load_settings().replace(max_sites=args.sites)
    catalog = Catalog(settings)
    ctx = open_context(settings, args.level)
    print(f"Zn on amorphous slabs at {args.level}, up to {args.sites} sites each; "
          f"store {settings.store_url}")
    mu = references.zn_bulk(ctx).energy_per_atom
    every: list[tuple[str, float, str]] = []
    lines = []
    values = {}
    for name in args.candidates:
        start = time.perf_counter()
        values[name] = zn_value(ctx, catalog.get(name))
        sites = site_energies(values[name], mu)
        seconds = time.perf_counter() - start
        for label, energy, flags in sorted(sites, key=lambda s: s[1]):
            print(f"{name:14s} {label:28s} {energy:+7.3f}  {flags}", flush=True)
        lines.append(summary(name, sites, seconds))
        every += sites
    print("\n" + "\n".join(lines))
    if len(args.candidates) > 1:
        print(summary("all", every, None))
    if args.check:
        print()
        for name, value in values.items():
            check(ctx, args.check, settings, name, value, mu)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
