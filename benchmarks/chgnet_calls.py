"""CHGNet cost per call: CHGNet's stock calculator against the one the pipeline uses.

    python benchmarks/chgnet_calls.py [--repeats 7] [--threads 1]

For three systems of the mlip screen (a Zn(0001) slab with a Zn adatom, the
hydrated cluster on the Zn(0001) desolvation slab, and the hydrated cluster
on the rutile-TiO2(110) one), prints the median seconds per call of:

- ``stock efsm``: CHGNet's ``CHGNetCalculator`` as shipped (energy, forces,
  stress, magnetic moments);
- ``stock ef``: the same, energy and forces only;
- ``used``: the pipeline's calculator (energy and forces, first-order
  gradient: no double-backward graph).

The three are interleaved call by call on a slightly perturbed structure, so
machine noise hits them alike; ratios are the figures to read. Also prints
the largest force difference between ``stock ef`` and ``used`` (eV/A).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from ase import Atoms

from screening.atoms.adsorbates import with_atom, with_cluster
from screening.atoms.molecules import hexaaqua_zinc
from screening.atoms.sites import find_sites
from screening.calculators.factory import chgnet_model, make_calculator
from screening.calculators.levels import get_level
from screening.calculators.parameters import calculation_parameters
from screening.library.catalog import Catalog
from screening.library.surfaces import build_slab_models, slab_spec
from screening.settings import get_settings


def systems() -> dict[str, Atoms]:
    settings = get_settings()
    catalog = Catalog(settings)

    def slab(name: str, min_lateral: float | None = None) -> Atoms:
        candidate = catalog.get(name)
        return build_slab_models(candidate, slab_spec(settings, candidate, min_lateral))[0].atoms

    zn = slab("Zn(0001)")
    cluster = hexaaqua_zinc(settings.molecule_vacuum)
    wide = settings.cluster_min_lateral
    return {"Zn(0001)+Zn": with_atom(zn, find_sites(zn)[0], "Zn"),
            "Zn(0001)+[Zn(H2O)6]": with_cluster(slab("Zn(0001)", wide), cluster),
            "rutile(110)+[Zn(H2O)6]": with_cluster(slab("rutile-TiO2(110)", wide), cluster)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)

    import torch
    from chgnet.model.dynamics import CHGNetCalculator

    torch.set_num_threads(args.threads)
    level = get_level("mlip")
    model = chgnet_model(level.model_version)
    rng = np.random.default_rng(0)
    print(f"# CHGNet seconds per call, median of {args.repeats}, {args.threads} torch thread(s)")
    print(f"{'system':24s} {'atoms':>5s} {'stock efsm':>10s} {'stock ef':>9s} {'used':>7s}"
          f"  {'efsm/used':>9s} {'ef/used':>7s}  max|dF| (eV/A)")
    for name, atoms in systems().items():
        stock = CHGNetCalculator(model=model, use_device="cpu", on_isolated_atoms="ignore")
        used = make_calculator(atoms, calculation_parameters(level, atoms), Path("."))
        runs = {"stock efsm": lambda a: stock.calculate(a, task="efsm"),
                "stock ef": lambda a: stock.calculate(a, task="ef"),
                "used": lambda a: used.calculate(a)}
        times: dict[str, list[float]] = {k: [] for k in runs}
        forces: dict[str, np.ndarray] = {}
        for repeat in range(args.repeats + 1):  # the first round warms up, not timed
            moved = atoms.copy()
            moved.positions += rng.normal(0, 0.01, moved.positions.shape)
            for kind, run in runs.items():
                start = time.perf_counter()
                run(moved)
                if repeat:
                    times[kind].append(time.perf_counter() - start)
                forces[kind] = (stock if kind != "used" else used).results["forces"].copy()
        med = {k: statistics.median(v) for k, v in times.items()}
        d_f = np.abs(forces["stock ef"] - forces["used"]).max()
        print(f"{name:24s} {len(atoms):5d} {med['stock efsm']:10.3f} {med['stock ef']:9.3f}"
              f" {med['used']:7.3f}  {med['stock efsm'] / med['used']:9.2f}"
              f" {med['stock ef'] / med['used']:7.2f}  {d_f:.1e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
