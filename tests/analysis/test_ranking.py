"""Score, coverage, ranks and Pareto front from the criteria file."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from screening.analysis.ranking import (Criterion, load_criteria, pareto_front, rank,
                                        top_stability, verify_choice)
from screening.analysis.uncertainty import ErrorModel
from screening.errors import ScreeningError


def _rows(**columns):
    return [dict(name=n, family="metal", level="mlip", flags="", missing="", n_calculations=1,
                 **{c: v[i] for c, v in columns.items()}) for i, n in enumerate(columns.pop("name"))]


@pytest.fixture
def two(tmp_path: Path):
    path = tmp_path / "criteria.toml"
    path.write_text("[criteria.e_ads_zn]\nweight = 3\npoints = [[-1.0, 1.0], [1.0, 0.0]]\n"
                    "[criteria.dg_h]\nweight = 1\npoints = [[0.0, 0.0], [1.0, 1.0]]\n")
    return load_criteria(path)


def test_desirability_is_piecewise_linear_and_held_beyond_the_ends():
    c = Criterion("dg_h", 1.0, ((0.0, 0.0), (0.5, 1.0), (1.0, 0.5)))
    d = c.desirability(pd.Series([-3.0, 0.25, 0.5, 0.75, 9.0, None]))
    assert d.iloc[:5].tolist() == [0.0, 0.5, 1.0, 0.75, 0.5]
    assert math.isnan(d.iloc[5])


def test_score_is_the_weighted_mean_over_present_criteria(two):
    table = rank(_rows(name=["a", "b", "c"], e_ads_zn=[-1.0, 0.0, 0.0],
                       dg_h=[1.0, 0.0, None]), two)
    by = table.set_index("name")
    assert by.loc["a", "score"] == 1.0 and by.loc["a", "coverage"] == 1.0
    assert by.loc["b", "score"] == pytest.approx((3 * 0.5 + 1 * 0.0) / 4)
    # c lacks dg_h: its score is over e_ads_zn alone and its coverage says so
    assert by.loc["c", "score"] == 0.5 and by.loc["c", "coverage"] == 0.75
    assert table["name"].tolist() == ["a", "c", "b"]
    assert table["rank"].tolist() == [1, 2, 3]
    assert table.columns[:10].tolist() == ["rank", "name", "family", "baseline", "level",
                                           "score", "score_sd", "p_top5", "coverage", "pareto"]
    # no error model: nothing moves, the top (all three) is certain
    assert table["p_top5"].tolist() == [1.0, 1.0, 1.0]
    assert table["score_sd"].tolist() == [0.0, 0.0, 0.0]


def test_ranks_and_pareto_front_are_taken_within_each_level(two):
    rows = _rows(name=["a", "b"], e_ads_zn=[-1.0, 0.0], dg_h=[1.0, 0.0])
    rows += [dict(rows[1], level="dft-fast//mlip")]
    table = rank(rows, two)
    assert table.set_index(["name", "level"])["rank"].to_dict() == {
        ("b", "dft-fast//mlip"): 1, ("a", "mlip"): 1, ("b", "mlip"): 2}
    assert table.set_index(["name", "level"])["pareto"].to_dict() == {
        ("b", "dft-fast//mlip"): True, ("a", "mlip"): True, ("b", "mlip"): False}


def test_pareto_front_keeps_trade_offs_and_drops_dominated_rows():
    d = pd.DataFrame({"x": [1.0, 0.0, 0.5, 0.4, np.nan], "y": [0.0, 1.0, 0.5, 0.4, np.nan]})
    assert pareto_front(d).tolist() == [True, True, True, False, False]


def test_shipped_criteria_load_and_weigh_the_main_descriptors():
    criteria = load_criteria()
    weights = {c.column: c.weight for c in criteria.criteria}
    assert weights["e_ads_zn"] > 0 and weights["dg_h"] > 0 and weights["desolvation_vs_free"] > 0
    assert weights["band_gap"] == 0  # school-dependent: off by default


@pytest.mark.parametrize("text, message", [
    ("[criteria.e_ads_zn\nweight = 1", "not valid TOML"),
    ("[criteria.e_ads_zinc]\nweight = 1\npoints = [[0, 0], [1, 1]]", "unknown descriptor"),
    ("[criteria.dg_h]\nweight = -1\npoints = [[0, 0], [1, 1]]", "weight must be"),
    ("[criteria.dg_h]\nweight = 1\npoints = [[1, 0], [0, 1]]", "must increase"),
    ("[criteria.dg_h]\nweight = 1\npoints = [[0, 0], [1, 2]]", r"lie in \[0, 1\]"),
    ("[criteria.dg_h]\nweight = 1\npoints = [0, 1]", "pairs"),
    ("[criteria.dg_h]\nweight = 0\npoints = [[0, 0], [1, 1]]", "nothing to rank"),
    ("[weights]\ndg_h = 1", "expected only"),
])
def test_bad_criteria_files_are_refused_in_one_line(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ScreeningError, match=message) as error:
        load_criteria(path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_a_missing_criteria_file_is_named():
    with pytest.raises(ScreeningError, match="nope.toml: ranking criteria file not found"):
        load_criteria(Path("nope.toml"))


def test_bare_zn_facets_are_baselines_with_a_score_but_no_rank(two):
    rows = _rows(name=["Zn(0001)", "Zn(10-11)", "a", "b"], e_ads_zn=[0.4, -0.8, -0.5, 0.1],
                 dg_h=[0.2, 0.5, 0.6, 0.9])
    rows[0]["family"] = rows[1]["family"] = "zn"
    table = rank(rows, two).set_index("name")
    # Zn(10-11) scores best of all, yet the coatings alone are ranked
    assert table["score"].idxmax() == "Zn(10-11)"
    assert table.loc["a", "rank"] == 1 and table.loc["b", "rank"] == 2
    assert table.loc[["Zn(0001)", "Zn(10-11)"], "rank"].isna().all()
    assert table["baseline"].to_dict() == {"Zn(0001)": True, "Zn(10-11)": True, "a": False,
                                           "b": False}
    assert not table.loc[["Zn(0001)", "Zn(10-11)"], "pareto"].any()
    # relative to bare Zn(0001) at the same level
    assert table.loc["a", "e_ads_zn_vs_zn"] == pytest.approx(-0.9)
    assert table.loc["b", "dg_h_vs_zn"] == pytest.approx(0.7)
    assert table.loc["Zn(10-11)", "e_ads_zn_vs_zn"] == pytest.approx(-1.2)
    assert table.loc["Zn(0001)", "e_ads_zn_vs_zn"] == 0.0


def test_relative_columns_are_missing_without_the_baseline_at_that_level(two):
    rows = _rows(name=["Zn(0001)", "a"], e_ads_zn=[0.4, -0.5], dg_h=[0.2, 0.6])
    rows[0]["family"] = "zn"
    rows.append(dict(rows[1], level="dft-check//mlip"))
    table = rank(rows, two).set_index(["name", "level"])
    assert table.loc[("a", "mlip"), "e_ads_zn_vs_zn"] == pytest.approx(-0.9)
    assert math.isnan(table.loc[("a", "dft-check//mlip"), "e_ads_zn_vs_zn"])


def test_sigmas_move_close_candidates_and_not_distant_ones(two):
    # a and b differ by 0.02 eV in e_ads_zn; f and g, 0.01 eV apart, compete for 5th place
    names = ["a", "b", "c", "d", "e", "f", "g"]
    rows = _rows(name=names, e_ads_zn=[-0.60, -0.58, -0.4, -0.3, 1.5, 0.50, 0.51],
                 dg_h=[0.5] * 7)
    errors = ErrorModel(sigma={("mlip", "e_ads_zn"): 0.1})
    table = rank(rows, two, errors).set_index("name")
    assert table.loc["a", "e_ads_zn_sigma"] == 0.1
    assert math.isnan(table.loc["a", "dg_h_sigma"])  # not measured
    p = table["p_top5"]
    # the leaders stay in the top 5 whatever the draw, e never gets in
    assert p["a"] == p["b"] == p["c"] == p["d"] == 1.0 and p["e"] == 0.0
    assert 0.4 < p["f"] < 0.65 and 0.35 < p["g"] < 0.6 and p["f"] + p["g"] == 1.0
    assert p.sum() == pytest.approx(5.0)  # five places in every draw
    # the score's spread follows sigma through the desirability slope (3/4 * 0.1 / 2)
    assert table.loc["a", "score_sd"] == pytest.approx(0.0375, rel=0.1)
    assert 0.8 < top_stability(rank(rows, two, errors), "mlip") < 1.0
    # the same seed gives the same table
    again = rank(rows, two, errors).set_index("name")
    assert again["p_top5"].equals(p)
    # verifying two: the best two by rank, or the two whose top-5 place is in doubt
    ranked = rank(rows, two, errors)
    assert verify_choice(ranked, 2) == ["a", "b"]
    assert sorted(verify_choice(ranked, 2, "uncertain")) == ["f", "g"]
