"""Adsorption sites on the top surface of a slab (pure geometry).

Conventions: the slab's surface normal is +z (see :mod:`screening.atoms.slabs`).

* *Surface atoms* are atoms within ``SURFACE_DEPTH`` of the topmost atom
  that nothing shades from above: no higher atom lies closer in plane than
  ``SHADE_FRACTION`` x the sum of the two covalent radii.
* Sites come from the 2D periodic arrangement of the surface atoms:
  ``top`` over each atom; ``bridge`` at the midpoint of each Delaunay edge
  whose midpoint is closer to its two ends than to any other surface atom
  (a Gabriel edge: nearest-neighbour pairs, never across a ring); ``hollow``
  at each Voronoi vertex (the point farthest from its surrounding atoms:
  the 3-fold hollows of close-packed faces, the centre of a square or of a
  graphene hexagon).
* Sites that a symmetry operation of the slab maps onto each other (keeping
  the top surface on top) are one site; sites closer than ``MERGE`` are one.
* Labels: ``top:Zn``, ``bridge:Zn-Zn``, ``hollow-hcp:Zn3``; a 3-fold hollow
  is ``hcp`` when a sub-surface atom lies beneath it (within ``BENEATH``
  in plane), else ``fcc``; other hollows are ``hollow``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import spglib
from ase import Atoms
from ase.data import covalent_radii
from scipy.spatial import Delaunay, Voronoi, cKDTree

from screening.atoms.geometry import in_plane_translations, lateral_distances

#: Only atoms this close (A) below the topmost one can be surface atoms.
SURFACE_DEPTH = 2.5
#: A higher atom closer in plane than this x (r_i + r_j) shades an atom.
SHADE_FRACTION = 0.8
#: Sites closer than this in plane (A) are one site.
MERGE = 0.3
#: A sub-surface atom within this in-plane distance (A) lies beneath a hollow.
BENEATH = 0.5
#: Symmetry tolerance (A) for the reduction of equivalent sites.
SYMPREC = 0.1


@dataclass(frozen=True)
class Site:
    """One symmetry-distinct adsorption site."""

    #: ``top``, ``bridge``, ``hollow-fcc``, ``hollow-hcp`` or ``hollow``.
    kind: str
    #: Cartesian position (A): in-plane site, z of its highest defining atom.
    position: tuple[float, float, float]
    #: Indices of the surface atoms that define the site.
    atoms: tuple[int, ...]
    #: e.g. ``hollow-hcp:Zn3`` (kind and the defining atoms' elements).
    label: str
    #: How many sites of the full (supercell) surface are equivalent to it.
    multiplicity: int = 1


def surface_atoms(slab: Atoms) -> np.ndarray:
    """Indices of the atoms exposed on the top surface (see module doc)."""
    z = slab.positions[:, 2]
    radii = covalent_radii[slab.numbers]
    candidates = np.where(z > z.max() - SURFACE_DEPTH)[0]
    exposed = []
    for i in candidates:
        higher = np.where(z > z[i] + 0.1)[0]
        lateral = lateral_distances(slab, slab.positions[higher], slab.positions[i])
        if not np.any(lateral < SHADE_FRACTION * (radii[i] + radii[higher])):
            exposed.append(i)
    return np.array(exposed, int)


def _home(slab: Atoms, xy: np.ndarray) -> np.ndarray:
    """Fractional in-plane coordinates of ``xy`` in [0, 1)."""
    frac = np.linalg.solve(slab.cell.array[:2, :2].T, xy)
    return frac - np.floor(frac + 1e-9)


def _raw_sites(slab: Atoms, surface: np.ndarray) -> list[tuple[str, np.ndarray, tuple[int, ...]]]:
    """Every top, bridge and hollow point of the home cell, before reduction."""
    images = in_plane_translations(slab)
    points = np.array([slab.positions[i, :2] + t for t in images for i in surface])
    owner = np.array([i for _ in images for i in surface])
    tree = cKDTree(points)
    sites = [("top", slab.positions[i, :2].copy(), (int(i),)) for i in surface]
    if len(surface) >= 3:
        triangulation = Delaunay(points)
        edges = {tuple(sorted((s[k], s[(k + 1) % 3]))) for s in triangulation.simplices
                 for k in range(3)}
        for p, q in edges:
            middle = 0.5 * (points[p] + points[q])
            half = 0.5 * np.linalg.norm(points[p] - points[q])
            if tree.query(middle, k=3)[0][-1] > half + 1e-3:
                sites.append(("bridge", middle, tuple(sorted((int(owner[p]), int(owner[q]))))))
        voronoi = Voronoi(points)
        for vertex in voronoi.vertices:
            distances, neighbours = tree.query(vertex, k=min(6, len(points)))
            ring = neighbours[distances < distances[0] + 0.05]
            sites.append(("hollow", vertex, tuple(sorted(int(owner[n]) for n in ring))))
    home: list[tuple[str, np.ndarray, tuple[int, ...]]] = []
    for kind, xy, members in sites:
        frac = np.linalg.solve(slab.cell.array[:2, :2].T, xy)
        inside = np.all(frac > -1e-6) and np.all(frac < 1 - 1e-6)
        if inside and not any(k == kind and _in_plane_distance(slab, _home(slab, xy),
                                                               _home(slab, other)) < MERGE
                              for k, other, _ in home):
            home.append((kind, xy, members))
    return home


def _symmetry_ops(slab: Atoms) -> list[tuple[np.ndarray, np.ndarray]]:
    """In-plane parts of the slab's symmetry operations that keep +z up."""
    data = spglib.get_symmetry((slab.cell.array, slab.get_scaled_positions(), slab.numbers),
                               symprec=SYMPREC)
    if data is None:
        return [(np.eye(2), np.zeros(2))]
    return [(r[:2, :2], t[:2]) for r, t in zip(data["rotations"], data["translations"])
            if r[2, 2] == 1 and not r[0, 2] and not r[1, 2]]


