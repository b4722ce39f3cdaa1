"""Content-hash keys: equal requests, equal keys; any change that matters, a new key."""

from ase.build import hcp0001
from ase.constraints import FixAtoms

from screening.store.keys import calculation_key

PARAMS = {"engine": "chgnet", "model_version": "0.4.2"}
TASK = {"kind": "singlepoint"}


def slab():
    atoms = hcp0001("Zn", size=(2, 2, 3), a=2.665, c=4.947, vacuum=7.5)
    atoms.set_constraint(FixAtoms(indices=[0, 1, 2, 3]))
    return atoms


def test_key_is_stable_under_float_noise_and_copying():
    a, b = slab(), slab()
    b.positions += 1e-7
    assert calculation_key(a, PARAMS, TASK) == calculation_key(b.copy(), dict(PARAMS), TASK)
    assert len(calculation_key(a, PARAMS, TASK)) == 64


def test_key_changes_with_everything_that_matters():
    base = calculation_key(slab(), PARAMS, TASK)
    moved = slab()
    moved.positions[5, 2] += 0.01
    unfixed = slab()
    unfixed.set_constraint(FixAtoms(indices=[0, 1]))
    strained = slab()
    strained.set_cell(strained.cell * 1.01, scale_atoms=False)
    keys = {
        calculation_key(moved, PARAMS, TASK),
        calculation_key(unfixed, PARAMS, TASK),
        calculation_key(strained, PARAMS, TASK),
        calculation_key(slab(), {**PARAMS, "model_version": "0.4.3"}, TASK),
        calculation_key(slab(), PARAMS, {"kind": "relax", "fmax": 0.05, "steps": 300,
                                          "optimizer": "BFGS"}),
    }
    assert base not in keys and len(keys) == 5
