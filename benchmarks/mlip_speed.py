"""Cost per force call of every machine-learned level, on a 36- and a ~120-atom cell.

    python benchmarks/mlip_speed.py [--levels mlip 7net-0 ...] [--repeats 5] [--threads 1]

The cells are Zn(0001) slabs with a Zn adatom: 3x3x4 + 1 (37 atoms) and
5x6x4 + 1 (121 atoms), close-packed, at the experimental lattice. Each level's
calculator is built once (model loading excluded); calls are interleaved
level by level on slightly perturbed positions, so machine noise hits them
alike. Prints the median seconds per call and the ratio to ``mlip``
(CHGNet): on this shared machine the ratios are the figures to read.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings

import numpy as np
from ase.build import add_adsorbate, hcp0001

LEVELS = ("mlip", "7net-0", "7net-mf-0", "7net-l3i5")


def cells() -> dict[str, object]:
    found = {}
    for size in ((3, 3, 4), (5, 6, 4)):
        slab = hcp0001("Zn", size=size, a=2.665, c=4.947, vacuum=7.5)
        add_adsorbate(slab, "Zn", 2.4, "hcp")
        slab.pbc = True
        found[f"{len(slab)} atoms"] = slab
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", nargs="+", default=list(LEVELS))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    import torch

    from screening.calculators.factory import make_calculator
    from screening.calculators.levels import get_level
    from screening.calculators.parameters import calculation_parameters

    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    print(f"torch threads {args.threads}; median s per energy+forces call, ratio to mlip")
    for label, atoms in cells().items():
        calcs = {}
        for name in args.levels:
            params = calculation_parameters(get_level(name), atoms)
            calcs[name] = make_calculator(atoms, params, None)
        times: dict[str, list[float]] = {name: [] for name in args.levels}
        for _ in range(args.repeats + 1):  # the first round warms up
            moved = atoms.copy()
            moved.positions += rng.normal(0.0, 0.01, moved.positions.shape)
            for name, calc in calcs.items():
                moved.calc = calc
                start = time.perf_counter()
                moved.get_forces()
                times[name].append(time.perf_counter() - start)
        median = {name: statistics.median(t[1:]) for name, t in times.items()}
        base = median.get("mlip")
        for name, seconds in median.items():
            ratio = f"{seconds / base:5.2f}x" if base else "-"
            print(f"{label:10s} {name:10s} {seconds:7.3f} s  {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
