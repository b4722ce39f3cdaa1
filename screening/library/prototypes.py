"""Crystal prototypes: pure functions from published lattice parameters to Atoms.

Lengths in Angstrom; internal coordinates are fractional, in the
International Tables setting named in each docstring (origin choice 1 where
a space group has two). 2D sheets come with their plane in xy, the sheet
centred in a cell whose c axis is normal to it; the vacuum there is only a
placeholder, the slab builder sets the real one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from ase import Atoms
from ase.build import bulk as ase_bulk
from ase.spacegroup import crystal

SHEET_CELL_HEIGHT = 20.0


def fcc(symbol: str, a: float) -> Atoms:
    """Face-centred cubic element (Fm-3m, 225), conventional cubic cell."""
    return ase_bulk(symbol, "fcc", a=a, cubic=True)


def hcp(symbol: str, a: float, c: float) -> Atoms:
    """Hexagonal close-packed element (P6_3/mmc, 194)."""
    return ase_bulk(symbol, "hcp", a=a, c=c)


def body_centred_tetragonal(symbol: str, a: float, c: float) -> Atoms:
    """Element on the I4/mmm (139) lattice, e.g. indium (A6)."""
    return crystal(symbol, [(0, 0, 0)], spacegroup=139, cellpar=[a, a, c, 90, 90, 90])


def beta_tin(symbol: str, a: float, c: float) -> Atoms:
    """A5 structure of white tin (I4_1/amd, 141, origin 1, 4a)."""
    return crystal(symbol, [(0, 0, 0)], spacegroup=141, setting=1, cellpar=[a, a, c, 90, 90, 90])


def a7(symbol: str, a: float, c: float, z: float) -> Atoms:
    """A7 (arsenic) structure of Bi and Sb (R-3m, 166, hexagonal axes, 6c)."""
    return crystal(symbol, [(0, 0, z)], spacegroup=166, cellpar=[a, a, c, 90, 90, 120])


def b2(symbols: Sequence[str], a: float) -> Atoms:
    """CsCl (B2) ordered alloy (Pm-3m, 221), e.g. beta'-CuZn."""
    return crystal(list(symbols), [(0, 0, 0), (0.5, 0.5, 0.5)], spacegroup=221,
                   cellpar=[a, a, a, 90, 90, 90])


def rocksalt(symbols: Sequence[str], a: float) -> Atoms:
    """Rock salt (B1, Fm-3m, 225), conventional cubic cell."""
    return ase_bulk("".join(symbols), "rocksalt", a=a, cubic=True)


def zincblende(symbols: Sequence[str], a: float) -> Atoms:
    """Zinc blende (B3, F-43m, 216), conventional cubic cell."""
    return ase_bulk("".join(symbols), "zincblende", a=a, cubic=True)


def wurtzite(symbols: Sequence[str], a: float, c: float, u: float) -> Atoms:
    """Wurtzite (B4, P6_3mc, 186): cation at 2b z=0, anion at 2b z=u."""
    return crystal(list(symbols), [(1 / 3, 2 / 3, 0), (1 / 3, 2 / 3, u)], spacegroup=186,
                   cellpar=[a, a, c, 90, 90, 120])


def rutile(symbols: Sequence[str], a: float, c: float, x: float) -> Atoms:
    """Rutile (C4, P4_2/mnm, 136): cation 2a, anion 4f (x, x, 0)."""
    return crystal(list(symbols), [(0, 0, 0), (x, x, 0)], spacegroup=136,
                   cellpar=[a, a, c, 90, 90, 90])


def anatase(symbols: Sequence[str], a: float, c: float, z: float) -> Atoms:
    """Anatase (I4_1/amd, 141, origin 1): cation 4a (0,0,0), anion 8e (0,0,z)."""
    return crystal(list(symbols), [(0, 0, 0), (0, 0, z)], spacegroup=141, setting=1,
                   cellpar=[a, a, c, 90, 90, 90])


def tetragonal_zirconia(symbols: Sequence[str], a: float, c: float, z: float) -> Atoms:
    """t-ZrO2 (P4_2/nmc, 137, origin 1): cation 2a (0,0,0), anion 4d (0,1/2,z)."""
    return crystal(list(symbols), [(0, 0, 0), (0, 0.5, z)], spacegroup=137, setting=1,
                   cellpar=[a, a, c, 90, 90, 90])


