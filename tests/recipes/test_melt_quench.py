"""Melt-quench MD through the store, and `znscreen amorphous`, on the fast real pair engine."""

import json

import numpy as np
import pytest

from screening.cli import main
from screening.errors import ScreeningError
from screening.recipes.amorphous import MeltQuench, melt_quench
from screening.recipes.context import open_context

QUICK = dict(units=8, melt_ps=0.2, quench_rate=20000.0, anneal_ps=0.1, segment_steps=100)


def test_the_schedule_follows_the_recipe():
    recipe = MeltQuench(melt_temperature=3000, melt_ps=3, quench_rate=500, anneal_ps=1,
                        final_temperature=300, timestep=2.0, segment_steps=500)
    segments = recipe.schedule()
    assert sum(n for *_, n in segments) == 1500 + 2700 + 500  # steps of 2 fs
    assert max(n for *_, n in segments) <= 500
    ramp = [s for s in segments if s[0] != s[1]]
    assert ramp[0][0] == 3000 and ramp[-1][1] == 300
    assert all(a[1] == b[0] for a, b in zip(ramp, ramp[1:]))  # continuous


def test_melt_quench_resumes_from_the_store_and_keeps_the_density(settings):
    recipe = MeltQuench(**QUICK)
    glass = melt_quench(open_context(settings, "pair"), recipe)
    assert glass.md_steps == 435 and glass.density == pytest.approx(3.8)
    assert len(glass.slab.atoms) == len(glass.box.atoms) == 24
    assert sum(glass.coordination_spread.values()) == 8  # every Ti counted
    again = open_context(settings, "pair")
    assert melt_quench(again, recipe).slab.key == glass.slab.key
    assert not any(calc.computed for calc in again.used)
    other = melt_quench(open_context(settings, "pair"), MeltQuench(**{**QUICK, "seed": 1}))
    assert not np.allclose(other.box.atoms.positions, glass.box.atoms.positions)


def test_hot_md_moves_atoms_further_than_cold_md(settings):
    from ase.build import bulk

    ctx = open_context(settings, "pair")
    crystal = bulk("Cu", "fcc", a=3.61, cubic=True).repeat(2)
    moved = {}
    for temperature in (30.0, 1500.0):
        end = ctx.md(crystal, f"cu-{temperature}", (temperature, temperature), 300, seed=2)
        moved[temperature] = np.abs(end.atoms.positions - crystal.positions).mean()
    assert moved[1500.0] > 2 * moved[30.0]


def test_recipe_errors_are_one_line():
    for bad, message in (({"melt_temperature": 200.0}, "not below melt_temperature"),
                         ({"timestep": 0.0}, "timestep = 0.0: must be positive"),
                         ({"anneal_ps": -1.0}, "must be >= 0")):
        with pytest.raises(ScreeningError, match=message):
            MeltQuench(**bad).check()


def test_cli_adds_the_slab_with_its_recipe_and_refuses_bad_input_untouched(settings, capsys):
    argv = ["amorphous", "--name", "a-TiO2-q", "--level", "pair", "--units", "8", "--melt-ps",
            "0.2", "--quench-rate", "20000", "--anneal-ps", "0.1"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "24-atom amorphous TiO2 slab from" in out and "coordination" in out
    catalog = settings.user_catalog.read_text()
    assert "a-TiO2-q" in catalog and "melt-quench at pair" in catalog
    record = json.loads((settings.results_dir / "amorphous" / "a-TiO2-q.json").read_text())
    assert record["density"] == pytest.approx(3.8) and len(record["rdf"]["g"]) == 100
    for extra, message in ((["--density", "40"], "no room"),
                           (["--formula", "TiQ2"], "Q is no element"),
                           (["--melt-temperature", "100"], "not below melt_temperature")):
        assert main([*argv[:2], "b-TiO2", *argv[3:], *extra]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1
    assert main(argv) == 2 and "already exists" in capsys.readouterr().err
    assert settings.user_catalog.read_text() == catalog
