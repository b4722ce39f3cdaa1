"""The pipeline's CHGNet calculator against CHGNet's own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ase.build import fcc111

from screening.calculators.factory import chgnet_model, make_calculator
from screening.calculators.levels import get_level
from screening.calculators.parameters import calculation_parameters

pytest.importorskip("chgnet")


def test_first_order_chgnet_gives_stock_forces_and_leaves_autograd_alone():
    import torch
    from chgnet.model.dynamics import CHGNetCalculator

    level = get_level("mlip")
    atoms = fcc111("Cu", (2, 2, 3), vacuum=6.0)
    atoms.positions += np.random.default_rng(0).normal(0, 0.05, atoms.positions.shape)
    used = make_calculator(atoms, calculation_parameters(level, atoms), Path("."))
    stock = CHGNetCalculator(model=chgnet_model(level.model_version), use_device="cpu")
    used.calculate(atoms.copy())
    stock.calculate(atoms.copy(), task="ef")
    assert np.abs(used.results["forces"]).max() > 0.05  # a strained slab: real forces
    np.testing.assert_allclose(used.results["forces"], stock.results["forces"], atol=1e-4)
    assert used.results["energy"] == pytest.approx(stock.results["energy"], abs=1e-5)
    # outside a pipeline call, create_graph=True still builds a differentiable gradient
    x = torch.tensor([1.5], requires_grad=True)
    (dx,) = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)
    (d2x,) = torch.autograd.grad(dx.sum(), x)
    assert d2x.item() == pytest.approx(6 * 1.5)