def corundum(symbols: Sequence[str], a: float, c: float, z: float, x: float) -> Atoms:
    """Corundum (R-3c, 167, hexagonal axes): cation 12c (0,0,z), anion 18e (x,0,1/4)."""
    return crystal(list(symbols), [(0, 0, z), (x, 0, 0.25)], spacegroup=167,
                   cellpar=[a, a, c, 90, 90, 120])


def cubic_perovskite(symbols: Sequence[str], a: float) -> Atoms:
    """Cubic ABX3 perovskite (Pm-3m, 221): A 1a, B 1b, X 3c."""
    return crystal(list(symbols), [(0, 0, 0), (0.5, 0.5, 0.5), (0, 0.5, 0.5)], spacegroup=221,
                   cellpar=[a, a, a, 90, 90, 90])


def calcite(symbols: Sequence[str], a: float, c: float, x: float) -> Atoms:
    """Calcite (R-3c, 167, hexagonal axes): Ca 6b, C 6a, O 18e (x, 0, 1/4)."""
    return crystal(list(symbols), [(0, 0, 0), (0, 0, 0.25), (x, 0, 0.25)], spacegroup=167,
                   cellpar=[a, a, c, 90, 90, 120])


def fluorite(symbols: Sequence[str], a: float) -> Atoms:
    """Fluorite (C1, Fm-3m, 225), conventional cubic cell: cation 4a, anion 8c."""
    return crystal(list(symbols), [(0, 0, 0), (0.25, 0.25, 0.25)], spacegroup=225,
                   cellpar=[a, a, a, 90, 90, 90])


def wyckoff(symbols: Sequence[str], sites: Sequence[Sequence[float]], spacegroup: int,
            cellpar: Sequence[float], setting: int = 1) -> Atoms:
    """Any crystal from its published asymmetric unit.

    ``sites`` are the fractional coordinates of the symmetry-distinct atoms
    (one per entry of ``symbols``), ``cellpar`` is a, b, c (A), alpha, beta,
    gamma (degrees), in the setting of the source.
    """
    return crystal(list(symbols), [tuple(site) for site in sites], spacegroup=spacegroup,
                   setting=setting, cellpar=list(cellpar))


def _hexagonal_sheet(a: float, layers: list[tuple[str, str, float]]) -> Atoms:
    """A sheet on a hexagonal lattice from (symbol, site, z) with site in A/B/C.

    A, B and C are the three triangular sublattices (0,0), (1/3,2/3), (2/3,1/3);
    z is the height in Angstrom relative to the sheet's mid-plane.
    """
    sites = {"A": (0.0, 0.0), "B": (1 / 3, 2 / 3), "C": (2 / 3, 1 / 3)}
    cell = np.array([[a, 0, 0], [-a / 2, a * np.sqrt(3) / 2, 0], [0, 0, SHEET_CELL_HEIGHT]])
    scaled = [(*sites[site], 0.5 + z / SHEET_CELL_HEIGHT) for _, site, z in layers]
    return Atoms([s for s, _, _ in layers], scaled_positions=scaled, cell=cell,
                 pbc=True)


def graphene(a: float) -> Atoms:
    """Graphene (P6/mmm layer), two C atoms per cell."""
    return _hexagonal_sheet(a, [("C", "B", 0.0), ("C", "C", 0.0)])


def heptazine_sheet(a: float, bridge: float) -> Atoms:
    """Planar g-C3N4 of heptazine (tri-s-triazine) units joined by three-fold N (P-6m2), C6N8.

    A heptazine is the 13-atom fragment of a honeycomb around a central N
    (N, three C, six ring N, three outer C) with one bond length for every
    ring bond; each outer C binds a bridging N at ``bridge`` (A) that joins
    three units. The ring bond follows from the lattice: a / sqrt(3) =
    2 ring bonds + ``bridge``.
    """
    r = a / np.sqrt(3)  # heptazine centre to bridging N
    ring = (r - bridge) / 2
    d = [np.array([np.cos(t), np.sin(t), 0.0]) for t in np.radians([90, 210, 330])]
    positions = ([np.zeros(3)] + [ring * x for x in d]
                 + [ring * (d[i] - d[j]) for i in range(3) for j in range(3) if i != j]
                 + [-2 * ring * x for x in d] + [-r * d[0]])
    symbols = ["N"] + ["C"] * 3 + ["N"] * 6 + ["C"] * 3 + ["N"]
    cell = [r * (d[2] - d[1]), r * (d[0] - d[2]), [0, 0, SHEET_CELL_HEIGHT]]
    atoms = Atoms(symbols, positions=np.array(positions) + [0, 0, SHEET_CELL_HEIGHT / 2],
                  cell=cell, pbc=True)
    atoms.wrap()
    return atoms


