"""``znscreen finetune``: a new level, CHGNet fine-tuned on the store's DFT rows.

Everything the request names is checked before any training: the new name
is free and well formed, the base level is a CHGNet level whose model
loads, the source level is a DFT level with finished calculations in the
store, every hold-out names a catalog candidate with training data. The
model is written under a temporary name and registered (with its SHA-256
and provenance) only when training has finished, so a failure leaves
nothing behind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from screening.calculators.levels import Level, all_levels, get_level
from screening.errors import ScreeningError
from screening.files import atomic_path
from screening.library.catalog import Catalog
from screening.settings import Settings
from screening.store.database import Store, redact
from screening.training.hyperparameters import Hyperparameters
from screening.training.dataset import REFERENCES, samples, split
from screening.training.registry import register

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")


@dataclass(frozen=True)
class FinetuneRequest:
    """A fine-tuning: the new level's name, the DFT level learned, the model started from."""

    name: str
    source: str = "dft"
    base: str = "mlip"
    holdout: tuple[str, ...] = ()
    hyper: Hyperparameters = field(default_factory=Hyperparameters)
    #: Store of the DFT rows; empty: the settings' store.
    database: str = ""


def check_request(settings: Settings, request: FinetuneRequest) -> tuple[Level, Level]:
    """(base level, source level), or a one-line error about the request."""
    from screening.calculators.factory import check_level

    levels = all_levels(settings.levels)
    if not NAME.fullmatch(request.name):
        raise ScreeningError(f"level name {request.name!r}: use letters, digits and . _ + - "
                             f"(no '//', which marks a single point on another geometry)")
    if request.name in levels:
        raise ScreeningError(f"level name {request.name!r} is already taken")
    base = get_level(request.base, settings.levels)
    if base.engine != "chgnet":
        raise ScreeningError(f"--base {request.base}: fine-tuning needs a CHGNet level "
                             f"(engine chgnet), not {base.engine}")
    check_level(base)
    source = get_level(request.source, settings.levels)
    if source.engine != "gpaw":
        raise ScreeningError(f"--from {request.source}: the rows to learn must be DFT "
                             f"(engine gpaw), not {source.engine}")
    catalog = Catalog(settings)
    for name in request.holdout:
        if name not in catalog:
            raise ScreeningError(f"--holdout {name!r} names no candidate in the library")
    return base, source


def finetune_level(settings: Settings, request: FinetuneRequest,
                   log: Callable[[str], Any] = print) -> dict[str, Any]:
    """Fine-tune, save and register the level; return its provenance."""
    from screening.calculators.factory import file_sha256
    from screening.training.chgnet import base_model, finetune, save

    base, source = check_request(settings, request)
    store = Store(request.database or settings.store_url, settings.stale_after)
    found = samples(store, source.name)
    train, held_out = split(found, request.holdout)
    surfaces = sorted({s.surface for s in train} - {REFERENCES})
    log(f"fine-tuning {base.name} on {len(train)} {source.name} structures from "
        f"{redact(store.url)} ({len(surfaces)} surfaces and the references; "
        f"{len(held_out)} held out)")
    model = base_model(base.model_version, base.model)
    losses = finetune(model, train, held_out, request.hyper, log)
    target = settings.finetune_dir / f"{request.name}.pth.tar"
    with atomic_path(target) as tmp:
        save(model, tmp)
        sha = file_sha256(tmp)
        level = {"base": "mlip", "model": str(target), "model_sha256": sha,
                 "model_version": base.model_version,
                 "description": f"{base.name} fine-tuned on {source.name} "
                                f"({len(train)} structures)"}
        trained = {"source_level": source.name, "base_level": base.name,
                   "store": redact(store.url), "hyperparameters": request.hyper.as_dict(),
                   "train_keys": sorted({s.key for s in train}),
                   "train_surfaces": surfaces, "holdout": list(request.holdout),
                   "holdout_keys": sorted({s.key for s in held_out}),
                   "n_train": len(train), "n_holdout": len(held_out), "losses": losses}
        register(settings.finetune_dir, request.name, level, trained)
    return {"level": level, **trained}
