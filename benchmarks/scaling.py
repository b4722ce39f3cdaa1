"""Cost per force call against slab size, measured on the library's own slabs.

    python benchmarks/scaling.py [--level mlip] [--candidates NAME ...]
                                 [--repeats 3] [--out docs/data/scaling-mlip.json]
                                 [--png docs/scaling.png]

For each candidate's default slab model (and, with ``--cluster``, its wider
desolvation model) one force call (energy and forces) at the level is
timed ``--repeats`` times with the pipeline's calculator and the fastest
kept (the first call of a process loads the model and is not counted).
Run it on an otherwise idle machine: these are the figures a user scales
from. A power law t = a N^b (s, N atoms) is fitted in log-log and printed
with its scatter; the record goes to ``--out`` and every level recorded in
``docs/data/scaling-*.json`` is drawn in one plot. The number of force
calls a relaxation needs is taken from the results stores' finished
relaxations (their step counts do not depend on the machine's load, their
wall times do), so a library's time is about sum(steps x a N^b).
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


def relaxation_steps(stores: list[Path], level: str) -> dict[str, float]:
    """Median and 90th percentile of the steps of the stores' finished relaxations."""
    from screening.store.database import Store

    steps = [int(row.get("n_steps") or 0) for path in stores if path.exists()
             for row in Store(path).rows(status="done", level=level)
             if row.get("task") == "relax"]
    if not steps:
        return {}
    return {"n": len(steps), "median": float(np.median(steps)),
            "p90": float(np.percentile(steps, 90))}


def plot(records: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for record in records:
        atoms = np.array([p["atoms"] for p in record["points"]], float)
        seconds = np.array([p["seconds"] for p in record["points"]])
        fit = record["fit"]
        dots = ax.loglog(atoms, seconds, "o", alpha=0.6, label=f"{record['level']}: "
                         f"{fit['a']:.2g} N^{fit['b']:.2f} s (x/{fit['scatter']:.2f})")
        grid = np.geomspace(atoms.min(), atoms.max(), 50)
        ax.loglog(grid, fit["a"] * grid ** fit["b"], "-", color=dots[0].get_color())
    ax.set_xlabel("atoms in the slab model")
    ax.set_ylabel("one force call (s)")
    ax.set_title("Cost of one energy-and-forces call on the library's slabs")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    from screening.calculators.levels import get_level
    from screening.library.catalog import Catalog
    from screening.library.surfaces import build_slab_models, slab_spec
    from screening.settings import load_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", default="mlip")
    parser.add_argument("--candidates", nargs="+")
    parser.add_argument("--cluster", action="store_true",
                        help="also the desolvation (cluster) slab of each candidate")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--png", type=Path, default=Path("docs/scaling.png"))
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    settings = load_settings()
    level = get_level(args.level, settings.levels)
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
                               "min_lateral": min_lateral, "seconds": round(seconds, 4)})
                print(f"{name:20s} {len(model.atoms):4d} atoms  {seconds:8.3f} s", flush=True)
    atoms = np.array([p["atoms"] for p in points], float)
    a, b, scatter = power_law(atoms, np.array([p["seconds"] for p in points]))
    steps = relaxation_steps([settings.results_dir / "screening.db"], args.level)
    threads = __import__("torch").get_num_threads() if level.engine in ("chgnet",
                                                                           "sevennet") else 1
    record = {"level": args.level, "threads": threads, "points": points,
        "fit": {"a": a, "b": b, "scatter": scatter}, "relaxation_steps": steps}
    print(f"\n{args.level}: one force call = {a:.3g} x N^{b:.2f} s (scatter x/{scatter:.2f}, "
          f"{len(points)} slabs of {int(atoms.min())}-{int(atoms.max())} atoms); "
          f"relaxations in the store: {steps}")
    out = args.out or Path(f"docs/data/scaling-{args.level}.json")
    out.write_text(json.dumps(record, indent=1) + "\n")
    records = [json.loads(p.read_text()) for p in sorted(out.parent.glob("scaling-*.json"))]
    plot(records, args.png)
    print(f"record: {out}; plot: {args.png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
