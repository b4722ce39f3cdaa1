"""What speeds up the dft-check single point, and what it does to the answer.

    python benchmarks/dft_check_speed.py [--candidate "Cu(111)"] [--work-dir DIR]
                                         [--variants base h0.30 ...]

On the candidate's default slab (Cu(111): 64 atoms) and the same slab with
a Zn on its first site (placed by the screen's rule, not relaxed: the cost
of an SCF does not need a relaxed geometry), each variant computes both
single points through the store, one after the other, and prints the wall
time of each, the SCF iterations (from GPAW's log) and the binding
E(slab+Zn) - E(slab) beside the base variant's (eV). Variants:

- ``base``: dft-check as shipped (LCAO szp(dzp), h = 0.25 A, one process);
- ``h0.30``: grid spacing 0.30 A;
- ``mpi2``: dft-check on 2 MPI ranks (``mpi_ranks = 2``);
- ``h0.30-mpi2``: both.

Every calculation is stored in the work directory (one store per variant),
so a rerun prints at once and an interrupted one resumes.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from screening.atoms.adsorbates import with_atom
from screening.atoms.sites import find_sites
from screening.calculators.levels import get_level
from screening.library.catalog import Catalog
from screening.library.surfaces import build_slab_models, slab_spec
from screening.runners.compute import Request, compute, work_directory
from screening.runners.mpi import launcher
from screening.settings import get_settings
from screening.store.database import Store

#: name -> (level field changes, MPI ranks)
VARIANTS = {"base": ({}, 1), "h0.30": ({"grid_spacing": 0.30}, 1),
            "mpi2": ({}, 2), "h0.30-mpi2": ({"grid_spacing": 0.30}, 2)}
ITERATION = re.compile(r"^iter:\s+\d+", re.MULTILINE)


def scf_iterations(directory: Path) -> int:
    """SCF iterations in the GPAW logs of one calculation (all ladder rungs)."""
    return sum(len(ITERATION.findall(log.read_text())) for log in directory.glob("gpaw-*.txt"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidate", default="Cu(111)")
    parser.add_argument("--work-dir", type=Path)
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    args = parser.parse_args(argv)
    root = args.work_dir or Path(tempfile.mkdtemp(prefix="znscreen-dftspeed-"))
    root.mkdir(parents=True, exist_ok=True)
    settings = get_settings()
    candidate = Catalog(settings).get(args.candidate)
    slab = build_slab_models(candidate, slab_spec(settings, candidate))[0].atoms
    with_zn = with_atom(slab, find_sites(slab)[0], "Zn")
    print(f"# {args.candidate}: {len(slab)} + 1 atoms, dft-check single points, stores in {root}")
    print(f"{'variant':12s} {'slab_s':>8s} {'iter':>5s} {'+Zn_s':>8s} {'iter':>5s} "
          f"{'binding_eV':>11s} {'vs_base_eV':>10s}", flush=True)
    base_binding = None
    for name in args.variants:
        changes, ranks = VARIANTS[name]
        level = replace(get_level("dft-check", settings.levels), **changes)
        launch = launcher(ranks, settings.mpi_command)
        store = Store(root / f"{name}.db")  # MPI ranks are not part of a key: one store each
        cells = []
        energies = []
        for atoms, label in ((slab, "slab"), (with_zn, "slab+Zn")):
            calc = compute(store, Request(atoms, level, f"{name}/{label}"), root / "work",
                           run=name, launch=launch)
            record = store.record(calc.key)
            cells.append(f"{record.wall_time:8.0f} "
                         f"{scf_iterations(work_directory(root / 'work', calc.key)):5d}")
            energies.append(calc.energy)
        binding = energies[1] - energies[0]
        if name == "base":
            base_binding = binding
        diff = "" if base_binding is None else f"{binding - base_binding:+10.4f}"
        print(f"{name:12s} {' '.join(cells)} {binding:11.4f} {diff:>10s}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
