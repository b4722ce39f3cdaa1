"""Levels: documented defaults, overrides from settings, per-structure parameters."""

from importlib import metadata

import pytest
from ase.build import bulk, hcp0001, molecule

from screening.calculators.levels import BUILTIN_LEVELS, all_levels, get_level
from screening.calculators.parameters import calculation_parameters, kpoint_mesh
from screening.cli import main
from screening.errors import SettingsError
from screening.settings import load_settings


def test_builtin_levels_are_the_documented_ones():
    assert BUILTIN_LEVELS["mlip"].engine == "chgnet"
    assert BUILTIN_LEVELS["mlip"].model_version == metadata.version("chgnet")
    fast, dft = BUILTIN_LEVELS["dft-fast"], BUILTIN_LEVELS["dft"]
    assert (fast.engine, fast.mode, fast.basis, fast.xc, fast.d3) == ("gpaw", "lcao", "dzp", "PBE", True)
    assert (dft.engine, dft.mode, dft.xc, dft.d3) == ("gpaw", "pw", "PBE", True)
    assert dft.ecut >= 400


def test_dft_check_is_gamma_point_on_every_library_slab(bundled_catalog, settings):
    from screening.calculators.factory import check_basis
    from screening.library.surfaces import build_slab_models, slab_spec

    check = get_level("dft-check")
    assert (check.engine, check.mode, check.basis, check.d3) == ("gpaw", "lcao", "szp(dzp)", True)
    check_basis({"Zn", "O", "H"}, check.basis)  # the szp subset is read from the dzp files
    for name in ("Zn(0001)", "Pb(111)", "graphene"):
        candidate = bundled_catalog.get(name)
        slab = build_slab_models(candidate, slab_spec(settings, candidate))[0].atoms
        assert calculation_parameters(check, slab)["kpts"] == [1, 1, 1], name
    # bulk Zn keeps a k-mesh, coarser than dft-fast's 17x17x8
    assert calculation_parameters(check, bulk("Zn", "hcp", a=2.665, c=4.947))["kpts"] == [9, 9, 4]


def test_settings_override_and_derive_levels(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[levels.dft]\necut = 500\n[levels.cheap]\nbase = "dft-fast"\n'
                    'kpt_density = 1\nd3 = false\n')
    levels = all_levels(load_settings(path, environ={}).levels)
    assert levels["dft"].ecut == 500.0 and levels["dft"].mode == "pw"
    assert levels["cheap"].mode == "lcao" and levels["cheap"].kpt_density == 1.0
    assert levels["cheap"].d3 is False
    assert levels["dft-fast"].d3 is True  # the base is untouched


@pytest.mark.parametrize("table, message", [
    ('[levels.dft]\necutt = 500\n', "unknown level parameter 'ecutt'"),
    ('[levels.dft]\necut = "high"\n', "'ecut' must be float"),
    ('[levels.dft]\nmode = "fd"\n', "'mode' must be one of 'pw', 'lcao'"),
    ('[levels.dft]\nsmearing = -0.1\n', "'smearing' must be positive"),
    ('[levels.dft]\nd3 = 1\n', "'d3' must be bool"),
    ('[levels.mine]\necut = 300\n', "a new level needs base"),
    ('[levels.dft]\nbase = "mlip"\n', "'base' is only for new levels"),
    ('levels = 3\n', "'levels' must be tables"),
    # a charge or solvent the level cannot honour, an unknown solvent parameter set
    ('[levels.mlip]\ncluster_charge = 2\n', "engine chgnet knows no charge"),
    ('[levels.dft-check]\ncluster_charge = 1\n', "'cluster_charge' must be one of 0, 2"),
    ('[levels.7net-0]\nsolvent = "hw14"\n', "engine sevennet has no implicit solvent"),
    ('[levels.dft]\nsolvent = "hw14"\n', "needs mode = \"lcao\""),
    ('[levels.dft-check]\nsolvent = "vaspsol"\n', "'solvent' must be one of '', 'hw14'"),
])
def test_bad_level_tables_fail_in_one_line(tmp_path, table, message):
    path = tmp_path / "s.toml"
    path.write_text(table)
    with pytest.raises(SettingsError, match=message):
        load_settings(path, environ={})


