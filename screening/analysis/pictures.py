"""Pictures of stored structures: top and side views (PNG) and a 3D view (HTML).

One look everywhere: ASE's Jmol colours, atoms drawn at 0.6 of their
covalent radius (at least 0.4 A, so that H shows), the top view looking down -z at the xy plane and the side
view along -y from 18 degrees above the surface plane (straight along -y,
the atoms of a column hide one another: ZnO(10-10) showed no O), the cell
outlined from the top, the same length scale in
every panel, an element legend and a 5 A scale bar; an adsorbate (the
atoms added last to a slab) is outlined thickly.
The 3D view is one self-contained HTML file (a small canvas renderer in
plain JavaScript: drag to turn, wheel to zoom), so it opens offline.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from ase import Atoms  # noqa: E402
from ase.data import covalent_radii  # noqa: E402
from ase.data.colors import jmol_colors  # noqa: E402
from ase.utils import rotate  # noqa: E402
from matplotlib.collections import LineCollection, PatchCollection  # noqa: E402
from matplotlib.patches import Circle, Patch  # noqa: E402

from screening.errors import ScreeningError  # noqa: E402
from screening.files import write_atomic  # noqa: E402

#: Atom radius as a fraction of the covalent radius ...
RADIUS_SCALE = 0.6
#: ... but never below this (A), so that an adsorbed H (0.19 A) still shows.
MIN_RADIUS = 0.4
#: Length of the scale bar (A).
SCALE_BAR = 5.0
#: Outline width (points) of an ordinary atom and of an adsorbate's.
EDGE, ADSORBATE_EDGE = 0.6, 2.2
#: (title, ASE rotation, cell outline drawn) of each panel; the side view leaves
#: the cell out, whose vacuum would shrink the atoms.
VIEWS = (("top", "0x,0y,0z", True), ("side", "-72x,0y,0z", False))


def _hex(z: int) -> str:
    return matplotlib.colors.to_hex(jmol_colors[z])


def drawn_radii(numbers: np.ndarray) -> np.ndarray:
    """The radius (A) each atom is drawn with, in the pictures and the 3D view."""
    return np.maximum(covalent_radii[numbers] * RADIUS_SCALE, MIN_RADIUS)


def _scale_bar(ax: plt.Axes) -> None:
    """A SCALE_BAR-long bar under the drawing (the axes are in A)."""
    x0, _ = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    ax.set_ylim(y0 - 3.0, y1)
    ax.plot([x0, x0 + SCALE_BAR], [y0 - 2.2, y0 - 2.2], color="black", lw=3)
    ax.text(x0 + SCALE_BAR + 0.5, y0 - 2.2, f"{SCALE_BAR:g} A", ha="left", va="center",
            fontsize=8)


def _cell_edges(cell: np.ndarray) -> np.ndarray:
    """The 12 edges of the cell's parallelepiped, (12, 2, 3) in A."""
    corners = np.array([[i, j, k] for i in (0, 1) for j in (0, 1) for k in (0, 1)]) @ cell
    pairs = [(a, b) for a in range(8) for b in range(a + 1, 8) if bin(a ^ b).count("1") == 1]
    return np.array([[corners[a], corners[b]] for a, b in pairs])


def draw_view(ax: plt.Axes, atoms: Atoms, rotation: str, cell: bool, adsorbate: int = 0) -> None:
    """``atoms`` seen after ASE's ``rotation`` (e.g. ``"-72x,0y,0z"``): discs in
    A, the nearest drawn last, in one collection (matplotlib adds a patch at a
    time slowly: ASE's ``plot_atoms`` spent 0.4 s per view on the main job's
    structures of 1-211 atoms),
    the last ``adsorbate`` atoms outlined thickly; with ``cell``, the cell's
    edges beneath them."""
    turn = rotate(rotation)
    xyz = atoms.positions @ turn
    radii = drawn_radii(atoms.numbers)
    order = np.argsort(xyz[:, 2])
    widths = np.where(np.arange(len(atoms)) >= len(atoms) - adsorbate, ADSORBATE_EDGE, EDGE)
    ax.add_collection(PatchCollection([Circle(xyz[i, :2], radii[i]) for i in order],
                                      facecolors=jmol_colors[atoms.numbers[order]],
                                      edgecolors="black", linewidths=widths[order], zorder=2))
    lo = (xyz[:, :2] - radii[:, None]).min(axis=0)
    hi = (xyz[:, :2] + radii[:, None]).max(axis=0)
    if cell and atoms.cell.rank == 3:
        edges = (_cell_edges(atoms.cell.array) @ turn)[..., :2]
        ax.add_collection(LineCollection(edges, colors="black", linewidths=0.8, zorder=1))
        lo = np.minimum(lo, edges.reshape(-1, 2).min(axis=0))
        hi = np.maximum(hi, edges.reshape(-1, 2).max(axis=0))
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_aspect("equal")


def views_png(atoms: Atoms, path: Path, title: str = "", flagged: bool = False,
              adsorbate: int = 0) -> None:
    """Top and side view of ``atoms`` side by side in one PNG (``flagged``: the
    title in red, for a structure the pipeline marked as anomalous;
    ``adsorbate``: its last atoms, outlined thickly)."""
    fig, axes = plt.subplots(1, len(VIEWS), figsize=(9, 4.5))
    for ax, (name, rotation, cell) in zip(axes, VIEWS):
        draw_view(ax, atoms, rotation, cell, adsorbate)
        ax.set_title(name, fontsize=10)
        ax.set_axis_off()
    # one scale in every panel: each shows the largest panel's extent
    span = max(max(np.ptp(ax.get_xlim()), np.ptp(ax.get_ylim())) for ax in axes)
    for ax in axes:
        for get, set_ in ((ax.get_xlim, ax.set_xlim), (ax.get_ylim, ax.set_ylim)):
            middle = np.mean(get())
            set_(middle - span / 2, middle + span / 2)
        _scale_bar(ax)
    handles = [Patch(facecolor=colour, edgecolor="black", label=symbol)
               for symbol, colour in legend_elements(atoms)]
    if 0 < adsorbate < len(atoms):
        handles.append(Patch(facecolor="white", edgecolor="black", linewidth=ADSORBATE_EDGE,
                             label="adsorbate"))
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 8), frameon=False)
    fig.suptitle(title + ("  [flagged]" if flagged else ""),
                 color="firebrick" if flagged else "black", fontsize=11)
    fig.tight_layout(rect=(0, 0.08, 1, 0.95))
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)


