"""Level benchmark: how far the quick DFT check is from dft-fast, and what each costs.

    python benchmarks/levels.py [--candidates "Zn(0001)"] [--min-lateral 7.5]
                                [--descriptors zn] [--workers 2] [--work-dir DIR]

In a fresh temporary store, with slabs of at least ``--min-lateral`` A:
1. ``znscreen run CANDIDATES --level mlip --descriptors ...``;
2. for each of ``dft-check`` and ``dft-fast-exp`` (``dft-fast`` with its
   bulk Zn at the experimental lattice, as ``dft-check`` has it: the fit
   would cost ten 17x17x8 bulk calculations), ``znscreen run`` again with
   ``--verify-top N --verify-level LEVEL``: single points on the mlip
   geometries (the mlip part is found in the store).
Prints, per candidate, each descriptor at mlip, dft-check and dft-fast-exp,
the difference, the wall time of each stage and of each DFT calculation. Every number is read from
the results table the runs wrote.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from screening.analysis.results import load_table
from screening.store.database import Store

LEVELS = ("dft-check", "dft-fast-exp")
SETTINGS = '[levels.dft-fast-exp]\nbase = "dft-fast"\nbulk_lattice = "experiment"\n'
COLUMNS = {"zn": ("e_ads_zn",), "her": ("dg_h",)}


def znscreen(args: list[str], env: dict[str, str]) -> float:
    """Run the CLI; return its wall time (s). Its output goes to stderr."""
    start = time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).parent / "znscreen"), *args], env=env,
                          stdout=sys.stderr, check=False)
    if done.returncode:
        sys.exit(f"znscreen {' '.join(args)} failed ({done.returncode})")
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--candidates", nargs="+", default=["Zn(0001)"])
    p.add_argument("--min-lateral", type=float, default=7.5,
                   help="smallest slab width (A); 7.5 keeps dft-fast affordable here")
    p.add_argument("--descriptors", nargs="+", default=["zn"], choices=sorted(COLUMNS))
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--work-dir", type=Path,
                   help="keep the store here, so an interrupted benchmark resumes "
                        "(default: a temporary directory)")
    args = p.parse_args()
    if args.work_dir:
        args.work_dir.mkdir(parents=True, exist_ok=True)
    with (contextlib.nullcontext(str(args.work_dir)) if args.work_dir
          else tempfile.TemporaryDirectory(prefix="zn-levels-")) as tmp:
        Path(tmp, "settings.toml").write_text(SETTINGS)
        env = {**os.environ, "ZNSCREEN_RESULTS_DIR": f"{tmp}/results",
               "ZNSCREEN_USER_DATA_DIR": f"{tmp}/user",
               "ZNSCREEN_SETTINGS": f"{tmp}/settings.toml",
               "ZNSCREEN_SLAB_MIN_LATERAL": str(args.min_lateral)}
        common = [*args.candidates, "--descriptors", *args.descriptors,
                  "--workers", str(args.workers)]
        seconds = {"mlip": znscreen(["run", *common, "--level", "mlip"], env)}
        for level in LEVELS:
            seconds[level] = znscreen(
                ["run", *common, "--level", "mlip", "--verify-top", str(len(args.candidates)),
                 "--verify-level", level, "--verify-descriptors", *args.descriptors], env)
        table = load_table(Path(tmp) / "results")
        store = Store(Path(tmp) / "results" / "screening.db")
        costs = [(r.get("level"), r.get("label"), r.natoms, r.wall_time)
                 for r in store.rows(status="done") if r.get("level") in LEVELS]
    # a verify row's level reads "LEVEL//mlip" (computed at LEVEL on mlip geometries)
    table["level"] = table["level"].str.replace("//mlip", "")
    table = table.set_index(["name", "level"])
    print(f"slabs >= {args.min_lateral} A, {args.workers} workers; "
          "single points on the mlip geometries")
    print("wall time per stage (s, this invocation; a resumed stage counts only what was "
          "left): " + ", ".join(f"{k} {v:.0f}" for k, v in seconds.items()))
    print("\nDFT calculations (s of wall time each, as the store recorded them)")
    for level, label, natoms, wall in sorted(costs):
        print(f"  {level:<13}{label:<48}{natoms:>4} atoms {wall:>8.0f} s")
    for column in (c for d in args.descriptors for c in COLUMNS[d]):
        print(f"\n{column} (eV)")
        print(f"{'candidate':<14}{'mlip':>9}{'dft-check':>11}{'dft-fast-exp':>14}{'difference':>12}")
        for name in args.candidates:
            v = {lvl: table[column].get((name, lvl), float("nan")) for lvl in ("mlip", *LEVELS)}
            print(f"{name:<14}{v['mlip']:>9.3f}{v['dft-check']:>11.3f}{v['dft-fast-exp']:>14.3f}"
                  f"{v['dft-check'] - v['dft-fast-exp']:>+12.3f}")


if __name__ == "__main__":
    main()
