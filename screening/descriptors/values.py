"""A descriptor value with everything needed to trust it or see why it is missing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from screening.runners.compute import Calculation


@dataclass
class Value:
    """One number (or its absence) and where it came from."""

    value: float | None
    unit: str
    #: Why ``value`` is None (empty when it is set).
    reason: str = ""
    #: Anomalies and quality warnings, e.g. ``zn:sank@top:Zn``.
    flags: list[str] = field(default_factory=list)
    #: Store keys of the calculations behind the number.
    keys: list[str] = field(default_factory=list)
    #: Per-site table, profile or match, for ``znscreen descriptors --details``.
    details: Any = None

    @classmethod
    def missing(cls, unit: str, reason: str) -> "Value":
        return cls(None, unit, reason=reason)


def quality_flags(calcs: list[Calculation]) -> list[str]:
    """Warnings carried by the calculations themselves.

    ``unconverged:LABEL`` (a relaxation hit its step limit) and
    ``smearing-x2:LABEL`` (the SCF converged only on the last rung of the
    ladder, with doubled smearing).
    """
    flags = []
    for calc in calcs:
        if not calc.converged:
            flags.append(f"unconverged:{calc.label}")
        if calc.scf_rung >= 2:
            flags.append(f"smearing-x2:{calc.label}")
    return flags
