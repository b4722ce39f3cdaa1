"""Whole-library descriptor benchmark at one level (default mlip, no NEB).

    python benchmarks/descriptors.py [--level mlip] [--workers 2] [--store DIR]
                                     [--candidates NAME ...]

Computes every descriptor group of every candidate into a fresh store
(a temporary directory unless ``--store`` is given; a second run on the
same store measures the all-cached path). Candidates are spread over
``--workers`` processes, largest slab first (so that no big one is left
for the end), each with one torch thread (on this 2-core
machine two single-threaded CHGNet processes beat one two-threaded one).
Prints, per candidate, the wall time of each group, and in total: the
elapsed wall time, the summed group times (CPU-process seconds), and how
many calculations and relaxation steps each group took.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path


def _context(level: str, results_dir: str):
    import torch

    torch.set_num_threads(1)
    from screening.recipes.context import open_context
    from screening.settings import get_settings

    return open_context(get_settings().replace(results_dir=Path(results_dir)), level)


def _references(level: str, results_dir: str) -> float:
    from screening.recipes.references import summary

    start = time.perf_counter()
    summary(_context(level, results_dir))
    return time.perf_counter() - start


def _one(name: str, level: str, results_dir: str) -> tuple[str, dict, dict]:
    from screening.descriptors.compute import describe
    from screening.descriptors.table import table_row
    from screening.library.catalog import Catalog

    ctx = _context(level, results_dir)
    described = describe(ctx, Catalog(ctx.settings).get(name))
    row = table_row(described)
    row["computed_now"] = described.computed_now
    return name, described.timings, row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", default="mlip")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--store", help="results directory to use (default: a fresh one)")
    parser.add_argument("--candidates", nargs="+")
    args = parser.parse_args(argv)

    from screening.library.catalog import Catalog
    from screening.library.surfaces import largest_first
    from screening.settings import get_settings

    settings = get_settings()
    catalog = Catalog(settings)
    chosen = [catalog.get(n) for n in args.candidates] if args.candidates else list(catalog)
    names = [c.name for c in largest_first(settings, chosen)]
    results_dir = args.store or tempfile.mkdtemp(prefix="znscreen-bench-")
    # references first, in one process, so the workers do not race for them
    # (the store would make the second wait, which would distort the timings)
    start = time.perf_counter()
    totals: dict[str, float] = defaultdict(float)
    rows = []
    print(f"# {len(names)} candidates, level {args.level}, {args.workers} workers, "
          f"store {results_dir}", flush=True)
    with ProcessPoolExecutor(args.workers) as pool:
        totals["references"] = pool.submit(_references, args.level, results_dir).result()
        print(f"{'references':20s} {totals['references']:6.1f} s", flush=True)
        futures = [pool.submit(_one, n, args.level, results_dir) for n in names]
        for future in as_completed(futures):
            name, timings, row = future.result()
            rows.append(row)
            for group, seconds in timings.items():
                totals[group] += seconds
            print(f"{name:20s} " + " ".join(f"{g}={s:6.1f}" for g, s in timings.items())
                  + f"  calcs={row['n_calculations']} new={row['computed_now']}"
                  + (f"  flags: {row['flags']}" if row["flags"] else ""), flush=True)
    wall = time.perf_counter() - start
    print(f"\nwall time: {wall:.0f} s ({wall / 60:.1f} min) for {len(names)} candidates "
          f"on {args.workers} workers ({os.cpu_count()} cores)")
    summed = sum(totals.values())
    for group, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {group:12s} {seconds:8.0f} s  {100 * seconds / summed:5.1f} %")
    print(f"  {'sum':12s} {summed:8.0f} s (process seconds)")
    print(f"calculations: {sum(r['n_calculations'] for r in rows)}, "
          f"computed now: {sum(r['computed_now'] for r in rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