def test_cli_reports_a_bad_level_table_and_an_unknown_level(tmp_path, monkeypatch, capsys):
    path = tmp_path / "s.toml"
    path.write_text('[levels.dft]\necut = "high"\n')
    monkeypatch.setenv("ZNSCREEN_SETTINGS", str(path))
    from screening.settings import get_settings
    get_settings.cache_clear()
    assert main(["levels"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'ecut' must be float" in err
    path.write_text("")
    get_settings.cache_clear()
    assert main(["validate", "--level", "dtf"]) == 2
    assert ("unknown level 'dtf' (known: mlip, dft-check, dft-check-ion, dft-fast, dft, "
            "7net-0, 7net-l3i5, 7net-mf-0, pair)"
            in capsys.readouterr().err)
    get_settings.cache_clear()


def test_kpoint_mesh_follows_density_and_periodicity():
    zn = bulk("Zn", "hcp", a=2.665, c=4.947)
    # 2 pi |b| density: a-axis 2pi*0.4333*3.5 = 9.53 -> 10, c-axis 2pi/4.947*3.5 = 4.45 -> 5
    assert kpoint_mesh(zn, 3.5, (True, True, True)) == [10, 10, 5]
    assert kpoint_mesh(zn, 3.5, (True, True, False)) == [10, 10, 1]


def test_parameters_per_system_kind():
    dft = get_level("dft")
    slab = hcp0001("Zn", size=(3, 3, 4), a=2.665, c=4.947, vacuum=7.5)
    slab.pbc = True
    p = calculation_parameters(dft, slab)
    assert p["system"] == "slab" and p["pbc"] == [True, True, False]
    assert p["kpts"][2] == 1 and p["kpts"][0] > 1 and p["dipole"] is True
    assert p["spinpol"] is False and p["magmoms"] is None

    p = calculation_parameters(dft, bulk("Zn", "hcp", a=2.665, c=4.947))
    assert p["system"] == "bulk" and p["dipole"] is False
    assert p["kpts"] == [17, 17, 8]  # bulk_kpt_density 6: 16.3 -> 17 and 7.6 -> 8

    water = molecule("H2O")
    water.center(vacuum=6.0)
    water.pbc = True
    p = calculation_parameters(dft, water, charge=2)
    assert p["system"] == "molecule" and p["kpts"] == [1, 1, 1] and p["charge"] == 2

    iron = bulk("Fe", "bcc", a=2.87)
    p = calculation_parameters(dft, iron)
    assert p["spinpol"] is True and p["magmoms"] == [3.0]

    # CHGNet and the pair potential know no charge: every system is computed neutral
    assert calculation_parameters(get_level("mlip"), water, charge=2)["charge"] == 0
    assert calculation_parameters(get_level("pair"), water, charge=2) == {
        "engine": "pair", "pair_alpha": 2.0, "pair_depth": 1.0, "system": "molecule",
        "charge": 0}


def test_a_charged_cluster_on_a_slab_needs_the_solvent(settings, tmp_path, monkeypatch, capsys):
    """GPAW holds no net charge in a slab cell in vacuum ("Charged systems with mixed
    periodic/zero boundary conditions"): refused before anything is computed, in one line;
    free clusters may be charged in vacuum, and the solvated jellium takes slabs."""
    levels = {"ion": {"base": "dft-check", "cluster_charge": 2}}
    slab = hcp0001("Zn", (2, 2, 3), vacuum=6.0)
    cluster = molecule("H2O")
    cluster.center(vacuum=4.0)
    ion, solvated = get_level("ion", levels), get_level("dft-check-ion", levels)
    # the built-in ion level is dft-check with the charge and the solvent
    assert (solvated.cluster_charge, solvated.solvent) == (2, "hw14")
    assert ({k: v for k, v in calculation_parameters(solvated, slab).items() if k != "solvent"}
            == calculation_parameters(get_level("dft-check", levels), slab))
    assert calculation_parameters(ion, cluster, charge=2)["charge"] == 2
    assert calculation_parameters(solvated, slab, charge=2)["charge"] == 2
    with pytest.raises(SettingsError, match="cluster_charge = 2 on a slab needs solvent"):
        calculation_parameters(ion, slab, charge=2)
    assert calculation_parameters(ion, slab)["charge"] == 0  # the clean slab stays neutral

    path = tmp_path / "ion.toml"
    path.write_text('[levels.ion]\nbase = "dft-check"\ncluster_charge = 2\n')
    monkeypatch.setenv("ZNSCREEN_SETTINGS", str(path))
    from screening.settings import get_settings
    get_settings.cache_clear()
    for args in (["--level", "ion"], ["--level", "pair", "--verify-top", "1",
                                      "--verify-level", "ion", "--verify-descriptors",
                                      "desolvation"]):
        assert main(["run", "Zn(0001)", "--descriptors", "desolvation", *args]) == 2
        captured = capsys.readouterr()
        assert captured.err.count("\n") == 1 and "level 'ion': cluster_charge = 2" in captured.err
        assert "screening" not in captured.out  # refused before the flow started
    get_settings.cache_clear()
