"""Run one calculation in a work directory: a single point, a relaxation, an
NEB or a molecular-dynamics segment.

Relaxations checkpoint every step: the trajectory (``relax.traj``) and the
optimiser state (``optimizer.pkl``) live in the calculation's work
directory, so a killed relaxation restarts from its last completed step.
GPAW SCF failures climb the escalation ladder of
:mod:`screening.calculators.factory`; a relaxation continues from where the
failure happened.
"""

from __future__ import annotations

import logging
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator
from ase.io.trajectory import Trajectory
import ase.optimize
from ase.optimize.optimize import Optimizer
from ase.optimize.precon import PreconLBFGS

from screening.calculators.electronic import electronic_properties
from screening.calculators.factory import (SCF_LADDER, SCFConvergenceError, make_calculator,
                                           prepare, scf_error)
from screening.schemas import ElectronicProperties, Frame, TaskKind
from screening.settings import OPTIMIZER_NAMES

# PreconLBFGS handles its line search's give-ups (it resets its Hessian);
# ASE would also log each of them as an error on stderr
logging.getLogger("ase.utils.linesearcharmijo").setLevel(logging.CRITICAL)

#: Smallest Armijo step fraction tried. ASE's 1e-10 lets one line search
#: halve its step ~33 times when the energy is noisier than the decrease it
#: looks for (CHGNet's float32 energies near tiny forces), each a force call.
LINE_SEARCH_MIN = 1e-4
#: Largest step of one atom (A). ASE's 0.04 makes a rotating water crawl;
#: 0.1 needs about half the steps for adsorbates (benchmarks/optimizers.py).
PRECON_MAXSTEP = 0.1


class _BinaryState:
    """An optimiser whose restart state is a pickle replaced atomically each step.

    ASE writes it as JSON text: for a 100-atom L-BFGS history that is about
    a megabyte a step, 19 ms of a 40 ms pair-engine step (measured), and a
    kill during the write tears the file. A pickle written to a temporary
    file and renamed is fast and always whole. Under MPI only rank 0 writes
    it (two ranks renaming one file fail: found by the MPI relaxation test).
    """

    restart: str | None

    def dump(self, data: Any) -> None:
        if self.restart is None or self.comm.rank != 0:  # under MPI, rank 0 writes
            return
        partial = f"{self.restart}.part"
        with open(partial, "wb") as handle:
            pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, self.restart)

    def load(self) -> Any:
        with open(self.restart, "rb") as handle:
            return pickle.load(handle)


class _RestartablePreconLBFGS(_BinaryState, PreconLBFGS):
    """ASE's PreconLBFGS, whose ``read`` (restart) skips ``initialize`` and
    then fails on a missing attribute (ase 3.29): initialise, then load."""

    def read(self) -> None:
        self.initialize()
        super().read()


def _precon_lbfgs(atoms: Atoms, **kwargs: Any) -> Optimizer:
    """L-BFGS with the exponential preconditioner of Packwood et al. (2016).

    Condensed systems with soft adsorbate modes (a water cluster on a slab)
    relax in about a third of the BFGS steps (benchmarks/optimizers.py).
    """
    return _RestartablePreconLBFGS(atoms, precon="Exp", a_min=LINE_SEARCH_MIN,
                                   maxstep=PRECON_MAXSTEP, **kwargs)


OPTIMIZERS = {name: _precon_lbfgs if name == "PreconLBFGS"
              else type(name, (_BinaryState, getattr(ase.optimize, name)), {})
              for name in OPTIMIZER_NAMES}
TRAJECTORY = "relax.traj"
OPTIMIZER_STATE = "optimizer.pkl"


#: Langevin friction of MD segments (1/fs).
MD_FRICTION = 0.01
#: MD segments record the potential energy every this many steps.
MD_SAMPLE = 10


