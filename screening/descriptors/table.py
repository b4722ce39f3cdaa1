"""One row of the results table per candidate and level, from its descriptor values.

Light on purpose (no calculator, no recipe): the flow assembles rows with
it and the results files and ranking read them.
"""

from __future__ import annotations

from typing import Any

from screening.descriptors.registry import COLUMNS, GROUPS
from screening.schemas import CandidateSummary, Described, GroupResult, Value


def missing_group(name: str, reason: str) -> GroupResult:
    """A group none of whose columns could be computed, and why."""
    return GroupResult(GROUPS[name].missing(reason), {}, 0.0, failure=reason)


def assemble(candidate: CandidateSummary, level: str,
             results: dict[str, GroupResult]) -> Described:
    """One candidate's descriptors from its task results (slabs and groups), by task name."""
    values: dict[str, Value] = {}
    used: dict[str, bool] = {}
    for result in results.values():
        values.update(result.values)
        for key, computed in result.used.items():
            used[key] = used.get(key, False) or computed
    return Described(candidate, level, values, n_calculations=len(used),
                     computed_now=sum(used.values()),
                     timings={name: r.seconds for name, r in results.items()})


def table_row(described: Described) -> dict[str, Any]:
    """The table row: name, family, level, every column, flags, missing, n_calculations."""
    row: dict[str, Any] = {"name": described.name, "family": described.candidate["family"],
                           "level": described.level}
    flags: list[str] = []
    missing = []
    for column in COLUMNS:
        value = described.values.get(column)
        row[column] = None if value is None or value.value is None else round(value.value, 4)
        if value is None:
            missing.append(f"{column}: not requested")
        elif value.value is None:
            missing.append(f"{column}: {value.reason}")
        for flag in (value.flags if value else []):
            if flag not in flags:
                flags.append(flag)
    row["flags"] = "; ".join(flags)
    row["missing"] = "; ".join(missing)
    row["n_calculations"] = described.n_calculations
    return row
