"""The accuracy reference set: the same small cells at every level, through one store.

    python benchmarks/reference_set.py [--levels LEVEL ...] [--surfaces NAME ...]
                                       [--relaxed] [--mpi-ranks 2] [--status] [--snapshot]

Twelve candidate surfaces (every family) get the Zn adatom on every site the
descriptor code relaxes (group ``zn``: e_ads_zn and e_ads_zn_atom); five of
them also H (``her``) and H2O (``water``). Slabs are the library's models
cut to the smallest cells that reach 5 A laterally (8 to 36 atoms), so
that plane-wave DFT is affordable on 2 cores; every level uses the same
cells. Geometries are relaxed at ``mlip`` and every DFT level is a single
point on each site they relaxed (``dft-check//mlip`` ..., ``verify_sites =
"all"``): the comparison isolates the level.
The other machine-learned levels (SevenNet) relax their own geometries.
``--relaxed`` makes the DFT levels relax their own geometries too (values
under the plain level name, e.g. ``dft-check``), for a subset given by
``--surfaces``: every site is relaxed, as at the fast levels. (Probing the
unrelaxed placements to relax only the lowest picked the top site of
Zn(0001), which DFT single points on the mlip geometries put 0.65 eV above
the hollows.)

Work goes cheapest first: the Zn adatom of every surface before H and
H2O, the machine-learned levels one after the other, then the DFT levels
surface by surface (all of them on one surface before the next). Everything goes through the
results store (``results/reference/screening.db``), so a killed run resumes
where it stopped. Each value, with the store keys behind it, is written to
``benchmarks/reference/values.json`` as it comes (``znscreen accuracy``
reads it). ``--snapshot`` copies the store, consistently, to the
committed ``benchmarks/reference/reference.db``; a run on a machine without
a live store starts from that snapshot.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import time
import warnings
from pathlib import Path

#: The 12 surfaces (the issue's list: Zn facets, two zincophilic metals, the
#: oxides of the seeds, graphene, an MXene, a sulfide and a nitride).
ZN_SET = ("Zn(0001)", "Zn(10-11)", "Zn(10-10)", "Cu(111)", "Ag(111)", "anatase-TiO2(101)",
          "rutile-TiO2(110)", "ZnO(10-10)", "graphene", "Ti3C2O2", "ZnS(110)", "TiN(100)")
#: Surfaces that also get H (her) and H2O (water).
HW_SET = ("Zn(0001)", "Cu(111)", "anatase-TiO2(101)", "graphene", "Ti3C2O2")
#: Smallest lateral periodic length of the reference cells (A).
MIN_LATERAL = 5.0
#: The layer setting of each reference cell, as it was computed: the
#: catalog's defaults may grow (``znscreen converge``), the set keeps its cells
#: so that its stored rows stay valid. Bulks not named use ``SLAB_LAYERS``.
LAYERS = {"anatase-TiO2(101)": 6, "rutile-TiO2(110)": 9}
SLAB_LAYERS = 4
GEOMETRY = "mlip"
#: The levels, cheapest first: the fast models on their own geometries, then DFT
#: single points on the mlip ones.
LEVELS = ("mlip", "7net-0", "7net-mf-0", "7net-l3i5", "dft-check", "dft-fast", "dft")

ROOT = Path(__file__).resolve().parent.parent
LIVE = ROOT / "results" / "reference"
SNAPSHOT = ROOT / "benchmarks" / "reference" / "reference.db"
VALUES = ROOT / "benchmarks" / "reference" / "values.json"


def reference_settings(mpi_ranks: int = 1):
    """The settings of the reference set: defaults, its cells, its own store."""
    from screening.settings import Settings

    return Settings().replace(results_dir=LIVE, slab_min_lateral=MIN_LATERAL,
                              slab_layers=SLAB_LAYERS, mpi_ranks=mpi_ranks, verify_sites="all")


def reference_candidate(catalog, name: str):
    """The catalog's candidate with the reference cell's layer setting (``LAYERS``)."""
    from dataclasses import replace

    candidate = catalog.get(name)
    if candidate.structure.kind != "bulk":
        return candidate
    return replace(candidate, layers=LAYERS.get(name))


def snapshot(live: Path, target: Path) -> None:
    """A consistent copy of the live SQLite store (sqlite3's online backup)."""
    from screening.files import atomic_path

    with atomic_path(target) as partial:
        source, copy = sqlite3.connect(live), sqlite3.connect(partial)
        try:
            source.backup(copy)
        finally:
            source.close()
            copy.close()


def work_list(levels: tuple[str, ...],
              surfaces: tuple[str, ...] = ()) -> list[tuple[str, str, tuple[str, ...]]]:
    """(level, candidate, groups) in the order they are computed.

    The Zn adatom of every surface comes before H and H2O. Machine-learned
    levels go one after the other; the DFT levels (names starting with
    ``dft``) go surface by surface, every DFT level of a surface before the
    next surface, so that the ladder has complete rows as early as possible.
    ``surfaces``, if given, keeps only those.
    """
    fast = [level for level in levels if not level.startswith("dft")]
    dft = [level for level in levels if level.startswith("dft")]
    order = []
    for groups, names in ((("zn",), ZN_SET), (("her", "water"), HW_SET)):
        order += [(level, name, groups) for level in fast for name in names]
    for groups, names in ((("zn",), ZN_SET), (("her", "water"), HW_SET)):
        order += [(level, name, groups) for name in names for level in dft]
    return [item for item in order if not surfaces or item[1] in surfaces]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", nargs="+", default=list(LEVELS))
    parser.add_argument("--surfaces", nargs="+", default=[],
                        help="only these surfaces of the set")
    parser.add_argument("--relaxed", action="store_true",
                        help="DFT levels relax their own geometries (every site)")
    parser.add_argument("--mpi-ranks", type=int, default=2,
                        help="MPI ranks of each GPAW calculation (1: in this process)")
    parser.add_argument("--status", action="store_true", help="count what the store holds")
    parser.add_argument("--snapshot", action="store_true",
                        help=f"copy the live store to {SNAPSHOT.relative_to(ROOT)} and stop")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", UserWarning)  # ASE optimisers' line-search notes
    from screening.analysis.accuracy import record_values
    from screening.calculators.levels import get_level
    from screening.descriptors.compute import describe
    from screening.descriptors.registry import GROUPS
    from screening.library.catalog import Catalog
    from screening.recipes.context import open_context

    settings = reference_settings(args.mpi_ranks)
    unknown = sorted(set(args.surfaces) - set(ZN_SET))
    if unknown:
        parser.error(f"not in the reference set: {', '.join(unknown)}")
    live = Path(settings.store_url)
    if args.snapshot:
        snapshot(live, SNAPSHOT)
        print(f"{live} -> {SNAPSHOT}")
        return 0
    if not live.exists() and SNAPSHOT.exists():
        live.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SNAPSHOT, live)
        print(f"started from the snapshot {SNAPSHOT}")
    catalog = Catalog(settings)
    for level, name, groups in [] if args.status else work_list(tuple(args.levels),
                                                                          tuple(args.surfaces)):
        dft = get_level(level, settings.levels).engine == "gpaw"
        ctx = open_context(settings, level, GEOMETRY if dft and not args.relaxed else None)
        start = time.perf_counter()
        described = describe(ctx, reference_candidate(catalog, name), groups)
        mine = {col: described.values[col] for g in groups for col in GROUPS[g].columns}
        values = " ".join(f"{col}={v.value:+.3f}" if v.value is not None else f"{col}=-"
                          for col, v in mine.items())
        problems = "; ".join(f"{col}: {v.reason}" for col, v in mine.items() if v.reason)
        record_values(VALUES, ctx.name, name, mine)
        print(f"{ctx.name:16s} {name:18s} {' '.join(groups):10s} {described.computed_now:3d} new"
              f" {time.perf_counter() - start:7.0f} s  {values}  {problems}", flush=True)
    from screening.store.database import Store

    store = Store(settings.store_url)
    print(f"store: {store.count(status='done')} done, {store.count(status='failed')} failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
