"""Reference calculations, computed once per level and shared by every candidate.

- ``zn_bulk``: hcp Zn at the experimental a and c if the level says
  ``bulk_lattice = "experiment"``; otherwise with a and c optimised: E(a, c) on a 3x3 grid
  (a +-2 %, c +-3 %) fitted by a quadratic. While the fitted minimum lies
  outside the grid, the grid moves towards it (at most two grid steps; to
  the lowest computed point if the fit has no minimum) and is computed
  again; then a single point is *computed* at the fitted minimum.
  All grid points use the k-mesh of the starting cell so E(a, c) is smooth.
- ``zn_atom``: the isolated Zn atom (single point; closed shell).
- ``h2o``, ``h2``: relaxed molecules.
- ``clusters``: [Zn(H2O)n] for n = 6..0, each relaxed from the previous
  one with the loosest water removed (see :func:`loosest_water`). At DFT
  levels the charge is the level's ``cluster_charge``; CHGNet knows no
  charge and computes them neutral, with the first shell held by
  flat-bottom Zn-O springs (``shell_restraint``; :func:`restrained`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ase import Atoms
from ase.build import bulk

from screening.atoms.molecules import (hexaaqua_zinc, hydrogen, isolated_atom, loosest_water,
                                       restrained, water, water_count, without_water)
from screening.calculators.parameters import calculation_parameters
from screening.descriptors.registry import REFERENCE_NAMES
from screening.errors import ScreeningError
from screening.recipes.context import Context
from screening.schemas import Calculation

#: Experimental hcp Zn lattice constants (A): the starting point of the fit.
ZN_A, ZN_C = 2.665, 4.947
#: Relative half-widths of the E(a, c) grid.
GRID_A, GRID_C = 0.02, 0.03
MAX_ROUNDS = 6


@dataclass
class ZnBulk:
    """hcp Zn at one level: optimised, or at the experimental lattice (``fitted`` False)."""

    a: float
    c: float
    #: Energy per atom at (a, c), computed (eV/atom).
    energy_per_atom: float
    calculation: Calculation
    grid: list[Calculation] = field(default_factory=list)
    #: RMS deviation of the last quadratic fit from its grid energies (eV).
    fit_rms: float = 0.0
    fitted: bool = True


def hcp_zn(a: float, c: float) -> Atoms:
    return bulk("Zn", "hcp", a=round(a, 4), c=round(c, 4))


def _fit(points: np.ndarray, energies: np.ndarray) -> tuple[np.ndarray, float, bool]:
    """Minimum of E = quadratic(a, c); returns (minimum, rms, is_a_minimum)."""
    a, c = points[:, 0], points[:, 1]
    design = np.column_stack([np.ones_like(a), a, c, a * a, a * c, c * c])
    coef, *_ = np.linalg.lstsq(design, energies, rcond=None)
    rms = float(np.sqrt(np.mean((design @ coef - energies) ** 2)))
    hessian = np.array([[2 * coef[3], coef[4]], [coef[4], 2 * coef[5]]])
    if np.any(np.linalg.eigvalsh(hessian) <= 0):
        return points[int(np.argmin(energies))], rms, False
    return np.linalg.solve(hessian, -coef[1:3]), rms, True


def zn_bulk(ctx: Context) -> ZnBulk:
    """hcp Zn at the level's equilibrium a and c, or at experiment's (see module docstring)."""
    a0, c0 = ZN_A, ZN_C
    start = hcp_zn(a0, c0)
    if ctx.level.bulk_lattice == "experiment":
        calc = ctx.run(start, "ref/zn-bulk/experiment")
        return ZnBulk(a=ZN_A, c=ZN_C, energy_per_atom=calc.energy / len(calc.atoms),
                      calculation=calc, fitted=False)
    kpts = calculation_parameters(ctx.level, start).get("kpts")
    grid: list[Calculation] = []
    for _ in range(MAX_ROUNDS):
        for da in (-GRID_A, 0.0, GRID_A):
            for dc in (-GRID_C, 0.0, GRID_C):
                a, c = a0 * (1 + da), c0 * (1 + dc)
                grid.append(ctx.run(hcp_zn(a, c), f"ref/zn-bulk/a={a:.4f},c={c:.4f}",
                                    kpts=kpts))
        local = grid[-9:]  # this round's grid: the quadratic is a local model
        points = np.array([[g.atoms.cell.cellpar()[0], g.atoms.cell.cellpar()[2]] for g in local])
        energies = np.array([g.energy for g in local])
        (a_min, c_min), rms, is_minimum = _fit(points, energies)
        inside = abs(a_min / a0 - 1) <= GRID_A and abs(c_min / c0 - 1) <= GRID_C
        if is_minimum and inside:
            final = ctx.run(hcp_zn(a_min, c_min), "ref/zn-bulk/optimised", kpts=kpts)
            return ZnBulk(a=round(float(a_min), 4), c=round(float(c_min), 4),
                          energy_per_atom=final.energy / len(final.atoms),
                          calculation=final, grid=grid, fit_rms=rms)
        if is_minimum:  # move towards the fitted minimum, at most two grid steps
            a0 *= 1 + float(np.clip(a_min / a0 - 1, -2 * GRID_A, 2 * GRID_A))
            c0 *= 1 + float(np.clip(c_min / c0 - 1, -2 * GRID_C, 2 * GRID_C))
        else:  # no minimum in the model: move to the lowest computed point
            lowest = local[int(np.argmin(energies))].atoms.cell.cellpar()
            a0, c0 = float(lowest[0]), float(lowest[2])
    raise ScreeningError(f"hcp Zn lattice fit at level {ctx.level.name} did not settle in "
                         f"{MAX_ROUNDS} rounds (last centre a={a0:.3f}, c={c0:.3f})")


def zn_atom(ctx: Context) -> Calculation:
    return ctx.run(isolated_atom("Zn", ctx.settings.molecule_vacuum), "ref/zn-atom")


def h2o(ctx: Context) -> Calculation:
    return ctx.run(water(ctx.settings.molecule_vacuum), "ref/h2o", relax=True)


def h2(ctx: Context) -> Calculation:
    return ctx.run(hydrogen(ctx.settings.molecule_vacuum), "ref/h2", relax=True)


def cluster_charge(ctx: Context) -> int:
    """Total charge (e) of every hydrated-Zn system: the level's ``cluster_charge``
    (always 0 at the engines that know no charge: CHGNet, SevenNet, pair)."""
    return ctx.level.cluster_charge


def convention(ctx: Context) -> str:
    """How the hydrated ion is modelled at ``ctx``, in words (shown with a profile)."""
    level, spring = ctx.level, shell_restraint(ctx)
    geometry = f" on {ctx.geometry.name} geometries" if ctx.geometry else ""
    held = f", Zn-O springs k = {spring:g} eV/A^2 hold the shell" if spring else ""
    if level.engine != "gpaw":
        return f"neutral Zn with n waters (the model knows no charge){held}"
    water = " in HW14 implicit water" if level.solvent else " in vacuum"
    if level.cluster_charge:
        on_slab = "; on a slab SJM puts the counter-charge in the solvent" if level.solvent else ""
        return f"[Zn(H2O)n]{level.cluster_charge}+{water}{on_slab}{geometry}{held}"
    return f"neutral Zn with n waters{water} (not the ion){geometry}{held}"


def shell_restraint(ctx: Context) -> float:
    """Spring constant (eV/A^2) of the shell restraints: the ``shell_restraint``
    setting where the geometries come from a level that knows no charge, else 0."""
    geometry = ctx.geometry or ctx.level
    return ctx.settings.shell_restraint if geometry.engine != "gpaw" else 0.0


def clusters(ctx: Context) -> dict[int, Calculation]:
    """Relaxed free [Zn(H2O)n] for n = 6..0, keyed by n."""
    charge = cluster_charge(ctx)
    spring = shell_restraint(ctx)
    vacuum = ctx.settings.molecule_vacuum
    results: dict[int, Calculation] = {}
    atoms = hexaaqua_zinc(vacuum)
    while True:
        n = water_count(atoms)
        results[n] = ctx.run(restrained(atoms, spring), f"ref/zn(h2o){n}", relax=True,
                             charge=charge)
        if n == 0:
            return results
        relaxed = results[n].atoms
        atoms = without_water(relaxed, loosest_water(relaxed), vacuum)


def summary(ctx: Context, names: tuple[str, ...] = REFERENCE_NAMES) -> list[dict[str, Any]]:
    """Compute (or fetch) the named references; one row per calculation-backed number."""
    rows: list[dict[str, Any]] = []

    def row(name: str, calc: Calculation, value: float, unit: str, note: str = "") -> None:
        rows.append({"reference": name, "value": round(value, 4), "unit": unit,
                     "level": ctx.level.name, "converged": calc.converged,
                     "computed_now": calc.computed, "key": calc.key[:12], "note": note})

    for name in names:
        if name == "zn_bulk":
            ref = zn_bulk(ctx)
            row("zn_bulk a", ref.calculation, ref.a, "A", f"quadratic fit, rms {ref.fit_rms:.1e} eV")
            row("zn_bulk c", ref.calculation, ref.c, "A", f"{len(ref.grid)} grid points")
            row("zn_bulk energy", ref.calculation, ref.energy_per_atom, "eV/atom")
        elif name == "zn_atom":
            calc = zn_atom(ctx)
            row("zn_atom energy", calc, calc.energy, "eV")
        elif name in ("h2o", "h2"):
            calc = h2o(ctx) if name == "h2o" else h2(ctx)
            row(f"{name} energy", calc, calc.energy, "eV")
        elif name == "clusters":
            for n, calc in clusters(ctx).items():
                row(f"zn(h2o){n} energy", calc, calc.energy, "eV",
                    f"charge {calc.data['parameters']['charge']}")
        else:
            raise ScreeningError(f"unknown reference {name!r} (known: {', '.join(REFERENCE_NAMES)})")
    return rows
