"""The results table on disk: what ``znscreen run`` writes and ``query``/``show``/``report`` read.

In the results directory:

* ``ranking.csv`` and ``ranking.parquet``: the ranked table
  (:func:`screening.analysis.ranking.rank`), one row per candidate and level;
* ``details.json``: per row, every descriptor's value, unit, flags, the
  reason it is missing, the store keys of its calculations and its details
  (per-site tables, desolvation profiles), plus timings and failures.

A run merges its rows into what is there (a row with the same name and level
is replaced) and re-ranks everything. Each file is written under a temporary name and then
renamed over the old one, so none is ever left half-written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from screening.analysis.ranking import Criteria, rank
from screening.analysis.uncertainty import ErrorModel
from screening.descriptors.table import table_row
from screening.errors import ScreeningError
from screening.files import atomic_path
from screening.schemas import Described, RowDetails

CSV = "ranking.csv"
PARQUET = "ranking.parquet"
DETAILS = "details.json"


def row_id(name: str, level: str) -> str:
    return f"{name} @ {level}"


@dataclass
class RunRecord:
    """What one run adds: described candidates and the failures met."""

    described: list[Described] = field(default_factory=list)
    #: Candidate name -> why (part of) it failed, one line each.
    failures: dict[str, list[str]] = field(default_factory=dict)
    #: Every calculation the run used (references included): key -> computed now.
    used: dict[str, bool] = field(default_factory=dict)

    def details(self) -> dict[str, RowDetails]:
        return {row_id(d.name, d.level): {
            "name": d.name, "level": d.level, "candidate": d.candidate,
            "values": {column: v.doc() for column, v in d.values.items()},
            "timings_s": {k: round(s, 2) for k, s in d.timings.items()},
            "n_calculations": d.n_calculations,
            "failures": self.failures.get(d.name, [])} for d in self.described}


def save(results_dir: Path, record: RunRecord, criteria: Criteria,
         errors: ErrorModel | None = None) -> pd.DataFrame:
    """Merge a run's rows into the results files, re-rank (with the sigmas of ``errors``),
    write; return the table."""
    results_dir.mkdir(parents=True, exist_ok=True)
    details = read_details(results_dir) if (results_dir / DETAILS).exists() else {}
    old = load_table(results_dir) if (results_dir / CSV).exists() else pd.DataFrame()
    new_rows = [table_row(d) for d in record.described]
    new_ids = {row_id(r["name"], r["level"]) for r in new_rows}
    kept = [] if old.empty else [
        r for r in old.to_dict("records") if row_id(r["name"], r["level"]) not in new_ids]
    table = rank([*kept, *new_rows], criteria, errors)
    details.update(record.details())
    text = json.dumps(details, indent=1, default=str)
    with (atomic_path(results_dir / CSV) as csv, atomic_path(results_dir / PARQUET) as parquet,
          atomic_path(results_dir / DETAILS) as details_file):
        table.to_csv(csv, index=False)
        table.to_parquet(parquet, index=False)
        details_file.write_text(text)
    return table


def _missing(results_dir: Path) -> ScreeningError:
    return ScreeningError(f"no results in {results_dir}: run 'znscreen run' first")


def load_table(results_dir: Path) -> pd.DataFrame:
    """The ranked table (Parquet if present, else CSV)."""
    parquet, csv = results_dir / PARQUET, results_dir / CSV
    try:
        if parquet.exists():
            table = pd.read_parquet(parquet)
        elif csv.exists():
            table = pd.read_csv(csv, keep_default_na=True)
        else:
            raise _missing(results_dir)
    except (OSError, ValueError) as exc:
        raise ScreeningError(f"{parquet if parquet.exists() else csv}: cannot read the "
                             f"results table ({exc})") from None
    if table.empty:
        raise _missing(results_dir)
    for text in ("flags", "missing"):
        if text in table:
            table[text] = table[text].fillna("")
    return table


def read_details(results_dir: Path) -> dict[str, RowDetails]:
    path = results_dir / DETAILS
    if not path.exists():
        raise _missing(results_dir)
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ScreeningError(f"{path}: cannot read the results details ({exc})") from None


def query(table: pd.DataFrame, where: str | None = None, sort: str | None = None,
          top: int | None = None, level: str | None = None) -> pd.DataFrame:
    """Rows of the table filtered by level and a pandas expression, sorted, cut to ``top``.

    ``sort`` is a column name (ascending), or ``-name`` for descending; by
    default the rank order of each level is kept.
    """
    if level is not None:
        if level not in set(table["level"]):
            known = ", ".join(sorted(set(table["level"])))
            raise ScreeningError(f"no results at level {level!r} (levels in the table: {known})")
        table = table[table["level"] == level]
    if where:
        try:
            mask = table.eval(where, engine="python")
        except Exception as exc:  # pandas raises many kinds here; all are bad input
            raise ScreeningError(f"invalid --where {where!r}: {type(exc).__name__}: "
                                 f"{str(exc).splitlines()[0] if str(exc) else ''}") from None
        if not isinstance(mask, pd.Series) or mask.dtype != bool:
            raise ScreeningError(f"invalid --where {where!r}: not a true/false condition "
                                 f"on the columns")
        table = table[mask]
    if sort:
        column = sort.lstrip("-")
        if column not in table.columns:
            raise ScreeningError(f"unknown --sort column {column!r} "
                                 f"(columns: {', '.join(table.columns)})")
        table = table.sort_values(column, ascending=not sort.startswith("-"),
                                  na_position="last", kind="stable")
    if top is not None:
        if top < 1:
            raise ScreeningError(f"--top must be at least 1, got {top}")
        table = table.head(top)
    return table
