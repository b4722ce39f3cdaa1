"""Is the ion in implicit water right? Zn2+ hydration from the project's two ion conventions.

    python benchmarks/ion_hydration.py [--level dft-check]

At ``--level`` with charge +2 (the ``ion`` convention in vacuum) the
[Zn(H2O)6]2+ cluster and a water molecule are relaxed through the store
(``results/ion-hydration/``); then each gets a single point in HW14
implicit water on that geometry (the ``ion-hw14`` convention). Printed, eV:

- the gas-phase hexahydration energy
  ``E([Zn(H2O)6]2+) - E(Zn2+) - 6 E(H2O)``, all in vacuum;
- the same with the cluster and the waters in HW14 water (the bare ion in
  vacuum): a cluster-continuum estimate of the hydration free energy of
  Zn2+, to be set beside experiment (Marcus, J. Chem. Soc. Faraday Trans.
  87, 2995 (1991): -1955 kJ/mol = -20.3 eV). Zero-point, thermal and
  standard-state terms are left out: together of order +1 to +2 eV for six
  waters, mostly the entropy the waters lose on binding (about 0.3 eV each
  at 298 K), so agreement within about 2 eV is what the comparison can
  show.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Experimental absolute hydration free energy of Zn2+ (Marcus 1991), eV.
MARCUS_ZN = -1955.0 / 96.485


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", default="dft-check")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", UserWarning)
    from screening.atoms.molecules import hexaaqua_zinc, isolated_atom, water
    from screening.recipes.context import open_context
    from screening.settings import load_settings

    base = load_settings()
    ion = {"base": args.level, "cluster_charge": 2}
    settings = base.replace(results_dir=ROOT / "results" / "ion-hydration",
                            levels={**base.levels, "ion": ion,
                                    "ion-hw14": {**ion, "solvent": "hw14"}})
    vacuum_ctx = open_context(settings, "ion")
    solvent_ctx = open_context(settings, "ion-hw14", geometry="ion")
    box = settings.molecule_vacuum
    energies: dict[tuple[str, str], float] = {}
    for name, atoms, charge, relax in (("Zn2+", isolated_atom("Zn", box), 2, False),
                                       ("H2O", water(box), 0, True),
                                       ("[Zn(H2O)6]2+", hexaaqua_zinc(box), 2, True)):
        for where, ctx in (("vacuum", vacuum_ctx), ("hw14", solvent_ctx)):
            if name == "Zn2+" and where == "hw14":
                continue  # the bare ion is the gas-phase end of the cycle
            start = time.perf_counter()
            calc = ctx.run(atoms, f"ion-hydration/{name}", relax=relax, charge=charge)
            energies[name, where] = calc.energy
            print(f"{name:14s} {where:7s} E = {calc.energy:12.4f} eV  "
                  f"({time.perf_counter() - start:6.0f} s)", flush=True)
    gas = (energies["[Zn(H2O)6]2+", "vacuum"] - energies["Zn2+", "vacuum"]
           - 6 * energies["H2O", "vacuum"])
    solvated = (energies["[Zn(H2O)6]2+", "hw14"] - energies["Zn2+", "vacuum"]
                - 6 * energies["H2O", "hw14"])
    print(f"gas-phase hexahydration energy (vacuum): {gas:+.2f} eV")
    print(f"hydration of Zn2+, cluster in HW14 water: {solvated:+.2f} eV "
          f"(experiment {MARCUS_ZN:+.1f} eV, Marcus 1991; difference {solvated - MARCUS_ZN:+.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