def viewer_html(atoms: Atoms, title: str = "", adsorbate: int = 0) -> str:
    """A self-contained HTML page with a rotatable 3D view of ``atoms`` (the
    last ``adsorbate`` atoms outlined thickly)."""
    centre = atoms.positions.mean(axis=0)
    first = len(atoms) - adsorbate
    data = {"title": title,
            "atoms": [[round(float(x), 3) for x in p - centre]
                      + [round(float(r), 3), _hex(z), s, int(i >= first)]
                      for i, (p, z, s, r) in enumerate(zip(atoms.positions, atoms.numbers,
                                                           atoms.get_chemical_symbols(),
                                                           drawn_radii(atoms.numbers)))]}
    return _TEMPLATE.replace("__DATA__", json.dumps(data)).replace(
        "__TITLE__", html.escape(title or atoms.get_chemical_formula()))


def write_picture(atoms: Atoms, path: Path, title: str = "", flagged: bool = False,
                  adsorbate: int = 0) -> None:
    """``atoms`` drawn to ``path``, atomically: top and side views for a ``.png``
    (:func:`views_png`), the 3D page for an ``.html`` (:func:`viewer_html`);
    the last ``adsorbate`` atoms outlined thickly."""
    if path.suffix == ".png":
        write_atomic(path, lambda tmp: views_png(atoms, tmp, title, flagged, adsorbate))
    elif path.suffix == ".html":
        write_atomic(path, lambda tmp: tmp.write_text(viewer_html(atoms, title, adsorbate)))
    else:
        raise ScreeningError(f"--out {path}: give a .png (top and side views) or .html (3D) "
                             "file")


def legend_elements(atoms: Atoms) -> list[tuple[str, str]]:
    """(symbol, colour) of each element present, heaviest first."""
    seen = {}
    for z, s in sorted(zip(atoms.numbers, atoms.get_chemical_symbols()), key=lambda t: -t[0]):
        seen.setdefault(s, _hex(int(z)))
    return list(seen.items())


_TEMPLATE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>__TITLE__</title>
<style>body{font-family:sans-serif;margin:1em}canvas{border:1px solid #ccc;cursor:grab}
.key span{display:inline-block;width:1em;height:1em;border:1px solid #333;margin:0 .3em 0 1em;
vertical-align:middle}</style></head>
<body><h3>__TITLE__</h3>
<canvas id="view" width="640" height="480" data-atoms="0"></canvas>
<div class="key" id="key"></div>
<p>Drag to turn, wheel to zoom. Atoms at 0.6 of their covalent radius (at least 0.4 A), Jmol colours; an adsorbate's thickly outlined.</p>
<script>
const data = __DATA__;
const canvas = document.getElementById("view"), ctx = canvas.getContext("2d");
canvas.dataset.atoms = data.atoms.length;
let rx = -1.2, ry = 0.0, zoom = 1.0, drag = null;
const extent = Math.max(...data.atoms.map(a => Math.hypot(a[0], a[1], a[2]) + a[3]), 1);
const seen = {};
for (const a of data.atoms) { seen[a[5]] = a[4]; }
document.getElementById("key").innerHTML = Object.entries(seen)
  .map(([s, c]) => `<span style="background:${c}"></span>${s}`).join("");
function draw() {
  const scale = zoom * 0.45 * Math.min(canvas.width, canvas.height) / extent;
  const [cx, sx, cy, sy] = [Math.cos(rx), Math.sin(rx), Math.cos(ry), Math.sin(ry)];
  const placed = data.atoms.map(a => {
    const x1 = a[0] * cy + a[2] * sy, z1 = -a[0] * sy + a[2] * cy;
    const y2 = a[1] * cx - z1 * sx, z2 = a[1] * sx + z1 * cx;
    return [x1, y2, z2, a[3], a[4], a[6]];
  }).sort((p, q) => p[2] - q[2]);
  ctx.fillStyle = "white"; ctx.fillRect(0, 0, canvas.width, canvas.height);
  for (const [x, y, z, r, colour, adsorbate] of placed) {
    ctx.beginPath();
    ctx.arc(canvas.width / 2 + x * scale, canvas.height / 2 - y * scale, r * scale, 0, 2 * Math.PI);
    ctx.fillStyle = colour; ctx.fill(); ctx.strokeStyle = "#333";
    ctx.lineWidth = adsorbate ? 3 : 1; ctx.stroke();
  }
}
canvas.onmousedown = e => { drag = [e.clientX, e.clientY]; };
window.onmouseup = () => { drag = null; };
canvas.onmousemove = e => {
  if (!drag) return;
  ry += (e.clientX - drag[0]) * 0.01; rx += (e.clientY - drag[1]) * 0.01;
  drag = [e.clientX, e.clientY]; draw();
};
canvas.onwheel = e => { e.preventDefault(); zoom *= e.deltaY < 0 ? 1.1 : 0.9; draw(); };
draw();
</script></body></html>
"""
