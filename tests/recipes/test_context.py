"""The recipe context: energies at a level on geometries relaxed at another."""

import numpy as np
import pytest

from screening.atoms.molecules import water
from screening.calculators.levels import get_level
from screening.recipes.context import Context
from screening.store.database import Store


def test_level_on_geometry_level_is_a_single_point_on_the_relaxed_structure(settings):
    pytest.importorskip("chgnet")
    store = Store(settings.store_url)
    mlip = get_level("mlip")
    stretched = water(5.0)
    stretched.positions[1] += 0.1 * (stretched.positions[1] - stretched.positions[0])
    direct = Context(store, mlip, settings).run(stretched, "h2o", relax=True)
    ctx = Context(store, mlip, settings, geometry=mlip)
    assert ctx.name == "mlip//mlip"
    energy = ctx.run(stretched, "h2o", relax=True)
    geometry, single = ctx.used
    assert geometry.key == direct.key and not geometry.computed  # the relaxation is reused
    assert geometry.task == "relax" and single.task == "singlepoint"
    assert single.label == "h2o//mlip" and energy is single
    assert np.allclose(single.atoms.positions, direct.atoms.positions)
    # the same model on the same structure: the single point repeats the energy
    assert single.energy == pytest.approx(direct.energy, abs=1e-5)
    assert direct.energy < Context(store, mlip, settings).run(stretched, "h2o").energy
