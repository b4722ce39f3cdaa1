"""Cost per force call against slab size, measured on the library's own slabs.

    python benchmarks/scaling.py [--level mlip] [--candidates NAME ...] [--cluster]
                                 [--repeats 3] [--out docs/data/scaling-mlip.json]
                                 [--predict results/screening.db [--reuse]]
                                 [--png docs/scaling.png]

For each candidate's default slab model (and, with ``--cluster``, its wider
desolvation model) one force call (energy and forces) at the level is
timed ``--repeats`` times with the pipeline's calculator and the fastest
kept (the first call of a process loads the model and is not counted).
Run it on an otherwise idle machine: these are the figures a user scales
from. A power law t = a N^b (s, N atoms) is fitted in log-log and printed
with its scatter; the record goes to ``--out`` and every level recorded in
``docs/data/scaling-*.json`` is drawn in one plot. The number of force
calls a relaxation needs is taken from the results store's finished
relaxations (their evaluation counts do not depend on the machine's load,
their wall times do), so a library's time is about sum(calls x a N^b).
With ``--predict STORE`` that sum is printed per candidate of STORE beside
the wall time its calculations took; ``--reuse`` takes the per-call costs
from the existing record instead of measuring them again.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np


def power_law(atoms: np.ndarray, seconds: np.ndarray) -> tuple[float, float, float]:
    """(a, b, scatter) of t = a N^b; scatter is the geometric sd of t / fit."""
    b, log_a = np.polyfit(np.log(atoms), np.log(seconds), 1)
    residual = np.log(seconds) - (log_a + b * np.log(atoms))
    return float(np.exp(log_a)), float(b), float(np.exp(residual.std()))


def force_call_seconds(atoms, level, repeats: int, directory: Path) -> float:
    """Fastest of ``repeats`` energy-and-forces calls on ``atoms`` at ``level`` (s)."""
    from screening.calculators.factory import make_calculator
    from screening.calculators.parameters import calculation_parameters

    best = np.inf
    for _ in range(repeats):
        probe = atoms.copy()
        probe.calc = make_calculator(probe, calculation_parameters(level, probe), directory)
        start = time.perf_counter()
        probe.get_forces()
        best = min(best, time.perf_counter() - start)
    return float(best)


#: CHGNet's bond-graph cutoff (A): its angle updates run over pairs of these bonds.
BOND_CUTOFF = 3.0


def bonds(atoms) -> int:
    """Atom pairs closer than :data:`BOND_CUTOFF` (periodic images included)."""
    from ase.neighborlist import neighbor_list

    return int(len(neighbor_list("i", atoms, BOND_CUTOFF)) // 2)


def atoms_and_bonds(points: list[dict]) -> tuple[float, float, float]:
    """(alpha, beta, scatter) of t = alpha N + beta B, least squares in t / fit - 1;
    scatter is the geometric sd of t / fit."""
    x = np.array([[p["atoms"], p["bonds"]] for p in points], float)
    t = np.array([p["seconds"] for p in points])
    (alpha, beta), *_ = np.linalg.lstsq(x / t[:, None], np.ones(len(t)), rcond=None)
    ratio = t / (x @ [alpha, beta])
    return float(alpha), float(beta), float(np.exp(np.log(ratio).std()))


def relaxation_steps(stores: list[Path], level: str) -> dict[str, float]:
    """Median and 90th percentile of the optimiser steps and of the model
    evaluations (steps plus line-search and preconditioner calls, where
    recorded) of the stores' finished relaxations."""
    from screening.store.database import Store

    rows = [row for path in stores if path.exists()
            for row in Store(path).rows(status="done", level=level) if row.get("task") == "relax"]
    if not rows:
        return {}
    steps = [int(row.get("n_steps") or 0) for row in rows]
    calls = [int(row.get("n_calls") or row.get("n_steps") or 0) for row in rows]
    return {"n": len(rows), "median": float(np.median(steps)),
            "p90": float(np.percentile(steps, 90)), "median_calls": float(np.median(calls)),
            "p90_calls": float(np.percentile(calls, 90))}


def predicted_against_measured(store: Path, level: str, points: list[dict],
                               b: float) -> dict:
    """Per candidate of ``store``: its calculations' summed wall time (s) beside
    the prediction: each calculation's evaluations x the measured cost of one
    call on the candidate's own model nearest in size, scaled by (N / N_model)^b.
    Candidates without a measured model are left out."""
    from screening.store.database import Store

    found: dict[str, dict[str, float]] = {}
    for row in Store(store).rows(status="done", level=level):
        label = str(row.get("label", ""))
        if "/" not in label or row.get("task") not in ("relax", "singlepoint"):
            continue
        name = label.split("/")[0]
        own = [p for p in points if p["candidate"] == name]
        if not own:
            continue
        nearest = min(own, key=lambda p: abs(p["atoms"] - row.natoms))
        calls = int(row.get("n_calls") or row.get("n_steps") or 1)
        entry = found.setdefault(name, {"measured": 0.0, "predicted": 0.0, "calls": 0})
        entry["measured"] += float(row.get("wall_time") or 0.0)
        entry["predicted"] += calls * nearest["seconds"] * (row.natoms / nearest["atoms"]) ** b
        entry["calls"] += calls
    return found


