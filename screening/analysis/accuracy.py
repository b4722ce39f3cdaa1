"""The accuracy ladder: each level's descriptor values against a reference level.

The input is a list of value rows, one per (level, candidate, descriptor),
as the reference-set script writes them (``benchmarks/reference_set.py``):
``level`` is the context name (``mlip``, ``dft-fast//mlip`` ...), ``value``
is in eV or None with a ``reason``. For each level and descriptor, the
systems where both it and the reference level have a value are compared:

- ``mse``: mean signed error, level minus reference (eV);
- ``mae``, ``max_abs``: mean and largest absolute error (eV);
- ``spearman``: rank correlation of the systems' order (Pearson on average
  ranks); None below 3 systems or when either side has no spread.

Pure: reads and writes JSON, imports no calculator.
"""

from __future__ import annotations

import fcntl
import json
import math
import statistics
from pathlib import Path
from typing import Any, TypedDict

from screening.errors import ScreeningError
from screening.files import write_json
from screening.schemas import Value

#: The descriptors the ladder compares, in its order.
DESCRIPTORS = ("e_ads_zn", "e_ads_zn_atom", "dg_h", "e_ads_h2o")
#: Reference levels in order of preference: plane-wave DFT on the same (mlip)
#: geometries first.
REFERENCES = ("dft//mlip", "dft-fast//mlip", "dft-check//mlip")
REFERENCE_LEVEL = REFERENCES[0]
#: Descriptors referenced to a gas-phase molecule or atom, and the reference
#: levels too rough for them: dft-check's 0.25 A grid leaves a water molecule's
#: energy 1.2 eV apart between a molecular box and a slab cell (measured:
#: -11.02 eV in a 12 A box, -9.81 in the 7.4 A hexagonal graphene cell, -11.45
#: there at 0.18 A), an error that adsorption energies against a molecule in
#: its own box do not cancel.
GAS_REFERENCED = ("e_ads_zn_atom", "dg_h", "e_ads_h2o")
UNFIT_REFERENCES = {d: ("dft-check//mlip",) for d in GAS_REFERENCED}
#: Fewest systems that make a reference level's comparison (and a sigma) count.
MIN_SYSTEMS = 3
#: The committed reference values of a checkout.
DEFAULT_VALUES = Path(__file__).resolve().parents[2] / "benchmarks" / "reference" / "values.json"


class ValueRow(TypedDict):
    """One descriptor value of one candidate at one level."""

    level: str
    candidate: str
    descriptor: str
    value: float | None
    unit: str
    reason: str
    flags: list[str]
    keys: list[str]


class Rung(TypedDict):
    """One level's error on one descriptor against the reference level (eV)."""

    level: str
    descriptor: str
    reference_level: str
    n: int
    mse: float | None
    mae: float | None
    max_abs: float | None
    spearman: float | None


def read_values(path: Path) -> list[ValueRow]:
    """The value rows in ``path``; a missing or unreadable file is a one-line error."""
    try:
        rows = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ScreeningError(f"{path}: no reference values (run benchmarks/reference_set.py"
                             " or give --values)") from None
    except (OSError, ValueError) as exc:
        raise ScreeningError(f"{path}: cannot read the reference values ({exc})") from None
    needed = set(ValueRow.__annotations__)
    if not isinstance(rows, list) or not all(isinstance(r, dict) and needed <= set(r)
                                             for r in rows):
        raise ScreeningError(f"{path}: not a list of value rows with {sorted(needed)}")
    return rows


