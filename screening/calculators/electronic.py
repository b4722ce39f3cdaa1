"""Electronic properties read from a finished GPAW calculation (eV).

* ``fermi_level``: the calculator's Fermi level;
* ``band_gap``: smallest gap between occupied and empty Kohn-Sham states
  over all k-points and spins (``ase.dft.bandgap``; 0 for a metal);
* slabs only: ``vacuum_top`` / ``vacuum_bottom``, the plane-averaged
  electrostatic potential in the middle of the vacuum above / below the
  slab, and ``work_function`` = ``vacuum_top - fermi_level`` (the top
  surface is the one the adsorbates sit on; with the dipole layer the two
  sides differ for an asymmetric slab).
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.calculators.calculator import Calculator
from ase.dft.bandgap import bandgap

from screening.schemas import ElectronicProperties


def gpaw_part(calc: Calculator) -> Calculator:
    """The GPAW calculator itself, also when D3 is summed onto it (SumCalculator)."""
    mixer = getattr(calc, "mixer", None)
    for sub in getattr(mixer, "calcs", None) or []:
        if hasattr(sub, "get_fermi_level"):
            return sub
    return calc


def _vacuum_levels(calc: Calculator, atoms: Atoms) -> tuple[float, float]:
    potential = np.asarray(calc.get_electrostatic_potential())
    profile = potential.mean(axis=(0, 1))
    length = atoms.cell[2, 2]
    z = atoms.positions[:, 2] % length
    top, bottom = z.max(), z.min()
    # middle of the vacuum above the top surface and below the bottom one
    # (the vacuum wraps around the cell boundary)
    above = (top + (length - top + bottom) / 2) % length
    below = (bottom - (length - top + bottom) / 2) % length
    n = len(profile)
    return (float(profile[int(round(above / length * n)) % n]),
            float(profile[int(round(below / length * n)) % n]))


def electronic_properties(calc: Calculator, atoms: Atoms, system: str) -> ElectronicProperties:
    """What the module doc lists; a property that cannot be read is absent."""
    gpaw = gpaw_part(calc)
    found: ElectronicProperties = {}
    found["fermi_level"] = float(gpaw.get_fermi_level())
    gap, _, _ = bandgap(gpaw, output=None)
    found["band_gap"] = float(gap)
    if system == "slab":
        top, bottom = _vacuum_levels(gpaw, atoms)
        found.update(vacuum_top=top, vacuum_bottom=bottom,
                     work_function=top - found["fermi_level"])
    return found
