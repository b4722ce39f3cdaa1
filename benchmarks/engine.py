"""Engine benchmark: GPAW SCF step cost (old vs new implementation), CHGNet speed, store lookups.

    python benchmarks/engine.py [--scf-steps 4] [--skip-gpaw] [--lookups 2000]

Prints, for a Zn(0001) 3x3x4 slab (36 atoms, bottom half fixed, 15 A vacuum):
- seconds per GPAW SCF step at dft-fast (LCAO dzp) and dft (PW 400 eV), with
  ``gpaw.calculator.GPAW`` (old) and ``gpaw.GPAW`` (new), same parameters,
  from the per-iteration timestamps of GPAW's log (first iteration excluded:
  it carries the set-up). The SCF is cut after ``--scf-steps`` iterations.
- CHGNet energy+force calls per second on the same slab (model loaded once).
- latency of a stored-result lookup: ``Store.find`` and a full ``compute``
  that finds its key done (hashing included), in a store of N rows.
Run on a quiet machine; compare ratios within one run.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.build import hcp0001
from ase.calculators.singlepoint import SinglePointCalculator
from ase.constraints import FixAtoms

from screening.calculators.factory import make_calculator, prepare, scf_error
from screening.calculators.levels import get_level
from screening.calculators.parameters import calculation_parameters
from screening.runners.compute import Request, compute
from screening.store.database import Store

ITERATION = re.compile(r"iter:\s*(\d+)\|?\s+(\d\d:\d\d:\d\d)")


def zn0001_slab() -> Atoms:
    slab = hcp0001("Zn", size=(3, 3, 4), a=2.665, c=4.947, vacuum=7.5)
    slab.pbc = True
    z = slab.positions[:, 2]
    slab.set_constraint(FixAtoms(indices=np.where(z < z.mean())[0]))
    return slab


def seconds_per_step(log: Path) -> tuple[float, int]:
    """Mean seconds per SCF iteration after the first, from GPAW's log timestamps."""
    stamps = [datetime.strptime(m.group(2), "%H:%M:%S") for m in ITERATION.finditer(log.read_text())]
    if len(stamps) < 3:
        return float("nan"), len(stamps)
    spans = [(b - a).total_seconds() % 86400 for a, b in zip(stamps, stamps[1:])]
    return statistics.mean(spans), len(stamps)


def gpaw_scf(level_name: str, implementation: str, steps: int, workdir: Path) -> dict:
    level = get_level(level_name, {level_name: {"implementation": implementation,
                                                "maxiter": steps}})
    atoms = zn0001_slab()
    params = calculation_parameters(level, atoms)
    directory = workdir / f"{level_name}-{implementation}"
    directory.mkdir(parents=True)
    prepare(atoms, params)
    atoms.calc = make_calculator(atoms, params, directory)
    start = time.perf_counter()
    try:
        atoms.get_potential_energy()
    except scf_error():
        pass  # cut after `steps` iterations on purpose
    wall = time.perf_counter() - start
    per_step, count = seconds_per_step(directory / "gpaw-rung0.txt")
    return {"level": level_name, "impl": implementation, "kpts": params["kpts"],
            "iterations": count, "s_per_step": per_step, "wall_s": wall}


def chgnet_calls(n_calls: int) -> float:
    level = get_level("mlip")
    atoms = zn0001_slab()
    atoms.calc = make_calculator(atoms, calculation_parameters(level, atoms), Path("."))
    atoms.get_forces()  # model load and first call excluded
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(n_calls):
        atoms.positions += rng.normal(0, 0.01, atoms.positions.shape)
        atoms.get_forces()
    return n_calls / (time.perf_counter() - start)


def lookups(n_rows: int, n_queries: int, workdir: Path) -> tuple[float, float]:
    """Median seconds of Store.find and of a cache-hit compute() in an N-row store."""
    store = Store(workdir / "lookup.db")
    atoms = zn0001_slab()
    level = get_level("mlip")
    keys = []
    with store.db:  # one transaction for the fill
        for i in range(n_rows):
            moved = atoms.copy()
            moved.positions[-1, 2] += 1e-3 * i
            request = Request(moved, level, f"bench-{i}")
            moved.calc = SinglePointCalculator(moved, energy=-1.0 * i,
                                               forces=np.zeros((len(moved), 3)))
            store.db.write(moved, calc_key=request.key, status="done", task="singlepoint",
                           level="mlip", label=f"bench-{i}", converged=True, n_steps=1,
                           scf_rung=0, wall_time=0.0, host="bench",
                           data={"parameters": request.parameters})
            keys.append((request, request.key))
    rng = np.random.default_rng(1)
    finds, hits = [], []
    for i in rng.integers(0, n_rows, n_queries):
        request, key = keys[i]
        t = time.perf_counter()
        store.find(key)
        finds.append(time.perf_counter() - t)
        t = time.perf_counter()
        result = compute(store, request, workdir, "bench")
        hits.append(time.perf_counter() - t)
        assert not result.computed
    return statistics.median(finds), statistics.median(hits)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scf-steps", type=int, default=4)
    parser.add_argument("--skip-gpaw", action="store_true")
    parser.add_argument("--chgnet-calls", type=int, default=30)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--lookups", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        print("Zn(0001) 3x3x4 slab, 36 atoms")
        if not args.skip_gpaw:
            print(f"{'level':9} {'impl':4} {'kpts':10} {'iters':>5} {'s/step':>7} {'wall s':>7}")
            results = {}
            for level in ("dft-fast", "dft"):
                for impl in ("old", "new"):
                    r = gpaw_scf(level, impl, args.scf_steps, workdir)
                    results[level, impl] = r
                    print(f"{level:9} {impl:4} {str(r['kpts']):10} {r['iterations']:5d} "
                          f"{r['s_per_step']:7.1f} {r['wall_s']:7.1f}", flush=True)
            for level in ("dft-fast", "dft"):
                ratio = results[level, "new"]["s_per_step"] / results[level, "old"]["s_per_step"]
                print(f"{level}: new/old seconds per SCF step = {ratio:.2f}")
        rate = chgnet_calls(args.chgnet_calls)
        print(f"CHGNet: {rate:.1f} energy+force calls per second ({1000 / rate:.0f} ms per call)")
        find, hit = lookups(args.rows, args.lookups, workdir)
        print(f"store ({args.rows} rows, SQLite): find {find * 1e3:.2f} ms, "
              f"cache-hit compute {hit * 1e3:.2f} ms (median of {args.lookups})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
