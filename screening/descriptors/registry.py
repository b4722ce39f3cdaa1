"""Every descriptor group, in one place: its columns, references, function and slab.

A group is a set of table columns computed together by one function of
``(context, surface)`` (``compute``: ``"module:function"``, imported only
when the group runs, so reading results never loads a calculator). It
needs the shared references named in ``references`` before it starts, and
the relaxed clean slab named in ``slab`` (:data:`SLABS`). Adding a
descriptor is one module with its function, one entry here, and one
criterion in ``screening/analysis/ranking.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Callable

from screening.errors import ScreeningError
from screening.schemas import Column, Value

if TYPE_CHECKING:
    from screening.recipes.context import Context
    from screening.recipes.slab import Surface

#: The slab models a group can ask for: name -> the setting that gives its
#: minimum lateral size (A).
SLABS: dict[str, str] = {"default": "slab_min_lateral", "cluster": "cluster_min_lateral"}

#: The shared references (:mod:`screening.recipes.references`), computed once
#: per level and used by every candidate.
REFERENCE_NAMES = ("zn_bulk", "zn_atom", "h2o", "h2", "clusters")


@dataclass(frozen=True)
class Group:
    """One descriptor group (module doc)."""

    name: str
    columns: dict[str, Column]
    #: ``"module:function"`` of ``(Context, Surface) -> dict[column, Value]``.
    compute: str
    references: tuple[str, ...] = ()
    slab: str = "default"
    #: Computed only when asked for (not among the default groups).
    optional: bool = False

    def function(self) -> Callable[[Context, Surface], dict[str, Value]]:
        module, name = self.compute.split(":")
        return getattr(import_module(module), name)

    def missing(self, reason: str) -> dict[str, Value]:
        """Every column of the group missing, with ``reason``."""
        return {name: Value.missing(column.unit, reason) for name, column in self.columns.items()}


_EV = "eV"
GROUPS: dict[str, Group] = {g.name: g for g in (
    Group("zn", {
        "e_ads_zn": Column(_EV, "Zn adatom adsorption energy vs bulk hcp Zn, best site"),
        "e_ads_zn_atom": Column(_EV, "Zn adatom adsorption energy vs the isolated Zn atom"),
    }, "screening.descriptors.adsorption:zn_adsorption", ("zn_bulk", "zn_atom")),
    Group("desolvation", {
        "desolvation_total": Column(_EV, "sum of the six water-removal steps of [Zn(H2O)6] "
                                         "on S"),
        "desolvation_max_step": Column(_EV, "largest single water-removal step on S"),
        "desolvation_vs_free": Column(_EV, "desolvation_total on S minus that of the free "
                                           "cluster"),
    }, "screening.descriptors.desolvation:desolvation", ("h2o", "clusters"), slab="cluster"),
    Group("her", {
        "dg_h": Column(_EV, "H adsorption free energy, E(S+H) - E(S) - E(H2)/2 + 0.24"),
    }, "screening.descriptors.adsorption:hydrogen_adsorption", ("h2",)),
    Group("water", {
        "e_ads_h2o": Column(_EV, "water adsorption energy, best top site"),
    }, "screening.descriptors.adsorption:water_adsorption", ("h2o",)),
    Group("epitaxy", {
        "mismatch_zn0001": Column("fraction", "smallest coincidence-lattice strain on "
                                              "Zn(0001)"),
    }, "screening.descriptors.epitaxy:epitaxy"),
    Group("electronic", {
        "band_gap": Column(_EV, "Kohn-Sham band gap of the clean slab (DFT levels)"),
        "work_function": Column(_EV, "vacuum level above the top surface minus Fermi level "
                                     "(DFT)"),
    }, "screening.descriptors.electronic:electronic"),
    Group("diffusion", {
        "diffusion_barrier": Column(_EV, "Zn hop barrier (CI-NEB) from the best site; "
                                         "optional"),
    }, "screening.descriptors.diffusion:diffusion", optional=True),
)}

#: The descriptor columns, their units and meaning, in table order (docs/descriptors.md).
COLUMNS: dict[str, Column] = {name: column for g in GROUPS.values()
                              for name, column in g.columns.items()}
GROUP_NAMES = tuple(GROUPS)
#: Every group but the optional ones (the NEB), which are asked for per run.
DEFAULT_GROUPS = tuple(name for name, g in GROUPS.items() if not g.optional)


def check_groups(groups: tuple[str, ...]) -> None:
    """Refuse an unknown descriptor group in one line."""
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        raise ScreeningError(f"unknown descriptor group {unknown[0]!r} "
                             f"(known: {', '.join(GROUP_NAMES)})")


def references_for(groups: tuple[str, ...]) -> tuple[str, ...]:
    """The shared references ``groups`` need, each once, in a stable order."""
    return tuple(dict.fromkeys(r for g in groups for r in GROUPS[g].references))


def slabs_for(groups: tuple[str, ...]) -> tuple[str, ...]:
    """The slab models ``groups`` need, each once."""
    return tuple(dict.fromkeys(GROUPS[g].slab for g in groups))
