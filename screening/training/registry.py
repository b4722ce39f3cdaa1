"""Levels registered by ``znscreen finetune``, in the user's data directory.

``<user data dir>/finetune/levels.json`` maps each registered level's name
to its ``[levels.NAME]`` table (``base``, ``model``, ``model_sha256``,
``description``), which the settings add to the built-in levels, and to
its training provenance (store keys, hyperparameters, losses, hold-out).
Light on purpose: the settings read it at start-up.
"""

from __future__ import annotations

import fcntl
import json
from pathlib import Path
from typing import Any

from screening.errors import SettingsError
from screening.files import write_atomic

REGISTRY = "levels.json"


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise SettingsError(f"{path}: cannot read the fine-tuned levels ({exc})") from None
    if not isinstance(data, dict) or not all(
            isinstance(v, dict) and isinstance(v.get("level"), dict) for v in data.values()):
        raise SettingsError(f"{path}: not a table of fine-tuned levels")
    return data


def registered_levels(directory: Path) -> dict[str, dict[str, Any]]:
    """Name -> ``[levels.NAME]`` table of every level registered in ``directory``."""
    return {name: entry["level"] for name, entry in _read(directory / REGISTRY).items()}


def provenance(directory: Path, name: str) -> dict[str, Any] | None:
    """How the registered level ``name`` was trained, or None."""
    entry = _read(directory / REGISTRY).get(name)
    return None if entry is None else entry["provenance"]


def register(directory: Path, name: str, level: dict[str, Any],
             trained: dict[str, Any]) -> None:
    """Add level ``name`` (refused if already registered); atomic, serialised by a lock."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / f"{REGISTRY}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = _read(directory / REGISTRY)
        if name in data:
            raise SettingsError(f"level name {name!r} is already taken")
        data[name] = {"level": level, "provenance": trained}
        text = json.dumps(data, indent=1, default=str) + "\n"
        write_atomic(directory / REGISTRY, lambda tmp: tmp.write_text(text))