@dataclass(frozen=True)
class TaskSpec:
    """What to do with a structure. Part of the calculation key."""

    kind: TaskKind = TaskKind.SINGLEPOINT
    #: Relaxation: converged when every free atom's force is below this (eV/A).
    fmax: float = 0.05
    #: Relaxation: most force evaluations, counted over restarts.
    steps: int = 300
    optimizer: str = "PreconLBFGS"
    #: NEB: number of moving images between the two end points.
    images: int = 5
    #: MD: thermostat temperature at the first and the last step (K), ramped linearly.
    temperatures: tuple[float, float] = (300.0, 300.0)
    #: MD: time step (fs).
    timestep: float = 1.0
    #: MD: seed of the initial velocities and of the thermostat's noise.
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", TaskKind(self.kind))  # "relax" -> TaskKind.RELAX

    def as_dict(self) -> dict[str, Any]:
        if self.kind == TaskKind.SINGLEPOINT:
            return {"kind": self.kind.value}
        if self.kind == TaskKind.MD:
            return {"kind": self.kind.value, "steps": self.steps,
                    "temperatures": [float(t) for t in self.temperatures],
                    "timestep": self.timestep, "seed": self.seed, "friction": MD_FRICTION}
        found = {"kind": self.kind.value, "fmax": self.fmax, "steps": self.steps,
                 "optimizer": self.optimizer}
        if self.kind == TaskKind.NEB:
            found["images"] = self.images
        return found


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
    #: GPAW only: Fermi level, band gap, vacuum levels (see calculators.electronic).
    electronic: ElectronicProperties = field(default_factory=dict)
    #: Energy/force evaluations the calculator made in this process (relaxations
    #: and single points; None where not counted).
    n_calls: int | None = None


class _CallCounter:
    """Counts a calculator's evaluations: requests at a structure other than the
    last one asked about. An optimiser's steps miss the evaluations of its line
    search and of the preconditioner's set-up (at mlip a quarter more calls than
    steps, measured on Cu(111)), and the cost is in the calls."""

    def __init__(self) -> None:
        self.n = 0
        self._last: tuple[bytes, bytes] | None = None

    def attach(self, calc: Any) -> None:
        """Count ``calc``'s evaluations from now on (a fresh calculator evaluates its
        first structure afresh, even one the previous calculator had)."""
        self._last = None
        for name in ("get_potential_energy", "get_forces"):
            setattr(calc, name, self._counted(getattr(calc, name)))

    def _counted(self, method: Any) -> Any:
        def counted(atoms: Atoms | None = None, *args: Any, **kwargs: Any) -> Any:
            if atoms is not None:
                state = (atoms.positions.tobytes(), atoms.cell.array.tobytes())
                if state != self._last:
                    self.n += 1
                    self._last = state
            return method(atoms, *args, **kwargs)
        return counted


def _free_fmax(atoms: Atoms) -> float:
    forces = atoms.get_forces(apply_constraint=True)
    return float(np.sqrt((forces ** 2).sum(axis=1)).max()) if len(forces) else 0.0


def _electronic(atoms: Atoms, params: dict[str, Any]) -> ElectronicProperties:
    return (electronic_properties(atoms.calc, atoms, params["system"])
            if params["engine"] == "gpaw" else {})


def _model_energy(atoms: Atoms) -> float:
    """The calculator's energy (eV), without what restraint springs add to it."""
    return float(atoms.get_potential_energy(apply_constraint=False))


def _freeze(atoms: Atoms) -> Atoms:
    """A copy carrying only the computed energy and raw forces (restraint springs'
    energy and forces left out: the springs stay on the copy, to be measured)."""
    energy = _model_energy(atoms)
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


def _readable_state(path: Path) -> bool:
    """Whether ``path`` holds a whole optimiser state (a full disk may cut one short)."""
    try:
        with open(path, "rb") as handle:
            pickle.load(handle)
    except Exception:  # noqa: BLE001 - unpickling fails in many ways; all mean unusable
        return False
    return True


def _climb(atoms: Atoms, params: dict[str, Any], directory: Path, action,
           moving: bool = False, counter: _CallCounter | None = None) -> tuple[Any, int]:
    """Run ``action()`` with a calculator, moving up the SCF ladder on failure
    (its evaluations counted by ``counter`` if given)."""
    ladder = range(len(SCF_LADDER)) if params["engine"] == "gpaw" else range(1)
    failure = scf_error() if params["engine"] == "gpaw" else ()
    for rung in ladder:
        atoms.calc = make_calculator(atoms, params, directory, rung, moving)
        if counter is not None:
            counter.attach(atoms.calc)
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
    counter = _CallCounter()
    _, rung = _climb(atoms, params, directory, lambda: atoms.get_forces(), counter=counter)
    return Outcome(_freeze(atoms), converged=True, n_steps=1, scf_rung=rung,
                   residual_force=_free_fmax(atoms), n_calls=counter.n,
                   energies=[_model_energy(atoms)],
                   electronic=_electronic(atoms, params))


