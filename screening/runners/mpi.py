"""GPAW over MPI: one calculation run by ``mpi_ranks`` ranks in a child job.

The worker that claimed a calculation stages its input in the store row
(structure, resolved parameters, task), then starts
``mpi_command`` (``{ranks}`` filled in) on
``python -m screening.runners.mpi_task URL KEY WORK_ROOT``: every rank
reads the staged input from the store, GPAW runs across the ranks, and
rank 0 writes the result back (see :mod:`screening.runners.mpi_task`). The
claiming worker keeps the claim's heartbeat going meanwhile.

Without MPI (GPAW built serial, or the launcher not on the PATH) a
calculation runs in the worker process itself, and the reason is logged
once per process.
"""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from screening.errors import ScreeningError

log = logging.getLogger(__name__)

#: Files the child job leaves in the calculation's work directory.
MPI_LOG = "mpi.log"
MPI_FAILURE = "mpi-failure.txt"


class MPIRunFailed(ScreeningError):
    """The MPI job of a calculation ended without storing a result."""


@dataclass(frozen=True)
class Launcher:
    """How to start ``ranks`` MPI ranks: the command before the program."""

    command: tuple[str, ...]
    ranks: int


@lru_cache(maxsize=1)
def gpaw_has_mpi() -> bool:
    """Whether the installed GPAW was built with MPI (importing it starts no MPI)."""
    try:
        from gpaw import cgpaw
    except ImportError:
        return False
    return bool(getattr(cgpaw, "have_mpi", False))


@lru_cache(maxsize=8)
def _fallback(reason: str) -> None:
    log.warning("GPAW runs in one process: %s", reason)


def launcher(ranks: int, command: str) -> Launcher | None:
    """The launcher for ``ranks`` ranks, or None to run in this process."""
    if ranks <= 1:
        return None
    words = tuple(shlex.split(command.format(ranks=ranks)))
    if not gpaw_has_mpi():
        _fallback("GPAW was built without MPI (scripts/install.sh builds it with MPI)")
        return None
    if shutil.which(words[0]) is None:
        _fallback(f"MPI launcher {words[0]!r} not found on the PATH")
        return None
    return Launcher(words, ranks)


def child_environment() -> dict[str, str]:
    """This process's environment for an MPI child job.

    An MPI process's own variables (a singleton MPI in this process, or the
    job step around it) are dropped so the launcher starts afresh; GPAW is
    told to use its compiled MPI; each rank gets one thread; OpenMPI is
    allowed to run as root (it refuses by default).
    """
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OMPI_", "PMIX_", "PMI_")) or k.startswith("OMPI_ALLOW")}
    env.update(GPAW_MPI_BACKEND="cgpaw", OMP_NUM_THREADS="1")
    if os.geteuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    return env


def run_child(launch: Launcher, store_url: str, key: str, work_root: Path,
              directory: Path) -> None:
    """Run staged calculation ``key`` over MPI; raise MPIRunFailed if it failed.

    The child's output goes to ``mpi.log`` in ``directory``; its reason for
    failing, if it wrote one, to ``mpi-failure.txt``.
    """
    directory.mkdir(parents=True, exist_ok=True)
    failure = directory / MPI_FAILURE
    failure.unlink(missing_ok=True)
    program = [sys.executable, "-m", "screening.runners.mpi_task", store_url, key,
               str(work_root)]
    with open(directory / MPI_LOG, "w") as output:
        code = subprocess.run([*launch.command, *program], env=child_environment(),
                              stdout=output, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL).returncode
    if code == 0:
        return
    if failure.exists():
        raise MPIRunFailed(failure.read_text().strip())
    lines = [l for l in (directory / MPI_LOG).read_text(errors="replace").splitlines()
             if l.strip()]
    last = lines[-1].strip() if lines else "no output"
    raise MPIRunFailed(f"MPI job ({' '.join(launch.command)}) exited with {code}: {last[:300]}"
                       f" (log: {directory / MPI_LOG})")
