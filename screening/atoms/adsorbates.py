"""Put adsorbates on a slab's top surface (pure builders; lengths in A).

Placement rules (documented in docs/descriptors.md):

* an atom (Zn, H) over a site sits where its distance to the site's atoms
  would be the sum of covalent radii (``height`` = sqrt(d^2 - R^2), R the
  in-plane distance to those atoms, at least ``MIN_HEIGHT``);
* a water over a ``top`` site: above a metal atom it binds through O
  (O at the covalent height, molecular plane parallel to the surface, H
  atoms away from the site); above a non-metal atom it donates a hydrogen
  bond (one O-H points straight down at the atom, H 1.8 A above it);
* the hydrated cluster: its Zn over the centre of the cell, octahedron
  axes along x, y, z (one water points at the surface, H atoms down), its
  lowest atom ``CLUSTER_GAP`` above the topmost slab atom; after a water
  is removed, what is left of the cluster is lowered (never raised) until
  its lowest atom is again ``CLUSTER_GAP`` above the slab, so the last,
  bare Zn starts at the surface and can adsorb.

Every adsorbate is appended after the slab atoms; slab constraints are kept.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.data import atomic_numbers, covalent_radii

from screening.atoms.geometry import lateral_distances
from screening.atoms.molecules import HOH_ANGLE, O_H
from screening.atoms.sites import Site

#: Lowest starting height (A) of an adatom above its site.
MIN_HEIGHT = 0.8
#: H...X hydrogen-bond length (A) for a water donating to a non-metal atom.
H_BOND = 1.8
#: Gap (A) between the hydrated cluster's lowest atom and the topmost slab atom.
CLUSTER_GAP = 2.0
NON_METALS = {"H", "B", "C", "N", "O", "F", "P", "S", "Cl", "Se", "Br", "I"}


def _radius(symbol: str) -> float:
    return float(covalent_radii[atomic_numbers[symbol]])


def site_height(slab: Atoms, site: Site, symbol: str) -> float:
    """Starting height of atom ``symbol`` above ``site`` (see module doc)."""
    xy = np.array(site.position[:2])
    d = np.mean([_radius(symbol) + _radius(slab[i].symbol) for i in site.atoms])
    r = lateral_distances(slab, slab.positions[list(site.atoms)], xy).mean()
    return float(max(np.sqrt(max(d * d - r * r, 0.0)), MIN_HEIGHT))


def with_atom(slab: Atoms, site: Site, symbol: str) -> Atoms:
    """``slab`` plus one ``symbol`` atom over ``site``."""
    x, y, z = site.position
    combined = slab.copy()
    combined += Atoms(symbol, positions=[[x, y, z + site_height(slab, site, symbol)]])
    return combined


def _water(oxygen: np.ndarray, bisector: np.ndarray, plane: np.ndarray) -> Atoms:
    """H2O with O at ``oxygen``, H atoms along ``bisector`` +- half angle in ``plane``."""
    half = np.radians(HOH_ANGLE / 2)
    hydrogens = [oxygen + O_H * (np.cos(half) * bisector + s * np.sin(half) * plane)
                 for s in (1.0, -1.0)]
    return Atoms("OH2", positions=[oxygen, *hydrogens])


def with_water(slab: Atoms, site: Site) -> Atoms:
    """``slab`` plus one water over a ``top`` site (orientation rule in module doc)."""
    x, y, z = site.position
    anchor = slab[site.atoms[0]].symbol
    if anchor in NON_METALS:
        hydrogen = np.array([x, y, z + H_BOND])
        oxygen = hydrogen + np.array([0.0, 0.0, O_H])
        angle = np.radians(180.0 - HOH_ANGLE)
        other = oxygen + O_H * np.array([np.sin(angle), 0.0, -np.cos(angle)])
        water = Atoms("OH2", positions=[oxygen, hydrogen, other])
    else:
        oxygen = np.array([x, y, z + site_height(slab, site, "O")])
        water = _water(oxygen, np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]))
    combined = slab.copy()
    combined += water
    return combined


def with_cluster(slab: Atoms, cluster: Atoms) -> Atoms:
    """``slab`` plus the hydrated cluster (Zn first) placed by the module-doc rule
    (the slab's cell c vector must be along z, as the slab models' are)."""
    cluster = cluster.copy()
    cluster.set_constraint()
    centre = 0.5 * (slab.cell[0] + slab.cell[1])
    positions = cluster.positions - cluster.positions[0]
    lift = slab.positions[:, 2].max() + CLUSTER_GAP - positions[:, 2].min()
    positions += np.array([centre[0], centre[1], lift])
    placed = Atoms(cluster.get_chemical_symbols(), positions=positions)
    combined = slab.copy()
    combined += placed
    height = positions[:, 2].max() + slab.positions[:, 2].min()  # vacuum above = below
    if height > combined.cell[2, 2]:
        combined.cell[2] *= height / combined.cell[2, 2]
    return combined


def lowered(atoms: Atoms, n_slab: int, gap: float = CLUSTER_GAP) -> Atoms:
    """Move the adsorbate (atoms after ``n_slab``) down to ``gap`` above the slab."""
    lowered_atoms = atoms.copy()
    top = lowered_atoms.positions[:n_slab, 2].max()
    drop = lowered_atoms.positions[n_slab:, 2].min() - (top + gap)
    if drop > 0:
        lowered_atoms.positions[n_slab:, 2] -= drop
    return lowered_atoms