def relax(atoms: Atoms, params: dict[str, Any], spec: TaskSpec, directory: Path) -> Outcome:
    """Relax ``atoms`` (constraints honoured), resuming from a checkpoint if one exists."""
    atoms = atoms.copy()
    prepare(atoms, params)
    checkpoint = directory / TRAJECTORY
    frames = _read_checkpoint(checkpoint)
    if frames:
        atoms.positions = frames[-1].positions
    done_before = len(frames)
    energies = [_model_energy(f) for f in frames
                if f.calc is not None and "energy" in f.calc.results]
    if done_before and not energies:
        done_before = 0
    optimizer_class = OPTIMIZERS[spec.optimizer]
    state = directory / OPTIMIZER_STATE
    if state.exists() and (not frames or not _readable_state(state)):
        # no frames to go with it, or cut short: the optimiser starts its
        # history afresh from the checkpoint's last positions
        state.unlink()

    recorded = [frames[-1].positions.copy()] if frames else []

    def record() -> None:
        """Checkpoint this step, unless it re-evaluates the last checkpointed
        positions (the first evaluation after a resume)."""
        if recorded and np.array_equal(atoms.positions, recorded[-1]):
            return
        trajectory.write()
        energies_now.append(_model_energy(atoms))
        recorded.append(atoms.positions.copy())

    def run() -> bool:
        nonlocal trajectory
        remaining = spec.steps - (done_before + len(energies_now))
        if remaining <= 0:
            atoms.get_forces()
            return _free_fmax(atoms) < spec.fmax
        # run(steps=k) makes k + 1 evaluations; a re-evaluation is not counted
        repeat = bool(recorded) and np.array_equal(atoms.positions, recorded[-1])
        with Trajectory(str(checkpoint), "a", atoms) as trajectory:
            optimizer = optimizer_class(atoms, restart=str(state), logfile=None)
            optimizer.attach(record, interval=1)
            try:
                return bool(optimizer.run(fmax=spec.fmax,
                                          steps=max(remaining - (0 if repeat else 1), 0)))
            except RuntimeError as exc:
                if "linesearch" not in str(exc):
                    raise
                # PreconLBFGS stalls where the energy is noisier than the
                # decrease it looks for: stop here, converged or not
                return _free_fmax(atoms) < spec.fmax

    trajectory: Trajectory | None = None
    energies_now: list[float] = []
    counter = _CallCounter()
    converged, rung = _climb(atoms, params, directory, run, moving=True, counter=counter)
    return Outcome(_freeze(atoms), converged=converged, n_calls=counter.n,
                   n_steps=done_before + len(energies_now), scf_rung=rung,
                   residual_force=_free_fmax(atoms), resumed_from_step=done_before,
                   energies=energies + energies_now, electronic=_electronic(atoms, params))


def neb(initial: Atoms, final: Atoms, params: dict[str, Any], spec: TaskSpec,
        directory: Path) -> Outcome:
    """Climbing-image NEB from ``initial`` to ``final`` (IDPP interpolation).

    The stored structure is the highest image (the saddle estimate) and
    ``energies`` holds every image's energy, end points included. An NEB is
    not checkpointed: a killed one starts again. The SCF ladder is not
    climbed (a GPAW SCF failure fails the NEB).
    """
    from ase.mep import NEB

    images = []
    for i in range(spec.images + 2):
        image = initial.copy()
        if i == spec.images + 1:
            image.positions = final.positions
        prepare(image, params)
        image.calc = make_calculator(image, params, _image_directory(directory, i), moving=True)
        images.append(image)
    band = NEB(images, climb=True)
    band.interpolate(method="idpp", mic=True)
    optimizer = OPTIMIZERS[spec.optimizer](band, logfile=None)
    converged = bool(optimizer.run(fmax=spec.fmax, steps=spec.steps))
    energies = [float(image.get_potential_energy()) for image in images]
    saddle = images[int(np.argmax(energies))]
    return Outcome(_freeze(saddle), converged=converged, n_steps=optimizer.nsteps, scf_rung=0,
                   residual_force=float(np.sqrt((band.get_forces() ** 2).sum(axis=1)).max()),
                   energies=energies)


