"""Band gap and work function recorded from real (cheap) GPAW calculations."""

import pytest
from ase.build import hcp0001, molecule

from screening.calculators.levels import get_level
from screening.calculators.parameters import calculation_parameters
from screening.runners.execute import TaskSpec, execute

#: PBE plane waves at 250 eV without D3, a few k-points: cheap, and enough
#: for the electrostatics. Zn work function: 3.6-4.3 eV measured, PBE ~4.2-4.3.
CHEAP = {"base": "dft", "ecut": 250, "d3": False, "kpt_density": 2.0}


@pytest.mark.dft
@pytest.mark.parametrize("implementation", ["old", "new"])
def test_zn0001_work_function_is_physical_and_the_metal_has_no_gap(tmp_path, implementation):
    pytest.importorskip("gpaw")
    slab = hcp0001("Zn", size=(1, 1, 3), a=2.665, c=4.947, vacuum=6.0)
    slab.pbc = True
    level = get_level("cheap", {"cheap": {**CHEAP, "implementation": implementation}})
    params = calculation_parameters(level, slab)
    assert params["system"] == "slab" and params["dipole"]
    found = execute(slab, params, TaskSpec(), tmp_path).electronic
    assert found["band_gap"] == 0.0
    assert 3.6 < found["work_function"] < 4.8
    # a symmetric slab: the dipole layer leaves both vacuum levels equal
    assert found["vacuum_top"] == pytest.approx(found["vacuum_bottom"], abs=0.02)
    assert found["work_function"] == pytest.approx(found["vacuum_top"] - found["fermi_level"])


@pytest.mark.dft
def test_a_water_molecule_has_a_wide_gap_and_no_work_function(tmp_path):
    pytest.importorskip("gpaw")
    water = molecule("H2O")
    water.center(vacuum=4.0)
    water.pbc = True
    params = calculation_parameters(get_level("cheap", {"cheap": CHEAP}), water)
    assert params["system"] == "molecule"
    found = execute(water, params, TaskSpec(), tmp_path).electronic
    assert 4.0 < found["band_gap"] < 8.0  # PBE HOMO-LUMO of water, about 6 eV
    assert "work_function" not in found


@pytest.mark.dft
def test_both_vacuum_levels_are_gpaws_own_on_either_side_of_the_dipole_layer(tmp_path):
    """O on top of a Zn(0001) slab: the top's work function rises far above the clean
    bottom's (an electronegative adatom on one side only), and the two levels read
    here are the ones GPAW prints for its dipole-corrected slab (its log)."""
    pytest.importorskip("gpaw")
    import re

    from ase.build import add_adsorbate

    slab = hcp0001("Zn", size=(1, 1, 3), a=2.665, c=4.947, vacuum=6.0)
    add_adsorbate(slab, "O", 1.2, "fcc")
    slab.center(vacuum=6.0, axis=2)
    slab.pbc = True
    found = execute(slab, calculation_parameters(get_level("cheap", {"cheap": CHEAP}), slab),
                    TaskSpec(), tmp_path).electronic
    top = found["work_function"]
    bottom = found["vacuum_bottom"] - found["fermi_level"]
    log = (tmp_path / "gpaw-rung0.txt").read_text()
    printed = re.findall(r"Dipole-layer corrected work functions: ([-\d.]+), ([-\d.]+) eV", log)
    gpaw_bottom, gpaw_top = (float(x) for x in printed[-1])
    assert top == pytest.approx(gpaw_top, abs=0.02)
    assert bottom == pytest.approx(gpaw_bottom, abs=0.02)
    assert top > bottom + 1.0
