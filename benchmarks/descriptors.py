"""Whole-library descriptor benchmark at one level (default mlip, no NEB), and
settings variants side by side.

    python benchmarks/descriptors.py [--level mlip] [--workers 2] [--store DIR]
                                     [--candidates NAME ...]
                                     [--variant LABEL:SETTING=VALUE[,SETTING=VALUE] ...]

Computes every descriptor group of every candidate (default: the bundled
library; the user catalog's are left out) into a fresh store
(a temporary directory unless ``--store`` is given; a second run on the
same store measures the all-cached path). Candidates are spread over
``--workers`` processes, largest slab first (so that no big one is left
for the end), each with one torch thread (on this 2-core
machine two single-threaded CHGNet processes beat one two-threaded one).
Prints, per candidate, the wall time of each group, and in total: the
elapsed wall time, the summed group times (CPU-process seconds), and how
many calculations, relaxation steps and model evaluations (``n_calls``:
steps plus line-search and preconditioner calls) the store holds.

With ``--variant`` (repeatable), each variant runs in turn on its own
store (``STORE/LABEL``) with those settings changed (a variant ``base:``
changes nothing), and a last table puts them side by side: wall time,
evaluations, and per candidate the largest change of any descriptor
against the first variant (eV; flags that appear or go too).
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
from typing import Any


def _context(level: str, results_dir: str, changes: dict[str, str]):
    import torch

    torch.set_num_threads(1)
    from screening.recipes.context import open_context
    from screening.settings import get_settings

    settings = get_settings().replace(results_dir=Path(results_dir), **changes)
    return open_context(settings, level)


def _references(level: str, results_dir: str, changes: dict[str, str]) -> float:
    from screening.recipes.references import summary

    start = time.perf_counter()
    summary(_context(level, results_dir, changes))
    return time.perf_counter() - start


def _one(name: str, level: str, results_dir: str,
         changes: dict[str, str]) -> tuple[str, dict, dict]:
    from screening.descriptors.compute import describe
    from screening.descriptors.table import table_row
    from screening.library.catalog import Catalog

    ctx = _context(level, results_dir, changes)
    described = describe(ctx, Catalog(ctx.settings).get(name))
    row = table_row(described)
    row["computed_now"] = described.computed_now
    return name, described.timings, row


def _variant(text: str) -> tuple[str, dict[str, str]]:
    """``LABEL:SETTING=VALUE,...`` (``LABEL:`` changes nothing), checked against
    the settings before anything runs."""
    from screening.settings import get_settings

    label, colon, assignments = text.partition(":")
    items = [item.partition("=") for item in assignments.split(",") if item]
    if not label or not colon or any(not k or not eq or not v for k, eq, v in items):
        raise argparse.ArgumentTypeError(f"{text!r}: expected LABEL:SETTING=VALUE,... "
                                         f"(LABEL: for no change)")
    changes = {k: v for k, _, v in items}
    try:
        get_settings().replace(**changes)
    except Exception as exc:  # noqa: BLE001 - the settings say what is wrong in one line
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None
    return label, changes


def _evaluations(results_dir: str, names: list[str]) -> dict[str, dict[str, int]]:
    """Relaxation steps and model evaluations in the store, per candidate
    (labels ``NAME/...``) and for the references (everything else)."""
    from screening.store.database import Store

    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"steps": 0, "calls": 0})
    for record in Store(Path(results_dir) / "screening.db").records():
        owner = next((n for n in names if record.label.startswith(n + "/")), "references")
        counts[owner]["steps"] += record.n_steps or 0
        counts[owner]["calls"] += record.n_calls or record.n_steps or 0
    return counts


def run(names: list[str], level: str, workers: int, results_dir: str,
        changes: dict[str, str]) -> dict[str, Any]:
    """One benchmark run; returns wall time (s), rows and evaluation counts."""
    totals: dict[str, float] = defaultdict(float)
    rows: dict[str, dict] = {}
    wall_of: dict[str, float] = {}
    print(f"# {len(names)} candidates, level {level}, {workers} workers, store {results_dir}"
          + (f", settings {changes}" if changes else ""), flush=True)
    start = time.perf_counter()
    # references first, in one process, so the workers do not race for them
    # (the store would make the second wait, which would distort the timings)
    with ProcessPoolExecutor(workers) as pool:
        totals["references"] = pool.submit(_references, level, results_dir, changes).result()
        print(f"{'references':20s} {totals['references']:6.1f} s", flush=True)
        futures = [pool.submit(_one, n, level, results_dir, changes) for n in names]
        for future in as_completed(futures):
            name, timings, row = future.result()
            rows[name] = row
            wall_of[name] = sum(timings.values())
            for group, seconds in timings.items():
                totals[group] += seconds
            print(f"{name:20s} " + " ".join(f"{g}={s:6.1f}" for g, s in timings.items())
                  + f"  calcs={row['n_calculations']} new={row['computed_now']}"
                  + (f"  flags: {row['flags']}" if row["flags"] else ""), flush=True)
    wall = time.perf_counter() - start
    counts = _evaluations(results_dir, names)
    print(f"\nwall time: {wall:.0f} s ({wall / 60:.1f} min) for {len(names)} candidates "
          f"on {workers} workers ({os.cpu_count()} cores)")
    summed = sum(totals.values())
    for group, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {group:12s} {seconds:8.0f} s  {100 * seconds / summed:5.1f} %")
    print(f"  {'sum':12s} {summed:8.0f} s (process seconds)")
    print(f"calculations: {sum(r['n_calculations'] for r in rows.values())}, "
          f"computed now: {sum(r['computed_now'] for r in rows.values())}, relaxation steps: "
          f"{sum(c['steps'] for c in counts.values())}, model evaluations: "
          f"{sum(c['calls'] for c in counts.values())}\n", flush=True)
    return {"wall": wall, "rows": rows, "seconds": wall_of, "counts": counts}


def _largest_change(row: dict, base: dict) -> tuple[float, str]:
    from screening.descriptors.registry import COLUMNS

    changes = [(abs(row[c] - base[c]), c) for c in COLUMNS
               if isinstance(row.get(c), float) and isinstance(base.get(c), float)]
    return max(changes, default=(0.0, "-"))


def side_by_side(results: dict[str, dict[str, Any]], names: list[str]) -> None:
    """The variants' times, evaluations and descriptor changes against the first."""
    labels = list(results)
    base = results[labels[0]]
    print("# side by side (time: the candidate's summed group times, s; evaluations: "
          "model calls in the store; change: largest |descriptor - first variant's|, eV)")
    print(f"{'candidate':20s} " + " ".join(f"{label:>28s}" for label in labels))
    for name in names:
        cells = []
        for label in labels:
            run_ = results[label]
            change, column = (_largest_change(run_["rows"][name], base["rows"][name])
                              if run_ is not base else (0.0, "-"))
            flags = set(run_["rows"][name]["flags"].split("; ")) ^ set(
                base["rows"][name]["flags"].split("; "))
            cells.append(f"{run_['seconds'][name]:6.0f} s {run_['counts'][name]['calls']:5d} "
                         f"{change:5.3f} {column[:8]:8s}" + ("*" if flags - {""} else " "))
        print(f"{name:20s} " + " ".join(f"{c:>28s}" for c in cells))
    print(f"{'wall (min)':20s} " + " ".join(f"{results[l]['wall'] / 60:28.1f}" for l in labels))
    print(f"{'evaluations':20s} " + " ".join(
        f"{sum(c['calls'] for c in results[l]['counts'].values()):28d}" for l in labels))
    print("(* the flags differ from the first variant's)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", default="mlip")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--store", help="results directory to use (default: a fresh one)")
    parser.add_argument("--candidates", nargs="+")
    parser.add_argument("--variant", action="append", type=_variant,
                        help="LABEL:SETTING=VALUE,...; repeat to compare")
    args = parser.parse_args(argv)

    from screening.library.catalog import Catalog
    from screening.library.surfaces import largest_first
    from screening.settings import get_settings

    settings = get_settings()
    catalog = Catalog(settings)
    chosen = ([catalog.get(n) for n in args.candidates] if args.candidates
              else [c for c in catalog if c.origin == "bundled"])
    names = [c.name for c in largest_first(settings, chosen)]
    root = args.store or tempfile.mkdtemp(prefix="znscreen-bench-")
    if not args.variant:
        run(names, args.level, args.workers, root, {})
        return 0
    results = {label: run(names, args.level, args.workers, str(Path(root) / label), changes)
               for label, changes in args.variant}
    side_by_side(results, names)
    return 0


if __name__ == "__main__":
    sys.exit(main())