def molecular_dynamics(atoms: Atoms, params: dict[str, Any], spec: TaskSpec,
                       directory: Path) -> Outcome:
    """Langevin MD (NVT) of ``spec.steps`` steps, the thermostat ramped linearly
    from ``spec.temperatures[0]`` to ``[1]`` (K).

    Velocities start from a Maxwell-Boltzmann distribution at the first
    temperature (``spec.seed``, centre of mass at rest). The stored
    structure is the last step's; ``energies`` holds the potential energy
    every ``MD_SAMPLE`` steps. A segment is not checkpointed: a killed one
    starts again, so long protocols are chains of short segments.
    """
    from ase import units
    from ase.md.langevin import Langevin
    from ase.md.velocitydistribution import MaxwellBoltzmannDistribution, Stationary

    atoms = atoms.copy()
    prepare(atoms, params)
    atoms.calc = make_calculator(atoms, params, directory, moving=True)
    rng = np.random.default_rng(spec.seed)
    start, end = spec.temperatures
    MaxwellBoltzmannDistribution(atoms, temperature_K=start, rng=rng)
    Stationary(atoms)
    dynamics = Langevin(atoms, spec.timestep * units.fs, temperature_K=start,
                        friction=MD_FRICTION / units.fs, fixcm=False, rng=rng)
    energies: list[float] = []

    def step() -> None:
        dynamics.set_temperature(
            temperature_K=start + (end - start) * min(dynamics.nsteps / spec.steps, 1.0))
        if dynamics.nsteps % MD_SAMPLE == 0:
            energies.append(float(atoms.get_potential_energy()))

    dynamics.attach(step, interval=1)
    dynamics.run(spec.steps)
    return Outcome(_freeze(atoms), converged=True, n_steps=spec.steps, scf_rung=0,
                   residual_force=_free_fmax(atoms), energies=energies)


def _image_directory(directory: Path, index: int) -> Path:
    path = directory / f"image{index}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def execute(atoms: Atoms, params: dict[str, Any], spec: TaskSpec, directory: Path,
            final: Atoms | None = None) -> Outcome:
    """Run ``spec`` on ``atoms`` (``final``: the NEB end point); ``directory``
    holds logs and checkpoints. The result has the pbc of ``atoms``."""
    directory.mkdir(parents=True, exist_ok=True)
    if spec.kind == TaskKind.SINGLEPOINT:
        outcome = single_point(atoms, params, directory)
    elif spec.kind == TaskKind.NEB:
        if final is None:
            raise ValueError("an NEB needs its final state")
        outcome = neb(atoms, final, params, spec, directory)
    elif spec.kind == TaskKind.MD:
        outcome = molecular_dynamics(atoms, params, spec, directory)
    else:
        outcome = relax(atoms, params, spec, directory)
    # GPAW ran with the parameters' pbc (a slab's z off, recorded in them);
    # the structure keeps its own, so that what is built from it keys the
    # same at every level (a DFT check reuses the geometry level's rows)
    results = outcome.atoms.calc.results
    outcome.atoms.pbc = atoms.pbc
    outcome.atoms.calc = SinglePointCalculator(outcome.atoms, **results)
    return outcome


def checkpoint_frames(directory: Path) -> list[Frame]:
    """Every step of a relaxation's checkpoint that carries forces (training data)."""
    return [Frame(positions=f.positions.tolist(), energy=_model_energy(f),
                  forces=f.get_forces(apply_constraint=False).tolist())
            for f in _read_checkpoint(directory / TRAJECTORY)
            if f.calc is not None and {"energy", "forces"} <= set(f.calc.results)]


def clear_checkpoint(directory: Path) -> None:
    """Remove a finished relaxation's checkpoint files (the result is stored)."""
    for name in (TRAJECTORY, OPTIMIZER_STATE):
        (directory / name).unlink(missing_ok=True)
