"""Entry point of an MPI child job: run one staged calculation across the ranks.

``mpiexec -n N python -m screening.runners.mpi_task URL KEY WORK_ROOT``
(started by :func:`screening.runners.mpi.run_child`). Rank 0 reads the
input staged in row ``KEY`` of the store at ``URL`` and hands it to the
other ranks; GPAW distributes the calculation over the ranks; rank 0
writes the result to the row. Only rank 0 opens the store. On an
error the failing rank writes the one-line reason to ``mpi-failure.txt`` in
the work directory (and stderr, ``mpi.log``) and aborts all ranks, which may
be waiting for it in a collective call; the claiming worker records it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Callable

from screening.errors import one_line
from screening.runners.compute import store_outcome, work_directory
from screening.runners.execute import TaskSpec, execute
from screening.runners.mpi import MPI_FAILURE
from screening.store.database import Store


def _shared(read: Callable[[], Any], world, broadcast) -> Any:
    """``read()`` on rank 0, its value (or its exception) on every rank."""
    found: Any = None
    if world.rank == 0:
        try:
            found = read()
        except Exception as exc:  # noqa: BLE001 - raised on every rank below
            found = exc
    found = broadcast(found, comm=world)
    if isinstance(found, Exception):
        raise found
    return found


def main(argv: list[str]) -> int:
    from gpaw.mpi import broadcast, world

    url, key, work_root = argv
    directory = work_directory(Path(work_root), key)
    try:
        store = Store(url) if world.rank == 0 else None
        claim, atoms, staged = _shared(lambda: store.staged(key), world, broadcast)
        spec = TaskSpec(**staged["task"])
        start = time.perf_counter()
        outcome = execute(atoms, staged["parameters"], spec, directory)
        if world.rank == 0:
            store_outcome(store, claim, outcome, staged["parameters"], spec,
                          time.perf_counter() - start, directory, world.size)
    except Exception as exc:  # noqa: BLE001 - reported in one line to the claiming worker
        reason = one_line(exc, with_type=True)
        print(f"rank {world.rank}: {reason}", file=sys.stderr, flush=True)
        if world.rank == 0 or not (directory / MPI_FAILURE).exists():
            (directory / MPI_FAILURE).write_text(reason + "\n")
        if world.size > 1:
            world.abort(1)  # the other ranks may be waiting in a collective call
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
