"""Content-hash keys for calculations.

A key is the SHA-256 of a canonical JSON document holding the structure
(atomic numbers, positions and cell rounded to 1e-4 A, pbc, constraints),
the resolved calculator parameters and the task (kind and its settings).
Equal requests give equal keys on any machine; package versions are not
part of the key (they are recorded with the result instead).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
from ase import Atoms

#: Positions and cell vectors are rounded to this many decimals (A).
DECIMALS = 4


def _rounded(array: np.ndarray) -> list:
    return [[f"{v:.{DECIMALS}f}" for v in row]
            for row in np.round(np.asarray(array, float), DECIMALS) + 0.0]


def canonical_structure(atoms: Atoms) -> dict[str, Any]:
    """The structure as a JSON-able dict that is stable under tiny float noise."""
    constraints = []
    for constraint in atoms.constraints:
        data = constraint.todict()
        kwargs = {k: (sorted(int(i) for i in v) if k == "indices" else v)
                  for k, v in data["kwargs"].items()}
        constraints.append({"name": data["name"], "kwargs": kwargs})
    return {
        "numbers": [int(z) for z in atoms.numbers],
        "positions": _rounded(atoms.positions),
        "cell": _rounded(atoms.cell.array),
        "pbc": [bool(p) for p in atoms.pbc],
        "constraints": constraints,
    }


def calculation_key(atoms: Atoms, parameters: dict[str, Any], task: dict[str, Any]) -> str:
    """SHA-256 hex digest identifying one calculation."""
    document = {"structure": canonical_structure(atoms), "parameters": parameters,
                "task": task}
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), default=_json)
    return hashlib.sha256(text.encode()).hexdigest()


def _json(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot hash {type(value).__name__}")
