"""Is a candidate's slab model big enough? E_ads(Zn) against one more layer and one more repeat.

:func:`converge` computes ``e_ads_zn`` (group ``zn``: every site relaxed,
best site, vs bulk Zn) on the default slab model, then on models one step
thicker (the next number of atomic layers that adds atoms, so that the
termination rule keeps the slab stoichiometric and symmetric) until two
successive values differ by less than ``tolerance``; then likewise one
repeat wider (the next supercell that reaches past the current shortest
lateral length). The model it stops at is the converged default: the
thinnest and narrowest one whose next step changed ``e_ads_zn`` by less than
``tolerance`` (eV). Every calculation goes through the context's store, so a
second run computes nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Literal

from screening.descriptors.compute import describe
from screening.errors import ScreeningError
from screening.library.catalog import Candidate
from screening.library.surfaces import build_slab_models, slab_spec
from screening.recipes.context import Context, open_context

#: Largest increase of the layer count tried to find a thicker model.
MAX_LAYER_STEP = 6
#: Added to the current shortest lateral length to ask for the next repeat (A).
LATERAL_STEP = 0.01


@dataclass(frozen=True)
class Point:
    """``e_ads_zn`` (eV) on one slab model."""

    direction: Literal["start", "thicker", "wider"]
    layers: int | None  # the candidate's layer setting (None: a sheet or ready slab)
    min_lateral: float  # A
    n_atoms: int
    supercell: tuple[int, int]
    e_ads_zn: float | None
    reason: str = ""
    keys: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Convergence:
    """The outcome for one candidate at one level."""

    candidate: str
    level: str
    tolerance: float  # eV
    points: list[Point]
    layers: int | None  # converged layer setting (None where layers do not apply)
    min_lateral: float  # converged minimum lateral length (A)
    thickness_converged: bool
    lateral_converged: bool
    #: The defaults this run started from.
    start_layers: int | None
    start_min_lateral: float
    #: Why a direction stopped before it converged or used its steps, by direction
    #: ("thickness", "lateral size"): e.g. the next model is past max_slab_atoms.
    limits: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """Whether the converged model is bigger than the default one."""
        return (self.layers != self.start_layers
                or self.min_lateral != self.start_min_lateral)

    def doc(self) -> dict:
        """A JSON-ready record."""
        return {**asdict(self), "changed": self.changed}


def _model(ctx: Context, candidate: Candidate, min_lateral: float):
    return build_slab_models(candidate, slab_spec(ctx.settings, candidate, min_lateral))[0]


def _point(ctx: Context, candidate: Candidate, min_lateral: float, direction: str) -> Point:
    """``e_ads_zn`` on the candidate's default slab at ``min_lateral``."""
    sized = open_context(ctx.settings.replace(slab_min_lateral=min_lateral), ctx.level.name,
                         run_id=ctx.run_id)
    model = _model(sized, candidate, min_lateral)
    value = describe(sized, candidate, ("zn",)).values["e_ads_zn"]
    ctx.used.extend(sized.used)
    return Point(direction, candidate.layers, min_lateral, len(model.atoms), model.supercell,
                 value.value, value.reason, list(value.keys))


def _thicker(ctx: Context, candidate: Candidate, min_lateral: float) -> Candidate | None:
    """The bulk candidate (its ``layers`` set) with the next layer count that gives a
    thicker model (None: none)."""
    now = len(_model(ctx, candidate, min_lateral).atoms)
    for step in range(1, MAX_LAYER_STEP + 1):
        grown = replace(candidate, layers=candidate.layers + step)
        try:
            if len(_model(ctx, grown, min_lateral).atoms) > now:
                return grown
        except ScreeningError:  # e.g. past max_slab_atoms: no thicker model
            return None
    return None


def _close(a: Point, b: Point, tolerance: float) -> bool:
    return a.e_ads_zn is not None and b.e_ads_zn is not None and abs(
        a.e_ads_zn - b.e_ads_zn) < tolerance


def converge(ctx: Context, candidate: Candidate, tolerance: float = 0.05,
             max_steps: int = 2) -> Convergence:
    """Grow the candidate's slab model until ``e_ads_zn`` changes by < ``tolerance`` (module doc).

    At most ``max_steps`` growths in each direction; a direction that is
    still changing after them is reported unconverged at its largest model.
    """
    bulk = candidate.structure.kind == "bulk"
    start_layers = (candidate.layers or ctx.settings.slab_layers) if bulk else None
    candidate = replace(candidate, layers=start_layers) if bulk else candidate
    lateral = start_lateral = slab_spec(ctx.settings, candidate).min_lateral
    current = _point(ctx, candidate, lateral, "start")
    if current.e_ads_zn is None:
        raise ScreeningError(f"{candidate.name}: no e_ads_zn on the default slab "
                             f"({current.reason})")
    points = [current]
    limits: dict[str, str] = {}

    thick_ok = not bulk  # a sheet or ready slab has no layers to grow
    for _ in range(max_steps if bulk else 0):
        grown = _thicker(ctx, candidate, lateral)
        if grown is None:
            limits["thickness"] = (f"no thicker model within {MAX_LAYER_STEP} more layers and "
                                   f"{ctx.settings.max_slab_atoms} atoms")
            break
        nxt = _point(ctx, grown, lateral, "thicker")
        points.append(nxt)
        if _close(current, nxt, tolerance):
            thick_ok = True
            break
        candidate, current = grown, nxt

    wide_ok = False
    for _ in range(max_steps):
        wider = _model(ctx, candidate, lateral).lateral + LATERAL_STEP
        try:
            nxt = _point(ctx, candidate, wider, "wider")
        except ScreeningError as exc:  # past max_slab_atoms
            limits["lateral size"] = str(exc)
            break
        points.append(nxt)
        if _close(current, nxt, tolerance):
            wide_ok = True
            break
        lateral, current = wider, nxt

    return Convergence(candidate.name, ctx.name, tolerance, points,
                       candidate.layers if bulk else None, lateral,
                       thick_ok, wide_ok, start_layers, start_lateral, limits)
