"""Relaxation checkpoints survive a kill that tears the last frame."""

from ase.build import molecule
from ase.calculators.singlepoint import SinglePointCalculator
from ase.io.trajectory import Trajectory

import pytest

from screening.calculators.levels import get_level
from screening.calculators.parameters import calculation_parameters
from screening.runners.execute import OPTIMIZER_STATE, TaskSpec, _read_checkpoint, execute
from tests.runners.test_compute import zn_slab


def test_a_torn_checkpoint_keeps_its_intact_frames_and_accepts_more(tmp_path):
    path = tmp_path / "relax.traj"
    atoms = molecule("H2O")
    atoms.center(vacuum=3.0)
    with Trajectory(str(path), "w") as trajectory:
        for i in range(5):
            atoms.calc = SinglePointCalculator(atoms, energy=-float(i), forces=atoms.positions * 0)
            trajectory.write(atoms)
    path.write_bytes(path.read_bytes()[:-100])  # a kill in the middle of the last write
    frames = _read_checkpoint(path)
    assert [f.get_potential_energy() for f in frames] == [0.0, -1.0, -2.0, -3.0]
    with Trajectory(str(path), "a", atoms) as trajectory:
        trajectory.write()
    assert len(_read_checkpoint(path)) == 5


def test_task_spec_key_holds_only_what_matters():
    assert TaskSpec().as_dict() == {"kind": "singlepoint"}
    assert TaskSpec("relax", 0.02, 50, "FIRE").as_dict() == {
        "kind": "relax", "fmax": 0.02, "steps": 50, "optimizer": "FIRE"}


def test_precon_lbfgs_resumes_from_its_saved_state_and_stops_cleanly_when_stalled(tmp_path):
    """The default optimiser restarts from optimizer.pkl (ASE's own restart
    fails on a missing attribute), and a line search that cannot go on
    (fmax far below CHGNet's energy noise) ends the run instead of raising."""
    pytest.importorskip("chgnet")
    atoms = zn_slab(rattle=0.15)
    params = calculation_parameters(get_level("mlip"), atoms)
    first = execute(atoms, params, TaskSpec("relax", 0.01, 5, "PreconLBFGS"), tmp_path)
    assert not first.converged and first.n_steps == 5
    assert (tmp_path / OPTIMIZER_STATE).exists()
    resumed = execute(atoms, params, TaskSpec("relax", 0.01, 60, "PreconLBFGS"), tmp_path)
    assert resumed.resumed_from_step == 5 and resumed.converged
    assert resumed.energies[:5] == first.energies
    assert resumed.energies[-1] < first.energies[-1]
    stalled = execute(atoms, params, TaskSpec("relax", 1e-5, 200, "PreconLBFGS"), tmp_path / "x")
    assert not stalled.converged and stalled.n_steps < 200
    assert stalled.residual_force < 0.01


def test_a_torn_optimizer_state_is_dropped_and_the_relaxation_resumes(tmp_path):
    """An optimiser state cut short (a full disk; a kill tore ASE's JSON state
    before it was written atomically, found by the flow's kill-and-resume
    test): the relaxation goes on from the checkpoint's frames with a fresh
    optimiser history instead of failing."""
    pytest.importorskip("chgnet")
    atoms = zn_slab(rattle=0.15)
    params = calculation_parameters(get_level("mlip"), atoms)
    first = execute(atoms, params, TaskSpec("relax", 0.01, 5, "PreconLBFGS"), tmp_path)
    state = tmp_path / OPTIMIZER_STATE
    state.write_bytes(state.read_bytes()[: len(state.read_bytes()) // 2])
    resumed = execute(atoms, params, TaskSpec("relax", 0.01, 60, "PreconLBFGS"), tmp_path)
    assert resumed.resumed_from_step == 5 and resumed.converged
    assert resumed.energies[:5] == first.energies


@pytest.mark.parametrize("optimizer", ["BFGS", "LBFGS"])
def test_a_resumed_relaxation_follows_the_uninterrupted_path(tmp_path, optimizer):
    """The optimiser state saved each step restores the run exactly (pair engine,
    deterministic): 6 steps, stop, go on to 20, equals 20 steps in one go; the
    checkpointed positions are not evaluated twice. (ASE leaves part of the
    state out of the restart file: PreconLBFGS's preconditioner and line
    search, FIRE's mixing and step counters, so these resume close to, not
    on, their path.)"""
    atoms = zn_slab(rattle=0.15)
    params = calculation_parameters(get_level("pair"), atoms)
    straight = execute(atoms, params, TaskSpec("relax", 1e-4, 20, optimizer), tmp_path / "a")
    execute(atoms, params, TaskSpec("relax", 1e-4, 6, optimizer), tmp_path / "b")
    assert (tmp_path / "b" / OPTIMIZER_STATE).exists()
    resumed = execute(atoms, params, TaskSpec("relax", 1e-4, 20, optimizer), tmp_path / "b")
    assert resumed.resumed_from_step == 6 and resumed.n_steps == straight.n_steps
    assert resumed.energies == pytest.approx(straight.energies, abs=1e-10)
    assert abs(resumed.atoms.positions - straight.atoms.positions).max() < 1e-10


def test_a_relaxation_counts_the_evaluations_its_steps_miss(tmp_path):
    """BFGS evaluates once per step; PreconLBFGS also evaluates to set up its
    preconditioner (mu) and in its line search: its calls exceed its steps
    (pair engine). A single point is one call."""
    atoms = zn_slab(rattle=0.15)
    params = calculation_parameters(get_level("pair"), atoms)
    bfgs = execute(atoms, params, TaskSpec("relax", 0.01, 40, "BFGS"), tmp_path / "a")
    assert bfgs.n_calls == bfgs.n_steps > 1
    precon = execute(atoms, params, TaskSpec("relax", 0.01, 40, "PreconLBFGS"), tmp_path / "b")
    assert precon.n_calls > precon.n_steps > 1
    assert execute(atoms, params, TaskSpec(), tmp_path / "c").n_calls == 1
