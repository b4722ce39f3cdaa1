"""Run one calculation in a work directory: a single point or a relaxation.

Relaxations checkpoint every step: the trajectory (``relax.traj``) and the
optimiser state (``optimizer.json``) live in the calculation's work
directory, so a killed relaxation restarts from its last completed step.
GPAW SCF failures climb the escalation ladder of
:mod:`screening.calculators.factory`; a relaxation continues from where the
failure happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator
from ase.io.trajectory import Trajectory
import ase.optimize

from screening.calculators.factory import (SCF_LADDER, SCFConvergenceError, make_calculator,
                                           prepare, scf_error)
from screening.settings import OPTIMIZER_NAMES

OPTIMIZERS = {name: getattr(ase.optimize, name) for name in OPTIMIZER_NAMES}
TRAJECTORY = "relax.traj"
OPTIMIZER_STATE = "optimizer.json"


@dataclass(frozen=True)
class TaskSpec:
    """What to do with a structure. Part of the calculation key."""

    kind: str = "singlepoint"
    #: Relaxation: converged when every free atom's force is below this (eV/A).
    fmax: float = 0.05
    #: Relaxation: most force evaluations, counted over restarts.
    steps: int = 300
    optimizer: str = "BFGS"

    def as_dict(self) -> dict[str, Any]:
        if self.kind == "singlepoint":
            return {"kind": self.kind}
        return {"kind": self.kind, "fmax": self.fmax, "steps": self.steps,
                "optimizer": self.optimizer}


@dataclass
class Outcome:
    """The result of running a task, before it is stored."""

    atoms: Atoms
    converged: bool
    n_steps: int
    scf_rung: int
    residual_force: float
    resumed_from_step: int = 0
    energies: list[float] = field(default_factory=list)


def _free_fmax(atoms: Atoms) -> float:
    forces = atoms.get_forces(apply_constraint=True)
    return float(np.sqrt((forces ** 2).sum(axis=1)).max()) if len(forces) else 0.0


def _freeze(atoms: Atoms) -> Atoms:
    """A copy carrying only the computed energy and raw forces."""
    energy = float(atoms.get_potential_energy())
    forces = atoms.get_forces(apply_constraint=False)
    frozen = atoms.copy()
    frozen.calc = SinglePointCalculator(frozen, energy=energy, forces=forces)
    return frozen


def _read_checkpoint(path: Path) -> list[Atoms]:
    """Readable frames of a checkpoint trajectory.

    A frame torn by a kill is dropped, and the file is rewritten with the
    intact frames so that appending to it works again.
    """
    frames: list[Atoms] = []
    if not path.exists():
        return frames
    try:
        with Trajectory(str(path)) as trajectory:
            for i in range(len(trajectory)):
                frames.append(trajectory[i])
    except Exception:  # noqa: BLE001 - torn by a kill: keep what was read
        clean = path.with_suffix(".clean.traj")
        with Trajectory(str(clean), "w") as trajectory:
            for frame in frames:
                trajectory.write(frame)
        clean.replace(path)
    return frames


def _climb(atoms: Atoms, params: dict[str, Any], directory: Path, action) -> tuple[Any, int]:
    """Run ``action()`` with a calculator, moving up the SCF ladder on failure."""
    ladder = range(len(SCF_LADDER)) if params["engine"] == "gpaw" else range(1)
    failure = scf_error() if params["engine"] == "gpaw" else ()
    for rung in ladder:
        atoms.calc = make_calculator(atoms, params, directory, rung)
        try:
            return action(), rung
        except failure:
            continue
    raise SCFConvergenceError(f"GPAW SCF did not converge on any of {len(SCF_LADDER)} ladder"
                              f" rungs (logs in {directory})")


def single_point(atoms: Atoms, params: dict[str, Any], directory: Path) -> Outcome:
    """Energy and forces of ``atoms`` as given."""
    atoms = atoms.copy()
    prepare(atoms, params)
    _, rung = _climb(atoms, params, directory, lambda: atoms.get_forces())
    return Outcome(_freeze(atoms), converged=True, n_steps=1, scf_rung=rung,
                   residual_force=_free_fmax(atoms),
                   energies=[float(atoms.get_potential_energy())])


def relax(atoms: Atoms, params: dict[str, Any], spec: TaskSpec, directory: Path) -> Outcome:
    """Relax ``atoms`` (constraints honoured), resuming from a checkpoint if one exists."""
    atoms = atoms.copy()
    prepare(atoms, params)
    checkpoint = directory / TRAJECTORY
    frames = _read_checkpoint(checkpoint)
    if frames:
        atoms.positions = frames[-1].positions
    done_before = len(frames)
    energies = [float(f.get_potential_energy()) for f in frames
                if f.calc is not None and "energy" in f.calc.results]
    if done_before and not energies:
        done_before = 0
    optimizer_class = OPTIMIZERS[spec.optimizer]
    state = directory / OPTIMIZER_STATE
    if not frames and state.exists():
        state.unlink()

    def run() -> bool:
        remaining = spec.steps - (done_before + len(energies_now))
        if remaining <= 0:
            atoms.get_forces()
            return _free_fmax(atoms) < spec.fmax
        with Trajectory(str(checkpoint), "a", atoms) as trajectory:
            optimizer = optimizer_class(atoms, restart=str(state), logfile=None)
            optimizer.attach(trajectory.write, interval=1)
            optimizer.attach(lambda: energies_now.append(float(atoms.get_potential_energy())))
            # run() counts optimiser steps; each step is one force evaluation
            return bool(optimizer.run(fmax=spec.fmax, steps=max(remaining - 1, 0)))

    energies_now: list[float] = []
    converged, rung = _climb(atoms, params, directory, run)
    return Outcome(_freeze(atoms), converged=converged,
                   n_steps=done_before + len(energies_now), scf_rung=rung,
                   residual_force=_free_fmax(atoms), resumed_from_step=done_before,
                   energies=energies + energies_now)


def execute(atoms: Atoms, params: dict[str, Any], spec: TaskSpec, directory: Path) -> Outcome:
    """Run ``spec`` on ``atoms``; ``directory`` holds logs and checkpoints."""
    directory.mkdir(parents=True, exist_ok=True)
    if spec.kind == "singlepoint":
        return single_point(atoms, params, directory)
    return relax(atoms, params, spec, directory)


def clear_checkpoint(directory: Path) -> None:
    """Remove a finished relaxation's checkpoint files (the result is stored)."""
    for name in (TRAJECTORY, OPTIMIZER_STATE):
        (directory / name).unlink(missing_ok=True)
