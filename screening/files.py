"""Writing files so that none is ever seen half-written."""

from __future__ import annotations

import json
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; on success it is synced and renamed
    over ``path``, on any error removed (``path`` is then untouched)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # unique to this process and thread; created with the usual permissions (umask)
    tmp = path.parent / f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        yield tmp
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp)`` and put the result at ``path`` atomically (:func:`atomic_path`)."""
    with atomic_path(path) as tmp:
        write(tmp)


def write_json(path: Path, data: object) -> None:
    """``data`` as indented JSON at ``path``, atomically (:func:`write_atomic`)."""
    write_atomic(path, lambda tmp: tmp.write_text(json.dumps(data, indent=1) + "\n"))
