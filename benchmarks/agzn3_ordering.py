"""Which ordered cell stands in for disordered epsilon-AgZn3: every ordering at CHGNet.

    python benchmarks/agzn3_ordering.py [--repeat 2 2 1]

epsilon-AgZn3 is an hcp solid solution: Ag and Zn share the sites at random.
A slab model needs an ordered cell, so every symmetry-distinct way of putting
1/4 Ag on the sites of an hcp supercell (default 2x2x1, 8 sites) is relaxed
(cell and positions, CHGNet 0.4.2, FrechetCellFilter, fmax 0.01 eV/A), with
fcc Ag and hcp Zn at the same level. Printed per ordering: its space group,
formation energy per atom against the relaxed elements, volume per atom, c/a
and density; then the ideal-mixing (Vegard) density from the measured
elemental densities, the independent check of the cell's volume. The
library ships the lowest-energy ordering (docs/slabs.md).
"""

from __future__ import annotations

import argparse
import itertools
import time
import warnings

import numpy as np

#: Measured densities of the elements at room temperature (g/cm3, CRC Handbook).
DENSITY_AG = 10.49
DENSITY_ZN = 7.14
#: Starting lattices (A): measured hcp Zn (as in the catalog) and fcc Ag.
ZN_A, ZN_C, AG_A = 2.665, 4.947, 4.086


def relaxed(atoms, calc, fmax: float = 0.01):
    """``atoms`` relaxed in cell and positions; returns (atoms, energy per atom in eV)."""
    from ase.filters import FrechetCellFilter
    from ase.optimize import BFGS

    atoms = atoms.copy()
    atoms.calc = calc
    BFGS(FrechetCellFilter(atoms), logfile=None).run(fmax=fmax, steps=500)
    return atoms, atoms.get_potential_energy() / len(atoms)


def distinct_orderings(repeat: tuple[int, int, int], fraction: float = 0.25):
    """One representative of each symmetry-distinct Ag placement on hcp Zn sites."""
    from ase.build import bulk
    from pymatgen.analysis.structure_matcher import StructureMatcher
    from pymatgen.io.ase import AseAtomsAdaptor

    host = bulk("Zn", "hcp", a=ZN_A, c=ZN_C) * repeat
    n_ag = round(fraction * len(host))
    matcher = StructureMatcher(primitive_cell=False, scale=False, attempt_supercell=False)
    kept: list = []
    for sites in itertools.combinations(range(len(host)), n_ag):
        trial = host.copy()
        trial.symbols[list(sites)] = "Ag"
        structure = AseAtomsAdaptor.get_structure(trial)
        if not any(matcher.fit(structure, AseAtomsAdaptor.get_structure(k)) for k in kept):
            kept.append(trial)
    return kept


def main(argv: list[str] | None = None) -> int:
    from ase.build import bulk
    from chgnet.model.dynamics import CHGNetCalculator
    from pymatgen.io.ase import AseAtomsAdaptor
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    from screening.atoms.geometry import density
    from screening.calculators.factory import chgnet_model
    from screening.calculators.levels import get_level
    from screening.library.bundled import spacegroup_number

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, nargs=3, default=[2, 2, 1])
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    start = time.perf_counter()
    calc = CHGNetCalculator(model=chgnet_model(get_level("mlip").model_version),
                            use_device="cpu")
    _, e_ag = relaxed(bulk("Ag", "fcc", a=AG_A, cubic=True), calc)
    zn, e_zn = relaxed(bulk("Zn", "hcp", a=ZN_A, c=ZN_C), calc)
    print(f"CHGNet elements: Ag fcc {e_ag:.4f} eV/atom, Zn hcp {e_zn:.4f} eV/atom, "
          f"Zn c/a {zn.cell.cellpar()[2] / zn.cell.cellpar()[0]:.3f}")
    orderings = distinct_orderings(tuple(args.repeat))
    print(f"{len(orderings)} distinct orderings of 1/4 Ag on a {args.repeat} hcp cell")
    print(f"{'sg':>4s} {'E_f meV/at':>11s} {'V A3/at':>8s} {'c/a':>6s} {'rho':>6s}")
    results = []
    for trial in orderings:
        cell, e = relaxed(trial, calc)
        x_ag = np.mean(cell.symbols == "Ag")
        e_f = e - x_ag * e_ag - (1 - x_ag) * e_zn
        a, _, c = cell.cell.cellpar()[:3]
        c_over_a = c / (a / args.repeat[0]) / args.repeat[2]
        results.append((e_f, cell))
        print(f"{spacegroup_number(cell, 1e-2):4d} {1000 * e_f:11.1f} "
              f"{cell.get_volume() / len(cell):8.3f} {c_over_a:6.3f} {density(cell):6.3f}")
    masses = 0.25 * 107.8682 + 0.75 * 65.38
    volume = 0.25 * 107.8682 / DENSITY_AG + 0.75 * 65.38 / DENSITY_ZN
    print(f"Vegard (measured elemental densities): {masses / volume:.3f} g/cm3")
    best = min(results, key=lambda r: r[0])[1]
    symmetrized = SpacegroupAnalyzer(AseAtomsAdaptor.get_structure(best), symprec=1e-2
                                     ).get_refined_structure()
    analyzer = SpacegroupAnalyzer(symmetrized, symprec=1e-2).get_symmetrized_structure()
    print(f"lowest: space group {spacegroup_number(best, 1e-2)}, conventional cell "
          f"{np.round(symmetrized.lattice.parameters, 4).tolist()}")
    for sites, label in zip(analyzer.equivalent_sites, analyzer.wyckoff_symbols):
        print(f"  {sites[0].species_string} {label}: {np.round(sites[0].frac_coords, 4).tolist()}")
    print(f"wall time {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
