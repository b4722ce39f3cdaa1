"""Relaxation optimisers compared on the systems the descriptors relax (CHGNet).

    python benchmarks/optimizers.py [--optimizers PreconLBFGS BFGS FIRE] [--fmax 0.05]

For each system (Zn adatom on the top site of Zn(0001) 4x4x4, a water on
it, [Zn(H2O)6] on it, the free [Zn(H2O)6] and a water molecule), prints
per optimiser: converged, force calls, final energy (eV) and wall time (s),
through the pipeline's own checkpointed relaxation (runners.execute.relax).
Different optimisers can end in different local minima: compare energies.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

from ase import Atoms

from screening.atoms.adsorbates import with_atom, with_cluster, with_water
from screening.atoms.molecules import hexaaqua_zinc, water
from screening.atoms.sites import find_sites
from screening.calculators.levels import get_level
from screening.calculators.parameters import calculation_parameters
from screening.library.catalog import Catalog
from screening.library.surfaces import build_slab_models, slab_spec
from screening.runners.execute import TaskSpec, relax
from screening.settings import OPTIMIZER_NAMES, get_settings


def systems() -> dict[str, Atoms]:
    settings = get_settings()
    candidate = Catalog(settings).get("Zn(0001)")
    slab = build_slab_models(candidate, slab_spec(settings, candidate))[0].atoms
    top = next(s for s in find_sites(slab) if s.kind == "top")
    return {"Zn@Zn(0001)": with_atom(slab, top, "Zn"), "H2O@Zn(0001)": with_water(slab, top),
            "Zn(H2O)6@Zn(0001)": with_cluster(slab, hexaaqua_zinc(6.0)),
            "Zn(H2O)6": hexaaqua_zinc(6.0), "H2O": water(6.0)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--optimizers", nargs="+", default=list(OPTIMIZER_NAMES),
                        choices=OPTIMIZER_NAMES)
    parser.add_argument("--fmax", type=float, default=0.05)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    level = get_level("mlip")
    print(f"{'system':20s} {'optimizer':12s} {'conv':>5s} {'calls':>6s} {'energy':>12s} {'wall_s':>7s}")
    for name, atoms in systems().items():
        params = calculation_parameters(level, atoms)
        for optimizer in args.optimizers:
            with tempfile.TemporaryDirectory() as tmp:
                start = time.perf_counter()
                outcome = relax(atoms, params, TaskSpec("relax", args.fmax, 500, optimizer),
                                Path(tmp))
                wall = time.perf_counter() - start
            print(f"{name:20s} {optimizer:12s} {str(outcome.converged):>5s} "
                  f"{outcome.n_steps:6d} {outcome.atoms.get_potential_energy():12.4f} "
                  f"{wall:7.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
