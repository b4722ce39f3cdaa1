"""Which termination? The surface energy of every distinct termination of a bulk cut.

For each distinct stoichiometric termination (:func:`screening.atoms.slabs.distinct`,
numbered ``#1``, ``#2``, ... in the ``auto`` order) the 1x1 slab at the
candidate's layer count, bottom layers fixed as in the screen, gets a
single point as cut and a relaxation; the bulk cell the slabs are cut from
is relaxed at fixed cell (the slabs keep its in-plane lattice). Then, per
face (eV/A^2; J/m^2 in the record)::

    gamma_cut = (E_cut - N e_bulk) / 2A                 both faces as cut
    gamma     = gamma_cut + (E_relaxed - E_cut) / A     the free top face relaxed

(the fixed bottom face stays as cut, so the relaxation energy belongs to the
top). A symmetric slab has two equal faces; an asymmetric non-polar one
gets the mean of its two faces (flagged); a polar cut has no
thickness-independent surface energy and is reported without one.
Every calculation goes through the context's store.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

import numpy as np

from screening.atoms.reading import read_structure
from screening.atoms.slabs import Cut, choose, distinct, finish, terminations
from screening.errors import ScreeningError
from screening.library.catalog import Candidate
from screening.library.surfaces import slab_spec
from screening.recipes.context import Context

#: eV/A^2 -> J/m^2.
EV_PER_A2_IN_J_PER_M2 = 16.021766


@dataclass(frozen=True)
class Termination:
    """One distinct termination and its surface energy (J/m^2, per face)."""

    rule: str  # "#k": the catalog rule that selects it
    top: str  # reduced formula of the top layer
    n_atoms: int  # of the 1x1 slab
    n_layers: int
    symmetric: bool
    polar: bool | None
    broken_bonds_per_A2: float
    gamma_cut: float | None = None
    gamma: float | None = None
    reason: str = ""  # why gamma is missing, or how to read it
    keys: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Survey:
    """Every termination of one candidate at one level."""

    candidate: str
    level: str
    rule: str  # the catalog's rule now
    default: str  # the "#k" that rule selects
    terminations: list[Termination]

    @property
    def lowest(self) -> Termination | None:
        """The termination of lowest relaxed surface energy, among the symmetric ones
        where there are any (an asymmetric slab's value is the mean of two different
        faces, its relaxation credited to one: reported, not chosen); None if none
        was computed."""
        known = [t for t in self.terminations if t.gamma is not None]
        symmetric = [t for t in known if t.symmetric] or known
        return min(symmetric, key=lambda t: t.gamma) if symmetric else None

    def doc(self) -> dict:
        """A JSON-ready record."""
        lowest = self.lowest
        return {**asdict(self), "lowest": None if lowest is None else lowest.rule}


def _survey_one(ctx: Context, candidate: Candidate, rule: str, cut: Cut,
                e_bulk: float, bulk_key: str) -> Termination:
    spec = replace(slab_spec(ctx.settings, candidate), min_lateral=0.0)
    slab, _, _, _ = finish(cut.atoms, spec, fix=True)
    base = Termination(rule, cut.termination, len(slab), cut.n_layers, cut.symmetric,
                       cut.polar, round(cut.broken, 4))
    if cut.polar:
        return replace(base, reason="polar cut: no thickness-independent surface energy")
    label = f"{candidate.name}/termination{rule}"
    as_cut = ctx.run(slab, f"{label}/cut")
    relaxed = ctx.run(slab, label, relax=True)
    area = float(np.linalg.norm(np.cross(slab.cell[0], slab.cell[1])))
    gamma_cut = (as_cut.energy - len(slab) * e_bulk) / (2 * area)
    gamma = gamma_cut + (relaxed.energy - as_cut.energy) / area
    reason = "" if cut.symmetric else "asymmetric: mean of its two faces"
    return replace(base, gamma_cut=round(gamma_cut * EV_PER_A2_IN_J_PER_M2, 4),
                   gamma=round(gamma * EV_PER_A2_IN_J_PER_M2, 4), reason=reason,
                   keys=[bulk_key, as_cut.key, relaxed.key])


def survey(ctx: Context, candidate: Candidate) -> Survey:
    """Surface energies of every distinct termination of ``candidate`` (module doc)."""
    if candidate.structure.kind != "bulk":
        raise ScreeningError(f"{candidate.name}: a {candidate.structure.kind} has one "
                             "termination, as given; only bulk cuts have several")
    bulk = read_structure(candidate.structure.path)
    options = distinct(terminations(bulk, candidate.miller, slab_spec(ctx.settings, candidate)))
    chosen = _selected(candidate, options)
    bulk_calc = ctx.run(bulk, f"{candidate.name}/bulk", relax=True)
    e_bulk = bulk_calc.energy / len(bulk)
    found = [_survey_one(ctx, candidate, f"#{i}", cut, e_bulk, bulk_calc.key)
             for i, cut in enumerate(options, start=1)]
    return Survey(candidate.name, ctx.name, candidate.termination, chosen, found)


def _selected(candidate: Candidate, options: list[Cut]) -> str:
    """The "#k" the candidate's own rule ends on."""
    picked = choose(options, candidate.termination)[0]
    return f"#{options.index(picked) + 1}"
