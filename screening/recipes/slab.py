"""The relaxed clean slab of a candidate, the base of every surface descriptor.

:func:`relax_slab` builds the candidate's slab model (the first model of its
termination rule, at the lateral size of one of
:data:`~screening.descriptors.registry.SLABS`) and relaxes it; what it
returns carries a :class:`~screening.schemas.SlabRef`, the small record a
flow hands to the descriptor tasks, which load the slab from the store
with :meth:`Surface.load` instead of building it again.
"""

from __future__ import annotations

from dataclasses import dataclass

from screening.descriptors.registry import SLABS
from screening.library.catalog import Candidate
from screening.library.surfaces import build_slab_models, slab_spec
from screening.recipes.context import Context
from screening.schemas import Calculation, SlabRef


@dataclass(frozen=True)
class Surface:
    """A candidate's relaxed clean slab at one context's level."""

    ref: SlabRef
    #: The clean slab's energy at the context's level.
    clean: Calculation
    #: The relaxation it rests on (``clean`` itself without a geometry level).
    relaxed: Calculation

    @property
    def name(self) -> str:
        """The candidate's name."""
        return self.ref.candidate

    @property
    def n_atoms(self) -> int:
        return len(self.clean.atoms)

    def at_geometry(self) -> Surface:
        """The same slab as its geometry level sees it (its relaxation's energy)."""
        return Surface(self.ref, self.relaxed, self.relaxed)

    @classmethod
    def load(cls, ctx: Context, ref: SlabRef) -> Surface:
        """The slab a slab task relaxed, read from the store (counted as used)."""
        clean = ctx.fetch(ref.key)
        relaxed = clean if ref.relaxed_key == ref.key else ctx.fetch(ref.relaxed_key)
        return cls(ref, clean, relaxed)


def relax_slab(ctx: Context, candidate: Candidate, slab: str = "default") -> Surface:
    """Build the candidate's ``slab`` model and relax it (module doc)."""
    min_lateral = getattr(ctx.settings, SLABS[slab])
    model = build_slab_models(candidate, slab_spec(ctx.settings, candidate, min_lateral))[0]
    size = f"{model.supercell[0]}x{model.supercell[1]}"
    relaxed, clean = ctx.relax(model.atoms, f"{candidate.name}/slab-{size}")
    cell = model.atoms.cell.array[:2] / [[model.supercell[0]], [model.supercell[1]]]
    ref = SlabRef(candidate=candidate.name, slab=slab, key=clean.key, relaxed_key=relaxed.key,
                  supercell=model.supercell,
                  surface_cell=tuple(tuple(float(x) for x in row) for row in cell))
    return Surface(ref, clean, relaxed)
