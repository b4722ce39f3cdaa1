"""Quality flags a descriptor inherits from the calculations behind it."""

from __future__ import annotations

from screening.schemas import Calculation


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
