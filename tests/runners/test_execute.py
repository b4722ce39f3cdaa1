"""Relaxation checkpoints survive a kill that tears the last frame."""

from ase.build import molecule
from ase.calculators.singlepoint import SinglePointCalculator
from ase.io.trajectory import Trajectory

from screening.runners.execute import TaskSpec, _read_checkpoint


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
