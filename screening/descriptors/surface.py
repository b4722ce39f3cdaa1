"""The relaxed clean slab of a candidate, the base of every surface descriptor."""

from __future__ import annotations

from dataclasses import dataclass

from screening.atoms.slabs import SlabModel
from screening.library.catalog import Candidate
from screening.library.surfaces import build_slab_models, slab_spec
from screening.recipes.context import Context
from screening.runners.compute import Calculation


@dataclass
class Surface:
    """A candidate's slab model and its relaxed clean slab at one level."""

    candidate: Candidate
    model: SlabModel
    clean: Calculation

    @property
    def n_atoms(self) -> int:
        return len(self.clean.atoms)


def clean_surface(ctx: Context, candidate: Candidate, min_lateral: float | None = None) -> Surface:
    """Relax the candidate's slab (first model of its termination rule).

    ``min_lateral`` (A) asks for a wider supercell than the settings' default
    (the hydrated cluster needs one).
    """
    spec = slab_spec(ctx.settings, candidate, min_lateral=min_lateral)
    model = build_slab_models(candidate, spec)[0]
    size = f"{model.supercell[0]}x{model.supercell[1]}"
    clean = ctx.run(model.atoms, f"{candidate.name}/slab-{size}", relax=True)
    return Surface(candidate, model, clean)
