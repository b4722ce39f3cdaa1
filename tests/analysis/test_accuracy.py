"""The accuracy ladder, on values computed for real by the pair engine at two well depths."""

import json
import random

import pytest
from scipy.stats import spearmanr

from screening.analysis.accuracy import ladder, read_values, record_values, spearman
from screening.cli import main
from screening.descriptors.compute import describe
from screening.errors import ScreeningError
from screening.library.catalog import Catalog
from screening.recipes.context import open_context
from screening.settings import load_settings

SYSTEMS = ("Zn(0001)", "Cu(111)", "Pb(111)")


@pytest.fixture
def values(settings, tmp_path, monkeypatch):
    """Zn adatom values at ``pair`` and at ``deep//pair``: the same geometries, every
    pair energy doubled (``pair_depth`` 2), so every adsorption energy doubles."""
    settings_file = tmp_path / "deep.toml"
    settings_file.write_text('[levels.deep]\nbase = "pair"\npair_depth = 2.0\n')
    monkeypatch.setenv("ZNSCREEN_SETTINGS", str(settings_file))
    monkeypatch.setenv("ZNSCREEN_SLAB_MIN_LATERAL", "5.0")  # 2x2 cells, as the reference set
    deep = load_settings()
    path = tmp_path / "values.json"
    catalog = Catalog(deep)
    for level, geometry in (("pair", None), ("deep", "pair")):
        ctx = open_context(deep, level, geometry)
        for name in SYSTEMS:
            described = describe(ctx, catalog.get(name), ("zn",))
            record_values(path, ctx.name, name, {k: described.values[k]
                                                 for k in ("e_ads_zn", "e_ads_zn_atom")})
    return path


def test_the_ladder_measures_a_known_error_exactly(values, capsys, tmp_path):
    rows = read_values(values)
    assert {(r["level"], r["descriptor"]) for r in rows} == {
        (level, d) for level in ("pair", "deep//pair") for d in ("e_ads_zn", "e_ads_zn_atom")}
    rungs = {r["descriptor"]: r for r in ladder(rows, "deep//pair") if r["level"] == "pair"}
    for descriptor in ("e_ads_zn", "e_ads_zn_atom"):
        x = [r["value"] for r in rows if r["level"] == "pair" and r["descriptor"] == descriptor]
        rung = rungs[descriptor]
        # pair = half of deep//pair, so the error is -x for every system
        assert rung["n"] == len(SYSTEMS)
        assert rung["mse"] == pytest.approx(-sum(x) / len(x), abs=1e-3)
        assert rung["mae"] == pytest.approx(sum(abs(v) for v in x) / len(x), abs=1e-3)
        assert rung["max_abs"] == pytest.approx(max(abs(v) for v in x), abs=1e-3)
        assert rung["spearman"] == pytest.approx(1.0)  # doubling keeps the order
    # no reference for H: the rung says n = 0, not a number
    h = next(r for r in ladder(rows, "deep//pair") if r["descriptor"] == "dg_h")
    assert h["n"] == 0 and h["mae"] is None and h["spearman"] is None
    with pytest.raises(ScreeningError, match="no values at reference level 'dft//mlip'"):
        ladder(rows)
    # recording a candidate again replaces its rows and keeps the others
    record_values(values, "pair", "Cu(111)", {})
    assert read_values(values) == rows

    # the command prints the same ladder, as a table or as JSON
    assert main(["accuracy", "--values", str(values), "--reference", "deep//pair",
                 "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == ladder(rows, "deep//pair")
    assert set(printed[0]) == {"level", "descriptor", "reference_level", "n", "mse", "mae",
                               "max_abs", "spearman"}
    assert main(["accuracy", "--values", str(values), "--reference", "deep//pair"]) == 0
    out = capsys.readouterr().out
    assert "e_ads_zn_atom" in out and "level minus deep//pair" in out
    # other DFT levels present are pointed at, with their number of systems
    relabelled = tmp_path / "relabelled.json"
    relabelled.write_text(json.dumps(rows + [dict(r, level="dft-check") for r in rows
                                             if r["level"] == "deep//pair"]))
    assert main(["accuracy", "--values", str(relabelled), "--reference", "deep//pair"]) == 0
    assert "relaxed its own): dft-check (n=3)" in capsys.readouterr().out


def test_per_system_values_are_the_recorded_ones(values, capsys):
    rows = read_values(values)
    assert main(["accuracy", "--values", str(values), "--systems", "e_ads_zn",
                 "--levels", "deep//pair", "pair", "--format", "json"]) == 0
    table = json.loads(capsys.readouterr().out)
    assert sorted(r["candidate"] for r in table) == sorted(SYSTEMS)
    for row in table:
        recorded = {r["level"]: r["value"] for r in rows
                    if r["candidate"] == row["candidate"] and r["descriptor"] == "e_ads_zn"}
        assert list(row) == ["candidate", "deep//pair", "pair"]
        assert row["pair"] == recorded["pair"] and row["deep//pair"] == recorded["deep//pair"]
        assert row["deep//pair"] == pytest.approx(2 * row["pair"], abs=1e-3)
    # a level with no values of the descriptor: one line, nothing printed
    assert main(["accuracy", "--values", str(values), "--systems", "dg_h",
                 "--levels", "pair"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "--levels pair: no dg_h values" in captured.err


@pytest.mark.parametrize("content, message", [
    (None, "no reference values"),
    ("{not json", "cannot read the reference values"),
    ('[{"level": "x"}]', "not a list of value rows"),
])
def test_bad_values_files_are_one_line(tmp_path, capsys, content, message):
    path = tmp_path / "values.json"
    if content is not None:
        path.write_text(content)
    assert main(["accuracy", "--values", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and str(path) in err and err.count("\n") == 1


@pytest.mark.filterwarnings("ignore::scipy.stats.ConstantInputWarning")
def test_spearman_agrees_with_scipy_ties_included():
    rng = random.Random(7)
    for _ in range(100):
        n = rng.randint(3, 9)
        x = [rng.choice([0.1, 0.2, rng.random()]) for _ in range(n)]
        y = [rng.choice([0.5, rng.random()]) for _ in range(n)]
        ours, theirs = spearman(x, y), spearmanr(x, y).statistic
        assert (ours is None) if theirs != theirs else ours == pytest.approx(theirs)
    assert spearman([1.0, 2.0], [2.0, 1.0]) is None  # below 3 systems