def record_values(path: Path, level: str, candidate: str, values: dict[str, Value]) -> None:
    """Add or replace one candidate's ``values`` at ``level`` in ``path``: atomic, and
    serialised between processes (a lock file beside it), so runs of several levels can
    record at the same time."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        rows = read_values(path) if path.exists() else []
        rows = [r for r in rows if (r["level"], r["candidate"]) != (level, candidate)
                or r["descriptor"] not in values]
        rows += [ValueRow(level=level, candidate=candidate, descriptor=column, value=v.value,
                          unit=v.unit, reason=v.reason, flags=v.flags, keys=v.keys)
                 for column, v in values.items()]
        rows.sort(key=lambda r: (r["level"], r["candidate"], r["descriptor"]))
        write_json(path, rows)


def _ranks(x: list[float]) -> list[float]:
    """Average ranks (ties share the mean of their positions), 0-based."""
    order = sorted(range(len(x)), key=x.__getitem__)
    ranks = [0.0] * len(x)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and x[order[j + 1]] == x[order[i]]:
            j += 1
        for k in order[i:j + 1]:
            ranks[k] = (i + j) / 2
        i = j + 1
    return ranks


def spearman(x: list[float], y: list[float]) -> float | None:
    """Spearman rank correlation, or None below 3 points or with no spread."""
    if len(x) < 3:
        return None
    rx, ry = _ranks(x), _ranks(y)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx, syy = sum((a - mx) ** 2 for a in rx), sum((b - my) ** 2 for b in ry)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def by_system(rows: list[ValueRow], level: str, descriptor: str) -> dict[str, float]:
    """Candidate -> value of one level and descriptor (missing values left out)."""
    return {r["candidate"]: r["value"] for r in rows
            if r["level"] == level and r["descriptor"] == descriptor and r["value"] is not None}


def per_system(rows: list[ValueRow], descriptor: str,
               levels: list[str] | None = None) -> list[dict[str, Any]]:
    """One row per candidate: its ``descriptor`` value at each level (eV; None: none).

    ``levels`` fixes the columns (default: every level with a value of it).
    Candidates come in the order they first appear in ``rows``.
    """
    columns = levels or sorted({r["level"] for r in rows
                                if r["descriptor"] == descriptor and r["value"] is not None})
    values = {level: by_system(rows, level, descriptor) for level in columns}
    candidates = list(dict.fromkeys(r["candidate"] for r in rows if r["descriptor"] == descriptor))
    return [{"candidate": c, **{level: values[level].get(c) for level in columns}}
            for c in candidates if any(c in values[level] for level in columns)]


def ladder(rows: list[ValueRow], reference_level: str = REFERENCE_LEVEL,
           descriptors: tuple[str, ...] = DESCRIPTORS) -> list[Rung]:
    """Every other level's error on each descriptor against ``reference_level``."""
    present = {r["level"] for r in rows}
    if reference_level not in present:
        known = ", ".join(sorted(present)) or "none"
        raise ScreeningError(f"no values at reference level {reference_level!r} (levels: {known})")
    levels = sorted(present - {reference_level})
    rungs = []
    for descriptor in descriptors:
        reference = by_system(rows, reference_level, descriptor)
        for level in levels:
            mine = by_system(rows, level, descriptor)
            common = sorted(set(mine) & set(reference))
            x, y = [mine[c] for c in common], [reference[c] for c in common]
            error = [a - b for a, b in zip(x, y)]
            rungs.append(Rung(
                level=level, descriptor=descriptor, reference_level=reference_level,
                n=len(common),
                mse=statistics.fmean(error) if common else None,
                mae=statistics.fmean(abs(e) for e in error) if common else None,
                max_abs=max(abs(e) for e in error) if common else None,
                spearman=spearman(x, y)))
    return rungs


def references_for(descriptor: str) -> tuple[str, ...]:
    """The reference levels that may measure ``descriptor``, best first."""
    return tuple(r for r in REFERENCES if r not in UNFIT_REFERENCES.get(descriptor, ()))


def systems_per_level(rows: list[ValueRow]) -> dict[str, int]:
    """Level -> most systems with a value for one descriptor."""
    return {level: max(len(by_system(rows, level, d)) for d in DESCRIPTORS)
            for level in sorted({r["level"] for r in rows})}


def best_reference(rows: list[ValueRow]) -> str:
    """The first of :data:`REFERENCES` with values on at least :data:`MIN_SYSTEMS`
    systems of one descriptor, else the first with any value."""
    systems = systems_per_level(rows)
    count = {level: systems.get(level, 0) for level in REFERENCES}
    for level in REFERENCES:
        if count[level] >= MIN_SYSTEMS:
            return level
    for level in REFERENCES:
        if count[level]:
            return level
    raise ScreeningError(f"no values at any reference level ({', '.join(REFERENCES)})")