def plot(records: list[dict], path: Path) -> None:
    """Left: one call against atoms, with the power-law fit; right: measured
    against t = alpha N + beta B (B pairs closer than 3 A). Every level recorded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    for record in records:
        n = np.array([p["atoms"] for p in record["points"]], float)
        seconds = np.array([p["seconds"] for p in record["points"]])
        fit = record["fit"]
        name = f"{record['level']} ({record.get('threads', 1)} thread)"
        dots = left.loglog(n, seconds, "o", alpha=0.6, label=f"{name}: {fit['a']:.2g} "
                           f"N^{fit['b']:.2f} s (x/{fit['scatter']:.2f})")
        grid = np.geomspace(n.min(), n.max(), 50)
        left.loglog(grid, fit["a"] * grid ** fit["b"], "-", color=dots[0].get_color())
        two = record.get("fit_atoms_bonds")
        if two:
            bonds_ = np.array([p["bonds"] for p in record["points"]], float)
            right.loglog(two["alpha"] * n + two["beta"] * bonds_, seconds, "o", alpha=0.6,
                         color=dots[0].get_color(), label=f"{name}: {two['alpha']:.2g} N + "
                         f"{two['beta']:.2g} B s (x/{two['scatter']:.2f})")
    lo, hi = right.get_xlim() if right.lines else (1e-2, 1.0)
    right.loglog([lo, hi], [lo, hi], "k:", lw=1)
    left.set_xlabel("atoms N in the slab model")
    left.set_ylabel("one energy-and-forces call (s)")
    right.set_xlabel(f"alpha N + beta B (s), B = atom pairs closer than {BOND_CUTOFF:g} A")
    right.set_ylabel("measured (s)")
    for ax in (left, right):
        ax.legend(fontsize=8)
    fig.suptitle("Cost of one call on the library's slab models (default and desolvation)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def measure(args: argparse.Namespace, settings, level) -> list[dict]:
    """One call timed on each candidate's default (and desolvation) slab model."""
    from screening.library.catalog import Catalog
    from screening.library.surfaces import build_slab_models, slab_spec

    catalog = Catalog(settings)
    names = args.candidates or [c.name for c in catalog if c.origin == "bundled"]
    lateral = [settings.slab_min_lateral] + ([settings.cluster_min_lateral] if args.cluster
                                             else [])
    points = []
    with tempfile.TemporaryDirectory() as scratch:
        warm = build_slab_models(catalog.get(names[0]), slab_spec(settings, catalog.get(names[0])))
        force_call_seconds(warm[0].atoms, level, 1, Path(scratch))  # loads the model
        for name in names:
            candidate = catalog.get(name)
            for min_lateral in lateral:
                model = build_slab_models(candidate, slab_spec(settings, candidate,
                                                               min_lateral))[0]
                seconds = force_call_seconds(model.atoms, level, args.repeats, Path(scratch))
                points.append({"candidate": name, "atoms": len(model.atoms),
                               "bonds": bonds(model.atoms), "min_lateral": min_lateral,
                               "seconds": round(seconds, 4)})
                print(f"{name:20s} {len(model.atoms):4d} atoms {points[-1]['bonds']:6d} bonds "
                      f"{seconds:8.3f} s", flush=True)
    return points


def main(argv: list[str] | None = None) -> int:
    from screening.calculators.levels import get_level
    from screening.settings import load_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", default="mlip")
    parser.add_argument("--candidates", nargs="+")
    parser.add_argument("--cluster", action="store_true",
                        help="also the desolvation (cluster) slab of each candidate")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--predict", type=Path, metavar="STORE",
                        help="a results store (screening.db) whose calculations' wall times "
                             "are printed beside the prediction")
    parser.add_argument("--reuse", action="store_true",
                        help="take the per-call costs from the --out record instead of "
                             "measuring them again (with --predict, on a store that grew)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--png", type=Path, default=Path("docs/scaling.png"))
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    settings = load_settings()
    level = get_level(args.level, settings.levels)
    out = args.out or Path(f"docs/data/scaling-{args.level}.json")
    previous = json.loads(out.read_text()) if args.reuse else None
    points = previous["points"] if previous else measure(args, settings, level)
    atoms = np.array([p["atoms"] for p in points], float)
    seconds = np.array([p["seconds"] for p in points])
    a, b, scatter = power_law(atoms, seconds)
    by_bonds = atoms_and_bonds(points)
    steps = relaxation_steps([args.predict or settings.results_dir / "screening.db"], args.level)
    threads = (previous["threads"] if previous else __import__("torch").get_num_threads()
               if level.engine in ("chgnet", "sevennet") else 1)
    record = {"level": args.level, "threads": threads, "points": points,
              "fit": {"a": a, "b": b, "scatter": scatter},
              "fit_atoms_bonds": dict(zip(("alpha", "beta", "scatter"), by_bonds)),
              "relaxation_steps": steps}
    print(f"\n{args.level}: one force call = {a:.3g} x N^{b:.2f} s (scatter x/{scatter:.2f}, "
          f"{len(points)} slabs of {int(atoms.min())}-{int(atoms.max())} atoms); = "
          f"{by_bonds[0]:.3g} N + {by_bonds[1]:.3g} B s with B pairs closer than "
          f"{BOND_CUTOFF:g} A (scatter x/{by_bonds[2]:.2f}); relaxations in the store: {steps}")
    if args.predict:
        record["predicted_against_measured"] = found = predicted_against_measured(
            args.predict, args.level, points, b)
        print(f"\n{'candidate':20s} {'calls':>6s} {'measured_s':>10s} {'predicted_s':>11s}")
        for name, entry in sorted(found.items()):
            print(f"{name:20s} {entry['calls']:6d} {entry['measured']:10.0f} "
                  f"{entry['predicted']:11.0f}")
        print(f"{'all':20s} {sum(e['calls'] for e in found.values()):6d} "
              f"{sum(e['measured'] for e in found.values()):10.0f} "
              f"{sum(e['predicted'] for e in found.values()):11.0f}")
    out.write_text(json.dumps(record, indent=1) + "\n")
    records = [json.loads(p.read_text()) for p in sorted(out.parent.glob("scaling-*.json"))]
    plot(records, args.png)
    print(f"record: {out}; plot: {args.png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
