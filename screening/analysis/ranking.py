"""Score and Pareto front of descriptor rows (the criteria file is documented
in ``ranking.toml`` next to this module, the shipped defaults).

Each criterion maps one descriptor column to a desirability d in [0, 1]
by a piecewise-linear curve; ``score = sum(w d) / sum(w)`` over the
criteria present in the row, ``coverage`` the fraction of the weight
present. Ranks and the Pareto front are taken within each level: numbers
from different levels are not comparable.

Bare Zn facets (family ``zn``) are baselines, not coatings: they get a
score, for comparison, but no rank, and are not on the Pareto front. Each
row also gets its descriptors relative to bare Zn(0001) at the same level
(``<column>_vs_zn``, when that row is in the table), the sigma of each
descriptor the accuracy ladder measured (``<column>_sigma``), and the
stability of the ranking under those sigmas (``p_top5``, ``score_sd``;
:mod:`screening.analysis.uncertainty`).
"""

from __future__ import annotations

import tomllib
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from screening.analysis.accuracy import DESCRIPTORS
from screening.analysis.uncertainty import ErrorModel, draws, sigma_column, top_k_fraction
from screening.descriptors.registry import COLUMNS
from screening.errors import ScreeningError
from screening.schemas import VerifyChoice

DEFAULT_CRITERIA = Path(__file__).with_name("ranking.toml")
#: The family of the bare-Zn baselines, and the baseline the others are compared with.
BASELINE_FAMILY = "zn"
BASELINE = "Zn(0001)"
#: Descriptors also given relative to bare Zn(0001) at the same level.
RELATIVE = ("e_ads_zn", "desolvation_total", "desolvation_max_step", "dg_h", "e_ads_h2o",
            "work_function")
RELATIVE_SUFFIX = "_vs_zn"
#: How many candidates the stability measure calls the top, and the draws it takes.
TOP = 5
RESAMPLES = 1000
#: Columns of the ranked table, in order; descriptor columns follow ``level``.
LEAD = ["rank", "name", "family", "baseline", "level", "score", "score_sd", "p_top5",
        "coverage", "pareto"]
TAIL = ["flags", "missing", "n_calculations"]
#: Columns rank() derives (replaced when a table is ranked again).
DERIVED = ["rank", "baseline", *LEAD[5:],
           *(c + RELATIVE_SUFFIX for c in RELATIVE), *(sigma_column(c) for c in DESCRIPTORS)]


@dataclass(frozen=True)
class Criterion:
    """One descriptor column, its weight and its desirability curve."""

    column: str
    weight: float
    #: (value, desirability) pairs, values strictly increasing.
    points: tuple[tuple[float, float], ...]

    def curve(self, values: np.ndarray) -> np.ndarray:
        """d in [0, 1] for each value of an array (NaN where the value is NaN)."""
        xs, ds = zip(*self.points)
        d = np.interp(values, xs, ds)
        d[np.isnan(values)] = np.nan
        return d

    def desirability(self, values: pd.Series) -> pd.Series:
        """d in [0, 1] for each value (NaN where the value is missing)."""
        numeric = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        return pd.Series(self.curve(numeric), index=values.index)


@dataclass(frozen=True)
class Criteria:
    criteria: tuple[Criterion, ...]
    #: The file they came from.
    source: Path

    @property
    def weighted(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.weight > 0)


def _criterion(column: str, table: Any, origin: str) -> Criterion:
    where = f"{origin}: criteria.{column}"
    if column not in COLUMNS:
        raise ScreeningError(f"{where}: unknown descriptor column "
                             f"(known: {', '.join(COLUMNS)})")
    if not isinstance(table, dict) or set(table) != {"weight", "points"}:
        raise ScreeningError(f"{where}: needs exactly 'weight' and 'points'")
    weight = table["weight"]
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
        raise ScreeningError(f"{where}: weight must be a number >= 0, got {weight!r}")
    points = table["points"]
    ok = (isinstance(points, list) and len(points) >= 2
          and all(isinstance(p, list) and len(p) == 2
                  and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p)
                  for p in points))
    if not ok:
        raise ScreeningError(f"{where}: points must be a list of at least two "
                             f"[value, desirability] number pairs")
    xs = [float(p[0]) for p in points]
    ds = [float(p[1]) for p in points]
    if any(b <= a for a, b in zip(xs, xs[1:])):
        raise ScreeningError(f"{where}: point values must increase strictly, got {xs}")
    if any(not 0.0 <= d <= 1.0 for d in ds):
        raise ScreeningError(f"{where}: desirabilities must lie in [0, 1], got {ds}")
    return Criterion(column, float(weight), tuple(zip(xs, ds)))


