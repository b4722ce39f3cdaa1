"""Which structures to picture for one candidate, read from its results row.

For a row of ``details.json`` (a candidate at a level): the clean slab, for
each adsorbate the reported site and the runner-up (the next lowest
binding), and every desolvation state on the surface and free, each
marked when the pipeline flagged it (an anomalous site; a state named in
a ``...@n=N`` flag). The structures are the stored calculations behind
the numbers; :mod:`screening.analysis.pictures` draws them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from screening.analysis.pictures import write_picture
from screening.descriptors.desolvation import flagged_states
from screening.errors import ScreeningError
from screening.library.catalog import file_stem
from screening.schemas import RowDetails
from screening.store.database import Store

_STATE = re.compile(r"zn\(h2o\)(\d)(@surface)?")


@dataclass(frozen=True)
class Shot:
    """One structure to draw: a file name stem, the store key (or its first
    characters), a caption, whether it was flagged, whether it is shared by
    every candidate (the free cluster: named by its key, not the candidate,
    and drawn once per report), and its adsorbate, the atoms added last to a
    slab: ``adsorbate`` of them, or those beyond the clean slab stored as
    ``base``."""

    stem: str
    key: str
    caption: str
    flagged: bool
    shared: bool = False
    adsorbate: int = 0
    base: str = ""


def _sites(column: str, details: dict, clean: str) -> list[Shot]:
    """The reported site (the lowest E(S+X) - E(S) not flagged) and the
    runner-up (the next lowest) on the ``clean`` slab, captioned with that
    energy and the gap."""
    rows = sorted(details["sites"], key=lambda r: r["binding"])
    reported = next((r for r in rows if not r["flags"]), rows[0])
    others = [r for r in rows if r is not reported]
    energy = f"E(S+X) - E(S) = {reported['binding']:+.3f} eV"
    chosen = [("reported", reported, energy)] + (
        [("runner-up", others[0], f"{others[0]['binding'] - reported['binding']:+.3f} eV "
          "from the reported")] if others else [])
    return [Shot(f"{column}-{role}", row["key"], f"{column}: {role} site {row['site']} ({note}"
                 f"{'; ' + row['flags'] if row['flags'] else ''})", bool(row["flags"]),
                 base=clean)
            for role, row, note in chosen]


def _states(store: Store, keys: list[str], flags: list[str]) -> list[Shot]:
    shots = []
    for key in keys:
        label = store.calculation(key).label
        match = _STATE.search(label)
        if not match:
            continue  # the water reference
        n, on_surface = int(match.group(1)), bool(match.group(2))
        marked = flagged_states(flags, free=not on_surface).get(n, [])
        where = "surface" if on_surface else "free"
        shots.append(Shot(f"desolvation-{where}-n{n}", key,
                          f"[Zn(H2O){n}] {'on the surface' if on_surface else 'free'}"
                          + (f" ({'; '.join(marked)})" if marked else ""), bool(marked),
                          shared=not on_surface, adsorbate=1 + 3 * n if on_surface else 0))
    return shots


def shots(entry: RowDetails, store: Store) -> list[Shot]:
    """Every structure worth a picture in ``entry`` (module doc)."""
    found: list[Shot] = []
    values = entry["values"]
    clean = next((v["keys"][0] for c, v in values.items()
                  if v["details"] and v["details"]["kind"] == "sites" and v["keys"]), None)
    if clean:
        found.append(Shot("clean-slab", clean, "clean slab", False))
    shown: list[dict] = []
    for column, v in values.items():
        d = v["details"]
        if not d or d in shown:
            continue
        shown.append(d)
        if d["kind"] == "sites":
            found += _sites(column, d, v["keys"][0])
        elif d["kind"] == "profile":
            found += _states(store, v["keys"], v["flags"])
    return found


def write_gallery(entry: RowDetails, store: Store, out_dir: Path, with_3d: bool = False,
                  drawn: set[Path] | None = None) -> list[tuple[Shot, Path, Path | None]]:
    """Draw :func:`shots` of ``entry`` into ``out_dir``: one PNG each and, with
    ``with_3d``, one 3D page each; (shot, PNG, page or None) in order.

    ``drawn`` collects the PNGs written in this call and earlier ones given
    the same set (a report's candidates): a shared shot already drawn is
    not drawn again.
    """
    drawn = set() if drawn is None else drawn
    todo = shots(entry, store)
    if not todo:
        raise ScreeningError(f"{entry['name']} at {entry['level']}: no stored structure "
                             "behind its numbers to draw")
    keys = store.keys_from_prefixes([shot.key for shot in todo]
                                     + [shot.base for shot in todo if shot.base])
    base_atoms = {base: len(store.calculation(keys[base]).atoms)
                  for base in {shot.base for shot in todo if shot.base}}
    written = []
    for shot in todo:
        stem = (f"{file_stem(entry['level'])}-{shot.stem}-{keys[shot.key][:8]}" if shot.shared
                else f"{file_stem(entry['name'])}-{file_stem(entry['level'])}-{shot.stem}")
        png = out_dir / f"{stem}.png"
        page = out_dir / f"{stem}.html" if with_3d else None
        if png not in drawn:
            atoms = store.calculation(keys[shot.key]).atoms
            adsorbate = len(atoms) - base_atoms[shot.base] if shot.base else shot.adsorbate
            title = (f"{shot.caption} at {entry['level']}" if shot.shared
                     else f"{entry['name']} at {entry['level']}: {shot.caption}")
            write_picture(atoms, png, title, shot.flagged, adsorbate)
            if page is not None:
                write_picture(atoms, page, title, adsorbate=adsorbate)
            drawn.add(png)
        written.append((shot, png, page))
    return written
