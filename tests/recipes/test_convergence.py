"""Slab convergence of E_ads(Zn), on the fast real pair engine."""

import json

from screening.cli import main
from screening.recipes.context import open_context
from screening.recipes.convergence import converge


def test_a_converged_slab_keeps_its_default_and_a_second_run_computes_nothing(settings,
                                                                             bundled_catalog):
    cu = bundled_catalog.get("Cu(111)")
    ctx = open_context(settings, "pair")
    result = converge(ctx, cu, tolerance=0.05)
    start, thicker, wider = result.points
    assert (start.layers, thicker.layers, wider.layers) == (4, 5, 4)
    assert thicker.n_atoms > start.n_atoms and wider.n_atoms > start.n_atoms
    assert wider.supercell[0] > start.supercell[0]
    assert abs(thicker.e_ads_zn - start.e_ads_zn) < 0.05  # why it stopped
    assert result.thickness_converged and result.lateral_converged and not result.changed
    again = open_context(settings, "pair")
    assert converge(again, cu, tolerance=0.05) == result
    assert again.used and not any(calc.computed for calc in again.used)


def test_a_tolerance_below_the_change_grows_the_default(settings, bundled_catalog, capsys):
    ctx = open_context(settings, "pair")
    result = converge(ctx, bundled_catalog.get("Cu(111)"), tolerance=1e-4, max_steps=1)
    start, thicker = result.points[:2]
    assert abs(thicker.e_ads_zn - start.e_ads_zn) >= 1e-4
    assert not result.thickness_converged and result.layers == 5 and result.changed
    # the CLI calls the unconverged model the largest tried, not a new default
    assert main(["converge", "Cu(111)", "--level", "pair", "--tolerance", "1e-4",
                 "--max-steps", "1"]) == 0
    out = capsys.readouterr().out
    assert "Cu(111): NOT converged" in out and "default grows" not in out
    assert f"largest model tried: layers = 5, min_lateral = {result.min_lateral:.2f} A" in out


def test_a_sheet_has_no_layers_to_grow(settings, bundled_catalog):
    result = converge(open_context(settings, "pair"), bundled_catalog.get("graphene"))
    assert [p.direction for p in result.points] == ["start", "wider"]
    assert result.layers is None and result.thickness_converged


def test_cli_writes_the_outcome_and_refuses_bad_input(settings, capsys):
    assert main(["converge", "Cu(111)", "--level", "pair"]) == 0
    out = capsys.readouterr().out
    assert "Cu(111): converged within 0.05 eV at pair; default kept" in out
    record = json.loads((settings.results_dir / "convergence" / "Cu_111-pair.json").read_text())
    assert record["layers"] == 4 and len(record["points"]) == 3 and not record["changed"]
    for argv, message in ((["--tolerance", "0"], "--tolerance must be positive"),
                          (["--max-steps", "0"], "--max-steps must be at least 1")):
        assert main(["converge", "Cu(111)", "--level", "pair", *argv]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1
    assert main(["converge", "Unobtainium(111)", "--level", "pair"]) == 2
    assert "Unobtainium(111)" in capsys.readouterr().err


def test_a_batch_goes_on_past_a_candidate_it_cannot_check(settings, monkeypatch, capsys):
    """ZnO(10-10)'s 128-atom default is past a 100-atom limit: said on stderr, the
    others checked and written, exit status 1."""
    from screening.settings import get_settings

    monkeypatch.setenv("ZNSCREEN_MAX_SLAB_ATOMS", "100")
    get_settings.cache_clear()
    assert main(["converge", "ZnO(10-10)", "Cu(111)", "--level", "pair", "--max-steps",
                 "1"]) == 1
    out, err = capsys.readouterr()
    assert "ZnO(10-10): not checked (" in err and "max_slab_atoms" in err
    assert "Cu(111): converged" in out
    results = settings.results_dir / "convergence"
    assert (results / "Cu_111-pair.json").exists()
    assert not (results / "ZnO_10-10-pair.json").exists()


def test_a_model_that_cannot_grow_says_why(settings, monkeypatch, capsys):
    """Cu(111)'s 5x5 is past an 80-atom limit: the lateral check stops there and the
    verdict names the limit, not a number of steps."""
    from screening.settings import get_settings

    monkeypatch.setenv("ZNSCREEN_MAX_SLAB_ATOMS", "80")
    get_settings.cache_clear()
    assert main(["converge", "Cu(111)", "--level", "pair"]) == 0
    out = capsys.readouterr().out
    assert "Cu(111): NOT converged (lateral size: " in out and "max_slab_atoms" in out
    record = json.loads((settings.results_dir / "convergence" / "Cu_111-pair.json").read_text())
    assert [p["direction"] for p in record["points"]] == ["start", "thicker"]
    assert "max_slab_atoms" in record["limits"]["lateral size"]
    assert "Cu(111): NOT converged" in out and "default kept" in out
