"""Amorphous TiO2 by melt-quench at a level: several seeds, their structure, and g(r).

    python benchmarks/amorphous_tio2.py [--seeds 0 1] [--level mlip] [--png FILE]

Each seed runs :func:`screening.recipes.amorphous.melt_quench` through the
results store (what is stored is fetched, not recomputed) with the recipe
of ``znscreen amorphous --melt-ps 2 --quench-rate 1000 --anneal-ps 1``
(72 atoms at 3.8 g/cm3, 3000 K for 2 ps, 1000 K/ps to 300 K, 1 ps at 300 K,
1 fs steps). One line per seed: Ti coordination by O (< 2.5 A, mean and
counts), mean Ti-O bond, the box's pressure at the level (its stress
tensor's trace; the density is the recipe's, NVT, so the pressure says
whether the level agrees with it), the slab's atom count and the wall
time. The PNG holds the Ti-O g(r) of every seed beside rutile and anatase.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

RECIPE = dict(melt_ps=2.0, quench_rate=1000.0, anneal_ps=1.0)
#: Gaussian width (A) given to the crystals' g(r), about room-temperature vibration.
BROADENING = 0.08


def pressure_gpa(atoms, level: str, settings) -> float:
    """-trace(stress)/3 of ``atoms`` at ``level`` (GPa), not stored; NaN where the
    level's calculator has no stress (the pair engine). The pipeline's CHGNet
    computes no stress (its relaxations keep the cell), so CHGNet's own
    calculator with the same model gives it here."""
    from ase.calculators.calculator import PropertyNotImplementedError
    from ase.units import GPa

    from screening.calculators.factory import chgnet_model, make_calculator
    from screening.calculators.levels import get_level
    from screening.calculators.parameters import calculation_parameters

    probe = atoms.copy()
    params = calculation_parameters(get_level(level, settings.levels), probe, 0, None)
    if params["engine"] == "chgnet":
        from chgnet.model.dynamics import CHGNetCalculator

        model = chgnet_model(params["model_version"], params.get("model", ""),
                             params.get("model_sha256", ""))
        probe.calc = CHGNetCalculator(model=model, use_device="cpu")
    else:
        probe.calc = make_calculator(probe, params, settings.calculation_dir / "stress")
    try:
        return float(-probe.get_stress(voigt=True)[:3].mean() / GPa)
    except PropertyNotImplementedError:
        return float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--level", default="mlip")
    parser.add_argument("--png", type=Path, default=Path("docs/amorphous_tio2_rdf.png"))
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from screening.atoms.amorphous import pair_rdf
    from screening.library.prototypes import anatase, rutile
    from screening.recipes.amorphous import MeltQuench, melt_quench
    from screening.recipes.context import open_context
    from screening.settings import get_settings

    settings = get_settings()
    figure, axis = plt.subplots(figsize=(6, 4))
    peak = 0.0
    print(f"{'seed':>4s} {'CN(Ti-O)':>8s} {'counts':28s} {'Ti-O A':>7s} {'P GPa':>6s} "
          f"{'slab':>5s} {'s':>6s}")
    for seed in args.seeds:
        start = time.perf_counter()
        glass = melt_quench(open_context(settings, args.level), MeltQuench(seed=seed, **RECIPE))
        counts = " ".join(f"{k}:{v}" for k, v in sorted(glass.coordination_spread.items()))
        pressure = pressure_gpa(glass.box.atoms, args.level, settings)
        print(f"{seed:4d} {glass.coordination:8.2f} {counts:28s} {glass.bond_length:7.3f} "
              f"{pressure:6.2f} {len(glass.slab.atoms):5d} {time.perf_counter() - start:6.0f}",
              flush=True)
        axis.plot(*glass.rdf, label=f"amorphous, seed {seed}")
        peak = max(peak, max(glass.rdf[1]))
    for name, crystal in (("rutile", rutile(["Ti", "O"], 4.594, 2.959, 0.3048)),
                          ("anatase", anatase(["Ti", "O"], 3.7845, 9.5143, 0.2081))):
        repeat = [max(1, int(12 / length) + 1) for length in crystal.cell.lengths()]
        r, g = pair_rdf(crystal.repeat(repeat), "Ti", "O", rmax=6.0, bins=600)
        width = BROADENING / (r[1] - r[0])
        kernel = np.exp(-0.5 * (np.arange(-4 * width, 4 * width + 1) / width) ** 2)
        axis.plot(r, np.convolve(g, kernel / kernel.sum(), mode="same"), linestyle=":",
                  label=f"{name} (broadened {BROADENING} A)")
    axis.set_ylim(0, 1.6 * peak)
    axis.set_xlabel("r (A)")
    axis.set_ylabel("g(r), Ti-O")
    axis.set_title(f"Ti-O radial distribution, melt-quench at {args.level}")
    axis.legend()
    figure.tight_layout()
    figure.savefig(args.png, dpi=120)
    print(f"g(r): {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
