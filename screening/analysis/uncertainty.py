"""How far a fast level's descriptor values can be trusted, and how stable a ranking is.

The **error model** gives, per level and descriptor, ``sigma`` (eV): the
root-mean-square difference between that level's values and those of the
most accurate level measured on the same systems of the reference set
(``benchmarks/reference_set.py``; the first of :data:`REFERENCES` fit for
the descriptor, :func:`~screening.analysis.accuracy.references_for`, with at
least :data:`MIN_SYSTEMS` systems in common). It includes the systematic
offset, so it is the error of an absolute value. A level with no such
measurement (``pair``, a level defined in the settings, the reference
itself) has no sigma, and its values carry none.

The **top-k stability** of a ranking draws every sigma-carrying value
``resamples`` times from a normal distribution around it (independent
errors: the conservative choice, as errors shared by all candidates would
leave their order alone), scores and ranks each draw, and reports per
candidate the fraction of draws in which it is among the first ``k``
(``p_top5``) and the standard deviation of its score (``score_sd``).

Pure: numpy and JSON, no calculator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from screening.analysis.accuracy import (DEFAULT_VALUES, DESCRIPTORS, MIN_SYSTEMS, REFERENCES,
                                         ValueRow, by_system, read_values, references_for)

if TYPE_CHECKING:
    from screening.settings import Settings

#: Suffix of the table columns holding each descriptor's sigma.
SIGMA = "_sigma"


@dataclass(frozen=True)
class ErrorModel:
    """Measured errors: (level, descriptor) -> sigma (eV), with what it was measured against."""

    sigma: dict[tuple[str, str], float] = field(default_factory=dict)
    #: (level, descriptor) -> (reference level, number of systems).
    against: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)

    def get(self, level: str, descriptor: str) -> float | None:
        return self.sigma.get((level, descriptor))

    def sigma_of(self, level: str) -> dict[str, float]:
        """Descriptor -> sigma (eV) of ``level``."""
        return {d: s for (lv, d), s in self.sigma.items() if lv == level}

    def describe(self, level: str) -> str:
        """One line: the sigmas of ``level`` and what they were measured against."""
        parts = [f"{d} +-{self.sigma[(level, d)]:.2f} eV (vs {ref}, n={n})"
                 for (lv, d), (ref, n) in self.against.items() if lv == level]
        if not parts:
            return f"level {level}: no measured error against DFT; its values carry no sigma"
        return f"level {level}: " + "; ".join(parts)


def error_model(rows: list[ValueRow]) -> ErrorModel:
    """The error model of value rows (module doc)."""
    model = ErrorModel()
    levels = sorted({r["level"] for r in rows})
    for descriptor in DESCRIPTORS:
        for level in levels:
            mine = by_system(rows, level, descriptor)
            # a reference level is measured only against a better one, and only
            # against a level fit for the descriptor
            better = REFERENCES[:REFERENCES.index(level)] if level in REFERENCES else REFERENCES
            for reference in [r for r in better if r in references_for(descriptor)]:
                theirs = by_system(rows, reference, descriptor)
                common = sorted(set(mine) & set(theirs))
                if len(common) >= MIN_SYSTEMS:
                    rms = math.sqrt(sum((mine[c] - theirs[c]) ** 2 for c in common) / len(common))
                    model.sigma[(level, descriptor)] = rms
                    model.against[(level, descriptor)] = (reference, len(common))
                    break
    return model


def load_error_model(paths: list[Path]) -> ErrorModel:
    """The error model of the value files among ``paths`` that exist (none: empty)."""
    return error_model([row for path in paths if Path(path).exists()
                        for row in read_values(Path(path))])


def error_model_for(settings: Settings) -> ErrorModel:
    """The error model of the settings' ``reference_values`` (default: the committed
    reference set)."""
    return load_error_model([Path(p) for p in settings.reference_values] or [DEFAULT_VALUES])


def sigma_column(descriptor: str) -> str:
    return descriptor + SIGMA


def draws(values: np.ndarray, sigma: float, resamples: int,
          rng: np.random.Generator) -> np.ndarray:
    """``resamples`` x rows normal draws of standard deviation ``sigma`` around ``values``
    (NaN stays NaN)."""
    return values[None, :] + sigma * rng.standard_normal((resamples, len(values)))


def top_k_fraction(scores: np.ndarray, k: int) -> np.ndarray:
    """Per row, the fraction of draws (rows of ``scores``: draws x candidates, higher is
    better, NaN never counts) in which it is among the first ``k``."""
    filled = np.where(np.isnan(scores), -np.inf, scores)
    order = np.argsort(-filled, axis=1, kind="stable")
    top = np.zeros_like(filled, dtype=bool)
    np.put_along_axis(top, order[:, :k], True, axis=1)
    top &= ~np.isnan(scores)
    return top.mean(axis=0)
