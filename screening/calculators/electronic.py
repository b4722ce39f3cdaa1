"""Electronic properties read from a finished GPAW calculation (eV).

* ``fermi_level``: the calculator's Fermi level;
* ``band_gap``: smallest gap between occupied and empty Kohn-Sham states
  over all k-points and spins (``ase.dft.bandgap``; 0 for a metal);
* slabs only: ``vacuum_top`` / ``vacuum_bottom``, the plane-averaged
  electrostatic potential in the vacuum above / below the slab (at the
  cell's upper / lower end, either side of the dipole layer), and
  ``work_function`` = ``vacuum_top - fermi_level`` (the top surface is the
  one the adsorbates sit on; an asymmetric slab's two sides differ by its
  dipole, e p / (eps0 A)). In the solvated jellium method the top level is
  the electrode's: ``work_function`` / e is its potential on the absolute
  scale (SHE at 4.44 V).
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.calculators.calculator import Calculator
from ase.dft.bandgap import bandgap

from screening.schemas import ElectronicProperties

#: Least vacuum (A) between the slab and each end of the cell for reading a level.
VACUUM_MARGIN = 1.0


def gpaw_part(calc: Calculator) -> Calculator:
    """The GPAW calculator itself, also when D3 is summed onto it (SumCalculator)."""
    mixer = getattr(calc, "mixer", None)
    for sub in getattr(mixer, "calcs", None) or []:
        if hasattr(sub, "get_fermi_level"):
            return sub
    return calc


def _vacuum_levels(calc: Calculator, atoms: Atoms) -> tuple[float, float] | None:
    """Plane-averaged electrostatic potential (eV) in the vacuum above the top surface
    and below the bottom one: at the two ends of the cell, on either side of the
    dipole layer that GPAW's dipole correction puts at the cell boundary (where
    the two differ, the middle of the vacuum is no level at all). None if the
    slab reaches within 1 A of a cell end (no vacuum there to read)."""
    length = atoms.cell[2, 2]
    z = atoms.positions[:, 2]
    if z.min() < VACUUM_MARGIN or z.max() > length - VACUUM_MARGIN:
        return None
    profile = np.asarray(calc.get_electrostatic_potential()).mean(axis=(0, 1))
    # half the margin in from each end: the boundary grid point is the jump itself
    inset = int(round(VACUUM_MARGIN / 2 / length * len(profile)))
    return float(profile[-1 - inset]), float(profile[inset])


def electronic_properties(calc: Calculator, atoms: Atoms, system: str) -> ElectronicProperties:
    """What the module doc lists; a property that cannot be read is absent."""
    gpaw = gpaw_part(calc)
    found: ElectronicProperties = {}
    found["fermi_level"] = float(gpaw.get_fermi_level())
    gap, _, _ = bandgap(gpaw, output=None)
    found["band_gap"] = float(gap)
    levels = _vacuum_levels(gpaw, atoms) if system == "slab" else None
    if levels is not None:
        top, bottom = levels
        found.update(vacuum_top=top, vacuum_bottom=bottom,
                     work_function=top - found["fermi_level"])
    return found