def load_criteria(path: Path | None = None) -> Criteria:
    """Read a criteria file (default: the shipped ``ranking.toml``)."""
    path = DEFAULT_CRITERIA if path is None else Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ScreeningError(f"{path}: ranking criteria file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScreeningError(f"{path}: cannot read the ranking criteria file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScreeningError(f"{path}: not valid TOML ({exc})") from None
    if set(data) != {"criteria"} or not isinstance(data["criteria"], dict):
        raise ScreeningError(f"{path}: expected only [criteria.COLUMN] tables")
    criteria = tuple(_criterion(column, table, str(path))
                     for column, table in data["criteria"].items())
    if not any(c.weight > 0 for c in criteria):
        raise ScreeningError(f"{path}: every criterion has weight 0; nothing to rank by")
    return Criteria(criteria, path)


def desirabilities(frame: pd.DataFrame, criteria: Criteria) -> pd.DataFrame:
    """One column per weighted criterion: d in [0, 1], NaN where missing."""
    return pd.DataFrame({c.column: c.desirability(frame[c.column]) if c.column in frame
                         else pd.Series(np.nan, index=frame.index) for c in criteria.weighted},
                        index=frame.index)


def pareto_front(d: pd.DataFrame) -> pd.Series:
    """True for rows no other row dominates (desirabilities, higher is better).

    Two rows are compared on the criteria both have; a row with none is
    not on the front.
    """
    values = d.to_numpy(dtype=float)
    present = ~np.isnan(values)
    front = present.any(axis=1)
    for i in np.flatnonzero(front):
        for j in range(len(values)):
            both = present[i] & present[j]
            if j == i or not both.any():
                continue
            if (np.all(values[j, both] >= values[i, both])
                    and np.any(values[j, both] > values[i, both])):
                front[i] = False
                break
    return pd.Series(front, index=d.index)


def _scores(d: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """sum(w d) / sum(w) over the criteria present (last axis), NaN with none."""
    present = ~np.isnan(d)
    got = (present * weights).sum(axis=-1)
    total = (np.nan_to_num(d) * weights).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(got > 0, total / got, np.nan)


def _stability(frame: pd.DataFrame, criteria: Criteria, errors: ErrorModel, level: str,
               seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(p_top5, score_sd) of the rows of one level (module doc)."""
    rng = np.random.default_rng(seed)
    weighted = criteria.weighted
    d = np.empty((RESAMPLES, len(frame), len(weighted)))
    for j, c in enumerate(weighted):
        values = pd.to_numeric(frame[c.column], errors="coerce").to_numpy(dtype=float)
        sigma = errors.get(level, c.column)
        drawn = (draws(values, sigma, RESAMPLES, rng)
                 if sigma else np.broadcast_to(values, (RESAMPLES, len(values))))
        d[:, :, j] = c.curve(drawn.ravel()).reshape(drawn.shape)
    scores = _scores(d, np.array([c.weight for c in weighted]))
    with warnings.catch_warnings():  # a row with no score has no spread either
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = np.nanstd(scores, axis=0)
    return top_k_fraction(scores, TOP), sd


def _relative(frame: pd.DataFrame) -> None:
    """Add ``<column>_vs_zn``: each row minus bare Zn(0001) at its level (NaN without it)."""
    base = frame[frame["name"] == BASELINE].drop_duplicates("level").set_index("level")
    for column in RELATIVE:
        reference = frame["level"].map(base[column]) if column in base else np.nan
        frame[column + RELATIVE_SUFFIX] = (pd.to_numeric(frame[column], errors="coerce")
                                           - pd.to_numeric(reference, errors="coerce")).round(4)


def rank(rows: list[dict[str, Any]] | pd.DataFrame, criteria: Criteria,
         errors: ErrorModel | None = None, seed: int = 0) -> pd.DataFrame:
    """The ranked table (module doc): score, its stability, coverage, Pareto flag and rank of
    the coatings within each level; ``errors`` gives the sigmas, ``seed`` the draws."""
    errors = errors or ErrorModel()
    frame = pd.DataFrame(rows).reset_index(drop=True)
    frame = frame.drop(columns=[c for c in DERIVED if c in frame])
    if frame.empty:
        return pd.DataFrame(columns=[*LEAD, *COLUMNS, *TAIL])
    for column in COLUMNS:
        if column not in frame:
            frame[column] = np.nan
    frame["baseline"] = frame["family"] == BASELINE_FAMILY
    _relative(frame)
    for column in DESCRIPTORS:
        frame[sigma_column(column)] = [errors.get(level, column) if pd.notna(v) else None
                                       for level, v in zip(frame["level"], frame[column])]
        frame[sigma_column(column)] = pd.to_numeric(frame[sigma_column(column)]).round(3)
    d = desirabilities(frame, criteria)
    weights = np.array([c.weight for c in criteria.weighted])
    frame["score"] = np.round(_scores(d.to_numpy(dtype=float), weights), 4)
    frame["coverage"] = (d.notna().to_numpy() @ weights / weights.sum()).round(3)
    frame["pareto"] = False
    frame["rank"] = pd.NA
    frame["p_top5"] = np.nan
    frame["score_sd"] = np.nan
    coatings = frame[~frame["baseline"]]
    for level, index in coatings.groupby("level").groups.items():
        frame.loc[index, "pareto"] = pareto_front(d.loc[index]).to_numpy()
        frame.loc[index, "rank"] = (frame.loc[index, "score"]
                                    .rank(ascending=False, method="min").astype("Int64"))
        p_top, sd = _stability(frame.loc[index], criteria, errors, str(level), seed)
        frame.loc[index, "p_top5"] = p_top.round(3)
        frame.loc[index, "score_sd"] = sd.round(4)
    frame["rank"] = frame["rank"].astype("Int64")
    frame = frame.sort_values(["level", "rank", "name"], na_position="last")
    extra = [c for c in frame.columns if c not in (*LEAD, *COLUMNS, *TAIL)]
    return frame[[*LEAD, *COLUMNS, *[c for c in TAIL if c in frame], *extra]].reset_index(
        drop=True)


def top_stability(table: pd.DataFrame, level: str) -> float | None:
    """The mean ``p_top5`` of the nominal top 5 of ``level``: the expected fraction of them
    still in the top 5 in a draw (1: the top 5 never changes), or None without ranks."""
    ranked = table[(table["level"] == level) & table["rank"].notna()].sort_values("rank")
    top = ranked.head(TOP)["p_top5"]
    return None if top.empty or top.isna().all() else float(top.mean())


def verify_choice(table: pd.DataFrame, k: int, choose: str = "best") -> list[str]:
    """Names of ``k`` ranked coatings of a one-level table: the first ``k`` (``best``), or
    the ``k`` whose place in the top 5 is least certain (``uncertain``: ``p_top5``
    nearest 1/2, the better rank first among equals)."""
    ranked = table[table["rank"].notna()].sort_values("rank", kind="stable")
    if VerifyChoice(choose) == VerifyChoice.UNCERTAIN:
        doubt = (ranked["p_top5"] - 0.5).abs()
        ranked = ranked.assign(doubt=doubt).sort_values(["doubt", "rank"], kind="stable")
    return ranked.head(k)["name"].tolist()


def uncertainty_lines(table: pd.DataFrame, errors: ErrorModel, levels: list[str]) -> list[str]:
    """Per level: the sigmas its values carry and how stable its top 5 is."""
    lines = []
    for level in levels:
        lines.append(errors.describe(level))
        stable = top_stability(table, level)
        if stable is not None and errors.sigma_of(level):
            lines.append(f"  top {TOP} at {level}: on average {stable:.0%} of them stay in the "
                         f"top {TOP} over {RESAMPLES} draws within those sigmas (p_top5)")
    return lines