def transition_metal_dichalcogenide(metal: str, chalcogen: str, a: float,
                                    height: float) -> Atoms:
    """1H MX2 monolayer (P-6m2): M on one sublattice, X above and below it on
    another at +-``height`` (A), trigonal prismatic."""
    return _hexagonal_sheet(a, [(chalcogen, "C", -height), (metal, "B", 0.0),
                                (chalcogen, "C", height)])


def binary_sheet(symbols: Sequence[str], a: float) -> Atoms:
    """Planar honeycomb AB sheet (P-6m2), e.g. hexagonal BN."""
    return _hexagonal_sheet(a, [(symbols[0], "B", 0.0), (symbols[1], "C", 0.0)])


def mxene(metal: str, x: str, n: int, a: float, metal_x_spacing: float,
          termination: str | None = None, termination_height: float = 0.0,
          hydrogen_height: float = 0.0) -> Atoms:
    """M_{n+1}X_n MXene sheet, optionally terminated on both sides.

    Metal and X planes alternate in rock-salt (111) stacking (X octahedral),
    ``metal_x_spacing`` apart. Terminations sit ``termination_height`` above
    the outer metal plane in the hollow over the metal of the next-but-one
    plane (the fcc hollow, the lowest-energy model for O, F and OH on
    Ti3C2); a hydroxyl H sits ``hydrogen_height`` above its O.
    """
    stack = "ACB"
    planes = []
    n_planes = 2 * n + 1
    for i in range(n_planes):
        symbol = metal if i % 2 == 0 else x
        z = (i - (n_planes - 1) / 2) * metal_x_spacing
        planes.append((symbol, stack[i % 3], z))
    if termination is not None:
        top = planes[-1][2] + termination_height
        bottom = planes[0][2] - termination_height
        top_site = planes[-3][1]
        bottom_site = planes[2][1]
        symbol = "O" if termination == "OH" else termination
        planes = [(symbol, bottom_site, bottom), *planes, (symbol, top_site, top)]
        if termination == "OH":
            planes = [("H", bottom_site, bottom - hydrogen_height), *planes,
                      ("H", top_site, top + hydrogen_height)]
    return _hexagonal_sheet(a, planes)


def substituted_sheet(sheet: Atoms, repeat: int, host: str, dopant: str) -> Atoms:
    """A ``repeat`` x ``repeat`` supercell with one ``host`` atom made ``dopant``."""
    atoms = sheet.repeat((repeat, repeat, 1))
    index = next(i for i, s in enumerate(atoms.get_chemical_symbols()) if s == host)
    atoms[index].symbol = dopant
    return atoms


def adatom_sheet(sheet: Atoms, repeat: int, adatom: str, height: float,
                 site: tuple[float, float]) -> Atoms:
    """A ``repeat`` x ``repeat`` supercell with one adatom above its top layer.

    ``site`` is the fractional in-plane position in the primitive cell;
    ``height`` the distance above the topmost atom (A).
    """
    atoms = sheet.repeat((repeat, repeat, 1))
    xy = np.array(site) / repeat @ atoms.cell[:2, :2]
    z = atoms.positions[:, 2].max() + height
    atoms.append(adatom)
    atoms.positions[-1] = [xy[0], xy[1], z]
    return atoms


def _substituted(base: dict, repeat: int, host: str, dopant: str) -> Atoms:
    return substituted_sheet(build(base["prototype"], base["params"]), repeat, host, dopant)


def _adatom(base: dict, repeat: int, adatom: str, height: float,
            site: Sequence[float]) -> Atoms:
    return adatom_sheet(build(base["prototype"], base["params"]), repeat, adatom, height,
                        (site[0], site[1]))


PROTOTYPES: dict[str, Callable[..., Atoms]] = {
    f.__name__: f
    for f in (fcc, hcp, body_centred_tetragonal, beta_tin, a7, b2, rocksalt, zincblende,
              wurtzite, rutile, anatase, tetragonal_zirconia, corundum, cubic_perovskite,
              calcite, fluorite, wyckoff, graphene, heptazine_sheet, binary_sheet,
              transition_metal_dichalcogenide, mxene)
}
PROTOTYPES["substituted_sheet"] = _substituted
PROTOTYPES["adatom_sheet"] = _adatom


def build(prototype: str, params: dict) -> Atoms:
    """Build a structure from a catalog recipe (prototype name and its keyword args)."""
    return PROTOTYPES[prototype](**params)