def _in_plane_distance(slab: Atoms, f1: np.ndarray, f2: np.ndarray) -> float:
    d = f1 - f2
    d -= np.round(d)
    cart = d @ slab.cell.array[:2, :2]
    return float(np.linalg.norm(cart))


def _label(slab: Atoms, kind: str, members: tuple[int, ...], xy: np.ndarray,
           surface: np.ndarray) -> tuple[str, str]:
    symbols = slab.get_chemical_symbols()
    elements = sorted(symbols[i] for i in members)
    if kind == "top":
        return kind, f"top:{elements[0]}"
    if kind == "bridge":
        return kind, f"bridge:{'-'.join(elements)}"
    counts: dict[str, int] = {}
    for e in elements:
        counts[e] = counts.get(e, 0) + 1
    formula = "".join(f"{e}{n if n > 1 else ''}" for e, n in sorted(counts.items()))
    if len(members) == 3:
        top_z = min(slab.positions[i, 2] for i in members)
        below = [i for i in range(len(slab)) if i not in set(surface)
                 and slab.positions[i, 2] < top_z - 0.3]
        if below:
            zs = slab.positions[below, 2]
            first = [i for i in below if slab.positions[i, 2] > zs.max() - 0.5]
            lateral = lateral_distances(slab, slab.positions[first], xy).min()
            kind = "hollow-hcp" if lateral < BENEATH else "hollow-fcc"
    return kind, f"{kind}:{formula}"


def find_sites(slab: Atoms) -> list[Site]:
    """The symmetry-distinct adsorption sites of the slab's top surface.

    Ordered top, bridge, hollow; positions are in the home cell.
    """
    surface = surface_atoms(slab)
    raw = _raw_sites(slab, surface)
    ops = _symmetry_ops(slab)
    distinct: list[dict] = []
    for kind, xy, members in raw:
        frac = _home(slab, xy)
        for entry in distinct:
            if entry["kind_raw"] != kind:
                continue
            if any(_in_plane_distance(slab, rot @ frac + t, entry["frac"]) < MERGE
                   for rot, t in ops):
                entry["count"] += 1
                break
        else:
            distinct.append({"kind_raw": kind, "frac": frac, "xy": xy, "members": members,
                             "count": 1})
    sites = []
    order = {"top": 0, "bridge": 1, "hollow": 2}
    for entry in sorted(distinct, key=lambda e: order[e["kind_raw"]]):
        kind, label = _label(slab, entry["kind_raw"], entry["members"], entry["xy"], surface)
        z = max(slab.positions[i, 2] for i in entry["members"])
        sites.append(Site(kind=kind, position=(float(entry["xy"][0]), float(entry["xy"][1]),
                                               float(z)),
                          atoms=entry["members"], label=label, multiplicity=entry["count"]))
    return sites


def equivalent_positions(slab: Atoms, site: Site) -> np.ndarray:
    """In-plane positions (k x 2, A, home cell) of every site equivalent to ``site``."""
    frac = _home(slab, np.array(site.position[:2]))
    found: list[np.ndarray] = []
    for rot, t in _symmetry_ops(slab):
        image = rot @ frac + t
        image -= np.floor(image + 1e-9)
        if not any(_in_plane_distance(slab, image, other) < MERGE for other in found):
            found.append(image)
    return np.array(found) @ slab.cell.array[:2, :2]
