"""Shared references and level validation, computed for real (CHGNet; cheap GPAW)."""

import json

import numpy as np
import pytest

from screening.atoms.molecules import ZN_O, hexaaqua_zinc, loosest_water, without_water
from screening.calculators.levels import get_level
from screening.cli import main
from screening.recipes.context import Context
from screening.recipes.references import clusters, summary, zn_bulk
from screening.recipes.validation import WINDOWS, validate
from screening.store.database import Store


def test_hexaaqua_zinc_is_octahedral_and_strips_one_water_at_a_time():
    cluster = hexaaqua_zinc(6.0)
    assert cluster.get_chemical_formula() == "H12O6Zn"
    distances = [cluster.get_distance(0, 1 + 3 * i) for i in range(6)]
    assert np.allclose(distances, ZN_O)
    cluster.positions[1 + 3 * 4] += 0.3 * (cluster.positions[13] - cluster.positions[0])
    assert loosest_water(cluster) == 4
    smaller = without_water(cluster, 4, 6.0)
    assert smaller.get_chemical_formula() == "H10O5Zn" and smaller.numbers[0] == 30


@pytest.fixture
def mlip(settings):
    pytest.importorskip("chgnet")
    return Context(Store(settings.store_url), get_level("mlip"), settings)


def test_mlip_references_are_computed_once_and_physical(mlip):
    rows = summary(mlip)
    assert all(r["converged"] and r["computed_now"] for r in rows)
    again = summary(mlip)
    assert not any(r["computed_now"] for r in again)  # everything came from the store
    assert [r["value"] for r in again] == [r["value"] for r in rows]

    series = clusters(mlip)
    assert sorted(series) == list(range(7))
    assert [len(series[n].atoms) for n in range(7)] == [1 + 3 * n for n in range(7)]
    water = next(r["value"] for r in rows if r["reference"] == "h2o energy")
    steps = [series[n - 1].energy + water - series[n].energy for n in range(6, 0, -1)]
    # removing a water from the neutral cluster always costs energy (0.3-0.8 eV per
    # step with CHGNet, see SCIENCE.md); the sum is a few eV, not tens
    assert all(0.0 < s < 1.5 for s in steps)
    assert 1.5 < sum(steps) < 6.0


def test_validate_mlip_inside_the_documented_windows(mlip, capsys):
    report = validate(mlip)
    assert report["passed"], report
    assert report["zn_a"] == pytest.approx(2.665, rel=WINDOWS["zn_a"][1])
    assert report["zn_cohesive_energy"] > 0
    assert main(["validate", "--level", "mlip", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    for key in ("level", "zn_a", "zn_c", "zn_cohesive_energy"):
        assert printed[key] == report[key]
    assert printed["computed_now"] == 0  # the CLI found the same calculations in the store


def test_a_level_at_the_experimental_lattice_computes_one_bulk_cell_and_judges_no_lattice(
        settings):
    # the pair engine at the experimental lattice, as dft-check takes it
    level = get_level("pair-exp", {"pair-exp": {"base": "pair", "bulk_lattice": "experiment"}})
    ctx = Context(Store(settings.store_url), level, settings)
    bulk = zn_bulk(ctx)
    assert not bulk.fitted and bulk.grid == []
    assert (bulk.a, bulk.c) == (2.665, 4.947)
    assert bulk.calculation.atoms.cell.cellpar()[0] == pytest.approx(2.665)
    assert bulk.energy_per_atom == pytest.approx(bulk.calculation.energy / 2)
    report = validate(ctx)
    assert [c["quantity"] for c in report["checks"]] == ["zn_cohesive_energy"]
    assert "not checked" in report["note"] and report["calculations"] == 2
    # the same level fitting its own lattice computes a grid around experiment
    fitted = zn_bulk(Context(Store(settings.store_url), get_level("pair"), settings))
    assert fitted.fitted and len(fitted.grid) >= 9 and fitted.a != 2.665


def test_cli_references_and_calculations_listing(mlip, capsys):
    assert main(["references", "--level", "mlip", "--only", "h2o", "h2", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["reference"] for r in rows] == ["h2o energy", "h2 energy"]
    assert all(r["level"] == "mlip" and r["converged"] for r in rows)
    assert main(["calculations", "--status", "done", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert sorted(r["label"] for r in listed) == ["ref/h2", "ref/h2o"]
    assert all(r["status"] == "done" and r["task"] == "relax" for r in listed)
    assert all(r["calls"] >= r["steps"] >= 1 for r in listed)  # evaluations listed too


def test_the_ion_model_is_said_in_words_for_each_kind_of_level(settings):
    from screening.recipes.context import open_context
    from screening.recipes.references import convention

    assert convention(open_context(settings, "pair")) == (
        "neutral Zn with n waters (the model knows no charge), Zn-O springs k = 5 eV/A^2 "
        "hold the shell")
    ion = convention(open_context(settings, "dft-check-ion", geometry="mlip"))
    assert ion.startswith("[Zn(H2O)n]2+ in HW14 implicit water; on a slab SJM")
    assert ion.endswith("on mlip geometries, Zn-O springs k = 5 eV/A^2 hold the shell")
    neutral = convention(open_context(settings, "dft-check"))
    assert neutral == "neutral Zn with n waters in vacuum (not the ion)"
