"""Surface energies of every termination, on the fast real pair engine."""

import json
from dataclasses import replace

import pytest

from screening.atoms.slabs import SlabError
from screening.cli import main
from screening.errors import ScreeningError
from screening.library.surfaces import build_slab_models, slab_spec
from screening.recipes.context import open_context
from screening.recipes.terminations import survey


def test_the_cut_surface_energy_does_not_depend_on_thickness(settings, bundled_catalog):
    """gamma_cut = (E - N e_bulk) / 2A: the slab's interior is bulk, so with the
    right bulk energy and area a thicker slab gives the same value."""
    ctx = open_context(settings, "pair")
    cu = bundled_catalog.get("Cu(111)")
    thin, thick = (survey(ctx, replace(cu, layers=n)).terminations[0] for n in (4, 6))
    assert thick.n_atoms > thin.n_atoms
    assert thin.gamma_cut > 0 and thick.gamma_cut == pytest.approx(thin.gamma_cut, abs=1e-3)
    # relaxing the free face can only lower it
    assert thin.gamma <= thin.gamma_cut and thick.gamma <= thick.gamma_cut


def test_every_distinct_termination_is_numbered_and_selectable(settings, bundled_catalog):
    ctx = open_context(settings, "pair")
    zn = bundled_catalog.get("Zn(10-10)")
    result = survey(ctx, zn)
    rules = [t.rule for t in result.terminations]
    assert rules == [f"#{i}" for i in range(1, len(rules) + 1)] and len(rules) >= 2
    assert result.default == "#1"  # "auto" is the first in its own order
    assert result.lowest.gamma == min(t.gamma for t in result.terminations if t.symmetric)
    spec = slab_spec(settings, zn)
    for term in result.terminations:
        model = build_slab_models(replace(zn, termination=term.rule), spec)[0]
        assert model.broken_bonds_per_area == pytest.approx(term.broken_bonds_per_A2, abs=1e-4)
    # the two symmetric Zn(10-10) cuts: the one cutting fewer bonds is the lower (cut) energy
    short, long = sorted((t for t in result.terminations if t.symmetric),
                         key=lambda t: t.broken_bonds_per_A2)[:2]
    assert short.gamma_cut < long.gamma_cut
    with pytest.raises(SlabError, match=r"give #1..#\d"):
        build_slab_models(replace(zn, termination="#99"), spec)


def test_polar_cuts_have_no_surface_energy_and_sheets_no_choice(settings, bundled_catalog):
    ctx = open_context(settings, "pair")
    result = survey(ctx, bundled_catalog.get("anatase-TiO2(101)"))
    polar = [t for t in result.terminations if t.polar]
    assert polar and all(t.gamma is None and "polar" in t.reason for t in polar)
    assert all(t.gamma is not None for t in result.terminations if not t.polar)
    with pytest.raises(ScreeningError, match="graphene: a sheet has one termination"):
        survey(ctx, bundled_catalog.get("graphene"))


def test_cli_reports_the_lowest_and_refuses_a_sheet(settings, capsys):
    assert main(["terminations", "Zn(10-10)", "--level", "pair"]) == 0
    out = capsys.readouterr().out
    record = json.loads((settings.results_dir / "terminations" / "Zn_10-10-pair.json")
                        .read_text())
    assert record["default"] == "#1" and record["lowest"] in out
    assert "Zn(10-10):" in out and "(default)" in out
    assert main(["terminations", "graphene", "--level", "pair"]) == 2
    err = capsys.readouterr().err
    assert "graphene" in err and err.count("\n") == 1
