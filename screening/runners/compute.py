"""Get-or-compute: the one entry point through which every energy is obtained.

``compute(store, request, work_root, run)`` returns the stored result if the
calculation's key is already done; otherwise it claims the key, runs the
calculation, and stores the result. Two workers asking for one key compute
it once: the second waits for the first. A failure is stored with its
reason and raised as :class:`CalculationFailed`; asked for again in the same
``run`` it is raised from the store, not attempted again.
"""

from __future__ import annotations

import platform
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from ase import Atoms

from screening.calculators.levels import Level
from screening.calculators.parameters import calculation_parameters
from screening.errors import ScreeningError, one_line
from screening.runners.execute import (Outcome, TaskSpec, checkpoint_frames, clear_checkpoint,
                                       execute)
from screening.runners.mpi import Launcher, MPIRunFailed, run_child
from screening.schemas import Calculation, Status, TaskKind
from screening.store.database import Claim, Store, StoreError
from screening.store.keys import calculation_key, canonical_structure

#: Packages whose versions are recorded with every result, per engine.
VERSIONED = {"chgnet": ("ase", "chgnet", "torch", "numpy"),
             "gpaw": ("ase", "gpaw", "dftd3", "numpy"),
             "sevennet": ("ase", "sevenn", "torch", "numpy"),
             "pair": ("ase", "numpy")}


class CalculationFailed(ScreeningError):
    """A calculation ended in an error; the store holds the reason."""


@dataclass(frozen=True)
class Request:
    """One calculation: a structure, a level, what to do, and a human label."""

    atoms: Atoms
    level: Level
    label: str
    task: TaskSpec = field(default_factory=TaskSpec)
    #: Total charge (e); ignored (0) at CHGNet levels.
    charge: int = 0
    #: k-point mesh replacing the level's density-derived one (GPAW levels).
    kpts: list[int] | None = None
    #: NEB only: the final state (its structure is part of the key).
    final: Atoms | None = None

    @property
    def parameters(self) -> dict[str, Any]:
        return calculation_parameters(self.level, self.atoms, self.charge, self.kpts)

    @property
    def task_document(self) -> dict[str, Any]:
        """The task as hashed into the key (an NEB's final state included)."""
        task = self.task.as_dict()
        if self.final is not None:
            task["final"] = canonical_structure(self.final)
        return task

    @property
    def key(self) -> str:
        return calculation_key(self.atoms, self.parameters, self.task_document)


def versions(engine: str) -> dict[str, str]:
    """Installed versions of the packages behind ``engine``."""
    found = {"python": platform.python_version(), "zn-screening": metadata.version("zn-screening")}
    for name in VERSIONED[engine]:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    return found


def work_directory(root: Path, key: str) -> Path:
    """Where logs and checkpoints of calculation ``key`` live."""
    return root / key[:2] / key


def _run_claimed(store: Store, claim: Claim, request: Request, params: dict[str, Any],
                 work_root: Path, launch: Launcher | None) -> Calculation:
    try:
        return _run_and_store(store, claim, request, params, work_root, launch)
    finally:
        store.release(claim)


def store_outcome(store: Store, claim: Claim, outcome: Outcome, params: dict[str, Any],
                  spec: TaskSpec, wall: float, directory: Path, ranks: int = 1) -> None:
    """Write a finished calculation to its claimed row (``wall`` in s, on
    ``ranks`` MPI ranks)."""
    values = {"converged": outcome.converged, "n_steps": outcome.n_steps,
              "scf_rung": outcome.scf_rung, "residual_force": outcome.residual_force,
              "wall_time": wall, "ranks": ranks}
    if outcome.n_calls is not None:
        values["n_calls"] = outcome.n_calls
    data = {"parameters": params, "task_spec": spec.as_dict(),
            "versions": versions(params["engine"]), "energies": outcome.energies,
            "resumed_from_step": outcome.resumed_from_step, "work_directory": str(directory),
            "electronic": outcome.electronic}
    if spec.kind == TaskKind.RELAX and params["engine"] == "gpaw":
        data["frames"] = checkpoint_frames(directory)
    store.complete(claim, outcome.atoms, values, data)
    if spec.kind == TaskKind.RELAX:
        clear_checkpoint(directory)


def _run_and_store(store: Store, claim: Claim, request: Request, params: dict[str, Any],
                   work_root: Path, launch: Launcher | None) -> Calculation:
    directory = work_directory(work_root, claim.key)
    over_mpi = launch is not None and params["engine"] == "gpaw" and request.final is None
    start = time.perf_counter()
    try:
        with store.heartbeat(claim):
            if over_mpi:
                # the MPI job reads the input from the row and stores the result
                store.stage(claim, request.atoms, {"parameters": params,
                                                   "task": asdict(request.task)})
                run_child(launch, store.url, claim.key, work_root, directory)
            else:
                outcome = execute(request.atoms, params, request.task, directory,
                                  request.final)
    except BaseException as exc:
        reason = one_line(exc, with_type=not isinstance(exc, MPIRunFailed))
        try:
            store.fail(claim, reason)
        except StoreError as store_exc:
            reason += f" (not recorded: {store_exc})"
        if isinstance(exc, Exception):
            raise CalculationFailed(f"{request.label} [{request.level.name}]: {reason}") from exc
        raise
    if not over_mpi:
        store_outcome(store, claim, outcome, params, request.task,
                      time.perf_counter() - start, directory)
    return store.calculation(claim.key, computed=True)


def compute(store: Store, request: Request, work_root: Path, run: str, poll: float = 1.0,
            launch: Launcher | None = None) -> Calculation:
    """The stored result of ``request``, computing it first if nobody has.

    Waits (polling every ``poll`` s) while another live worker computes the
    same key. A failure stored by an earlier run is attempted again; one
    stored in this ``run`` is raised as it stands. With ``launch``, a GPAW
    calculation runs over MPI in a child job (:mod:`screening.runners.mpi`;
    NEBs stay in this process).
    """
    params = request.parameters
    key = calculation_key(request.atoms, params, request.task_document)
    meta = {"task": request.task.kind.value, "level": request.level.name,
            "label": request.label}
    while True:
        record = store.record(key)
        if record is not None and record.status == Status.DONE:
            return store.calculation(key)
        claim = store.claim(key, meta, run)
        if claim is not None:
            return _run_claimed(store, claim, request, params, work_root, launch)
        record = store.record(key)
        if record is not None and record.status == Status.FAILED and record.run == run:
            raise CalculationFailed(f"{request.label} [{request.level.name}]: "
                                    f"{record.error or 'failed'} (stored)")
        time.sleep(poll)
