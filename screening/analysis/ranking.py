"""Score and Pareto front of descriptor rows (the criteria file is documented
in ``ranking.toml`` next to this module, the shipped defaults).

Each criterion maps one descriptor column to a desirability d in [0, 1]
by a piecewise-linear curve; ``score = sum(w d) / sum(w)`` over the
criteria present in the row, ``coverage`` the fraction of the weight
present. Ranks and the Pareto front are taken within each level: numbers
from different levels are not comparable.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from screening.descriptors.registry import COLUMNS
from screening.errors import ScreeningError

DEFAULT_CRITERIA = Path(__file__).with_name("ranking.toml")
#: Columns of the ranked table, in order; descriptor columns follow ``level``.
LEAD = ["rank", "name", "family", "level", "score", "coverage", "pareto"]
TAIL = ["flags", "missing", "n_calculations"]


@dataclass(frozen=True)
class Criterion:
    """One descriptor column, its weight and its desirability curve."""

    column: str
    weight: float
    #: (value, desirability) pairs, values strictly increasing.
    points: tuple[tuple[float, float], ...]

    def desirability(self, values: pd.Series) -> pd.Series:
        """d in [0, 1] for each value (NaN where the value is missing)."""
        xs, ds = zip(*self.points)
        numeric = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        d = np.interp(numeric, xs, ds)
        d[np.isnan(numeric)] = np.nan
        return pd.Series(d, index=values.index)


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


def rank(rows: list[dict[str, Any]] | pd.DataFrame, criteria: Criteria) -> pd.DataFrame:
    """The ranked table: score, coverage, Pareto flag and rank within each level."""
    frame = pd.DataFrame(rows).reset_index(drop=True)
    if frame.empty:
        return pd.DataFrame(columns=[*LEAD, *COLUMNS, *TAIL])
    for column in COLUMNS:
        if column not in frame:
            frame[column] = np.nan
    d = desirabilities(frame, criteria)
    weights = pd.Series({c.column: c.weight for c in criteria.weighted})
    present = d.notna()
    got = present.mul(weights, axis=1).sum(axis=1)
    frame["score"] = (d.fillna(0.0).mul(weights, axis=1).sum(axis=1) / got.where(got > 0)).round(4)
    frame["coverage"] = (got / weights.sum()).round(3)
    frame["pareto"] = False
    frame["rank"] = pd.NA
    for _, index in frame.groupby("level").groups.items():
        frame.loc[index, "pareto"] = pareto_front(d.loc[index]).to_numpy()
        frame.loc[index, "rank"] = (frame.loc[index, "score"]
                                    .rank(ascending=False, method="min").astype("Int64"))
    frame["rank"] = frame["rank"].astype("Int64")
    frame = frame.sort_values(["level", "rank", "name"], na_position="last")
    extra = [c for c in frame.columns if c not in (*LEAD, *COLUMNS, *TAIL)]
    return frame[[*LEAD, *COLUMNS, *[c for c in TAIL if c in frame], *extra]].reset_index(
        drop=True)
