"""Slab models for catalog candidates: reads the structure, cuts or takes it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from ase import Atoms

from screening.atoms.geometry import atomic_layers, shortest_lattice_vector
from screening.atoms.reading import read_structure
from screening.atoms.slabs import (SlabModel, SlabSpec, cut_bulk, finish, formal_dipole,
                                   standardize)
from screening.errors import ScreeningError
from screening.library.catalog import Candidate
from screening.settings import Settings


def slab_spec(settings: Settings, candidate: Candidate | None = None,
              min_lateral: float | None = None) -> SlabSpec:
    """The slab recipe from settings, with a candidate's and a caller's overrides."""
    spec = SlabSpec(layers=settings.slab_layers, vacuum=settings.slab_vacuum,
                    min_lateral=settings.slab_min_lateral,
                    fixed_fraction=settings.fixed_layer_fraction,
                    layer_tolerance=settings.layer_tolerance,
                    max_atoms=settings.max_slab_atoms)
    if candidate is not None and candidate.layers:
        spec = replace(spec, layers=candidate.layers)
    if min_lateral is not None:
        spec = replace(spec, min_lateral=min_lateral)
    if candidate is not None and candidate.min_lateral:
        spec = replace(spec, min_lateral=max(spec.min_lateral, candidate.min_lateral))
    return spec


def build_slab_models(candidate: Candidate, spec: SlabSpec,
                      structure: Atoms | None = None) -> list[SlabModel]:
    """Every slab model the candidate's termination rule selects (usually one).

    ``structure`` replaces the candidate's file (used to test a file before
    it is registered).
    """
    if structure is None:
        structure = read_structure(candidate.structure.path)
    if candidate.structure.kind == "bulk":
        cuts = cut_bulk(structure, candidate.miller, spec, candidate.termination)
        pieces = [(cut.atoms, cut.termination, True, cut.broken, False) for cut in cuts]
    else:
        pieces = [(standardize(structure, spec.vacuum), "as given", candidate.structure.kind == "slab",
                   None, True)]
    models = []
    for atoms, termination, fix, broken, keep in pieces:
        slab, repeat, n_fixed, flags = finish(atoms, spec, fix=fix, dopant=candidate.dopant,
                                              keep_constraints=keep)
        dipole = formal_dipole(slab)
        symmetric = not any(f.startswith("asymmetric") for f in flags)
        models.append(SlabModel(
            atoms=slab,
            termination=termination,
            n_layers=len(atomic_layers(slab.positions[:, 2], spec.layer_tolerance)),
            n_fixed=n_fixed,
            symmetric=symmetric,
            polar=None if dipole is None else (dipole > 1e-3),
            stoichiometric=candidate.dopant is None,
            supercell=repeat,
            lateral=shortest_lattice_vector(slab.cell.array[:2, :2]),
            vacuum=float(slab.cell[2, 2] - np.ptp(slab.positions[:, 2])),
            broken_bonds_per_area=broken,
            flags=flags,
        ))
    return models


def largest_first(settings: Settings, candidates: list[Candidate]) -> list[Candidate]:
    """Candidates by the atom count of their default slab model, largest first
    (for scheduling: no big one left for the end). A candidate whose slab
    cannot be built goes last; computing it will say why."""
    def size(candidate: Candidate) -> int:
        try:
            return len(build_slab_models(candidate, slab_spec(settings, candidate))[0].atoms)
        except ScreeningError:
            return 0

    return sorted(candidates, key=size, reverse=True)
